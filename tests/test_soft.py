"""Soft k-means: C kernels against their NumPy twins, the notebook's algorithm as a reference on real
MNIST, the beta limits, thread-count determinism, properties, schedules, the SoftKMeans estimator, the
soft metrics and input validation."""

import os
import sys
from pathlib import Path

import numpy as np
import pytest
import sklearn.cluster
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from scipy.special import logsumexp
from sklearn.datasets import make_blobs
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

import ckmeans
from ckmeans import SoftKMeans, soft_kmeans
from ckmeans import _soft_core as core
from ckmeans.metrics import gini, purity, soft_contingency_matrix, soft_gini, soft_purity

sys.path.insert(0, str(Path(__file__).resolve().parent))
import twins
from conftest import arrays_under_switch, run_python

DTYPES = [np.float32, np.float64, np.uint8]
DIST = {"euclidean": 0, "sqeuclidean": 1}
# Rows enough for many chunks (128 rows) and several accumulation groups, so thread counts matter.
N_MULTI = 2000


def cdtype(dtype):
    return np.float32 if dtype == np.float32 else np.float64


def make_data(dtype, n=600, d=7, k=5, seed=0):
    """Blobs in [2, 252] (so uint8 holds them) and initial centres off the data."""
    X, _ = make_blobs(n, d, centers=k, cluster_std=2.0, random_state=seed)
    X = (X - X.min()) / (X.max() - X.min()) * 250 + 2
    X = np.round(X).astype(dtype) if dtype == np.uint8 else X.astype(dtype)
    rs = np.random.RandomState(seed + 1)
    C0 = X[rs.choice(n, k, replace=False)].astype(np.float64) + rs.uniform(-3, 3, (k, d))
    return X, C0.astype(cdtype(dtype))


def weights(n, weighted, seed=3):
    return np.random.RandomState(seed).uniform(0.5, 2.0, n) if weighted else None


def tol_for(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-13)


def notebook_soft_kmeans(X, C0, beta, tol, max_iter):
    """The notebook's algorithm: scipy cdist (Euclidean, not squared), responsibilities by
    log-sum-exp, responsibility-weighted means, stop when the Frobenius norm of the change < tol."""
    C = np.array(C0, dtype=np.float64)
    for it in range(max_iter):  # noqa: B007 (the count is returned)
        A = -beta * cdist(X, C)
        R = np.exp(A - logsumexp(A, axis=1, keepdims=True))
        C_new = (R.T @ X) / R.sum(axis=0)[:, None]
        shift = np.linalg.norm(C_new - C)
        C = C_new
        if shift < tol:
            break
    A = -beta * cdist(X, C)
    return C, np.exp(A - logsumexp(A, axis=1, keepdims=True)), it + 1


# ---------------------------------------------------------------------------- kernels vs twins


