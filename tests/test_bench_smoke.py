"""Keep bench/bench_kmeans.py (on a tiny synthetic problem), bench/bench_soft.py (on a slice of
MNIST) and bench/bench_sparse.py (on a slice of 20 Newsgroups), the last two when the test data is
there, from rotting: run them end to end.

Asserts the report's structure and that every peer started from the same centres (equal inertia
after the same iterations) -- never a timing.
"""

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import run_python

BENCH = Path(__file__).resolve().parent.parent / "bench"
PEERS = [
    "ckmeans",
    "ckmeans-lloyd",
    "ckmeans-yinyang",
    "sklearn-lloyd",
    "sklearn-elkan",
    "sklearnex",
    "faiss",
]
ITERS = 3


def _common():
    spec = importlib.util.spec_from_file_location("bench_common", BENCH / "_common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table(text, heading):
    """Rows (dicts by header) of the Markdown table following the '### heading...' line."""
    block = text.split("### " + heading, 1)[1]
    lines = [ln for ln in block.splitlines() if ln.startswith("|")]
    lines = lines[: next((i for i in range(1, len(lines)) if lines[i].startswith("| peer ")), len(lines))]
    headers = [c.strip() for c in lines[0].strip("|").split("|")]
    return [dict(zip(headers, (c.strip() for c in ln.strip("|").split("|")))) for ln in lines[2:]]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n## Other benchmark\n\nkept as it is\n")
    cmd = [
        BENCH / "bench_kmeans.py",
        "--synthetic",
        "400,12",
        "--k",
        "4",
        "--conv-k",
        "4",
        "--dtypes",
        "uint8",
        "--conv-dtypes",
        "uint8",
        "--iters",
        str(ITERS),
        "--repeats",
        "1",
        "--conv-repeats",
        "1",
        "--mem-iters",
        "1",
        "--threads",
        "1",
        "--cache-dir",
        str(tmp / "cache"),
        "--write",
        str(out),
    ]
    proc = run_python(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out.read_text()


def test_other_sections_kept_and_own_section_marked(report):
    assert "## Other benchmark\n\nkept as it is" in report
    assert report.count("<!-- bench-kmeans:begin") == 1 and report.count("<!-- bench-kmeans:end") == 1
    assert "## Hard k-means" in report
    assert "python bench/bench_kmeans.py --synthetic 400,12" in report
    assert "- machine: " in report and "scikit-learn " in report


@pytest.mark.parametrize("heading", ["Per iteration", "To convergence"])
def test_one_row_per_peer_and_same_start(heading, report):
    rows = _table(report, heading)
    assert [r["peer"] for r in rows] == PEERS
    assert all(r["k"] == "4" for r in rows)
    ran = [r for r in rows if re.fullmatch(r"\d+", r["n_iter"])]
    # ckmeans' own rows and scikit-learn's (a dependency) must have run; other peers may fail into a cell
    assert {"ckmeans", "ckmeans-lloyd", "ckmeans-yinyang", "sklearn-lloyd", "sklearn-elkan"} <= {
        r["peer"] for r in ran
    }
    for r in rows:
        if r not in ran:  # a peer that could not run says why in its first cell
            assert re.search(r"not installed|missing|n/a|Error", r[list(r)[3]]), r
        elif heading == "Per iteration":
            assert int(r["n_iter"]) <= ITERS
            assert re.fullmatch(r"\d+", r["extra peak MB"]), r
    n_iter = {r["peer"]: r["n_iter"] for r in ran}
    if heading == "To convergence" and {"ckmeans", "faiss"} <= set(n_iter):
        assert n_iter["faiss"] == n_iter["ckmeans"]  # faiss has no tol: it must get ckmeans' count
    # Same C0 and Lloyd's exact steps: every peer that ran lands on the same inertia.
    full = [float(r["inertia"]) for r in ran]
    assert max(full) - min(full) <= 1e-5 * max(full), full


def test_replace_section_is_idempotent(tmp_path):
    common = _common()
    path = tmp_path / "B.md"
    common.replace_section(path, "demo", "first")
    common.replace_section(path, "other", "keep me")
    common.replace_section(path, "demo", "second")
    text = path.read_text()
    assert text.startswith("# Benchmarks\n")
    assert "second" in text and "first" not in text and "keep me" in text
    assert text.index("second") < text.index("keep me")


def test_bench_soft_on_a_slice_of_mnist(shared_data, tmp_path):
    # bench/bench_soft.py end to end (5000 rows, 2 iterations), with its peak-memory subprocesses:
    # one row per peer, ckmeans' centres next to the notebook's, a memory figure for each ckmeans row.
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n")
    cmd = [
        BENCH / "bench_soft.py",
        "--data",
        shared_data,
        "--quick",
        "--iters",
        "2",
        "--repeats",
        "1",
        "--threads",
        "1",
        "--cooldown",
        "0",
        "--write",
        str(out),
    ]
    proc = run_python(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text()
    assert text.count("<!-- bench-soft:begin") == 1 and "## Soft k-means" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("| ")]
    headers = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = [dict(zip(headers, (c.strip() for c in ln.strip("|").split("|")))) for ln in lines[1:]]
    assert [(r["peer"], r["X dtype"]) for r in rows] == [
        ("ckmeans", "uint8"),
        ("ckmeans", "float32"),
        ("ckmeans", "float64"),
        ("notebook (cdist + log-sum-exp)", "float64"),
        ("scikit-fuzzy cmeans (m=2)", "float64"),
    ]
    for r in rows[:3]:
        assert float(r["centre diff vs notebook"]) < 1e-6  # the same algorithm from the same centres
        assert float(r["extra peak MB"]) >= 0


def test_bench_sparse_on_a_slice_of_20newsgroups(shared_data, tmp_path):
    # bench/bench_sparse.py end to end (500 documents, 2 iterations, one peak-memory process per peer):
    # a fit row per dtype with both libraries at the same inertia (same init), two k-means++ rows.
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n")
    cmd = [BENCH / "bench_sparse.py", "--docs", "500", "--iters", "2", "--repeats", "1", "--write", str(out)]
    env = dict(os.environ, CKMEANS_BENCH_DATA=str(shared_data))
    proc = run_python(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text()
    assert text.count("<!-- sparse:begin") == 1 and "## Sparse k-means" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("| ")]
    headers = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = [dict(zip(headers, (c.strip() for c in ln.strip("|").split("|")))) for ln in lines[1:]]
    assert [(r["what"], r["values"]) for r in rows] == [
        ("fit, 2 iterations", "float64"),
        ("fit, 2 iterations", "float32"),
        ("k-means++", "float64"),
        ("k-means++", "float32"),
    ]
    for r in rows[:2]:
        assert float(r["inertia rel. diff"]) < 1e-5
        assert all(float(v) >= 0 for v in r["extra peak MB ckmeans / sklearn"].split(" / "))


def test_bench_dask_on_a_slice_of_mnist(shared_data, tmp_path):
    # bench/bench_dask.py end to end (5000 rows, 2 iterations, 1 repeat): its tables, and dask-ml
    # (when it imports) from the same centres as ckmeans.dask reaches the same inertia.
    pytest.importorskip("distributed", reason="bench_dask.py needs dask[array] and distributed")
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n")
    cmd = [BENCH / "bench_dask.py", "--data", shared_data, "--quick", "--iters", "2", "--repeats", "1"]
    proc = run_python([*cmd, "--write", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text()
    assert text.count("<!-- bench-dask:begin") == 1 and "## ckmeans.dask (LocalCluster)" in text
    rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in text.splitlines() if ln.startswith("| ")]
    peers = {r[0]: r for r in rows if r[0] in ("ckmeans.dask", "dask-ml")}
    assert "ckmeans.dask" in peers
    if "dask-ml" in peers:
        assert float(peers["dask-ml"][-1]) == pytest.approx(float(peers["ckmeans.dask"][-1]), rel=1e-6)
    assert [r[0] for r in rows if r[0] in ("1", "2")] == ["1", "2"]
    (big,) = [r for r in rows if r[0].endswith(" MB")]  # the fit beyond the workers' memory
    assert big[-1].count("MB (+") == 2 and int(big[3]) == 2
