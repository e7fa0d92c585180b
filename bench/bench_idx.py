"""IDX read benchmark: ckmeans.read_idx against bare decompression, idx2numpy and numpy+gzip.

    PYTHONPATH=. python bench/bench_idx.py [--data DIR] [--repeat 7] [--write BENCHMARKS.md]

(PYTHONPATH=. after `python setup.py build_ext --inplace`; not needed with ckmeans installed.)

Reads MNIST train-images (gzip, 9.9 MB -> 47 MB) from DIR/mnist (default: $CKMEANS_BENCH_DATA,
$CKMEANS_TEST_DATA, else ../shared/data beside the repository). After one untimed warm-up round,
each contender runs --repeat times, round-robin so machine noise hits all of them alike; the table
reports the median and min wall time, the ratio to the bare decompression of the backend read_idx
uses, and the peak memory traced by tracemalloc in one extra, untimed run (Python and NumPy
allocations; a memory map is not counted). Never asserts anything about speed.
"""

import argparse
import gzip
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
import zlib
from datetime import datetime, timezone
from pathlib import Path

import _common as common
import numpy as np

import ckmeans
from ckmeans import idx as ck_idx

MB = 1 << 20
SECTION = "## IDX read"


def decompressors():
    found = {"zlib (stdlib)": zlib}
    try:
        from isal import isal_zlib

        found["isal"] = isal_zlib
    except ImportError:
        pass
    try:
        from zlib_ng import zlib_ng

        found["zlib-ng"] = zlib_ng
    except ImportError:
        pass
    return found


def contenders(gz_path, raw_path):
    data = gz_path.read_bytes()
    shape = (60000, 28, 28)
    runs = {}
    for name, module in decompressors().items():
        runs[f"bare decompress: {name}"] = lambda m=module: m.decompress(data, 31)
    runs["ckmeans.read_idx(path)"] = lambda: ckmeans.read_idx(gz_path)
    runs["ckmeans.read_idx(bytes)"] = lambda: ckmeans.read_idx(data)
    runs["ckmeans.read_idx(path), stdlib zlib fallback"] = lambda: ck_idx._read_gzip(
        memoryview(gz_path.read_bytes()), str(gz_path), 1, zlib
    )
    try:
        import idx2numpy

        def run_idx2numpy():
            with gzip.open(gz_path) as f:
                return idx2numpy.convert_from_file(f)

        runs["idx2numpy(gzip.open(path))"] = run_idx2numpy
    except ImportError:
        print("idx2numpy not installed: skipped", file=sys.stderr)
    runs["numpy + gzip.decompress"] = lambda: np.frombuffer(
        gzip.decompress(gz_path.read_bytes()), np.uint8, offset=16
    ).reshape(shape)
    runs["ckmeans.read_idx(raw path)"] = lambda: ckmeans.read_idx(raw_path)
    runs["ckmeans.read_idx(raw path, mmap=True)"] = lambda: ckmeans.read_idx(raw_path, mmap=True)
    return runs


def measure(runs, repeat):
    times = {name: [] for name in runs}
    for run in runs.values():  # untimed warm-up: file cache, lazy imports, allocator state
        run()
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    peaks = {}
    for name, run in runs.items():
        tracemalloc.start()
        run()
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return times, peaks


def table(times, peaks):
    backend = {"zlib_ng.zlib_ng": "zlib-ng", "isal.isal_zlib": "isal", "zlib": "zlib (stdlib)"}[
        ck_idx.GZIP_BACKEND
    ]
    ratios = []
    for stat in (statistics.median, min):  # min too: on a shared machine it is the steadier one
        bare = stat(times[f"bare decompress: {backend}"])
        read = stat(times["ckmeans.read_idx(path)"])
        line = f"{stat.__name__}s: read_idx(path) / bare {backend} = **{read / bare:.2f}** (target <= 1.1)"
        if "idx2numpy(gzip.open(path))" in times:
            line += (
                f", idx2numpy / read_idx(path) = "
                f"**{stat(times['idx2numpy(gzip.open(path))']) / read:.2f}** (target >= 2)"
            )
        ratios.append(line)
    bare = statistics.median(times[f"bare decompress: {backend}"])
    lines = ["| what | median ms | min ms | / bare " + backend + " | peak MB |", "|---|---:|---:|---:|---:|"]
    for name, ts in times.items():
        med = statistics.median(ts)
        lines.append(
            f"| {name} | {med * 1e3:.1f} | {min(ts) * 1e3:.1f} | {med / bare:.2f} | {peaks[name] / MB:.1f} |"
        )
    return "\n".join(lines), ratios, backend


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(common.data_dir()))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--write", metavar="MARKDOWN", help="replace the 'IDX read' section here")
    args = parser.parse_args(argv)
    gz_path = Path(args.data) / "mnist" / "train-images-idx3-ubyte.gz"
    with tempfile.TemporaryDirectory() as tmp:
        raw_path = Path(tmp) / "train-images-idx3-ubyte"
        raw_path.write_bytes(gzip.decompress(gz_path.read_bytes()))
        times, peaks = measure(contenders(gz_path, raw_path), args.repeat)
    rows, ratios, backend = table(times, peaks)
    # The PYTHONPATH prefix records how the in-place build was imported (none for an installed one).
    prefix = f"PYTHONPATH={os.environ['PYTHONPATH']} " if os.environ.get("PYTHONPATH") else ""
    command = prefix + common.command_line(__file__, argv if argv is not None else sys.argv[1:], args.data)
    body = "\n".join(
        [
            (
                f"MNIST train-images-idx3-ubyte.gz (9.9 MB gzip, 47,040,016 bytes decompressed), "
                f"{args.repeat} round-robin repeats, wall time. read_idx uses **{backend}** "
                f"(`ckmeans.idx.GZIP_BACKEND`)."
            ),
            "",
            rows,
            "",
            "\n".join(f"- {r}" for r in ratios),
            "",
            (
                "idx2numpy returns a read-only array (np.frombuffer over bytes); read_idx's is writable "
                "and owns its memory. The stdlib-zlib fallback row is read_idx as it runs without zlib-ng "
                "and isal: faster than one-shot zlib because it decompresses straight into the output "
                "array instead of growing and joining a bytes buffer (bare decompress also peaks higher)."
            ),
            "",
            f"Command: `{command.strip()}`  ",
            (
                f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load average "
                f"{os.getloadavg()[0]:.1f} at start of writing (shared with other jobs: noisy), Python "
                f"{platform.python_version()}, NumPy {np.__version__}, ckmeans {ckmeans.__version__}, "
                f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC."
            ),
        ]
    )
    print(body)
    if args.write:
        # Between its own markers, like every bench section, so no other section is touched.
        common.replace_section(Path(args.write), "bench-idx", f"{SECTION}\n\n{body}")


if __name__ == "__main__":
    main()
