"""Exact accelerated k-means (Yinyang / Hamerly bounds, src_c/kmeans_bounds_tpl.h): the same labels,
bit-identical centroids, n_iter, convergence flag and inertia as Lloyd's plain pass from the same
initial centres, on blobs, real MNIST and adversarial inputs (duplicates, exact ties, empty clusters,
k close to n), for every dtype, with and without weights, for any thread count."""

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_blobs

import ckmeans
from ckmeans import _kmeans_core as core

sys.path.insert(0, str(Path(__file__).resolve().parent))
import twins
from test_kmeans import DTYPES, cdtype, load_mnist, weights

BOUNDED = ["yinyang", "hamerly", "elkan", "auto"]


def fit(X, C0, algorithm, **kw):
    return ckmeans.kmeans(X, len(C0), init=C0, n_init=1, algorithm=algorithm, **kw)


def assert_same(res, ref, X):
    np.testing.assert_array_equal(res.labels, ref.labels)
    np.testing.assert_array_equal(res.centroids, ref.centroids)  # bit for bit
    assert res.n_iter == ref.n_iter and res.converged == ref.converged
    assert res.inertia == ref.inertia
    # The bounded history comes from the cluster sums in float64, Lloyd's from ||x||^2 + score with
    # the score in the centroid type (float32-accurate for float32, and for uint8 with AVX2): both
    # expand ||x||^2 - 2 x.c + ||c||^2, so their rounding scales with sum ||x||^2, a few units of
    # that type's last place (the largest gap measured across these tests is 0.05 of this bound).
    eps = np.finfo(np.float64 if X.dtype == np.float64 else np.float32).eps
    scale = float((np.asarray(X, dtype=np.float64) ** 2).sum()) * (1 + res.n_iter)
    np.testing.assert_allclose(res.inertia_history, ref.inertia_history, rtol=0, atol=32 * eps * scale)


def many_blobs(dtype, n=2000, d=6, k=40, seed=0):
    X, _ = make_blobs(n, d, centers=k, cluster_std=1.5, random_state=seed)
    X = (X - X.min()) / (X.max() - X.min()) * 250 + 2
    X = np.round(X).astype(dtype) if dtype == np.uint8 else X.astype(dtype)
    C0 = X[np.random.RandomState(seed + 1).choice(n, k, replace=False)].astype(cdtype(dtype))
    return X, C0


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_bounded_equals_lloyd_on_blobs(dtype, weighted):
    X, C0 = many_blobs(dtype)
    w = weights(len(X), weighted)
    for tol in (0.0, 1e-4):
        ref = fit(X, C0, "lloyd", sample_weight=w, tol=tol, n_threads=1)
        for algorithm in BOUNDED:
            runs = [fit(X, C0, algorithm, sample_weight=w, tol=tol, n_threads=t) for t in (1, 2)]
            for res in runs:
                assert_same(res, ref, X)
            # threads: not just Lloyd's result, the very same history bits too
            np.testing.assert_array_equal(runs[0].inertia_history, runs[1].inertia_history)


@pytest.mark.parametrize("dtype", [np.float64, np.uint8])
def test_bounded_equals_twin(dtype):
    """The NumPy twin of Lloyd's loop (float64 arithmetic) gives the same fixed point."""
    X, C0 = many_blobs(dtype, n=600, k=25)
    res = fit(X, C0, "yinyang", tol=0, n_threads=2)
    C, labels, inertia, n_iter = twins.kmeans_fit(X, None, C0)
    np.testing.assert_array_equal(res.labels, labels)
    np.testing.assert_allclose(res.centroids, C, rtol=1e-12)
    np.testing.assert_allclose(res.inertia, inertia, rtol=1e-11)
    assert res.n_iter == n_iter


@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
def test_bounded_equals_lloyd_on_mnist(shared_data, dtype):
    X = load_mnist(shared_data, 5000).astype(dtype)
    C0 = X[np.random.RandomState(0).choice(len(X), 64, replace=False)].astype(cdtype(dtype))
    w = weights(len(X), dtype == np.uint8)
    ref = fit(X, C0, "lloyd", sample_weight=w, n_threads=2)
    assert ref.converged and ref.n_iter > 10
    assert_same(fit(X, C0, "yinyang", sample_weight=w, n_threads=2), ref, X)
    assert_same(fit(X, C0, "hamerly", sample_weight=w, n_threads=1), ref, X)


