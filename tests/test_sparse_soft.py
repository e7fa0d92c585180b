"""Soft k-means on CSR input (src_c/soft_sparse_tpl.h) and soft spherical k-means (dense and CSR):
the kernels against the NumPy/scipy twins, CSR against the dense kernels, thread invariance, the
Python API and estimator, and bad input."""

import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import ckmeans
from ckmeans import _sparse_core

sys.path.insert(0, str(Path(__file__).resolve().parent))
import twins
from test_sparse import N_MULTI, blocks, emptied, init_centres, make_csr, parts, weights

DTYPES = [np.float32, np.float64]
CODES = {"euclidean": 0, "sqeuclidean": 1, "spherical": 0}  # spherical: the code is not used


def rtol(dtype):
    return 1e-5 if dtype == np.float32 else 1e-10


def unit_csr(M):
    """M with unit rows, as the API hands them to the kernels (spherical)."""
    norms = np.sqrt(np.asarray(M.multiply(M).sum(axis=1), dtype=np.float64)).ravel()
    return sp.csr_matrix(sp.diags(1 / norms) @ M, dtype=M.dtype)


def data(dtype, distance, n=600, **kw):
    M = make_csr(dtype, n=n, **kw)
    C = init_centres(M, 5)
    if distance == "spherical":
        M, C = unit_csr(M), twins.unit_rows(C).astype(dtype)
    return M, C


# ---------------------------------------------------------------------------- kernels vs twins


