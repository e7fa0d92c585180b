"""Hard k-means: C kernels against their NumPy twins, scikit-learn equality from the same initial
centres, thread-count determinism, properties and input validation."""

import gzip
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning

import ckmeans
from ckmeans import _kmeans_core as core

sys.path.insert(0, str(Path(__file__).resolve().parent))
import twins
from conftest import arrays_under_switch, require_file

DTYPES = [np.float32, np.float64, np.uint8]
# Rows enough for many chunks (128 rows) and several accumulation groups, so thread counts matter.
N_MULTI = 2000


def cdtype(dtype):
    return np.float32 if dtype == np.float32 else np.float64


def make_data(dtype, n=600, d=7, k=5, seed=0):
    """Blobs scaled into [0, 255] so every dtype holds (almost) the same points, and initial centres
    that are not on the integer grid (so no two centres are equally near a uint8 point)."""
    X, _ = make_blobs(n, d, centers=k, cluster_std=2.0, random_state=seed)
    X = (X - X.min()) / (X.max() - X.min()) * 250 + 2
    X = np.round(X).astype(dtype) if dtype == np.uint8 else X.astype(dtype)
    rs = np.random.RandomState(seed + 1)
    C0 = X[rs.choice(n, k, replace=False)].astype(np.float64) + rs.uniform(-0.5, 0.5, (k, d))
    return X, C0.astype(cdtype(dtype))


def rtol(dtype):
    return 1e-5 if dtype == np.float32 else 1e-12


def weights(n, weighted, seed=3):
    return np.random.RandomState(seed).uniform(0.5, 2.0, n) if weighted else None


def load_mnist(root, n):
    path = require_file(Path(root) / "mnist" / "train-images-idx3-ubyte.gz")
    with gzip.open(path) as f:
        raw = f.read(16 + n * 784)
    return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 784)


# ---------------------------------------------------------------------------- kernels vs twins


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_assign_matches_twin(dtype, n_threads):
    X, C = make_data(dtype, n=N_MULTI, k=9)
    labels = np.empty(len(X), np.int32)
    sq = np.empty(len(X))
    core.assign(X, C, labels, sq, n_threads)
    want_labels, want_sq = twins.assign(X, C)
    ok = twins.clear_margin(X, C)
    assert ok.mean() > 0.99
    np.testing.assert_array_equal(labels[ok], want_labels[ok])
    np.testing.assert_allclose(sq, twins.sqdist_matrix(X, C)[np.arange(len(X)), labels], rtol=1e-12)
    assert (sq >= 0).all()


def test_uint8_labels_equal_float64_labels_even_at_near_ties():
    # uint8 rows are screened in float32 and redone in float64 where float32 cannot decide; centres
    # 1e-9 apart (undecidable in float32) and exact duplicates (true ties: lowest index) probe that.
    rs = np.random.RandomState(0)
    X8 = rs.randint(0, 256, (N_MULTI, 50)).astype(np.uint8)
    base = rs.uniform(0, 255, (6, 50))
    C = np.vstack([base, base[:3] + 1e-9, base[3:4]])
    labels8, labels64 = np.empty(N_MULTI, np.int32), np.empty(N_MULTI, np.int32)
    sq8, sq64 = np.empty(N_MULTI), np.empty(N_MULTI)
    core.assign(X8, C, labels8, sq8, 2)
    core.assign(X8.astype(np.float64), C, labels64, sq64, 2)
    np.testing.assert_array_equal(labels8, labels64)
    np.testing.assert_array_equal(sq8, sq64)
    assert not np.isin(labels8, [9]).any()  # an exact duplicate of centre 3 never wins


