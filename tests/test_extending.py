"""The public C-level API (ckmeans.kernels for Cython, ckmeans.h + libckmeans.a for C).

Like numpy.random's test_extending: the examples in examples/ are built in a temporary directory
against the ckmeans under test (the installed wheel in CI), run, and compared with the Python API.
"""

import gzip
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ckmeans
import ckmeans.kernels
from ckmeans.metrics import contingency_matrix, purity

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import require_file

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_FILES = ["examples/cython/batch_kmeans.pyx", "examples/cython/setup.py", "examples/c/idx_kmeans.c"]


def _load_build_helpers():
    spec = importlib.util.spec_from_file_location("ckmeans_examples_build", REPO / "examples" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build_helpers()


def _require_toolchain():
    if build.c_compiler() is None:
        pytest.skip("no C compiler found ($CC, Python's CC or cc): the C-level examples cannot be built")
    if shutil.which("make") is None:
        pytest.skip("no `make` on PATH: src_c/Makefile cannot be run")


@pytest.fixture(scope="module")
def batch_kmeans(tmp_path_factory):
    _require_toolchain()
    return build.build_cython(tmp_path_factory.mktemp("cython_example"))


@pytest.fixture(scope="module")
def idx_kmeans(tmp_path_factory):
    _require_toolchain()
    return build.build_c(tmp_path_factory.mktemp("c_example"))


def _header_functions():
    """{name: number of parameters} of every function declared in the installed ckmeans.h."""
    text = (Path(ckmeans.get_include()) / "ckmeans.h").read_text()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    decls = re.findall(r"^[A-Za-z_][\w \*]*?\b(ck_\w+)\(([^)]*)\);", text, flags=re.M)
    return {name: 0 if params.strip() in ("", "void") else params.count(",") + 1 for name, params in decls}


# ------------------------------------------------------------------------------- the Cython API


def test_every_header_function_is_exported_with_its_arity():
    header = _header_functions()
    capi = ckmeans.kernels.__pyx_capi__
    assert len(header) >= 30
    # options grow as fields of the parameter structs, not as more arguments
    assert max(header.values()) <= 8, {name: n for name, n in header.items() if n > 8}
    assert set(capi) == set(header)
    for name, capsule in capi.items():
        signature = re.search(r'"(.*)"', repr(capsule)).group(1)  # e.g. "int (double const *, int64_t)"
        params = signature[signature.index("(") + 1 : signature.rindex(")")].strip()
        assert (0 if params in ("", "void") else params.count(",") + 1) == header[name], name


def test_public_files_are_installed():
    package = Path(ckmeans.__file__).parent
    assert (Path(ckmeans.get_include()) / "ckmeans.h").is_file()
    assert (package / "kernels.pxd").is_file() and (package / "kernels.pyi").is_file()
    assert ckmeans.kernels.strerror(0) == "success"
    assert ckmeans.kernels.strerror(3).startswith("cancelled")
    assert "n_clusters" in ckmeans.kernels.strerror(60)


def test_cython_batch_example_matches_python_api(batch_kmeans):
    rng = np.random.default_rng(7)
    n_sets, n, d, k = 24, 200, 16, 4
    X = rng.normal(size=(n_sets, n, d)) + 4 * rng.integers(0, 3, size=(n_sets, n, 1))
    seeds = rng.integers(0, 2**64, size=n_sets, dtype=np.uint64)
    out = batch_kmeans.kmeans_many(X, k, seeds, n_threads=2)
    for s in range(n_sets):
        rows = out["init_rows"][s]
        assert len(set(rows)) == k and ((0 <= rows) & (rows < n)).all()
        ref = ckmeans.kmeans(X[s], k, init=X[s][rows], n_init=1)
        # the same compiled kernels behind both, so equal to the bit
        np.testing.assert_array_equal(out["labels"][s], ref.labels)
        np.testing.assert_array_equal(out["centroids"][s], ref.centroids)
        assert out["inertia"][s] == ref.inertia and out["n_iter"][s] == ref.n_iter
    serial = batch_kmeans.kmeans_many(X, k, seeds, n_threads=1)
    for key in out:
        np.testing.assert_array_equal(serial[key], out[key])


def test_cython_batch_example_reports_c_errors(batch_kmeans):
    with pytest.raises(RuntimeError, match="dataset 0: invalid argument"):
        batch_kmeans.kmeans_many(np.zeros((2, 5, 0)), 2, np.zeros(2, dtype=np.uint64))
    with pytest.raises(ValueError, match="one seed per dataset"):
        batch_kmeans.kmeans_many(np.zeros((2, 5, 3)), 2, np.zeros(3, dtype=np.uint64))


# ------------------------------------------------------------------------------------ the C API


def _run_c_example(exe, images, k, seed, labels=None):
    argv = [str(exe), str(images), str(k), str(seed)] + ([str(labels)] if labels is not None else [])
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = {"centroids": [], "table": []}
    for line in proc.stdout.splitlines():
        key, *rest = line.split()
        if key == "init_rows":
            out["init_rows"] = np.array(rest, dtype=np.int64)
        elif key == "n_iter":
            out["n_iter"], out["inertia"] = int(rest[0]), float(rest[4])
        elif key == "centroid":
            out["centroids"].append([float(v) for v in rest[1:]])
        elif key == "class":
            out["table"].append([float(v) for v in rest[1:]])
        elif key == "purity":
            out["purity"] = float(rest[0])
    return out


def _check_against_python(result, X, y, k):
    rows = result["init_rows"]
    assert len(set(rows)) == k
    ref = ckmeans.kmeans(X, k, init=X[rows].astype(np.float64), n_init=1)
    assert result["n_iter"] == ref.n_iter
    np.testing.assert_allclose(result["centroids"], ref.centroids, rtol=1e-12, atol=1e-12)
    assert result["inertia"] == pytest.approx(ref.inertia, rel=1e-12)
    table, _, _ = contingency_matrix(y, ref.labels, n_clusters=k)
    np.testing.assert_array_equal(result["table"], table)
    assert result["purity"] == pytest.approx(purity(y, ref.labels), rel=1e-15)


def test_c_example_matches_python_api(idx_kmeans, tmp_path):
    rng = np.random.default_rng(3)
    n, k = 600, 5
    y = rng.integers(0, 4, size=n).astype(np.uint8)
    images = np.clip(rng.normal(40 + 50 * y[:, None, None], 30, size=(n, 6, 5)), 0, 255).astype(np.uint8)
    ckmeans.write_idx(tmp_path / "images.idx", images)
    ckmeans.write_idx(tmp_path / "labels.idx", y)
    result = _run_c_example(idx_kmeans, tmp_path / "images.idx", k, 11, tmp_path / "labels.idx")
    _check_against_python(result, images.reshape(n, -1), y, k)


def test_c_example_rejects_bad_files(idx_kmeans, tmp_path):
    ckmeans.write_idx(tmp_path / "floats.idx", np.zeros((4, 2), dtype=np.float32))
    (tmp_path / "short.idx").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x09abc")
    for name, message in [("floats.idx", "unknown element type"), ("short.idx", "payload shorter")]:
        proc = subprocess.run(
            [str(idx_kmeans), str(tmp_path / name), "2", "0"], capture_output=True, text=True
        )
        assert proc.returncode == 1 and message in proc.stderr


def test_c_example_on_mnist(idx_kmeans, shared_data, tmp_path):
    raw = {}
    for kind in ("images-idx3", "labels-idx1"):
        src = require_file(shared_data / "mnist" / f"t10k-{kind}-ubyte.gz")
        raw[kind] = tmp_path / f"{kind}.idx"
        raw[kind].write_bytes(gzip.decompress(src.read_bytes()))
    result = _run_c_example(idx_kmeans, raw["images-idx3"], 10, 2024, raw["labels-idx1"])
    X = ckmeans.read_idx(raw["images-idx3"]).reshape(10000, -1)
    _check_against_python(result, X, ckmeans.read_idx(raw["labels-idx1"]), 10)
    assert result["purity"] > 0.5  # k-means on MNIST pixels: about 0.6


@pytest.mark.parametrize("openmp", [0, 1])
def test_make_test(tmp_path, openmp):
    """The C library alone, serial and with OpenMP (where 1 and 2 threads must give the same bits)."""
    _require_toolchain()
    proc = subprocess.run(
        [
            "make",
            "-C",
            str(REPO / "src_c"),
            f"BUILD={tmp_path}",
            f"OPENMP={openmp}",
            f"CC={build.c_compiler()}",
            "test",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"libckmeans (openmp {openmp}): all checks passed" in proc.stdout


# ----------------------------------------------------------------------------------- the README


@pytest.mark.parametrize("path", EXAMPLE_FILES)
def test_readme_includes_example_verbatim(path):
    assert (REPO / path).read_text() in (REPO / "README.md").read_text(), (
        f"README.md must contain {path} verbatim (section 'Using ckmeans from Cython and C')"
    )


# -------------------------------------------------------------------------------- the benchmark


def test_bench_capi_runs_and_writes_its_section(tmp_path):
    _require_toolchain()
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n## Other\n\nkept\n")
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "bench_capi.py"),
            "--sets",
            "6",
            "--rows",
            "30",
            "--repeats",
            "1",
            "--write",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text()
    assert "## Other\n\nkept" in text and "## C-level API: batch k-means" in text
    rows = [line for line in text.splitlines() if line.startswith(("| Python loop", "| Cython"))]
    assert len(rows) == 4