def test_searched_history():
    """Every row is searched in the first iteration (no bounds yet), fewer later."""
    X, C0 = many_blobs(np.float64)
    C, labels = C0.copy(), np.empty(len(X), np.int32)
    history, searched = np.empty(100), np.full(100, -1, np.int64)
    n_iter, _, _, ran = core.fit(
        X, None, C, labels, "yinyang", 100, 0.0, 2, history, searched_history=searched
    )
    assert ran == "yinyang"
    assert searched[0] == len(X)
    assert (searched[:n_iter] >= 0).all() and (searched[:n_iter] <= len(X)).all()
    assert searched[n_iter - 1] < len(X) // 2
    assert (searched[n_iter:] == -1).all()


# ------------------------------------------------- exact sums: only the rows that change are moved


def integer_blobs(dtype, n=1500, d=5, k=12, seed=3, scale=1.0, low=2, high=250):
    """Integer-valued blobs (times a power of two): the data whose cluster sums are exact."""
    X, _ = make_blobs(n, d, centers=k, cluster_std=2.0, random_state=seed)
    X = np.round((X - X.min()) / (X.max() - X.min()) * (high - low) + low) * scale
    X = X.astype(dtype)
    C0 = X[np.random.RandomState(seed).choice(n, k, replace=False)].astype(cdtype(dtype))
    return X, C0


@pytest.mark.parametrize("scale", [1.0, 2.0**-30, 2.0**40])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_auto_keeps_lloyds_bits_with_exact_sums(dtype, scale):
    """Integer-valued X (pixels, counts, times any power of two): 'auto' below 64 clusters keeps
    single bounds and moves only the rows that change cluster; the bits must be Lloyd's."""
    X, C0 = integer_blobs(dtype, scale=scale)
    ref = fit(X, C0, "lloyd", tol=0, max_iter=60, n_threads=1)
    assert ref.n_iter > 5
    runs = [
        fit(X, C0, algorithm, tol=0, max_iter=60, n_threads=t)
        for algorithm in ("auto", "hamerly")
        for t in (1, 2)
    ]
    for res in runs:
        assert_same(res, ref, X)
    np.testing.assert_array_equal(runs[0].inertia_history, runs[1].inertia_history)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_auto_with_sums_that_round(dtype):
    """Where moving rows would round differently from summing afresh -- odd integers whose column
    sums pass 2^53, fractions with all 53 bits, weights -- every method must still give Lloyd's bits
    (a too-generous exactness rule shows up here as a different centroid)."""
    rs = np.random.RandomState(5)
    X, C0 = integer_blobs(np.float64, n=800, d=3, k=9, low=2.0**45, high=2.0**46)
    X = X + 2 * rs.randint(0, 2**20, size=X.shape) + 1  # odd: no power of two divides the sums
    cases = [
        (X, None),
        (integer_blobs(np.float64)[0] / 3.0, None),
        (integer_blobs(np.float64)[0], rs.uniform(0.5, 2.0, 1500)),
    ]
    for Xc, w in cases:
        Xc = Xc.astype(dtype)
        C0 = Xc[rs.choice(len(Xc), 9, replace=False)].astype(cdtype(dtype))
        check_bounded_bits(Xc, C0, w)
    if dtype == np.float32:
        check_bounded_bits(*cancelling_sums_f32(seed=1), None)


def check_bounded_bits(X, C0, w):
    ref = fit(X, C0, "lloyd", sample_weight=w, tol=0, max_iter=40, n_threads=1)
    for algorithm in ("auto", "hamerly"):
        for t in (1, 2):
            assert_same(fit(X, C0, algorithm, sample_weight=w, tol=0, max_iter=40, n_threads=t), ref, X)


