"""ckmeans.experiments: the notebook re-implementation against slow twins, the table, and
``ckmeans experiments --quick`` on the real data."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import ckmeans
from ckmeans import experiments as E

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import run_python


def test_notebook_centres_are_the_legacy_global_draw():
    X = np.arange(200 * 3).reshape(200, 3)
    # The notebook drew its centres from numpy's legacy global generator: so does the reference.
    saved = np.random.get_state()  # noqa: NPY002
    try:
        np.random.seed(96)  # noqa: NPY002
        expected = X[np.random.choice(200, 7, replace=False)]  # noqa: NPY002
    finally:
        np.random.set_state(saved)  # noqa: NPY002
    np.testing.assert_array_equal(E.notebook_centres(X, 7), expected)


def test_wrapped_first_step_matches_a_scalar_twin():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(50, 6), dtype=np.uint8)
    centres = X[[3, 17, 40]]
    # Twin: Python integers, the difference taken modulo 256 as uint8 subtraction does.
    dist = [[sum(((int(a) - int(b)) % 256) ** 2 for a, b in zip(x, c)) for c in centres] for x in X]
    labels = np.argmin(dist, axis=1)
    expected = np.array(
        [X[labels == j].mean(axis=0) if (labels == j).any() else centres[j] for j in range(3)],
        dtype=np.float64,
    )
    np.testing.assert_array_equal(E._wrapped_first_step(X, centres, chunk=7), expected)
    # The wrap matters: exact differences give another first partition on this data.
    exact = np.argmin(((X[:, None, :].astype(int) - centres[None].astype(int)) ** 2).sum(-1), axis=1)
    assert (exact != labels).any()


def test_notebook_run_scales_purity_and_gini_by_n_over_11314():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3))
    y = rng.integers(0, 4, size=400)
    setting = E.Setting("mnist", "hard", 4)
    nb, quirks = E.notebook_run(X, y, setting)
    run = ckmeans.kmeans(X, 4, init=E.notebook_centres(X, 4), tol=0, max_iter=E.HARD_MAX_ITER)
    assert quirks == ["11314"]  # float X: no wrap-around
    assert nb["purity"] == pytest.approx(ckmeans.metrics.purity(y, run.labels) * 400 / 11314)
    assert nb["gini"] == pytest.approx(ckmeans.metrics.gini(y, run.labels) * 400 / 11314)
    assert nb["objective"] == pytest.approx(run.inertia) and nb["k"] == 4


def test_notebook_k_quirk_for_20newsgroups():
    X = np.random.default_rng(2).normal(size=(11314 // 100, 2))
    _, quirks = E.notebook_run(X, np.zeros(len(X), int), E.Setting("20newsgroups", "hard", 20))
    assert "k10" in quirks


def test_results_markdown_has_a_row_per_setting_and_every_note():
    row = {
        "dataset": "mnist",
        "model": "soft",
        "k": 10,
        "beta": 0.1,
        "n_samples": 9,
        "objective": 1.0,
        "purity": 0.5,
        "gini": 0.4,
        "accuracy_majority": 0.5,
        "accuracy_hungarian": 0.4,
        "nmi": 0.3,
        "ari": 0.2,
        "n_iter": 3,
        "seconds": 0.1,
        "differences": ["seeds", "11314"],
        "notebook": {"k": 10, "objective": 2.0, "purity": 0.25, "gini": 0.2, "n_iter": 4},
    }
    text = E.results_markdown(
        {
            "command": "ckmeans experiments X",
            "notebook_seeds": False,
            "seed": 0,
            "rows": [row, dict(row, beta=10.0)],
            "notes": E.NOTES,
            "total_seconds": 1,
        }
    )
    assert "ckmeans experiments X" in text
    assert "MNIST soft, beta=0.1" in text and "MNIST soft, beta=10" in text
    assert "0.5000 (0.2500)" in text
    for code in E.NOTES:
        assert f"[{code}]" in text


def test_quick_experiments_on_real_data(shared_data, tmp_path):
    proc = run_python(
        ["-m", "ckmeans", "experiments", "--data-dir", shared_data, "--out", tmp_path, "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "results.json").read_text())
    rows = {r["name"]: r for r in report["rows"]}
    assert set(rows) == {s.name for s in E.QUICK_GRID}
    for s in E.QUICK_GRID:
        r = rows[s.name]
        assert r["k"] == s.k and r["n_samples"] == E.QUICK_SAMPLES[s.dataset]
        assert 0 < r["purity"] <= 1 and 0 <= r["gini"] < 1
        assert 0 < r["accuracy_hungarian"] <= r["accuracy_majority"] <= 1
        assert 0 < r["nmi"] <= 1 and -1 <= r["ari"] <= 1 and r["objective"] > 0 and r["n_iter"] >= 1
        # Ten balanced classes: clustering beats the largest class share by far.
        if s.dataset != "20newsgroups":
            assert r["purity"] > 0.35
        # The notebook divided by 11314 instead of n.
        assert r["notebook"]["purity"] < r["n_samples"] / 11314 + 1e-12
    assert rows["20newsgroups_hard_k20"]["notebook"]["k"] == 10
    text = (tmp_path / "results.md").read_text()
    assert text.count("| MNIST hard |") == 2 and "| 20 Newsgroups hard |" in text
    assert report["plots"] and all(
        (tmp_path / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in report["plots"]
    )
    assert {"elbow_mnist.png", "soft_beta_mnist.png", "centroids_mnist_hard_k10.png"} <= set(report["plots"])