@pytest.mark.parametrize("k", [7, 19, 40])  # the row-wise float32 screen (k <= 32: 1 and 2 register
# blocks of centroids) and the panels
@pytest.mark.parametrize("top", [255.0, 254.9, 1e-3, 3e5])
def test_uint8_labels_equal_float64_labels_at_any_centre_scale(top, k):
    # The integer screen scales centres by a power of two up to its digit range: centres at the top
    # of that range (255 exactly, just under it), tiny ones and huge ones must still give the
    # float64 labels; the d = 70 rows also leave a partial group of 4 and of 64 features (and of 8:
    # the row-wise screen skips a row's all-zero groups of 8, so some rows are mostly or all zeros).
    rs = np.random.RandomState(1)
    X8 = rs.choice(np.array([0, 1, 128, 254, 255], np.uint8), (N_MULTI, 70))
    C = rs.uniform(0, top, (k, 70))
    C[0, :] = top
    C[1, ::2] = 0
    near = np.clip(
        np.round(C[rs.randint(0, k, N_MULTI // 2)]) + rs.randint(-2, 3, (N_MULTI // 2, 70)), 0, 255
    )
    X8[: N_MULTI // 2] = near.astype(np.uint8)  # half the rows close to some centre
    sparse = rs.rand(N_MULTI, 70) < 0.9
    sparse[: 2 * N_MULTI // 3] = False
    X8[sparse] = 0  # the last third of the rows mostly zeros
    X8[-1] = 0
    labels8, labels64 = np.empty(N_MULTI, np.int32), np.empty(N_MULTI, np.int32)
    core.assign(X8, C, labels8, None, 2)
    core.assign(X8.astype(np.float64), C, labels64, None, 2)
    np.testing.assert_array_equal(labels8, labels64)


@pytest.mark.parametrize("k", [3, 5, 10, 17, 256])  # 5 and 10: float64 and float32 panels whose
@pytest.mark.parametrize("dtype", DTYPES)  # last lanes are shared by 4 rows (8-row blocks)
def test_label_does_not_depend_on_the_other_rows(dtype, k):
    # The bound-based algorithms recompute gathered subsets of rows and need exactly Lloyd's labels:
    # a row's label may not depend on the rows around it in a chunk or a register block. Subsets of
    # every size modulo the blocks, in another order, must give each row its full-run label.
    rs = np.random.RandomState(k)
    n, d = 700, 37
    X = rs.randint(0, 256, (n, d)).astype(dtype)
    C = (X[rs.choice(n, k, replace=k > n)].astype(np.float64) + rs.uniform(-3, 3, (k, d))).astype(
        cdtype(dtype)
    )
    full = np.empty(n, np.int32)
    core.assign(X, C, full, None, 2)
    for size in [1, 2, 5, 6, 7, 13, 16, 129, 301]:
        rows = rs.permutation(n)[:size]
        sub = np.empty(size, np.int32)
        core.assign(np.ascontiguousarray(X[rows]), C, sub, None, 1)
        np.testing.assert_array_equal(sub, full[rows])


def assert_same_bits_under_switch(code, switch, family):
    """The arrays `code` (a python -c program saving them with np.savez to the path named by its
    argument) computes in a fresh process are the same bits with and without the CKMEANS_NO_*
    `switch`, which must move the `family` kernels to another instruction set."""
    ref, out = arrays_under_switch(code, switch, family)
    for a, b in zip(ref, out, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("switch", ["CKMEANS_NO_VNNI", "CKMEANS_NO_AVX512"])
def test_avx512_avx2_and_vnni_kernels_give_the_same_bits(switch):
    # Each (row, centroid) is one fused chain in one vector lane, whatever the vector width; uint8
    # labels are the float64 ones whether screened with integers (VNNI) or in float32.
    code = (
        "import numpy as np, ckmeans, sys; rs = np.random.RandomState(0); out = [];"
        "[out.extend([r.labels, r.centroids]) for d in (45, 130) for X in [rs.randint(0, 256, (1500, d))]"
        " for w in (None, rs.uniform(0.1, 3, 1500)) for dt in (np.float32, np.float64, np.uint8)"
        " for k in (10, 40) for r in [ckmeans.kmeans(X.astype(dt), k, init=X[:k].astype(float) + 0.25,"
        " max_iter=4, tol=0, sample_weight=w)]];"
        "np.savez(sys.argv[1], *out)"
    )
    assert_same_bits_under_switch(code, switch, "kmeans_uint8")


@pytest.mark.parametrize("switch", ["CKMEANS_NO_SIMD", "CKMEANS_NO_AVX512"])
def test_centroid_sums_have_the_same_bits_with_any_instruction_set(switch):
    # The sums take the same additions in the same order with AVX-512 or AVX2 (8 vectors of
    # features in registers, then one vector, then a scalar tail: 45 and 130 features cover all
    # three) as in the portable row-by-row loop, weighted products unfused; 150 clusters are more
    # than a chunk's rows (clusters with no row in a chunk).
    code = (
        "import numpy as np, sys; from ckmeans import _kmeans_core as core;"
        " rs = np.random.RandomState(0); out = [];"
        "[(core.centroids_update(X.astype(dt), w, lab, C, ws, 2), out.extend([C, ws]))"
        " for d in (45, 130) for X in [rs.randint(0, 256, (1500, d))]"
        " for w in (None, rs.uniform(0.1, 3, 1500)) for dt in (np.float32, np.float64, np.uint8)"
        " for k in (10, 150) for lab in [rs.randint(0, k, 1500).astype(np.int32)]"
        " for C in [np.zeros((k, d), np.float32 if dt == np.float32 else np.float64)]"
        " for ws in [np.empty(k)]];"
        "np.savez(sys.argv[1], *out)"
    )
    assert_same_bits_under_switch(code, switch, "kmeans")


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_centroids_update_matches_twin(dtype, n_threads, weighted):
    X, C0 = make_data(dtype, n=N_MULTI, k=6)
    w = weights(len(X), weighted)
    labels = np.random.RandomState(0).randint(0, 5, len(X)).astype(np.int32)  # cluster 5 empty
    C = C0.copy()
    wsum = np.empty(len(C))
    core.centroids_update(X, w, labels, C, wsum, n_threads)
    want_C, want_wsum = twins.centroids_update(X, w, labels, C0)
    np.testing.assert_allclose(C, want_C, rtol=rtol(dtype))
    np.testing.assert_allclose(wsum, want_wsum, rtol=1e-12)
    np.testing.assert_array_equal(C[5], C0[5])


@pytest.mark.parametrize("bad_row", [0, 5, 6, 7, 8])
def test_inertia_rejects_bad_labels(bad_row):
    """The C guard (rows go four at a time): a label out of range anywhere is an error."""
    X, C = make_data(np.float64)
    labels = np.zeros(9, np.int32)
    labels[bad_row] = -1 if bad_row % 2 else len(C)
    with pytest.raises(ValueError, match="label is outside"):
        core.inertia(np.ascontiguousarray(X[:9]), None, C, labels, 1)


@pytest.mark.parametrize("bad_label", [-1, "k"])
@pytest.mark.parametrize("bad_row", [3, "last"])
def test_centroids_update_rejects_bad_labels(bad_row, bad_label):
    """In the first chunk or in the last one (rows go by chunks, sorted by cluster): an error, and
    the centroids are left as they were."""
    X, C = make_data(np.float64, n=N_MULTI)
    labels = np.random.RandomState(1).randint(0, len(C), len(X)).astype(np.int32)
    labels[len(X) - 1 if bad_row == "last" else bad_row] = len(C) if bad_label == "k" else bad_label
    out = C.copy()
    with pytest.raises(ValueError, match="label is outside"):
        core.centroids_update(X, None, labels, out, np.empty(len(C)), 2)
    np.testing.assert_array_equal(out, C)


@pytest.mark.parametrize("d, k", [(7, 6), (130, 150)])  # (130, 150): 64-feature register strips
@pytest.mark.parametrize("weighted", [False, True])  # and more clusters than a chunk has rows
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lloyd_step_matches_twin(dtype, n_threads, weighted, d, k):
    X, C0 = make_data(dtype, n=N_MULTI, d=d, k=k)
    w = weights(len(X), weighted)
    prev = np.random.RandomState(1).randint(0, k, len(X)).astype(np.int32)
    labels = prev.copy()
    C1 = np.empty_like(C0)
    changed, inertia, shift = core.lloyd_step(X, w, C0, C1, labels, n_threads)
    want_C, want_labels, want_changed, want_inertia, want_shift = twins.lloyd_iter(X, w, C0, prev)
    assert twins.clear_margin(X, C0).all()
    np.testing.assert_array_equal(labels, want_labels)
    assert changed == want_changed
    np.testing.assert_allclose(C1, want_C, rtol=rtol(dtype))
    # the per-iteration inertia comes from the screening scores: float32-accurate for float32 and
    # uint8 X (see ck_lloyd_step in ckmeans.h)
    np.testing.assert_allclose(inertia, want_inertia, rtol=1e-10 if dtype == np.float64 else 1e-5)
    np.testing.assert_allclose(shift, want_shift, rtol=1e-4 if dtype == np.float32 else 1e-9)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lloyd_partial_is_the_step_before_averaging(dtype, n_threads, weighted):
    """A block's partials: the twin's labels, sums and weights, and exactly the sums that
    ck_lloyd_step averages (no empty cluster here)."""
    X, C0 = make_data(dtype, n=N_MULTI, d=7, k=6)
    k = len(C0)
    w = weights(len(X), weighted)
    prev = np.random.RandomState(1).randint(0, k, len(X)).astype(np.int32)
    labels, step_labels = prev.copy(), prev.copy()
    sums, wsum = np.empty((k, X.shape[1])), np.empty(k)
    changed, inertia = core.lloyd_partial(X, w, C0, labels, sums, wsum, n_threads)
    C1 = np.empty_like(C0)
    step_changed, step_inertia, _ = core.lloyd_step(X, w, C0, C1, step_labels, n_threads)
    np.testing.assert_array_equal(labels, step_labels)
    assert (changed, inertia) == (step_changed, step_inertia)
    assert (wsum > 0).all()
    np.testing.assert_array_equal((sums / wsum[:, None]).astype(C1.dtype), C1)
    want_labels, _ = twins.assign(X, C0)
    want_sums, want_wsum = twins.weighted_sums(X, w, want_labels, k)
    np.testing.assert_array_equal(labels, want_labels)
    np.testing.assert_allclose(sums, want_sums, rtol=1e-12)
    np.testing.assert_allclose(wsum, want_wsum, rtol=1e-12)


@pytest.mark.parametrize("n_far", [0, 1, 5, N_MULTI])
@pytest.mark.parametrize("dtype", DTYPES)
def test_farthest_matches_twin(dtype, n_far):
    """Farthest first, and equal distances (duplicated rows) by increasing row index."""
    X, C = make_data(dtype, n=N_MULTI, k=4)
    X = np.ascontiguousarray(np.concatenate([X, X[::-1]]))
    labels = np.random.RandomState(2).randint(0, len(C), len(X)).astype(np.int32)
    far_sqdist, far_index = np.empty(n_far), np.empty(n_far, np.int64)
    core.farthest(X, C, labels, far_sqdist, far_index, 2)
    want_index, want_sqdist = twins.farthest(X, C, labels, n_far)
    np.testing.assert_array_equal(far_index, want_index)
    np.testing.assert_allclose(far_sqdist, want_sqdist, rtol=1e-12)


def test_farthest_rejects_bad_input():
    X, C = make_data(np.float64)
    labels = np.zeros(len(X), np.int32)
    labels[3] = len(C)
    with pytest.raises(ValueError, match="label is outside"):
        core.farthest(X, C, labels, np.empty(1), np.empty(1, np.int64), 1)
    with pytest.raises(ValueError, match="argument"):
        n_far = len(X) + 1  # more rows than X has
        core.farthest(X, C, np.zeros(len(X), np.int32), np.empty(n_far), np.empty(n_far, np.int64), 1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_lloyd_step_relocates_empty_cluster_like_twin(dtype):
    X, C0 = make_data(dtype, n=300, k=4)
    C0 = C0.copy()
    C0[2] = 1e4  # nearest to nothing: empty in the first assignment
    labels = np.full(len(X), -1, np.int32)
    C1 = np.empty_like(C0)
    core.lloyd_step(X, None, C0, C1, labels, 2)
    want_C, want_labels, *_ = twins.lloyd_iter(X, None, C0, np.full(len(X), -1))
    np.testing.assert_array_equal(labels, want_labels)
    np.testing.assert_allclose(C1, want_C, rtol=rtol(dtype))
    # the relocated centre is a data point: the one farthest from its centre
    _, d2 = twins.assign(X, C0)
    np.testing.assert_allclose(C1[2], X[np.argmax(d2)].astype(np.float64), rtol=rtol(dtype))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_fit_matches_twin_loop(dtype, weighted):
    X, C0 = make_data(dtype, n=500, k=5)
    w = weights(len(X), weighted)
    res = ckmeans.kmeans(X, 5, init=C0, sample_weight=w, tol=0, n_threads=2)
    C, labels, inertia, n_iter = twins.kmeans_fit(X, w, C0)
    np.testing.assert_array_equal(res.labels, labels)
    np.testing.assert_allclose(res.centroids, C, rtol=rtol(dtype))
    np.testing.assert_allclose(res.inertia, inertia, rtol=1e-5 if dtype == np.float32 else 1e-11)
    assert res.n_iter == n_iter and res.converged


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_mean_feature_variance_matches_numpy(dtype, n_threads):
    X, _ = make_data(dtype, n=N_MULTI)
    want = np.var(X.astype(np.float64), axis=0).mean()
    np.testing.assert_allclose(core.mean_feature_variance(X, n_threads), want, rtol=1e-12)


# ---------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_bit_identical_for_any_thread_count(dtype, weighted):
    X, _ = make_data(dtype, n=N_MULTI * 3, d=9, k=12)
    w = weights(len(X), weighted)
    runs = [
        ckmeans.kmeans(X, 12, sample_weight=w, random_state=7, n_init=2, tol=0, n_threads=t)
        for t in (1, 2, 3)
    ]
    for other in runs[1:]:
        np.testing.assert_array_equal(runs[0].centroids, other.centroids)
        np.testing.assert_array_equal(runs[0].labels, other.labels)
        assert runs[0].inertia == other.inertia
        np.testing.assert_array_equal(runs[0].inertia_history, other.inertia_history)


@pytest.mark.parametrize("dtype", DTYPES)
def test_kmeans_plusplus_reproducible_and_thread_independent(dtype):
    X, _ = make_data(dtype, n=N_MULTI, k=8)
    out = []
    for seed, n_threads in [(5, 1), (5, 2), (5, 1), (6, 1)]:
        C = np.empty((8, X.shape[1]), cdtype(dtype))
        idx = np.empty(8, np.int64)
        core.kmeans_plusplus(X, None, seed, 0, C, idx, n_threads)
        np.testing.assert_array_equal(C, X[idx].astype(cdtype(dtype)))
        assert len(set(idx.tolist())) == 8
        out.append(C)
    np.testing.assert_array_equal(out[0], out[1])
    np.testing.assert_array_equal(out[0], out[2])
    assert not np.array_equal(out[0], out[3])


def test_kmeans_plusplus_spreads_over_blobs():
    # Far-apart blobs: greedy k-means++ must put one centre in each.
    X, y = make_blobs(3000, 4, centers=6, cluster_std=0.3, center_box=(-100, 100), random_state=2)
    for seed in range(5):
        C = np.empty((6, 4))
        idx = np.empty(6, np.int64)
        core.kmeans_plusplus(X, None, seed, 0, C, idx, 2)
        assert len(set(y[idx].tolist())) == 6


def test_kmeans_plusplus_respects_zero_weights():
    X, _ = make_data(np.float64, n=400)
    w = np.zeros(len(X))
    w[::7] = 1.0
    for init in ["k-means++", "random"]:
        C = np.empty((5, X.shape[1]))
        idx = np.empty(5, np.int64)
        if init == "random":
            core.random_init(X, w, 3, C, idx)
        else:
            core.kmeans_plusplus(X, w, 3, 0, C, idx, 1)
        assert (idx % 7 == 0).all()


def test_random_state_kinds():
    X, _ = make_data(np.float64)
    a = ckmeans.kmeans(X, 5, random_state=3)
    b = ckmeans.kmeans(X, 5, random_state=np.random.RandomState(3))
    np.testing.assert_array_equal(a.centroids, b.centroids)
    c = ckmeans.kmeans(X, 5, random_state=np.random.default_rng(3))
    d = ckmeans.kmeans(X, 5, random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(c.centroids, d.centroids)


def test_scalar_path_gives_same_labels():
    # CKMEANS_NO_SIMD=1 forces the portable kernel; without near-ties the fit is the same.
    code = (
        "import numpy as np, ckmeans, sys; sys.path.insert(0, %r); import test_kmeans as t;"
        "X, C0 = t.make_data(np.float64, n=3000, k=7); r = ckmeans.kmeans(X, 7, init=C0);"
        "np.savez(sys.argv[1], r.labels)"
    ) % str(Path(__file__).resolve().parent)
    assert_same_bits_under_switch(code, "CKMEANS_NO_SIMD", "kmeans")


# ---------------------------------------------------------------------------- scikit-learn


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", [0, 1])
def test_same_fixed_point_as_sklearn_on_blobs(dtype, seed):
    X, C0 = make_data(dtype, n=1500, d=6, k=7, seed=seed)
    res = ckmeans.kmeans(X, 7, init=C0)
    ref = KMeans(7, init=C0, n_init=1, algorithm="lloyd").fit(X)
    np.testing.assert_array_equal(res.labels, ref.labels_)
    np.testing.assert_allclose(res.centroids, ref.cluster_centers_, rtol=rtol(dtype) * 10, atol=1e-9)
    np.testing.assert_allclose(res.inertia, ref.inertia_, rtol=1e-9 if dtype == np.float64 else 1e-5)
    assert res.n_iter == ref.n_iter_
    assert res.centroids.dtype == ref.cluster_centers_.dtype


def test_same_fixed_point_as_sklearn_with_weights_and_tol():
    X, C0 = make_data(np.float64, n=1500, d=6, k=7)
    w = weights(len(X), True)
    res = ckmeans.kmeans(X, 7, init=C0, sample_weight=w, tol=1e-2)
    ref = KMeans(7, init=C0, n_init=1, tol=1e-2).fit(X, sample_weight=w)
    np.testing.assert_array_equal(res.labels, ref.labels_)
    np.testing.assert_allclose(res.inertia, ref.inertia_, rtol=1e-9)
    assert res.n_iter == ref.n_iter_


def test_empty_cluster_relocation_matches_sklearn():
    X, C0 = make_data(np.float64, n=400, k=5)
    C0 = C0.copy()
    C0[1] = -500.0
    C0[3] = 1e3
    res = ckmeans.kmeans(X, 5, init=C0)
    ref = KMeans(5, init=C0, n_init=1).fit(X)
    np.testing.assert_array_equal(res.labels, ref.labels_)
    np.testing.assert_allclose(res.inertia, ref.inertia_, rtol=1e-9)


@pytest.fixture(scope="module")
def mnist_subset(shared_data):
    return load_mnist(shared_data, 6000)


@pytest.mark.parametrize("k", [10, 32])
def test_same_fixed_point_as_sklearn_on_mnist(mnist_subset, k):
    X8 = mnist_subset
    C0 = X8[np.random.RandomState(k).choice(len(X8), k, replace=False)].astype(np.float64)
    r8 = ckmeans.kmeans(X8, k, init=C0)
    r64 = ckmeans.kmeans(X8.astype(np.float64), k, init=C0)
    ref = KMeans(k, init=C0, n_init=1, algorithm="lloyd").fit(X8)
    np.testing.assert_array_equal(r8.labels, ref.labels_)
    np.testing.assert_allclose(r8.inertia, ref.inertia_, rtol=1e-9)
    assert r8.n_iter == ref.n_iter_
    # uint8 read in place does the very operations of the float64 fit on the same values
    assert r8.centroids.dtype == np.float64
    np.testing.assert_array_equal(r8.centroids, r64.centroids)
    np.testing.assert_array_equal(r8.labels, r64.labels)
    assert r8.inertia == r64.inertia


# ---------------------------------------------------------------------------- properties


def test_integer_weights_equal_repeated_rows():
    X, C0 = make_data(np.float64, n=400, k=5)
    reps = np.random.RandomState(4).randint(1, 4, len(X))
    a = ckmeans.kmeans(X, 5, init=C0, sample_weight=reps.astype(float), tol=0)
    b = ckmeans.kmeans(np.repeat(X, reps, axis=0), 5, init=C0, tol=0)
    np.testing.assert_allclose(a.centroids, b.centroids, rtol=1e-12)
    np.testing.assert_array_equal(np.repeat(a.labels, reps), b.labels)
    np.testing.assert_allclose(a.inertia, b.inertia, rtol=1e-12)


@st.composite
def problems(draw):
    n = draw(st.integers(2, 80))
    d = draw(st.integers(1, 6))
    k = draw(st.integers(1, min(n, 6)))
    dtype = draw(st.sampled_from(DTYPES))
    seed = draw(st.integers(0, 2**31 - 1))
    rs = np.random.RandomState(seed)
    X = rs.uniform(0, 255, (n, d))
    X = np.round(X).astype(np.uint8) if dtype == np.uint8 else X.astype(dtype)
    w = rs.uniform(0.1, 3.0, n) if draw(st.booleans()) else None
    C0 = X[rs.choice(n, k, replace=False)].astype(np.float64) + rs.uniform(-0.3, 0.3, (k, d))
    max_iter = draw(st.sampled_from([1, 2, 300]))  # 1, 2: stopped before convergence
    return X, w, C0.astype(cdtype(dtype)), k, max_iter


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_fixed_point_properties(problem):
    X, w, C0, k, max_iter = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = ckmeans.kmeans(X, k, init=C0, sample_weight=w, tol=0, max_iter=max_iter)
    assert res.labels.dtype == np.int32 and ((res.labels >= 0) & (res.labels < k)).all()
    assert len(res.inertia_history) == res.n_iter
    # converged or not, every label is the nearest returned centre, up to the rounding of the
    # kernels' ||x||^2 - 2 x.c + ||c||^2 in the centroid type
    Xd, Cd = X.astype(np.float64), res.centroids.astype(np.float64)
    d2 = ((Xd[:, None, :] - Cd[None, :, :]) ** 2).sum(axis=2)
    slack = 8 * np.finfo(res.centroids.dtype).eps * ((Xd**2).sum(axis=1) + (Cd**2).sum(axis=1).max())
    assert (d2[np.arange(len(X)), res.labels] <= d2.min(axis=1) + slack).all()
    if not res.converged:
        return
    # each centroid is the weighted mean of its members
    C, _ = twins.centroids_update(X, w, res.labels, res.centroids)
    np.testing.assert_allclose(res.centroids, C, rtol=1e-5 if X.dtype == np.float32 else 1e-9, atol=1e-9)
    # inertia is the weighted sum of squared distances to the assigned centroid
    wv = np.ones(len(X)) if w is None else w
    d2 = ((X.astype(np.float64) - res.centroids.astype(np.float64)[res.labels]) ** 2).sum(axis=1)
    np.testing.assert_allclose(res.inertia, (wv * d2).sum(), rtol=1e-9, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), dtype=st.sampled_from(DTYPES))
def test_shuffling_rows_keeps_the_fixed_point(seed, dtype):
    X, C0 = make_data(dtype, n=300, d=4, k=4, seed=seed % 1000)
    perm = np.random.RandomState(seed).permutation(len(X))
    a = ckmeans.kmeans(X, 4, init=C0, tol=0)
    b = ckmeans.kmeans(X[perm], 4, init=C0, tol=0)
    np.testing.assert_array_equal(a.labels[perm], b.labels)
    np.testing.assert_allclose(a.centroids, b.centroids, rtol=rtol(dtype))


# ---------------------------------------------------------------------------- API behaviour


def test_n_init_keeps_the_lowest_inertia():
    X, _ = make_data(np.float64, n=500, k=8)
    starts = []

    def init(X, k, random_state):
        C = X[random_state.choice(len(X), k, replace=False)]
        starts.append(C.copy())
        return C

    best = ckmeans.kmeans(X, 8, init=init, n_init=6, random_state=0)
    singles = [ckmeans.kmeans(X, 8, init=C).inertia for C in starts]
    assert len(starts) == 6 and len(set(singles)) > 1
    assert best.inertia == min(singles)


def test_n_init_auto():
    X, _ = make_data(np.float64, n=300)
    calls = []

    def init(X, k, random_state):
        calls.append(1)
        return X[:k]

    ckmeans.kmeans(X, 5, init=init)
    assert len(calls) == 10  # like scikit-learn: callables and 'random' get 10 runs


def test_convergence_warning_when_fewer_distinct_clusters():
    X = np.repeat(np.array([[0.0, 0.0], [5.0, 5.0], [9.0, 0.0]]), 10, axis=0)
    with pytest.warns(ConvergenceWarning, match="distinct clusters"):
        res = ckmeans.kmeans(X, 5, random_state=0)
    assert np.unique(res.labels).size == 3


@pytest.mark.parametrize(
    "dtype,expected",
    [
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.uint8, np.float64),
        (np.int16, np.float64),
        (np.int64, np.float64),
        (bool, np.float64),
    ],
)
def test_output_dtypes(dtype, expected):
    X = np.random.RandomState(0).rand(50, 3) * 100
    X = X > 50 if dtype is bool else X.astype(dtype)
    res = ckmeans.kmeans(X, 3, random_state=0)
    assert res.centroids.dtype == expected
    assert res.labels.dtype == np.int32 and res.inertia_history.dtype == np.float64
    assert isinstance(res.inertia, float) and isinstance(res.n_iter, int) and isinstance(res.converged, bool)


def test_layouts_and_read_only_inputs_give_the_same_result():
    X, C0 = make_data(np.float64, n=300)
    ref = ckmeans.kmeans(X, 5, init=C0)
    ro = X.copy()
    ro.flags.writeable = False
    wide = np.zeros((X.shape[0], 2 * X.shape[1]))
    wide[:, ::2] = X
    for variant in [np.asfortranarray(X), ro, wide[:, ::2], X.tolist()]:
        res = ckmeans.kmeans(variant, 5, init=C0)
        np.testing.assert_array_equal(res.labels, ref.labels)
        np.testing.assert_array_equal(res.centroids, ref.centroids)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("init_dtype", [np.float32, np.float64])
def test_init_array_of_either_float_dtype(dtype, init_dtype):
    X, C0 = make_data(dtype, n=300)
    res = ckmeans.kmeans(X, 5, init=C0.astype(init_dtype))
    assert res.centroids.dtype == cdtype(dtype)
    C0_in = C0.astype(init_dtype)
    ckmeans.kmeans(X, 5, init=C0_in)
    np.testing.assert_array_equal(C0_in, C0.astype(init_dtype))  # the caller's init is not written


def test_algorithm_names_run_the_exact_path():
    # Every name (and the default) gives the bits of Lloyd's plain pass, asked for explicitly.
    X, C0 = make_data(np.float64, n=300)
    ref = ckmeans.kmeans(X, 5, init=C0, algorithm="lloyd")
    runs = [ckmeans.kmeans(X, 5, init=C0)] + [
        ckmeans.kmeans(X, 5, init=C0, algorithm=a) for a in ("elkan", "auto")
    ]
    for res in runs:
        np.testing.assert_array_equal(res.labels, ref.labels)
        np.testing.assert_array_equal(res.centroids, ref.centroids)


def test_max_iter_and_history():
    X, C0 = make_data(np.float64, n=500, k=5)
    res = ckmeans.kmeans(X, 5, init=C0, max_iter=1, tol=0)
    assert res.n_iter == 1 and not res.converged and len(res.inertia_history) == 1
    full = ckmeans.kmeans(X, 5, init=C0, tol=0)
    assert full.converged
    assert np.all(np.diff(full.inertia_history) <= 1e-9 * full.inertia_history[0])
    np.testing.assert_allclose(full.inertia_history[-1], full.inertia, rtol=1e-10)


def test_verbose_prints_inertia(capsys):
    X, C0 = make_data(np.float64, n=200)
    res = ckmeans.kmeans(X, 5, init=C0, verbose=True)
    out = capsys.readouterr().out
    assert out.count("Iteration") == res.n_iter and "inertia" in out


def test_single_cluster_is_the_weighted_mean():
    X, _ = make_data(np.float64, n=100)
    w = weights(len(X), True)
    res = ckmeans.kmeans(X, 1, sample_weight=w)
    np.testing.assert_allclose(res.centroids[0], np.average(X, axis=0, weights=w), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 200_000),
    bad=st.lists(st.tuples(st.integers(0, 10**9), st.sampled_from([np.nan, np.inf, -np.inf])), max_size=3),
    dtype=st.sampled_from([np.float32, np.float64]),
    n_threads=st.sampled_from([1, 2]),
)
@example(n=200_000, bad=[(150_001, np.nan)], dtype=np.float32, n_threads=2)  # only in the third block
@example(n=200_000, bad=[(199_999, np.inf), (70_000, -np.inf)], dtype=np.float64, n_threads=2)
@example(n=131_073, bad=[(131_072, np.nan)], dtype=np.float64, n_threads=1)  # the last element alone
def test_find_nonfinite_is_numpy_first_nonfinite(n, bad, dtype, n_threads):
    """The C scan (blocks of 65536 on threads) against numpy: the flat index of the first NaN/inf,
    also when it lies past the first block."""
    x = np.random.RandomState(n % 1000).standard_normal(n).astype(dtype) * 1e30
    for pos, value in bad:
        x[pos % n] = value
    want = np.flatnonzero(~np.isfinite(x))
    assert core.find_nonfinite(x.reshape(1, n), n_threads) == (want[0] if len(want) else -1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("algorithm", ["lloyd", "yinyang"])
@pytest.mark.parametrize("tol", [0.0, 1e-4])
@pytest.mark.parametrize("init", ["k-means++", "random", "array", "callable"])
def test_nonfinite_error_names_the_first_bad_entry(init, tol, algorithm, dtype):
    """Whichever kernel meets the NaN first (the tol scale, k-means++, the fit's first step, or the
    scan before a callable init), the error names the first bad entry."""
    X = np.random.RandomState(0).uniform(0, 1, (70_000, 3)).astype(dtype)
    X[66_000, 2], X[69_000, 0] = np.nan, np.inf
    seen = []
    init = {
        "array": X[:2].astype(np.float64) * 0 + [[0.2, 0.2, 0.2], [0.8, 0.8, 0.8]],
        "callable": lambda X, k, random_state: seen.append(1) or np.full((k, X.shape[1]), 0.5),
    }.get(init, init)
    with pytest.raises(ValueError, match=r"NaN or infinity \(first at X\[66000, 2\] = nan\)"):
        ckmeans.kmeans(X, 2, init=init, tol=tol, algorithm=algorithm, n_threads=2)
    assert not seen  # a callable init never gets X with NaN


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # (the tiny ball empties clusters)
@pytest.mark.parametrize(
    "dtype, case", [(dt, "blobs") for dt in DTYPES] + [(np.float32, "tiny ball"), (np.float64, "tiny ball")]
)  # (not uint8: no tiny ball)
def test_closing_labels_are_a_full_search_of_the_final_centres(dtype, case):
    """A fit that stops on max_iter or tol closes with labels for its final centres: exactly what a
    full search of those centres gives, also where the gaps between distances are below the scores'
    rounding (a tiny ball far from the origin), so that any shortcut in the closing assignment (a
    bounded one, say) is held to the full search."""
    rs = np.random.RandomState(5)
    if case == "blobs":
        X, C0 = make_data(dtype, n=N_MULTI, d=20, k=12)
    else:
        offset, spread = (1e3, 1e-2) if dtype == np.float32 else (1e7, 1e-6)
        X = (offset + spread * rs.standard_normal((3000, 12))).astype(dtype)
        C0 = (
            X[rs.choice(len(X), 24, replace=False)].astype(np.float64)
            + spread * 0.1 * rs.standard_normal((24, 12))
        ).astype(cdtype(dtype))
    for max_iter, tol in [(1, 0.0), (2, 0.0), (5, 0.0), (300, 1e-2)]:
        res = ckmeans.kmeans(X, len(C0), init=C0, max_iter=max_iter, tol=tol, algorithm="lloyd", n_threads=2)
        full = np.empty(len(X), np.int32)
        core.assign(X, res.centroids, full, None, 2)
        np.testing.assert_array_equal(res.labels, full)


@pytest.mark.parametrize("fit", ["fit", "fit_yinyang", "lloyd_step", "kmeans_plusplus"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernels_report_nonfinite_x(fit, dtype):
    """The C kernels' own check (CK_ERR_KMEANS_NONFINITE), from the row norms they compute."""
    X, C0 = make_data(dtype, n=N_MULTI)
    X[1500, 3] = np.inf
    labels = np.empty(len(X), np.int32)
    C = C0.copy()
    call = {
        "fit": lambda: core.fit(X, None, C, labels, "lloyd", 5, 0.0, 2, np.empty(5)),
        "fit_yinyang": lambda: core.fit(X, None, C, labels, "yinyang", 5, 0.0, 2, np.empty(5), n_groups=2),
        "lloyd_step": lambda: core.lloyd_step(X, None, C0, C, labels, 2),
        "kmeans_plusplus": lambda: core.kmeans_plusplus(
            X, None, np.uint64(0), 0, C, np.empty(len(C), np.int64), 2
        ),
    }
    with pytest.raises(ValueError, match="NaN or an infinity"):
        call[fit]()


BAD_INPUTS = [
    (dict(X=np.array([[0.0, np.nan], [1.0, 2.0]]), n_clusters=1), "NaN or infinity"),
    (dict(X=np.array([[0.0, np.inf], [1.0, 2.0]], np.float32), n_clusters=1), "NaN or infinity"),
    (dict(X=np.zeros((0, 3)), n_clusters=1), "empty"),
    (dict(X=np.zeros((3, 0)), n_clusters=1), "empty"),
    (dict(X=np.zeros(5), n_clusters=1), "2-D"),
    (dict(X=np.zeros((2, 2, 2)), n_clusters=1), "2-D"),
    (dict(X=np.array([["a", "b"]]), n_clusters=1), "real numbers"),
    (dict(X=np.ones((4, 2)), n_clusters=0), "n_clusters"),
    (dict(X=np.ones((4, 2)), n_clusters=5), "n_clusters"),
    (dict(X=np.ones((4, 2)), n_clusters=2, sample_weight=[1, 1, -1, 1]), "negative"),
    (dict(X=np.ones((4, 2)), n_clusters=2, sample_weight=[0, 0, 0, 0]), "zero everywhere"),
    (dict(X=np.ones((4, 2)), n_clusters=2, sample_weight=[1, 1, 1]), "shape"),
    (dict(X=np.ones((4, 2)), n_clusters=2, sample_weight=[1, np.nan, 1, 1]), "NaN"),
    (dict(X=np.ones((4, 2)), n_clusters=3, sample_weight=[1, 1, 0, 0]), "positive weight"),
    (dict(X=np.ones((4, 2)), n_clusters=2, init=np.ones((3, 2))), "number of clusters 2"),
    (dict(X=np.ones((4, 2)), n_clusters=2, init=np.ones((2, 3))), "number of features of the data 2"),
    (
        dict(X=np.ones((4, 2)), n_clusters=2, init=np.array([[1.0, np.nan], [0, 0]])),
        "init array contains NaN",
    ),
    (dict(X=np.ones((4, 2)), n_clusters=2, init="kmeans++"), "init must be"),
    (dict(X=np.ones((4, 2)), n_clusters=2, algorithm="full"), "algorithm"),
    (dict(X=np.ones((4, 2)), n_clusters=2, max_iter=0), "max_iter"),
    (dict(X=np.ones((4, 2)), n_clusters=2, max_iter=2**31), "max_iter"),
    (dict(X=np.ones((4, 2)), n_clusters=2, tol=-1e-3), "tol"),
    (dict(X=np.ones((4, 2)), n_clusters=2, n_init=0), "n_init"),
    (dict(X=np.ones((4, 2)), n_clusters=2, n_threads=0), "n_threads=0"),
]


@pytest.mark.parametrize("kwargs,message", BAD_INPUTS)
def test_bad_input_raises_a_clear_value_error(kwargs, message):
    X = kwargs.pop("X")
    n_clusters = kwargs.pop("n_clusters")
    with pytest.raises(ValueError, match=message):
        ckmeans.kmeans(X, n_clusters, **kwargs)


def test_non_integer_n_clusters_is_a_type_error():
    with pytest.raises(TypeError, match="n_clusters"):
        ckmeans.kmeans(np.ones((4, 2)), 2.5)


@pytest.mark.parametrize(
    "dtype, scale, predict_overflows",
    [(np.float64, 1e300, True), (np.float64, 1e150, False), (np.float32, 1e36, True)],
)
def test_values_whose_squares_overflow_are_refused(dtype, scale, predict_overflows):
    """Squares beyond the float range would partition by infinities; every entry point says so."""
    G = np.random.default_rng(0).random((200, 4))
    X = (G * scale).astype(dtype)
    assert np.isfinite(X).all()
    with pytest.raises(ValueError, match="scale the data"):
        ckmeans.kmeans(X, 3, random_state=0)
    with pytest.raises(ValueError, match="scale the data"):
        ckmeans.kmeans(X, 3, init=X[:3], algorithm="lloyd")
    with pytest.raises(ValueError, match="scale the data"):
        ckmeans.soft_kmeans(X, 3, 1.0, random_state=0)
    km = ckmeans.KMeans(3, random_state=0).fit(G.astype(dtype))
    if not predict_overflows:  # small centres: x.c and ||c||^2 stay in range, nothing to refuse
        assert np.isfinite(km.transform(X)).all()
        return
    for method in ("predict", "transform", "score"):
        with pytest.raises(ValueError, match="scale the data"):
            getattr(km, method)(X)


def test_objective_that_overflows_is_refused():
    """The objective sums by differences in float64: refused only where the true value overflows."""
    X = np.random.default_rng(0).random((200, 4)) * 1e300
    with pytest.raises(ValueError, match="scale the data"):
        ckmeans.metrics.objective(X, X[:3] * 0, np.zeros(len(X), dtype=np.int32))


def test_weights_whose_products_overflow_are_refused():
    X = np.random.default_rng(0).random((50, 2))
    with pytest.raises(ValueError, match="scale the data"):
        ckmeans.kmeans(X, 2, sample_weight=np.full(50, 1e308), random_state=0)


def test_large_values_within_range_still_fit():
    G = np.random.default_rng(0).random((200, 4))
    ref = ckmeans.kmeans(G, 3, random_state=0)
    big = ckmeans.kmeans(G * 2.0**400, 3, random_state=0)
    np.testing.assert_array_equal(ref.labels, big.labels)


def test_history_memory_follows_the_iterations_run():
    """max_iter is a cap, not a size: a huge one allocates nothing up front."""
    import tracemalloc

    X = np.random.default_rng(0).random((300, 2))
    tracemalloc.start()
    res = ckmeans.kmeans(X, 3, max_iter=10**9, random_state=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert res.converged and len(res.inertia_history) == res.n_iter
    assert peak < 2**20


@pytest.mark.parametrize(
    "X",
    [
        np.ones((20, 2), dtype=complex),
        np.arange(40).reshape(20, 2).astype("M8[D]"),
        np.ones((20, 2), "m8[s]"),
    ],
)
def test_complex_and_time_data_are_refused(X):
    """They would convert to float64 without an error, losing the imaginary part or the unit."""
    for call in (
        lambda: ckmeans.kmeans(X, 2),
        lambda: ckmeans.soft_kmeans(X, 2, 1.0),
        lambda: ckmeans.metrics.objective(X, np.zeros((1, 2)), np.zeros(20, dtype=np.int32)),
    ):
        with pytest.raises(ValueError, match="real numbers"):
            call()


def test_n_threads_beyond_int_range_is_named():
    with pytest.raises(ValueError, match="n_threads"):
        ckmeans.kmeans(np.random.default_rng(0).random((20, 2)), 2, n_threads=2**31)
