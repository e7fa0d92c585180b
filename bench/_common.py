"""Helpers shared by the benchmarks in bench/: data, timing, peak memory, machine line, Markdown.

Nothing here knows about a particular algorithm, so every benchmark script reports the same way:
median and minimum of repeated wall times, extra peak memory measured in a fresh subprocess, the
machine and library versions, the exact command, and a section of BENCHMARKS.md between markers.
"""

import gzip
import json
import os
import platform
import re
import resource
import shlex
import statistics
import struct
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
# An installed ckmeans wins (it is earlier on the path); a source tree built with
# `python setup.py build_ext --inplace` is the fallback. Reports say which one ran (`ckmeans_origin`).
sys.path.append(str(REPO_ROOT))
DATA_ENVS = ("CKMEANS_BENCH_DATA", "CKMEANS_TEST_DATA")


# ----------------------------------------------------------------------------------------- data


def data_dir():
    """Folder with mnist/, fashion-mnist/...: the first of $CKMEANS_BENCH_DATA, $CKMEANS_TEST_DATA,
    else ../shared/data next to the repository."""
    for env in DATA_ENVS:
        if os.environ.get(env):
            return Path(os.environ[env])
    return REPO_ROOT.parent / "shared" / "data"


def _read_idx_numpy(path):
    # IDX: two zero bytes, a type code (0x08 = uint8), the number of dimensions, then big-endian
    # uint32 sizes and the raw data.
    with gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or code != 0x08:
        raise ValueError(f"{path}: not a uint8 IDX file (header {raw[:4].hex()})")
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_idx_images(path):
    """An IDX image file as a C-contiguous uint8 matrix, one flattened image per row.

    Uses ckmeans.read_idx when this ckmeans has it, else a small NumPy reader; returns the reader
    used as well, so the report can say which."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: set CKMEANS_BENCH_DATA or CKMEANS_TEST_DATA to "
            "the folder holding mnist/ (see bench/README.md)"
        )
    try:
        from ckmeans import read_idx
    except ImportError:
        images, reader = _read_idx_numpy(path), "numpy+gzip"
    else:
        images, reader = np.asarray(read_idx(path)), "ckmeans.read_idx"
    if images.dtype != np.uint8:
        raise ValueError(f"{path}: expected uint8 images, got {images.dtype}")
    return np.ascontiguousarray(images.reshape(images.shape[0], -1)), reader


def synthetic_uint8(n_samples, n_features, n_centers=8, seed=0):
    """Blobs quantised to uint8 pixels: a stand-in for MNIST when the real data is not wanted."""
    rng = np.random.default_rng(seed)
    centers = rng.uniform(40, 215, size=(n_centers, n_features))
    rows = centers[rng.integers(n_centers, size=n_samples)] + rng.normal(0, 25, (n_samples, n_features))
    return np.clip(np.rint(rows), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------------------- timing


def timed(fn, *args, **kwargs):
    """(wall seconds, result) of one call."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def summarize(values):
    """Median and minimum of repeated measurements (the median is what tables rank by)."""
    return {"median": statistics.median(values), "min": min(values), "n": len(values)}


# --------------------------------------------------------------------------------------- memory


def _status_kb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss():
    """Start a fresh peak-RSS window and return the current RSS in MB.

    On Linux writing 5 to /proc/self/clear_refs resets VmHWM, so the later peak excludes transients
    from before (e.g. decompressing the data). Elsewhere the peak stays ru_maxrss since process start,
    which can only over-state the baseline -- `peak_rss_mb` then under-states the extra memory."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    rss = _status_kb("VmRSS")
    return rss / 1024 if rss is not None else peak_rss_mb()


def peak_rss_mb():
    """Peak resident memory of this process in MB (since the last `reset_peak_rss` on Linux)."""
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm / 1024
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, kB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def extra_peak_mb(fn):
    """(peak RSS during fn() minus RSS before it, in MB; RSS before; fn's result). Call it in a fresh
    process with the data already loaded, so the extra is what fn itself costs."""
    baseline = reset_peak_rss()
    result = fn()
    return peak_rss_mb() - baseline, baseline, result


def run_json_subprocess(argv, env=None, timeout=None):
    """Run a Python command in a fresh process and return the JSON object on its last stdout line."""
    proc = subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=env, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------- the machine


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def version_of(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_line(distributions):
    """One line: the date, the CPU and the instruction set ckmeans' k-means kernels run on it (CPU
    kinds differ most there), core counts, Python and the version of every named distribution."""
    versions = ", ".join(f"{d} {version_of(d) or 'not installed'}" for d in distributions)
    try:
        import ckmeans

        isa = f" ({ckmeans.kernel_isa()['kmeans']} kernels)"
    except ImportError:
        isa = ""
    return (
        f"{datetime.now(timezone.utc):%Y-%m-%d}, {cpu_model()}{isa}, {os.cpu_count()} logical CPUs "
        f"({usable_cpus()} usable), {platform.system()} {platform.release()}, Python "
        f"{platform.python_version()}; {versions}"
    )


def load_note():
    """The 1-minute load average when the run started (other jobs on the machine add noise), to
    read beside the ratios. Taken at import, before the run's own work."""
    return f"load average {_LOAD_AT_START:.1f} when the run started"


_LOAD_AT_START = os.getloadavg()[0]


def ckmeans_origin():
    """Where ckmeans is imported from (installed package or source tree), or why it is not."""
    try:
        import ckmeans
    except ImportError as exc:
        return f"ckmeans not importable ({exc})"
    # Named, not given as a path: a report must not carry the paths of the machine it ran on.
    tree = Path(ckmeans.__file__).resolve().parent.parent == REPO_ROOT
    return f"ckmeans {ckmeans.__version__} from {'the source tree' if tree else 'an installed package'}"


def command_line(script, argv, data=None):
    """The command that reproduces this run, relative to the repository root; with `data` (the
    folder the run read), prefixed by CKMEANS_BENCH_DATA set to that folder relative to the root."""
    try:
        script = Path(script).resolve().relative_to(REPO_ROOT)
    except ValueError:
        pass
    prefix = [f"CKMEANS_BENCH_DATA={os.path.relpath(Path(data).resolve(), REPO_ROOT)}"] if data else []
    return shlex.join([*prefix, "python", str(script), *argv])


# ------------------------------------------------------------------------------------- Markdown


def markdown_table(headers, rows):
    """A GitHub Markdown table; cells are str()-ed, numeric-looking columns right-aligned."""
    cells = [[str(c) for c in row] for row in rows]

    def numeric(col):  # right-align a column that is mostly numbers (status notes aside)
        values = [r[col] for r in cells if r[col] not in ("", "-")]
        hits = sum(bool(re.fullmatch(r"[-+0-9.e%]+", v)) for v in values)
        return bool(values) and 2 * hits >= len(values)

    align = ["---:" if numeric(i) else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in cells]
    return "\n".join(lines)


def _markers(key):
    return (
        f"<!-- {key}:begin (generated by bench/; edit the script, not this text) -->",
        f"<!-- {key}:end -->",
    )


def replace_section(path, key, text, title="# Benchmarks"):
    """Put `text` between the `key` markers of the Markdown file `path`, leaving the rest as it is;
    append the section (or create the file) when the markers are not there yet."""
    begin, end = _markers(key)
    block = f"{begin}\n{text.strip()}\n{end}"
    path = Path(path)
    old = path.read_text() if path.exists() else f"{title}\n"
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new)