def cancelling_sums_f32(seed, k=4, n_big=100, n_small=200):
    """float32 data whose float64 cluster sums round and then cancel, so that the rounding shows in
    float32 centroids: rows +2^30 (first) and -2^30 (last) in column 1 sit still at each cluster's
    centre, while rows with small values (multiples of 2^-16) move between clusters in between.
    Partial sums near 2^37 round those small values; the +-2^30 rows cancel and leave means near
    0.5, where float32 resolves what the rounding changed. sum |x| lies between the exactness
    rule's bound 2^(q+51) = 2^35 and 2^40, so a rule 32x too generous takes these sums for exact."""
    rs = np.random.RandomState(seed)
    centres = np.arange(k) * 2.0**20
    plus = np.column_stack([np.repeat(centres, n_big), np.full(k * n_big, 2.0**30)])
    minus = np.column_stack([np.repeat(centres, n_big), np.full(k * n_big, -(2.0**30))])
    home = rs.randint(0, k, k * n_small)
    small = np.column_stack(
        [
            centres[home] + rs.randint(-700000, 700000, k * n_small),
            rs.randint(1, 2**16, k * n_small) * 2.0**-16,
        ]
    )
    X = np.concatenate([plus, small, minus]).astype(np.float32)
    return X, small[rs.choice(len(small), k, replace=False)].astype(np.float32)


# ---------------------------------------------------------------------------- adversarial inputs


def check_all(X, C0, w=None, **kw):
    ref = fit(X, C0, "lloyd", sample_weight=w, **kw)
    for algorithm in BOUNDED:
        for n_threads in (1, 2):
            assert_same(fit(X, C0, algorithm, sample_weight=w, n_threads=n_threads, **kw), ref, X)
    return ref