@pytest.mark.parametrize("distance", ["euclidean", "sqeuclidean"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_estep_matches_twin(dtype, n_threads, weighted, distance):
    X, C = make_data(dtype, n=N_MULTI, k=6)
    w = weights(len(X), weighted)
    beta = 0.05 if distance == "euclidean" else 5e-4
    R = np.empty((len(X), len(C)))
    labels = np.empty(len(X), np.int32)
    energy = core.estep(X, w, C, beta, DIST[distance], R, labels, n_threads)
    R_ref, labels_ref, energy_ref = twins.soft_estep(X, C, beta, distance, w)
    np.testing.assert_allclose(R, R_ref, rtol=1e-9, atol=1e-14)
    np.testing.assert_array_equal(labels, labels_ref)
    assert energy == pytest.approx(energy_ref, rel=1e-11)
    assert 0.05 < R.max(axis=1).mean() < 0.999  # really soft: the test would see a wrong exponent


@pytest.mark.parametrize("distance", ["euclidean", "sqeuclidean"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_step_matches_twin(dtype, n_threads, weighted, distance):
    X, C = make_data(dtype, n=N_MULTI, k=6)
    w = weights(len(X), weighted)
    beta = 0.05 if distance == "euclidean" else 5e-4
    C_new = np.empty_like(C)
    wsum = np.empty(len(C))
    energy, shift = core.step(X, w, C, beta, DIST[distance], C_new, wsum, n_threads)
    C_ref, wsum_ref, energy_ref, shift_ref = twins.soft_step(X, w, C, beta, distance)
    np.testing.assert_allclose(C_new, C_ref, **tol_for(dtype))
    np.testing.assert_allclose(wsum, wsum_ref, rtol=1e-11)
    assert energy == pytest.approx(energy_ref, rel=1e-11)
    assert shift == pytest.approx(shift_ref, rel=1e-6 if dtype == np.float32 else 1e-9)


def make_sparse(dtype, n=700, d=203, k=6, seed=0):
    """Image-like rows: ~80% zeros, in runs and scattered, d neither a multiple of 8 nor of 64 (the
    kernels build each row's nonzero list 8 and 64 features at a time, then the tail)."""
    rng = np.random.default_rng(seed)
    X = rng.integers(1, 256, (n, d)) * (rng.random((n, d)) < 0.2)
    X[:, :40] = 0
    X[:, -3:] = rng.integers(0, 256, (n, 3)) * (rng.random((n, 3)) < 0.5)
    X = X.astype(dtype)
    C = X[rng.choice(n, k, replace=False)].astype(np.float64) + rng.uniform(0, 5, (k, d))
    return X, C.astype(cdtype(dtype))


def make_mixed(dtype):
    """Sparse rows with dense blocks among them: both kernels feed the same group sums."""
    X, C = make_sparse(dtype)
    X[130:400] = np.random.default_rng(4).integers(1, 256, (270, X.shape[1])).astype(dtype)
    return X, C


def make_images(dtype, n=700, d=203, k=6, seed=0):
    """Rows nonzero only in a window of 24-56 features (digits on a blank page), some windows
    running into the last, partial 8-feature group, and a run of dense rows: a fit packs the groups
    that hold a nonzero (about a third of X here) and reads those instead of X."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n, d))
    for i in range(n):
        width = rng.integers(24, 57)
        start = d - width if i % 5 == 0 else rng.integers(0, d - width)
        X[i, start : start + width] = rng.integers(1, 256, width) * (rng.random(width) < 0.6)
    X[300:360] = rng.integers(1, 256, (60, d))
    X = X.astype(dtype)
    C = X[rng.choice(n, k, replace=False)].astype(np.float64) + rng.uniform(0, 5, (k, d))
    return X, C.astype(cdtype(dtype))


@pytest.mark.parametrize("make, packed", [(make_images, True), (make_mixed, False)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_fit_steps_equal_single_steps_bit_for_bit(dtype, make, packed):
    # A fit keeps the rows' nonzero masks (formed by its first step) and, for float X whose nonzero
    # 8-feature groups take at most half of it, reads a packed copy of those groups; a single step
    # forms the masks per block and reads X. The same values meet the same centres in the same order:
    # the same bits, packed or not.
    X, C = make(dtype)
    groups = (X[:, : X.shape[1] // 8 * 8].reshape(len(X), -1, 8) != 0).any(axis=2).sum() + (
        X[:, -3:] != 0
    ).any(axis=1).sum()
    assert (groups * 8 <= X.size / 2) == packed  # whether a float fit packs these rows
    w = weights(len(X), True)
    C1 = np.empty_like(C)
    core.step(X, w, C, 0.05, 0, C1, None, 2)
    res = soft_kmeans(X, len(C), 0.05, init=C, tol=0, max_iter=1, sample_weight=w, n_threads=2)
    np.testing.assert_array_equal(res.centroids, C1)
    R = np.empty((len(X), len(C)))
    energy = core.estep(X, w, res.centroids, 0.05, 0, R, None, 2)
    np.testing.assert_array_equal(res.responsibilities, R)
    assert res.objective == energy
    assert 0.05 < R.max(axis=1).mean() < 0.999  # soft: every centre's sums matter
    np.testing.assert_allclose(C1, twins.soft_step(X, w, C, 0.05, "euclidean")[0], **tol_for(dtype))


@pytest.mark.parametrize("make", [make_sparse, make_mixed])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_sparse_rows_match_twin(dtype, n_threads, make):
    X, C = make(dtype)
    w = weights(len(X), True)
    R = np.empty((len(X), len(C)))
    energy = core.estep(X, w, C, 0.02, 0, R, None, n_threads)
    R_ref, _, energy_ref = twins.soft_estep(X, C, 0.02, "euclidean", w)
    np.testing.assert_allclose(R, R_ref, rtol=1e-9, atol=1e-14)
    assert energy == pytest.approx(energy_ref, rel=1e-11)
    assert 0.05 < R.max(axis=1).mean() < 0.999
    C_new = np.empty_like(C)
    core.step(X, w, C, 0.02, 0, C_new, None, n_threads)
    np.testing.assert_allclose(C_new, twins.soft_step(X, w, C, 0.02, "euclidean")[0], **tol_for(dtype))


@pytest.mark.parametrize("k", [1, 4, 37])  # 37 centres: several blocks of 16 and a narrower last one
def test_sparse_rows_many_centres(k):
    X, _ = make_sparse(np.float64, n=300)
    C = X[:k] + np.random.default_rng(1).uniform(0, 5, (k, X.shape[1]))
    R = np.empty((len(X), k))
    core.estep(X, None, C, 0.02, 0, R, None, 2)
    np.testing.assert_allclose(R, twins.soft_estep(X, C, 0.02, "euclidean")[0], rtol=1e-9, atol=1e-14)
    C_new = np.empty_like(C)
    core.step(X, None, C, 0.02, 0, C_new, None, 2)
    np.testing.assert_allclose(
        C_new, twins.soft_step(X, None, C, 0.02, "euclidean")[0], rtol=1e-10, atol=1e-13
    )


@pytest.mark.parametrize("distance", ["euclidean", "sqeuclidean"])
def test_cancelling_expansion_is_recomputed(distance):
    # Points 1e6 from the origin, 1e-3 from their centres: ||x||^2 + ||c||^2 - 2 x.c would lose
    # everything (its rounding error ~1e-3 against distances^2 ~1e-6); the guard takes differences.
    rng = np.random.default_rng(2)
    C = 1e6 + rng.uniform(0, 1e-2, (3, 5))
    X = C[rng.integers(0, 3, 300)] + rng.normal(0, 1e-3, (300, 5))
    X[::7] = 0.0  # and rows of zeros, whose list is empty
    beta = 500.0 if distance == "euclidean" else 1e5
    R = np.empty((len(X), 3))
    core.estep(X, None, C, beta, DIST[distance], R, None, 2)
    R_ref = twins.soft_estep(X, C, beta, distance)[0]
    np.testing.assert_allclose(R, R_ref, rtol=1e-7, atol=1e-12)
    near = ~(X == 0).all(axis=1)
    assert 0.4 < R[near].max(axis=1).mean() < 0.99  # soft: a wrong distance would show


@pytest.mark.parametrize("switch", ["CKMEANS_NO_AVX512", "CKMEANS_NO_SIMD"])
def test_group_list_and_portable_paths_agree(switch):
    # Sparse rows go through the 8-feature group kernels with AVX-512, the nonzero lists with AVX2
    # (CKMEANS_NO_AVX512=1), and the portable kernels (libm exp, unfused sums) with CKMEANS_NO_SIMD=1:
    # the same up to rounding. k covers every mix of the list kernels' 4- and 2-wide vectors
    # (centres padded to an even count) and of the group kernels' blocks of up to 16 centres.
    code = (
        "import numpy as np, sys; sys.path.insert(0, %r); import test_soft as t; out = []\n"
        "for k in (1, 2, 3, 6, 10, 13, 16, 23):\n"
        "    X, C = t.make_sparse(np.uint8, n=400, k=k); R = np.empty((len(X), k)); C1 = np.empty_like(C)\n"
        "    for beta in (0.02, 5.0):  # 5.0: some responsibilities flushed from subnormal to 0\n"
        "        t.core.estep(X, None, C, beta, 0, R, None, 2)\n"
        "        t.core.step(X, None, C, beta, 0, C1, None, 2)\n"
        "        out += [R.ravel(), C1.ravel()]\n"
        "np.savez(sys.argv[1], np.concatenate(out))"
    ) % str(Path(__file__).resolve().parent)
    (ref,), (other,) = arrays_under_switch(code, switch, "soft_kmeans")
    # (rounding of the distances times exp's condition number, beta x D: ~700 at beta 5)
    np.testing.assert_allclose(other, ref, rtol=1e-11, atol=1e-15)


def test_step_in_place():
    X, C = make_data(np.float64)
    out = np.empty_like(C)
    core.step(X, None, C, 0.05, 0, out, None, 1)
    core.step(X, None, C, 0.05, 0, C, None, 1)  # centroids_new may be centroids_old
    np.testing.assert_array_equal(C, out)


# ------------------------------------------------------------------ the notebook, on real MNIST


@pytest.mark.parametrize("beta", [0.01, 1.0])
def test_notebook_algorithm_on_mnist(shared_data, beta):
    X8, _ = ckmeans.datasets.load_mnist(shared_data / "mnist")
    X = X8[:3000].astype(np.float64)
    C0 = X[np.random.RandomState(0).choice(len(X), 10, replace=False)]
    C_ref, R_ref, n_iter_ref = notebook_soft_kmeans(X, C0, beta, tol=1e-3, max_iter=60)
    res = soft_kmeans(X, 10, beta, init=C0, tol=1e-3, max_iter=60)
    assert res.n_iter == n_iter_ref
    np.testing.assert_allclose(res.centroids, C_ref, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(res.responsibilities, R_ref, rtol=1e-9, atol=1e-12)
    # uint8 pixels as they are: the same doubles meet the same centres, so the same bits
    res8 = soft_kmeans(X8[:3000], 10, beta, init=C0, tol=1e-3, max_iter=60)
    np.testing.assert_array_equal(res8.centroids, res.centroids)
    if beta == 0.01:
        assert R_ref.max(axis=1).mean() < 0.99  # the soft regime, not hard k-means in disguise


@pytest.mark.parametrize("beta", [10.0, 1000.0])
def test_raw_pixels_at_stiff_beta_stay_finite(beta):
    X = np.random.default_rng(0).integers(0, 256, (500, 784), dtype=np.uint8)
    for distance in ("euclidean", "sqeuclidean"):
        res = soft_kmeans(X, 8, beta, distance=distance, random_state=0, max_iter=5)
        assert np.isfinite(res.responsibilities).all() and np.isfinite(res.centroids).all()
        assert np.isfinite(res.objective) and np.isfinite(res.objective_history).all()
        np.testing.assert_allclose(res.responsibilities.sum(axis=1), 1.0, rtol=0, atol=1e-12)


# ------------------------------------------------------------------------------ beta limits


def test_large_beta_is_hard_kmeans():
    X, _ = make_blobs(800, 4, centers=5, cluster_std=0.5, random_state=4)
    C0 = X[[0, 1, 2, 3, 4]]
    hard = ckmeans.kmeans(X, 5, init=C0, n_init=1, tol=0, max_iter=100)
    assert hard.converged
    for distance in ("euclidean", "sqeuclidean"):
        soft = soft_kmeans(X, 5, 1e6, init=C0, tol=1e-12, max_iter=100, distance=distance)
        np.testing.assert_array_equal(soft.labels, hard.labels)
        np.testing.assert_allclose(soft.centroids, hard.centroids, rtol=1e-12, atol=1e-12)
        if distance == "sqeuclidean":  # the free energy tends to the hard objective
            assert soft.objective == pytest.approx(hard.inertia, rel=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
def test_beta_to_zero_sends_every_centre_to_the_weighted_mean(weighted):
    X, C0 = make_data(np.float64)
    w = weights(len(X), weighted)
    res = soft_kmeans(X, len(C0), 1e-12, init=C0, sample_weight=w, max_iter=1)
    mean = np.average(X, axis=0, weights=w)
    np.testing.assert_allclose(res.centroids, np.tile(mean, (len(C0), 1)), rtol=1e-9)


def test_free_energy_bounds():
    # E_hard - W log(k) / beta <= F <= E_hard, with E_hard the weighted nearest-centre distance.
    X, C = make_data(np.float64)
    w = weights(len(X), True)
    for beta in (1e-3, 0.1, 10.0):
        F = core.estep(X, w, C, beta, 0, None, None, 1)
        e_hard = float((w * twins.soft_distances(X, C, "euclidean").min(axis=1)).sum())
        assert e_hard - w.sum() * np.log(len(C)) / beta <= F <= e_hard


# ---------------------------------------------------------------- determinism and properties


@pytest.mark.parametrize("dtype", DTYPES)
def test_bit_identical_for_any_thread_count(dtype):
    X, C0 = make_data(dtype, n=N_MULTI * 3, k=6)
    w = weights(len(X), True)
    fits = [
        soft_kmeans(X, 6, 0.05, init=C0, sample_weight=w, tol=0, max_iter=4, n_threads=t) for t in (1, 2, 3)
    ]
    for other in fits[1:]:
        np.testing.assert_array_equal(other.centroids, fits[0].centroids)
        np.testing.assert_array_equal(other.responsibilities, fits[0].responsibilities)
        np.testing.assert_array_equal(other.objective_history, fits[0].objective_history)
        assert other.objective == fits[0].objective


def test_uint8_equals_float64_bit_for_bit():
    X8, C0 = make_data(np.uint8, n=N_MULTI)
    w = weights(len(X8), True)
    a = soft_kmeans(X8, 5, 0.05, init=C0, sample_weight=w, tol=0, max_iter=5)
    b = soft_kmeans(X8.astype(np.float64), 5, 0.05, init=C0, sample_weight=w, tol=0, max_iter=5)
    np.testing.assert_array_equal(a.centroids, b.centroids)
    np.testing.assert_array_equal(a.responsibilities, b.responsibilities)
    assert a.objective == b.objective


def test_uint8_equals_float64_on_sparse_and_mixed_rows():
    for make in (make_sparse, make_mixed):
        X8, C0 = make(np.uint8)
        a = soft_kmeans(X8, 6, 0.02, init=C0, tol=0, max_iter=3, n_threads=2)
        b = soft_kmeans(X8.astype(np.float64), 6, 0.02, init=C0, tol=0, max_iter=3, n_threads=1)
        np.testing.assert_array_equal(a.centroids, b.centroids)
        np.testing.assert_array_equal(a.responsibilities, b.responsibilities)


def test_float32_follows_float64():
    X, C0 = make_data(np.float64)
    a = soft_kmeans(X.astype(np.float32), 5, 0.05, init=C0, tol=0, max_iter=10)
    b = soft_kmeans(X, 5, 0.05, init=C0, tol=0, max_iter=10)
    assert a.centroids.dtype == np.float32
    np.testing.assert_allclose(a.centroids, b.centroids, rtol=1e-5)


def test_integer_weights_equal_repeated_rows():
    X, C0 = make_data(np.float64, n=300)
    counts = np.random.RandomState(5).randint(0, 4, len(X))
    a = soft_kmeans(X, 5, 0.05, init=C0, sample_weight=counts, tol=0, max_iter=8)
    b = soft_kmeans(np.repeat(X, counts, axis=0), 5, 0.05, init=C0, tol=0, max_iter=8)
    np.testing.assert_allclose(a.centroids, b.centroids, rtol=1e-10)
    assert a.objective == pytest.approx(b.objective, rel=1e-10)
    np.testing.assert_allclose(
        np.repeat(a.responsibilities, counts, axis=0), b.responsibilities, rtol=1e-9, atol=1e-14
    )


def test_underflowed_cluster_keeps_its_previous_centre():
    X, C0 = make_data(np.float64, k=4)
    C0[2] = 1e5  # so far that exp(-beta (D - D_min)) is exactly 0 for every point
    C_new = np.empty_like(C0)
    wsum = np.empty(4)
    core.step(X, None, C0, 10.0, 0, C_new, wsum, 2)
    assert wsum[2] == 0 and (wsum[[0, 1, 3]] > 0).all()
    np.testing.assert_array_equal(C_new[2], C0[2])
    res = soft_kmeans(X, 4, 10.0, init=C0, tol=0, max_iter=5)
    np.testing.assert_array_equal(res.centroids[2], C0[2])
    assert (res.responsibilities[:, 2] == 0).all() and not (res.labels == 2).any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_subnormal_responsibilities_are_zero(dtype):
    # Pixel-like values at beta 5: exp(-beta (D_j - D_min)) is subnormal for some of the pairs; those
    # responsibilities are 0 (they cost a microcoded assist per FMA on some CPUs), in dense and sparse
    # rows alike, and the centres are the weighted means of what is left.
    X, C = make_mixed(dtype)
    a = -5.0 * cdist(X.astype(np.float64), C)
    unflushed = np.exp(a - logsumexp(a, axis=1, keepdims=True))
    tiny = np.finfo(np.float64).tiny
    assert ((unflushed > 0) & (unflushed < tiny)).sum() > 20  # the case arises
    R = np.empty((len(X), len(C)))
    core.estep(X, None, C, 5.0, 0, R, None, 2)
    assert ((R == 0) | (R >= tiny)).all()
    np.testing.assert_allclose(R, twins.soft_estep(X, C, 5.0, "euclidean")[0], rtol=1e-9, atol=1e-14)
    C_new = np.empty_like(C)
    core.step(X, None, C, 5.0, 0, C_new, None, 2)
    np.testing.assert_allclose(C_new, twins.soft_step(X, None, C, 5.0, "euclidean")[0], **tol_for(dtype))


def test_weighted_responsibilities_below_the_normal_range_count_as_zero():
    # A row of weight 1e-310 adds w r_ij x_i with w r_ij < 2.2e-308 (subnormal) to every centre: it
    # weighs exactly as much as a row of weight 0, in the dense and the sparse kernels.
    X, C = make_mixed(np.float64)
    w = weights(len(X), True)
    rows = np.r_[0:60, 200:260]  # sparse and dense blocks
    tiny_w, zero_w = w.copy(), w.copy()
    tiny_w[rows], zero_w[rows] = 1e-310, 0.0
    out = []
    for ww in (tiny_w, zero_w):
        C_new, wsum = np.empty_like(C), np.empty(len(C))
        core.step(X, ww, C, 0.02, 0, C_new, wsum, 2)
        out.append((C_new, wsum))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])


def test_tol_zero_runs_max_iter_and_tol_stops():
    X, C0 = make_data(np.float64)
    res = soft_kmeans(X, 5, 0.05, init=C0, tol=0, max_iter=7)
    assert res.n_iter == 7 and not res.converged and len(res.objective_history) == 7
    conv = soft_kmeans(X, 5, 0.05, init=C0, tol=1e-6, max_iter=500)
    assert conv.converged and conv.n_iter < 500
    # the rule: the last step moved the centres by less than tol, the one before by more
    prev = soft_kmeans(X, 5, 0.05, init=C0, tol=0, max_iter=conv.n_iter - 1).centroids
    assert np.linalg.norm(conv.centroids - prev) < 1e-6
    before = soft_kmeans(X, 5, 0.05, init=C0, tol=0, max_iter=conv.n_iter - 2).centroids
    assert np.linalg.norm(prev - before) >= 1e-6


def test_free_energy_history_decreases_at_fixed_beta():
    X, C0 = make_data(np.float64)
    res = soft_kmeans(X, 5, 0.05, init=C0, tol=0, max_iter=20)
    assert (np.diff(res.objective_history) <= 1e-9 * abs(res.objective_history[0])).all()
    assert res.objective <= res.objective_history[-1] + 1e-9 * abs(res.objective)


def test_without_responsibilities():
    X, C0 = make_data(np.float64)
    a = soft_kmeans(X, 5, 0.05, init=C0, return_responsibilities=False)
    b = soft_kmeans(X, 5, 0.05, init=C0)
    assert a.responsibilities is None
    np.testing.assert_array_equal(a.labels, b.responsibilities.argmax(axis=1))
    np.testing.assert_array_equal(a.centroids, b.centroids)


def test_random_state_reproduces_the_fit():
    X, _ = make_data(np.float64)
    a = soft_kmeans(X, 5, 0.05, random_state=3)
    b = soft_kmeans(X, 5, 0.05, random_state=3)
    np.testing.assert_array_equal(a.centroids, b.centroids)
    km = ckmeans.kmeans(X, 5, random_state=3, max_iter=1)  # the same k-means++ draws
    first = soft_kmeans(X, 5, 1e6, distance="sqeuclidean", random_state=3, max_iter=1)
    np.testing.assert_allclose(first.centroids, km.centroids, rtol=1e-12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 60),
    d=st.integers(1, 9),
    k=st.integers(1, 6),
    log_beta=st.floats(-6, 6),
    scale=st.sampled_from([1e-3, 1.0, 255.0, 1e6]),
    distance=st.sampled_from(["euclidean", "sqeuclidean"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_responsibilities_are_a_distribution(n, d, k, log_beta, scale, distance, seed):
    k = min(k, n)
    X = np.random.default_rng(seed).random((n, d)) * scale
    res = soft_kmeans(X, k, 10.0**log_beta, distance=distance, random_state=seed, max_iter=3)
    R = res.responsibilities
    assert np.isfinite(R).all() and (R >= 0).all() and (R <= 1).all()
    np.testing.assert_allclose(R.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert (R[np.arange(n), res.labels] == R.max(axis=1)).all()
    assert np.isfinite(res.centroids).all() and np.isfinite(res.objective)


# ---------------------------------------------------------------------------------- schedules


def test_schedule_forms_agree():
    X, C0 = make_data(np.float64)
    fits = [
        soft_kmeans(X, 5, beta, init=C0, tol=0, max_iter=6)
        for beta in (0.05, [0.05], [0.05] * 6, np.full(9, 0.05), lambda t: 0.05)
    ]
    for other in fits[1:]:
        np.testing.assert_array_equal(other.centroids, fits[0].centroids)
        assert other.beta == 0.05


def test_sequence_schedule_holds_its_last_value():
    X, C0 = make_data(np.float64)
    res = soft_kmeans(X, 5, [0.01, 0.1], init=C0, tol=0, max_iter=4)
    C = C0.copy()
    energies = []
    for beta in (0.01, 0.1, 0.1, 0.1):
        energies.append(core.step(X, None, C, beta, 0, C, None, 1)[0])
    np.testing.assert_array_equal(res.centroids, C)
    np.testing.assert_array_equal(res.objective_history, energies)
    R = np.empty((len(X), 5))
    assert res.objective == core.estep(X, None, C, 0.1, 0, R, None, 1)
    np.testing.assert_array_equal(res.responsibilities, R)
    assert res.beta == 0.1


def test_callable_schedule_is_called_per_iteration():
    X, C0 = make_data(np.float64)
    seen = []

    def anneal(t):
        seen.append(t)
        return 0.01 * 2.0**t

    res = soft_kmeans(X, 5, anneal, init=C0, tol=0, max_iter=5)
    assert seen == [0, 1, 2, 3, 4]
    ref = soft_kmeans(X, 5, [0.01 * 2.0**t for t in range(5)], init=C0, tol=0, max_iter=5)
    np.testing.assert_array_equal(res.centroids, ref.centroids)
    assert res.beta == 0.16
    # values beyond max_iter are never used, so never checked
    soft_kmeans(X, 5, [0.01, 0.02, -1.0], init=C0, max_iter=2)


# --------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "beta, match",
    [
        (0.0, "beta must be a finite number > 0"),
        (-1.0, "> 0"),
        (np.nan, "> 0"),
        (np.inf, "> 0"),
        (True, "real number"),
        ("1.0", "beta must be a number"),
        ([], "empty sequence"),
        ([1.0, 0.0], r"beta\[1\]"),
        ([[1.0]], "1-D"),
        (lambda t: -1.0 if t == 2 else 1.0, r"beta\(2\)"),
        (lambda t: "x", "real number"),
        ([1.0, np.nan], r"beta\[1\]"),
    ],
)
def test_bad_beta(beta, match):
    X, _ = make_data(np.float64)
    with pytest.raises(ValueError, match=match):
        soft_kmeans(X, 3, beta, max_iter=5)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(n_clusters=0), ValueError, "n_clusters=0"),
        (dict(n_clusters=601), ValueError, "n_samples=600"),
        (dict(n_clusters=2.5), TypeError, "n_clusters must be an integer"),
        (dict(max_iter=0), ValueError, "max_iter"),
        (dict(tol=-1.0), ValueError, "tol"),
        (dict(tol=np.inf), ValueError, "tol"),
        (dict(distance="cityblock"), ValueError, "distance must be one of"),
        (dict(init="kmeans++"), ValueError, "init must be"),
        (dict(init=np.zeros((2, 7))), ValueError, "does not match the number of clusters"),
        (dict(sample_weight=-np.ones(600)), ValueError, "negative"),
        (dict(sample_weight=np.zeros(600)), ValueError, "zero everywhere"),
        (dict(sample_weight=np.ones(5)), ValueError, "shape"),
        (dict(n_threads=0), ValueError, "n_threads=0"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    X, _ = make_data(np.float64)
    args = dict(n_clusters=3, beta=1.0)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        soft_kmeans(X, args.pop("n_clusters"), args.pop("beta"), **args)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[1.0, np.nan], [0.0, 1.0]]), "NaN"),
        (np.zeros((0, 3)), "empty"),
        (np.zeros(5), "2-D"),
        (np.array([["a", "b"]]), "real numbers"),
    ],
)
def test_bad_X(X, match):
    with pytest.raises(ValueError, match=match):
        soft_kmeans(X, 1, 1.0)


def test_kernel_status_codes_become_errors():
    X, C = make_data(np.float64)
    with pytest.raises(ValueError, match="beta"):
        core.estep(X, None, C, 0.0, 0, None, None, 1)
    with pytest.raises(ValueError, match="distance"):
        core.estep(X, None, C, 1.0, 7, None, None, 1)
    with pytest.raises(ValueError, match="beta"):
        core.fit(
            X,
            None,
            np.array([1.0, -1.0]),
            0,
            C.copy(),
            3,
            0.0,
            1,
            None,
            np.empty(len(X), np.int32),
            np.empty(3),
        )
    with pytest.raises(TypeError, match="float32 for float32 X"):
        core.estep(X.astype(np.float32), None, C, 1.0, 0, None, None, 1)


# ---------------------------------------------------------------------------------- estimator

EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "the k-means++ initialisation draws per row: a point of weight 2 and a point repeated twice "
        "consume the random stream differently, so the fits start from different centres "
        "(sklearn.cluster.KMeans fails it the same way; from the same initial centres weights do equal "
        "repeated rows: test_integer_weights_equal_repeated_rows)"
    ),
    "check_sample_weight_equivalence_on_sparse_data": "the same on sparse input (SoftKMeans takes it)",
}
# Checks SoftKMeans fails for a reason of its own (sklearn.cluster.KMeans has no predict_proba).
OWN_FAILED_CHECKS = {
    check: (
        "the check expects predict_proba to have a classifier's 2 or 4 class columns (classifier_tags); "
        "SoftKMeans' columns are its clusters. Sparse input is covered by test_sparse_soft.py"
    )
    for check in ("check_estimator_sparse_array", "check_estimator_sparse_matrix")
}


@parametrize_with_checks(
    [SoftKMeans(random_state=0)],
    expected_failed_checks=lambda est: {**EXPECTED_FAILED_CHECKS, **OWN_FAILED_CHECKS},
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name", sorted(EXPECTED_FAILED_CHECKS))
def test_sklearn_kmeans_fails_the_same_checks(name):
    with pytest.raises(AssertionError):
        getattr(estimator_checks, name)("KMeans", sklearn.cluster.KMeans(random_state=0))


@pytest.mark.parametrize("distance", ["euclidean", "sqeuclidean"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_estimator_methods(dtype, distance):
    X, C0 = make_data(dtype)
    beta = 0.05 if distance == "euclidean" else 5e-4
    est = SoftKMeans(5, beta=beta, init=C0, distance=distance).fit(X)
    res = soft_kmeans(X, 5, beta, init=C0, distance=distance)
    np.testing.assert_array_equal(est.cluster_centers_, res.centroids)
    np.testing.assert_array_equal(est.labels_, res.labels)
    assert est.n_iter_ == res.n_iter and est.objective_ == res.objective and est.beta_ == beta
    np.testing.assert_array_equal(est.predict_proba(X), res.responsibilities)
    np.testing.assert_array_equal(est.predict(X), est.labels_)
    np.testing.assert_array_equal(
        SoftKMeans(5, beta=beta, init=C0, distance=distance).fit_predict(X), est.labels_
    )
    assert est.score(X) == -res.objective
    D = twins.soft_distances(X, est.cluster_centers_, distance)
    np.testing.assert_allclose(est.transform(X), D, rtol=1e-4 if dtype == np.float32 else 1e-9)
    w = weights(len(X), True)
    # Both sum the same float64 terms, in other orders.
    assert est.score(X, sample_weight=w) == pytest.approx(
        -twins.soft_estep(X, est.cluster_centers_, beta, distance, w)[2], rel=1e-12
    )


def test_estimator_schedule_uses_the_last_beta():
    X, C0 = make_data(np.float64)
    est = SoftKMeans(5, beta=[0.01, 0.05], init=C0, tol=0, max_iter=3).fit(X)
    assert est.beta_ == 0.05
    np.testing.assert_allclose(
        est.predict_proba(X),
        twins.soft_estep(X, est.cluster_centers_, 0.05, "euclidean")[0],
        rtol=1e-9,
        atol=1e-14,
    )


# ------------------------------------------------------------------------------- soft metrics


def soft_labels(n=500, k=4, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    R = rng.random((n, k)) ** 3
    return rng.integers(0, n_classes, n) * 7 - 3, R / R.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("n_threads", [1, 2])
def test_soft_contingency_matches_twin(n_threads):
    y, R = soft_labels(n=40_000)  # several chunks of the contingency kernel
    w = np.random.default_rng(1).random(len(y))
    table, classes = soft_contingency_matrix(y, R, sample_weight=w, n_threads=n_threads)
    np.testing.assert_array_equal(classes, [-3, 4, 11])
    np.testing.assert_allclose(table, twins.soft_contingency((y + 3) // 7, R, w), rtol=1e-12)
    again, _ = soft_contingency_matrix(y, R, sample_weight=w, n_threads=3 - n_threads)
    np.testing.assert_array_equal(table, again)


def test_soft_gini_matches_the_notebook_loop():
    y, R = soft_labels(n=300)
    assert soft_gini(y, R) == pytest.approx(twins.soft_gini(y, R), rel=1e-12)


def test_soft_metrics_on_one_hot_are_the_hard_ones():
    y, R = soft_labels()
    labels = R.argmax(axis=1)
    one_hot = np.eye(R.shape[1])[labels]
    assert soft_gini(y, one_hot) == pytest.approx(gini(y, labels), rel=1e-12)
    assert soft_purity(y, R) == purity(y, labels)
    # a cluster nobody belongs to contributes nothing
    padded = np.hstack([one_hot, np.zeros((len(y), 1))])
    assert soft_gini(y, padded) == pytest.approx(gini(y, labels), rel=1e-12)


def test_soft_metrics_of_a_fit(shared_data):
    X, y = ckmeans.datasets.load_mnist(shared_data / "mnist")
    res = soft_kmeans(X[:2000], 10, 0.01, random_state=0, max_iter=10)
    assert 0 < soft_gini(y[:2000], res.responsibilities) < 0.9
    assert soft_purity(y[:2000], res.responsibilities) > 0.3


@pytest.mark.parametrize(
    "R, match",
    [
        (np.full((10, 2), 0.6), "sum to 1"),
        (np.full((9, 2), 0.5), "9 rows"),
        (np.full(10, 1.0), "2-D"),
        (np.array([[1.5, -0.5]] * 10), "negative"),
        (np.array([[np.nan, 1.0]] * 10), "NaN"),
        (np.full((10, 2), "a"), "real numbers"),
    ],
)
def test_soft_metrics_errors(R, match):
    y = np.arange(10) % 2
    for fn in (soft_gini, soft_purity):
        with pytest.raises(ValueError, match=match):
            fn(y, R)


def test_benchmark_script_runs(shared_data, tmp_path):
    """Keep bench/bench_soft.py from rotting: a quick run writes its own section and nothing else."""
    report = tmp_path / "B.md"
    report.write_text("# Benchmarks\n\nother section\n")
    env = dict(os.environ, CKMEANS_BENCH_DATA=str(shared_data))
    bench = Path(__file__).resolve().parent.parent / "bench" / "bench_soft.py"
    run_python(
        [bench, "--quick", "--iters", "2", "--repeats", "1", "--write", report],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    text = report.read_text()
    assert "other section" in text and "## Soft k-means" in text and "<!-- bench-soft:begin" in text
    assert "| ckmeans | uint8 |" in text and "| notebook (cdist + log-sum-exp) | float64 |" in text


# ---- n_init: several runs, the lowest free energy wins (KMeans' semantics) ----------------------


def _inits_in_turn(inits):
    """A callable init that returns ``inits`` one after the other, one per run."""
    calls = iter(inits)
    return lambda X, n_clusters, random_state: next(calls)


@pytest.mark.parametrize("best_run", [0, 1, 2])
def test_n_init_keeps_the_run_of_lowest_free_energy(best_run):
    X, C0 = make_data(np.float64)
    rs = np.random.RandomState(5)
    inits = [C0, X[rs.choice(len(X), 5, replace=False)], X[:5]]
    singles = [soft_kmeans(X, 5, 0.05, init=c, n_init=1) for c in inits]
    order = np.argsort([r.objective for r in singles])  # best, middle, worst
    assert len(set(r.objective for r in singles)) == 3
    # The best run first, in the middle or last: its responsibilities must survive the others.
    turn = [int(i) for i in np.roll(order, best_run)]
    res = soft_kmeans(X, 5, 0.05, init=_inits_in_turn([inits[i] for i in turn]), n_init=3)
    best = singles[order[0]]
    assert res.objective == best.objective
    np.testing.assert_array_equal(res.centroids, best.centroids)
    np.testing.assert_array_equal(res.responsibilities, best.responsibilities)
    np.testing.assert_array_equal(res.labels, best.labels)
    np.testing.assert_array_equal(res.objective_history, best.objective_history)


@pytest.mark.parametrize("init, runs", [("k-means++", 1), ("random", 10), ("callable", 10), ("array", 1)])
def test_n_init_auto_is_sklearns_rule(monkeypatch, init, runs):
    X, C0 = make_data(np.float64)
    made = []
    fit = core.fit

    def spy(*args, **kwargs):
        made.append(1)
        return fit(*args, **kwargs)

    monkeypatch.setattr(core, "fit", spy)
    init = {"callable": lambda X, k, rs: C0, "array": C0}.get(init, init)
    SoftKMeans(5, beta=0.05, init=init, max_iter=3, random_state=0).fit(X)
    assert len(made) == runs


def test_init_array_with_n_init_warns_and_runs_once():
    X, C0 = make_data(np.float64)
    with pytest.warns(
        RuntimeWarning,
        match="performing only one init in SoftKMeans instead of "
        r"n_init=4\.",
    ):
        res = soft_kmeans(X, 5, 0.05, init=C0, n_init=4)
    np.testing.assert_array_equal(res.centroids, soft_kmeans(X, 5, 0.05, init=C0).centroids)


def test_estimator_n_init_matches_function():
    X, _ = make_data(np.float64)
    est = SoftKMeans(5, beta=0.05, init="random", n_init=3, random_state=7).fit(X)
    res = soft_kmeans(X, 5, 0.05, init="random", n_init=3, random_state=7)
    np.testing.assert_array_equal(est.cluster_centers_, res.centroids)
    assert est.objective_ == res.objective
    with pytest.raises(ValueError, match="n_init"):
        SoftKMeans(5, n_init=0).fit(X)


def test_verbose_reports_each_iteration_as_it_happens(capsys):
    """verbose: one line per iteration from the C fit's callback, with the beta of the schedule."""
    X = np.random.RandomState(4).normal(size=(300, 3))
    res = ckmeans.soft_kmeans(X, 3, [0.5, 1.0, 2.0], max_iter=5, tol=0, random_state=0, verbose=True)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Initialization complete"
    lines = [line for line in out if line.startswith("Iteration ")]
    betas = [0.5, 1.0, 2.0, 2.0, 2.0]
    assert lines == [
        f"Iteration {t}, beta {betas[t]}, free energy {res.objective_history[t]}." for t in range(5)
    ]
    assert out[-1] == f"Stopped after 5 iterations, free energy {res.objective}."


def test_callable_schedule_is_evaluated_for_the_iterations_run_only():
    calls = []
    X = np.random.default_rng(0).random((60, 2))

    def beta(t):
        calls.append(t)
        return 1.0

    res = ckmeans.soft_kmeans(X, 3, beta, max_iter=2**31 - 1, tol=1e-3, random_state=0)
    assert len(res.objective_history) == res.n_iter
    assert calls == list(range(res.n_iter + 1))[: len(calls)] and len(calls) <= res.n_iter + 1


def test_callable_schedule_gives_the_array_schedule_fit():
    X = np.random.default_rng(1).random((300, 3))
    values = [0.5 + t for t in range(30)]
    a = ckmeans.soft_kmeans(X, 4, lambda t: values[t], max_iter=30, tol=0, random_state=0)
    b = ckmeans.soft_kmeans(X, 4, values, max_iter=30, tol=0, random_state=0)
    np.testing.assert_array_equal(a.centroids, b.centroids)
    np.testing.assert_array_equal(a.objective_history, b.objective_history)
    assert a.beta == b.beta == values[-1]


def test_responsibilities_too_big_for_memory_fail_before_the_initialisation(monkeypatch):
    X = np.random.default_rng(0).random((40000, 2))
    monkeypatch.setattr(ckmeans._soft, "_initial_centres", lambda *a: pytest.fail("initialised first"))
    monkeypatch.setattr(os, "sysconf", lambda name: 2**20 if name == "SC_PHYS_PAGES" else 4096)
    with pytest.raises(MemoryError, match="responsibilities"):
        ckmeans.soft_kmeans(X, 40000, 1.0)