@pytest.mark.parametrize("distance", sorted(CODES))
@pytest.mark.parametrize("messy", [False, True])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", DTYPES)
def test_estep_matches_twin(dtype, index_dtype, messy, distance):
    M, C = data(dtype, distance, index_dtype=index_dtype, messy=messy)
    w = weights(M.shape[0], True)
    beta = 0.3
    R = np.empty((M.shape[0], len(C)))
    labels = np.empty(M.shape[0], dtype=np.int32)
    energy = _sparse_core.soft_estep(
        *parts(M), w, C, beta, CODES[distance], R, labels, 2, distance == "spherical"
    )
    R_t, labels_t, energy_t = twins.soft_estep(M, C, beta, distance, w)
    np.testing.assert_allclose(R, R_t, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(labels, labels_t)
    assert energy == pytest.approx(energy_t, rel=1e-10)


@pytest.mark.parametrize("distance", sorted(CODES))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_fit_matches_twin(dtype, weighted, distance):
    M, C = data(dtype, distance, messy=True)
    w = weights(M.shape[0], weighted)
    beta = 0.5 if distance != "spherical" else 8.0
    centres, R = C.copy(), np.empty((M.shape[0], len(C)))
    labels = np.empty(M.shape[0], dtype=np.int32)
    n_iter, energy, _ = _sparse_core.soft_fit(
        *parts(M),
        w,
        np.array([beta]),
        CODES[distance],
        centres,
        6,
        0.0,
        2,
        R,
        labels,
        None,
        spherical=distance == "spherical",
    )
    C_t, R_t, labels_t, energy_t = twins.soft_fit(M, w, C, beta, distance, 6)
    assert n_iter == 6
    np.testing.assert_allclose(centres, C_t, rtol=rtol(dtype), atol=rtol(dtype) * 1e-2)
    np.testing.assert_allclose(R, R_t, rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(labels, labels_t)
    assert energy == pytest.approx(energy_t, rel=1e-9)


def test_spherical_responsibilities_are_von_mises_fisher():
    """r_ij = exp(beta cos(x_i, c_j)) / sum_l exp(beta cos(x_i, c_l)), from the cosines themselves,
    for unit-norm centres of any scale of X (the API normalises the rows)."""
    M = make_csr(np.float64) * 7.0
    C = twins.unit_rows(init_centres(M, 4))
    beta = 5.0
    model = ckmeans.SoftKMeans(4, beta=beta, init=C, max_iter=1, spherical=True).fit(M)
    C1 = model.cluster_centers_
    X = M.toarray()
    cos = (X / np.linalg.norm(X, axis=1, keepdims=True)) @ C1.T
    vmf = np.exp(beta * cos)
    vmf /= vmf.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict_proba(M), vmf, rtol=1e-9)
    np.testing.assert_allclose(model.predict_proba(X), vmf, rtol=1e-9)
    np.testing.assert_allclose(model.transform(M), 1 - cos, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(C1, axis=1), 1.0, rtol=1e-12)


# ------------------------------------------------- a block's partials (ckmeans.dask on CSR blocks)


def soft_partial(M, w, C, beta, distance, n_threads=2):
    k = len(C)
    sums, wsum = np.empty((k, M.shape[1])), np.empty(k)
    energy = _sparse_core.soft_partial(
        *parts(M),
        w,
        C.astype(np.float64),
        beta,
        CODES[distance],
        sums,
        wsum,
        n_threads,
        distance == "spherical",
    )
    return sums, wsum, energy


@pytest.mark.parametrize("distance", sorted(CODES))
@pytest.mark.parametrize("messy", [False, True])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", DTYPES)
def test_soft_partial_matches_twin(dtype, index_dtype, messy, distance):
    M, C = data(dtype, distance, index_dtype=index_dtype, messy=messy)
    if distance != "spherical":  # (spherical rows are unit rows)
        M = emptied(M, [0, 300])
    M.indices = M.indices.astype(index_dtype)  # (scipy's constructor narrows int64 indices that fit)
    w = weights(M.shape[0], True)
    beta = 0.4 if distance != "spherical" else 6.0
    sums, wsum, energy = soft_partial(M, w, C, beta, distance)
    sums_t, wsum_t, energy_t = twins.soft_partial(M, w, C, beta, distance)
    np.testing.assert_allclose(sums, sums_t, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(wsum, wsum_t, rtol=1e-9)
    assert energy == pytest.approx(energy_t, rel=1e-10)


@pytest.mark.parametrize("distance", sorted(CODES))
@pytest.mark.parametrize("dtype", DTYPES)
def test_soft_partial_is_the_fit_iteration_before_the_m_step(dtype, distance):
    """On the whole matrix: the free energy of the in-memory fit's first iteration, and sums /
    weights its centres' very bits (spherical: before their scaling to unit norm)."""
    M, C = data(dtype, distance, messy=True)
    w = weights(M.shape[0], True)
    beta = 0.4 if distance != "spherical" else 6.0
    sums, wsum, energy = soft_partial(M, w, C, beta, distance)
    centres, history = C.copy(), np.empty(1)
    spherical = distance == "spherical"
    labels = np.empty(M.shape[0], np.int32)
    _sparse_core.soft_fit(
        *parts(M),
        w,
        np.array([beta]),
        CODES[distance],
        centres,
        1,
        0.0,
        2,
        None,
        labels,
        history,
        None,
        spherical,
    )
    assert energy == history[0]
    assert (wsum > 0).all()
    C1 = sums / wsum[:, None]
    if spherical:
        np.testing.assert_allclose(twins.unit_rows(C1).astype(dtype), centres, rtol=1e-6)
    else:
        np.testing.assert_array_equal(C1.astype(dtype), centres)


@pytest.mark.parametrize("dtype", DTYPES)
def test_soft_partials_over_blocks_sum_to_the_whole(dtype):
    M, C = data(dtype, "euclidean", n=N_MULTI, messy=True)
    w = weights(M.shape[0], True)
    whole = soft_partial(M, w, C, 0.4, "euclidean")
    total, start = [0.0, 0.0, 0.0], 0
    for B in blocks(M):
        part = soft_partial(B, w[start : start + B.shape[0]], C, 0.4, "euclidean")
        total = [t + p for t, p in zip(total, part)]
        start += B.shape[0]
    for t, p in zip(total, whole):
        np.testing.assert_allclose(t, p, rtol=1e-12)


@pytest.mark.parametrize("spherical", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_soft_partial_bit_identical_for_any_thread_count(dtype, spherical):
    M, C = data(dtype, "spherical" if spherical else "sqeuclidean", n=N_MULTI, k=6, messy=True)
    w = weights(M.shape[0], True)
    out = [soft_partial(M, w, C, 2.0, "spherical" if spherical else "sqeuclidean", t) for t in (1, 2, 3)]
    for other in out[1:]:
        for a, b in zip(out[0], other):
            np.testing.assert_array_equal(a, b)


def test_soft_partial_rejects_bad_input():
    M, C = data(np.float64, "euclidean")
    with pytest.raises(ValueError, match="beta"):
        soft_partial(M, None, C, -1.0, "euclidean")
    M.data[3] = np.inf
    with pytest.raises(ValueError, match="NaN or an infinity"):
        soft_partial(M, None, C, 1.0, "euclidean")


# ------------------------------------------------------------------- CSR against the dense kernel


@pytest.mark.parametrize("spherical", [False, True])
@pytest.mark.parametrize("distance", ["euclidean", "sqeuclidean"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_csr_fit_equals_the_dense_fit(dtype, distance, spherical):
    M = make_csr(dtype, messy=True)
    C = init_centres(M, 5)
    w = weights(M.shape[0], True)
    kw = dict(init=C, max_iter=15, tol=0, distance=distance, sample_weight=w, spherical=spherical)
    beta = 6.0 if spherical else 0.4
    sparse = ckmeans.soft_kmeans(M, 5, beta, **kw)
    dense = ckmeans.soft_kmeans(M.toarray(), 5, beta, **kw)
    np.testing.assert_allclose(sparse.centroids, dense.centroids, rtol=rtol(dtype), atol=1e-6)
    np.testing.assert_allclose(sparse.responsibilities, dense.responsibilities, atol=1e-6)
    np.testing.assert_array_equal(sparse.labels, dense.labels)
    assert sparse.objective == pytest.approx(dense.objective, rel=1e-6)
    np.testing.assert_allclose(sparse.objective_history, dense.objective_history, rtol=1e-6)


@pytest.mark.parametrize("spherical", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_bit_identical_for_any_thread_count(dtype, spherical):
    M = make_csr(dtype, n=N_MULTI, k=6, messy=True)
    w = weights(M.shape[0], True)
    fits = [
        ckmeans.soft_kmeans(
            M, 6, 2.0, max_iter=5, tol=0, sample_weight=w, random_state=0, n_threads=t, spherical=spherical
        )
        for t in (1, 2, 3)
    ]
    for other in fits[1:]:
        np.testing.assert_array_equal(other.centroids, fits[0].centroids)
        np.testing.assert_array_equal(other.responsibilities, fits[0].responsibilities)
        np.testing.assert_array_equal(other.objective_history, fits[0].objective_history)
        assert other.objective == fits[0].objective


def test_csr_matrix_csr_array_csc_and_int64_indices_alike():
    M = make_csr(np.float64)
    variants = [M, sp.csr_array(M), M.tocsc(), M.tocoo(), make_csr(np.float64, index_dtype=np.int64)]
    fits = [ckmeans.soft_kmeans(V, 4, 0.5, random_state=0, max_iter=5, tol=0) for V in variants]
    for other in fits[1:]:
        np.testing.assert_array_equal(other.centroids, fits[0].centroids)
        np.testing.assert_array_equal(other.responsibilities, fits[0].responsibilities)


def test_n_init_keeps_the_lowest_free_energy():
    M = unit_csr(make_csr(np.float64))
    runs = [
        ckmeans.soft_kmeans(M, 5, 10.0, init="random", n_init=1, random_state=s, max_iter=10, tol=0)
        for s in range(3)
    ]
    best = ckmeans.soft_kmeans(M, 5, 10.0, init="random", n_init=3, random_state=0, max_iter=10, tol=0)
    assert best.objective <= min(r.objective for r in runs) + 1e-9 or best.objective == pytest.approx(
        min(r.objective for r in runs)
    )


# ---------------------------------------------------------------------------- estimator


@pytest.mark.parametrize("spherical", [False, True])
def test_estimator_on_sparse_input_matches_dense(spherical):
    M = make_csr(np.float64, messy=True)
    X = M.toarray()
    C = init_centres(M, 5)
    beta = 6.0 if spherical else 0.4
    kw = dict(beta=beta, init=C, max_iter=10, tol=0, spherical=spherical)
    sparse = ckmeans.SoftKMeans(5, **kw).fit(M)
    dense = ckmeans.SoftKMeans(5, **kw).fit(X)
    np.testing.assert_allclose(sparse.cluster_centers_, dense.cluster_centers_, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(sparse.labels_, dense.labels_)
    for method in ("predict", "predict_proba", "transform", "score"):
        np.testing.assert_allclose(
            getattr(sparse, method)(M), getattr(dense, method)(X), rtol=1e-8, atol=1e-9, err_msg=method
        )
    np.testing.assert_array_equal(ckmeans.SoftKMeans(5, **kw).fit_predict(M), sparse.labels_)
    assert sparse.score(M, sample_weight=np.full(M.shape[0], 2.0)) == pytest.approx(2 * sparse.score(M))


# ---------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(3, 60),
    d=st.integers(1, 20),
    k=st.integers(1, 4),
    density=st.floats(0.1, 1.0),
    beta=st.floats(0.01, 50.0),
    seed=st.integers(0, 2**16),
    spherical=st.booleans(),
)
def test_responsibilities_are_distributions_and_spherical_centres_unit(
    n, d, k, density, beta, seed, spherical
):
    M = sp.random(n, d, density=density, random_state=seed, format="lil") * 3.0
    M[[i for i in range(n) if not M.rows[i]], seed % d] = 1.0  # no empty row (spherical)
    M = M.tocsr()
    k = min(k, n)
    r = ckmeans.soft_kmeans(M, k, beta, random_state=seed, max_iter=4, tol=0, spherical=spherical)
    np.testing.assert_allclose(r.responsibilities.sum(axis=1), 1.0, rtol=1e-12)
    assert (r.responsibilities >= 0).all()
    if spherical:
        norms = np.linalg.norm(r.centroids, axis=1)
        assert np.all((np.abs(norms - 1) < 1e-12) | (norms == 0))


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "what, message",
    [
        ("nan", r"NaN or infinity \(first at X\[0, "),
        ("negative index", "column index out of range"),
        ("index too large", "column index out of range"),
        ("indptr", "indptr must be non-decreasing"),
    ],
)
def test_bad_csr_gets_a_clear_error(what, message):
    from test_sparse import _bad

    M = _bad(make_csr(np.float64), what)
    with pytest.raises(ValueError, match=message):
        ckmeans.soft_kmeans(M, 3, 1.0, n_threads=1)
    model = ckmeans.SoftKMeans(3, random_state=0).fit(make_csr(np.float64))
    with pytest.raises(ValueError, match=f"{message}|Input X contains NaN"):  # (scikit-learn's words)
        model.predict_proba(M)


def test_zero_rows_with_spherical_and_wrong_weights_get_clear_errors():
    M = make_csr(np.float64).tolil()
    M[7, :] = 0
    M = M.tocsr()
    with pytest.raises(ValueError, match=r"all-zero row.*row 7"):
        ckmeans.soft_kmeans(M, 3, 1.0, spherical=True)
    with pytest.raises(ValueError, match=r"all-zero row.*row 7"):
        ckmeans.SoftKMeans(3, spherical=True).fit(M)
    ckmeans.soft_kmeans(M, 3, 1.0, max_iter=2)  # plain soft k-means takes an empty row
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(600,\)"):
        ckmeans.soft_kmeans(M, 3, 1.0, sample_weight=np.ones(599))
    with pytest.raises(ValueError, match="spherical must be True or False"):
        ckmeans.soft_kmeans(M, 3, 1.0, spherical="yes")
    with pytest.raises(ValueError, match="features"):
        ckmeans.SoftKMeans(3).fit(M).predict(sp.csr_matrix((2, M.shape[1] + 1)))