@pytest.mark.parametrize("dtype", DTYPES)
def test_duplicate_points_and_more_clusters_than_points(dtype):
    rs = np.random.RandomState(0)
    distinct = rs.randint(0, 200, size=(30, 4))
    X = np.repeat(distinct, 20, axis=0)[rs.permutation(600)].astype(dtype)
    C0 = X[rs.choice(600, 45, replace=False)].astype(cdtype(dtype))  # duplicated centres too
    with pytest.warns(Warning):
        check_all(X, C0, tol=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_exact_ties_on_an_integer_grid(dtype):
    """Every point of a small grid is equidistant to several grid-point centres: ties everywhere,
    broken by Lloyd to the lowest index."""
    g = np.arange(0, 5)
    X = np.array(np.meshgrid(g, g, g)).reshape(3, -1).T
    X = np.tile(X, (8, 1)).astype(dtype)
    C0 = np.array(
        [[0, 0, 0], [2, 2, 2], [4, 4, 4], [0, 4, 0], [4, 0, 4], [1, 1, 1], [3, 3, 3], [0, 0, 4], [2, 2, 2]],
        dtype=cdtype(dtype),
    )
    for w in (None, weights(len(X), True)):
        check_all(X, C0, w, tol=0)
        check_all(X, C0, w, tol=1e-3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_near_ties_decided_by_rounding(dtype):
    """Points and centres packed in a tiny ball far from the origin: the gaps between the true
    distances are far below the rounding of ||c||^2 - 2 x.c, so Lloyd's labels are decided by how its
    kernel rounds. The bounds' error allowance E(x) must cover that, or a skipped or searched row
    gets another label than Lloyd's."""
    rs = np.random.RandomState(3)
    offset, spread = (1e3, 1e-2) if dtype == np.float32 else (1e7, 1e-6)
    X = (offset + spread * rs.standard_normal((3000, 12))).astype(dtype)
    C0 = X[rs.choice(len(X), 48, replace=False)].astype(np.float64) + spread * 0.1 * rs.standard_normal(
        (48, 12)
    )
    C0 = C0.astype(dtype)
    check_all(X, C0, None, tol=0, max_iter=6)
    check_all(X, C0, weights(len(X), True), tol=0, max_iter=6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_clusters_from_far_and_duplicated_centres(dtype):
    X, C0 = many_blobs(dtype, n=1500, k=30)
    C0 = C0.astype(np.float64)
    C0[5] = C0[4]
    C0[6] = C0[4]
    C0[10:14] = 255 + 1e4 * np.arange(1, 5)[:, None]  # empty in the first step, relocated
    check_all(X, C0.astype(cdtype(dtype)), weights(len(X), True), tol=1e-4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_k_close_to_n_and_k_one(dtype):
    X, _ = many_blobs(dtype, n=150, k=10)
    rs = np.random.RandomState(2)
    for k in (150, 149, 1):
        C0 = X[rs.choice(150, k, replace=False)].astype(cdtype(dtype))
        with warnings.catch_warnings():  # duplicate rows: fewer distinct clusters than k
            warnings.simplefilter("ignore")
            check_all(X, C0, tol=1e-4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 700),
    d=st.integers(1, 4),
    k_frac=st.floats(0.0, 1.0),
    seed=st.integers(0, 10**6),
    grid=st.booleans(),
    weighted=st.booleans(),
    dtype=st.sampled_from(DTYPES),
)
def test_bounded_equals_lloyd_property(n, d, k_frac, seed, grid, weighted, dtype):
    # Up to 700 rows: several 128-row chunks, so the two thread counts of check_all split the work.
    rs = np.random.RandomState(seed)
    X = rs.randint(0, 4, size=(n, d)) if grid else rs.uniform(0, 255, size=(n, d))
    X = np.round(X).astype(dtype) if dtype == np.uint8 else X.astype(dtype)
    k = max(1, round(k_frac * min(n, 70)))
    C0 = X[rs.choice(n, k, replace=False)].astype(cdtype(dtype))
    w = rs.uniform(0.1, 3.0, n) if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_all(X, C0, w, tol=float(rs.choice([0.0, 1e-4])), max_iter=50)


# ---------------------------------------------------------------------------------- the API


def test_algorithm_names():
    X, C0 = many_blobs(np.float64, n=300, k=8)
    for bad in ("full", "Lloyd", None, 3):
        with pytest.raises(ValueError, match="algorithm"):
            ckmeans.kmeans(X, 8, init=C0, algorithm=bad)
    ref = fit(X, C0, "lloyd")
    for name in ("auto", "elkan", "yinyang", "hamerly"):
        assert_same(fit(X, C0, name), ref, X)


def test_kernel_rejects_negative_group_count():
    """The C fit's own argument check (Python never passes one): an error, not a crash."""
    from ckmeans import _kmeans_core

    X, C0 = many_blobs(np.float64, n=200, k=8)
    labels = np.empty(len(X), dtype=np.int32)
    with pytest.raises(ValueError, match="status"):
        _kmeans_core.fit(X, None, C0.copy(), labels, "yinyang", 10, 0.0, 1, np.empty(10), n_groups=-1)


def test_auto_kernel_rejects_bad_arguments():
    """The C fit's own argument check with CK_ALGO_AUTO (Python validates first): errors, not crashes."""
    X, C0 = many_blobs(np.float64, n=200, k=8)
    labels = np.empty(len(X), dtype=np.int32)
    for max_iter, tol in ((0, 0.0), (10, -1.0), (10, float("nan"))):
        with pytest.raises(ValueError, match="status"):
            core.fit(X, None, C0.copy(), labels, "auto", max_iter, tol, 1, np.empty(max(max_iter, 1)))


def test_algorithm_name_mapping():
    from ckmeans._kmeans import _METHODS

    assert _METHODS == {
        "auto": "auto",
        "lloyd": "lloyd",
        "hamerly": "hamerly",
        "elkan": "yinyang",
        "yinyang": "yinyang",
    }
    assert set(_METHODS.values()) == set(core.ALGORITHMS)


def test_estimator_accepts_scikit_learn_names():
    X, C0 = many_blobs(np.float32, n=800, k=40)
    ref = ckmeans.KMeans(40, init=C0, n_init=1, algorithm="lloyd").fit(X)
    est = ckmeans.KMeans(40, init=C0, n_init=1, algorithm="elkan").fit(X)
    np.testing.assert_array_equal(est.labels_, ref.labels_)
    np.testing.assert_array_equal(est.cluster_centers_, ref.cluster_centers_)
    assert est.n_iter_ == ref.n_iter_ and est.inertia_ == ref.inertia_


# ------------------------------------------------------------- which method ran, and 'auto''s rule


def test_auto_rule_is_recorded():
    """result.algorithm / KMeans.algorithm_ name the method that ran; 'auto' follows its rule
    (ckmeans.h, CK_ALGO_AUTO): Yinyang from 64 clusters, single bounds below only for unweighted
    float X whose sums are exact, Lloyd otherwise and for fits shorter than 20 iterations."""
    Xi, Ci = integer_blobs(np.float32)  # 12 clusters, exact sums
    Xr, Cr = Xi.astype(np.float64) / 3.0, Ci.astype(np.float64) / 3.0  # sums that round
    Xb, Cb = many_blobs(np.float32, k=64)
    X8, C8 = many_blobs(np.uint8, k=12)
    cases = [
        ((Xi, Ci, "auto"), {}, "hamerly"),
        ((Xr, Cr, "auto"), {}, "lloyd"),
        ((Xi, Ci, "auto"), {"sample_weight": np.ones(len(Xi))}, "lloyd"),
        ((Xi, Ci, "auto"), {"max_iter": 19}, "lloyd"),
        ((X8, C8, "auto"), {}, "lloyd"),
        ((Xb, Cb, "auto"), {}, "yinyang"),
        ((Xb, Cb, "auto"), {"max_iter": 19}, "lloyd"),
        ((Xb, Cb, "elkan"), {}, "yinyang"),
        ((Xi, Ci, "yinyang"), {}, "yinyang"),
        ((Xi, Ci, "hamerly"), {}, "hamerly"),
        ((Xb, Cb, "lloyd"), {}, "lloyd"),
    ]
    for (X, C0, algorithm), kw, ran in cases:
        kw = {"tol": 0, "max_iter": 30, **kw}
        assert fit(X, C0, algorithm, **kw).algorithm == ran, (X.dtype, len(C0), algorithm, kw)
    est = ckmeans.KMeans(64, init=Cb, n_init=1, max_iter=30, tol=0, algorithm="auto").fit(Xb)
    assert est.algorithm_ == "yinyang"


def test_yinyang_with_one_group_is_hamerly():
    """Yinyang's default groups are ceil(k / 4): up to 4 clusters that is one group, Hamerly's bounds."""
    X, C0 = many_blobs(np.float64, k=4)
    assert fit(X, C0, "yinyang", tol=0, max_iter=30).algorithm == "hamerly"


def test_verbose_prints_scikit_learns_lines(capsys):
    """verbose: scikit-learn's lines, from the C fit's per-iteration callback."""
    X, C0 = many_blobs(np.float64, n=600, k=5)
    res = fit(X, C0, "auto", verbose=True)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Initialization complete"
    iterations = [line for line in out if line.startswith("Iteration ")]
    assert len(iterations) == res.n_iter
    for i, (line, inertia) in enumerate(zip(iterations, res.inertia_history)):
        assert line == f"Iteration {i}, inertia {inertia}."
    assert out[-1] == f"Converged at iteration {res.n_iter - 1}: strict convergence."
    fit(X, C0, "lloyd", verbose=True, tol=1e3)
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("Converged at iteration 0: center shift ") and "within tolerance" in last


def test_callback_error_stops_the_fit():
    """An exception in the per-iteration callback stops the C fit after that iteration and is
    raised as it is; the centres are those of the last finished iteration."""
    X, C0 = many_blobs(np.float64, n=600, k=5)
    seen = []

    def stop_at_two(iteration, inertia, shift, n_changed, beta):
        seen.append(iteration)
        if iteration == 1:
            raise RuntimeError("enough")

    C = C0.copy()
    labels = np.empty(len(X), np.int32)
    with pytest.raises(RuntimeError, match="enough"):
        core.fit(X, None, C, labels, "lloyd", 50, 0.0, 2, None, callback=stop_at_two)
    assert seen == [0, 1]
    two = fit(X, C0, "lloyd", tol=0, max_iter=2)
    np.testing.assert_array_equal(C, two.centroids)
