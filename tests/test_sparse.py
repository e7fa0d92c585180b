"""Sparse (CSR) input: the C kernels of src_c/sparse.c against their twins, thread-count
determinism, unsorted indices and stored zeros, then the Python API on scipy sparse input."""

import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import ckmeans
from ckmeans import _kmeans_core, _sparse_core

sys.path.insert(0, str(Path(__file__).resolve().parent))
import twins

DTYPES = [np.float32, np.float64]
N_MULTI = 2000  # rows enough for many chunks (128 rows), so thread counts matter


def rtol(dtype):
    return 1e-4 if dtype == np.float32 else 1e-11


def make_csr(dtype=np.float64, n=600, d=40, k=5, seed=0, index_dtype=np.int32, messy=False):
    """Text-like sparse blobs: each blob has its own frequent columns, every row a few others.
    messy: each row's indices shuffled and two stored zeros added (scipy allows both)."""
    rs = np.random.RandomState(seed)
    centres = rs.uniform(1, 5, (k, d)) * (rs.rand(k, d) < 0.4)
    y = rs.randint(k, size=n)
    keep = (rs.rand(n, d) < 0.08) | ((centres[y] > 0) & (rs.rand(n, d) < 0.7))
    X = np.abs(centres[y] + rs.normal(0, 0.7, (n, d))) * keep
    X[np.flatnonzero(~keep.any(axis=1)), 0] = 1.0  # no empty row (spherical tests normalise)
    M = sp.csr_matrix(X.astype(dtype))
    if not messy:
        M.indices = M.indices.astype(index_dtype)
        return M
    ind, val, indptr = [], [], [0]
    for i in range(n):
        cols, vals = M.indices[M.indptr[i] : M.indptr[i + 1]], M.data[M.indptr[i] : M.indptr[i + 1]]
        absent = np.setdiff1d(np.arange(d), cols)[:2]
        cols, vals = np.r_[cols, absent], np.r_[vals, np.zeros(len(absent), dtype)]
        p = rs.permutation(len(cols))
        ind.extend(cols[p])
        val.extend(vals[p])
        indptr.append(len(ind))
    out = sp.csr_matrix(
        (np.array(val, dtype), np.array(ind, index_dtype), np.array(indptr, index_dtype)), shape=M.shape
    )
    assert not out.has_sorted_indices
    return out


def parts(M):
    return M.data, M.indptr.astype(np.int64), M.indices, M.shape[1]


def init_centres(M, k, seed=1):
    rs = np.random.RandomState(seed)
    X = M.toarray()
    C = X[rs.choice(M.shape[0], k, replace=False)] + rs.uniform(0, 0.3, (k, M.shape[1]))
    return C.astype(M.dtype)


def weights(n, weighted, seed=3):
    return np.random.RandomState(seed).uniform(0.5, 2.0, n) if weighted else None


# ---------------------------------------------------------------------------- kernels vs twins


@pytest.mark.parametrize("messy", [False, True])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_assign_and_inertia_match_twin(dtype, n_threads, index_dtype, messy):
    M = make_csr(dtype, index_dtype=index_dtype, messy=messy)
    C = init_centres(M, 5)
    labels = np.empty(M.shape[0], np.int32)
    sq = np.empty(M.shape[0])
    _sparse_core.assign(*parts(M), C, labels, sq, n_threads)
    D2 = twins.csr_sqdist_matrix(M, C)
    margin = twins.clear_margin(M.toarray(), C)
    assert margin.mean() > 0.9
    np.testing.assert_array_equal(labels[margin], D2.argmin(axis=1)[margin])
    np.testing.assert_allclose(sq, D2[np.arange(len(labels)), labels], rtol=rtol(dtype), atol=1e-3)
    w = weights(M.shape[0], True)
    got = _sparse_core.inertia(*parts(M), w, C, labels, n_threads)
    want = float((w * twins.sqdist_matrix(M.toarray(), C)[np.arange(len(labels)), labels]).sum())
    np.testing.assert_allclose(got, want, rtol=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lloyd_step_matches_twin(dtype, n_threads, weighted):
    M = make_csr(dtype, messy=True)
    C0 = init_centres(M, 6)
    C0[5] = 1e3  # nobody's nearest: the step relocates it to the farthest row
    w = weights(M.shape[0], weighted)
    labels = np.full(M.shape[0], -1, np.int32)
    C1 = np.empty_like(C0)
    n_changed, inertia, shift = _sparse_core.lloyd_step(*parts(M), w, C0, C1, labels, n_threads)
    C_t, labels_t, changed_t, inertia_t, shift_t = twins.lloyd_iter(M, w, C0, np.full(M.shape[0], -1))
    np.testing.assert_array_equal(labels, labels_t)
    assert n_changed == changed_t == M.shape[0]
    np.testing.assert_allclose(C1, C_t, rtol=rtol(dtype), atol=1e-6)
    np.testing.assert_allclose([inertia, shift], [inertia_t, shift_t], rtol=1e-6)
    assert not np.allclose(C1[5], 1e3)


@pytest.mark.parametrize("spherical", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_fit_matches_twin_loop(dtype, weighted, spherical):
    M = make_csr(dtype, messy=True)
    if spherical:
        M = sp.csr_matrix(twins.unit_rows(M.toarray()).astype(dtype))
    C0 = init_centres(M, 5)
    w = weights(M.shape[0], weighted)
    C = C0.copy()
    labels = np.empty(M.shape[0], np.int32)
    history = np.empty(300)
    n_iter, inertia, converged, ran = _sparse_core.fit(
        *parts(M), w, C, labels, "auto", 300, 0.0, 2, history, spherical
    )
    C_t, labels_t, inertia_t, n_iter_t = twins.kmeans_fit(M, w, C0, spherical=spherical)
    np.testing.assert_array_equal(labels, labels_t)
    np.testing.assert_allclose(C, C_t, rtol=rtol(dtype), atol=1e-6)
    np.testing.assert_allclose(inertia, inertia_t, rtol=1e-5 if dtype == np.float32 else 1e-9)
    assert (n_iter, converged, ran) == (n_iter_t, True, "lloyd")
    if spherical:
        np.testing.assert_allclose(np.linalg.norm(C.astype(np.float64), axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_bit_identical_for_any_thread_count(dtype, weighted):
    M = make_csr(dtype, n=N_MULTI, k=8, messy=True)
    w = weights(M.shape[0], weighted)
    out = []
    for n_threads in (1, 2, 3):
        C = np.empty((8, M.shape[1]), dtype)
        idx = np.empty(8, np.int64)
        _sparse_core.kmeans_plusplus(*parts(M), w, 7, 0, C, idx, n_threads)
        labels = np.empty(M.shape[0], np.int32)
        history = np.empty(50)
        res = _sparse_core.fit(*parts(M), w, C, labels, "lloyd", 50, 0.0, n_threads, history)
        out.append((idx, C, labels, res, history[: res[0]]))
    for other in out[1:]:
        for a, b in zip(out[0], other):
            np.testing.assert_array_equal(a, b)


# ------------------------------------------------- a block's partials (ckmeans.dask on CSR blocks)


def emptied(M, rows):
    """M with the given rows emptied (no stored values), its index dtype and column order kept."""
    keep = np.ones(M.nnz, bool)
    counts = np.diff(M.indptr)
    for i in rows:
        keep[M.indptr[i] : M.indptr[i + 1]] = False
        counts[i] = 0
    out = sp.csr_matrix((M.data[keep], M.indices[keep], np.r_[0, np.cumsum(counts)]), shape=M.shape)
    out.indices = M.indices[keep]  # (the constructor narrows int64 indices that fit)
    return out


def blocks(M, bounds=(0, 170, 171, None)):
    """M's rows cut into blocks (one of a single row), as dask holds a CSR array."""
    ends = [M.shape[0] if b is None else b for b in bounds]
    return [M[a:b] for a, b in zip(ends[:-1], ends[1:])]


def lloyd_partial(M, w, C, labels, n_threads=2):
    k = len(C)
    sums, wsum = np.empty((k, M.shape[1])), np.empty(k)
    changed, inertia = _sparse_core.lloyd_partial(*parts(M), w, C, labels, sums, wsum, n_threads)
    return sums, wsum, changed, inertia


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("messy", [False, True])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lloyd_partial_matches_twin(dtype, index_dtype, messy, weighted):
    M = emptied(make_csr(dtype, index_dtype=index_dtype, messy=messy), [0, 77, 599])
    M.indices = M.indices.astype(index_dtype)  # (scipy's constructor narrows int64 indices that fit)
    C0 = init_centres(M, 6)
    w = weights(M.shape[0], weighted)
    prev = np.random.RandomState(4).randint(-1, 6, M.shape[0]).astype(np.int32)
    labels = prev.copy()
    sums, wsum, changed, inertia = lloyd_partial(M, w, C0, labels)
    sums_t, wsum_t, labels_t, changed_t, inertia_t = twins.lloyd_partial(M, w, C0, prev)
    np.testing.assert_array_equal(labels, labels_t)
    assert changed == changed_t
    np.testing.assert_allclose(sums, sums_t, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(wsum, wsum_t, rtol=1e-12)
    np.testing.assert_allclose(inertia, inertia_t, rtol=1e-6)


@pytest.mark.parametrize("integers", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lloyd_partials_over_blocks_are_a_step(dtype, weighted, integers):
    """Three blocks' partials summed in block order, then averaged: the in-memory step's labels and
    counts, its centres to rounding, and its very bits when the sums are exact (integer values and
    weights)."""
    M = make_csr(dtype, n=N_MULTI, messy=True)
    if integers:
        M.data = np.round(M.data)
    C0 = init_centres(M, 6)
    w = weights(M.shape[0], weighted)
    if weighted and integers:
        w = np.round(w * 2)
    prev = np.random.RandomState(6).randint(0, 6, M.shape[0]).astype(np.int32)
    step_labels, C1 = prev.copy(), np.empty_like(C0)
    step_changed, step_inertia, _ = _sparse_core.lloyd_step(*parts(M), w, C0, C1, step_labels, 2)
    sums, wsum, labels = 0.0, 0.0, []
    changed = inertia = 0
    start = 0
    for B in blocks(M):
        stop = start + B.shape[0]
        lab = prev[start:stop].copy()
        s, ws, ch, ine = lloyd_partial(B, None if w is None else w[start:stop], C0, lab)
        sums, wsum, changed, inertia = sums + s, wsum + ws, changed + ch, inertia + ine
        labels.append(lab)
        start = stop
    np.testing.assert_array_equal(np.concatenate(labels), step_labels)
    assert changed == step_changed
    np.testing.assert_allclose(inertia, step_inertia, rtol=1e-12)
    assert (wsum > 0).all()
    C = (sums / wsum[:, None]).astype(dtype)
    if integers:
        np.testing.assert_array_equal(C, C1)
    else:
        np.testing.assert_allclose(C, C1, rtol=rtol(dtype))


@pytest.mark.parametrize("n_far", [0, 1, 7, 603])
@pytest.mark.parametrize("messy", [False, True])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", DTYPES)
def test_farthest_matches_twin(dtype, index_dtype, messy, n_far):
    """Farthest first by the sparse formula; equal distances (rows repeated, in reverse) by
    increasing row index."""
    M = emptied(make_csr(dtype, index_dtype=index_dtype, messy=messy), [5])
    M = sp.vstack([M, M[[40, 30, 20]]]).tocsr()
    M.indices = M.indices.astype(index_dtype)
    C = init_centres(M, 5)
    labels = np.random.RandomState(2).randint(0, 5, M.shape[0]).astype(np.int32)
    labels[600:] = labels[[40, 30, 20]]
    for i in (40, 600):  # row 40 and its copy farthest, at the same distance
        M.data[M.indptr[i] : M.indptr[i + 1]] *= 50
    far_sqdist, far_index = np.empty(n_far), np.empty(n_far, np.int64)
    _sparse_core.farthest(*parts(M), C, labels, far_sqdist, far_index, 2)
    want_index, want_sqdist = twins.farthest(M, C, labels, n_far)
    np.testing.assert_array_equal(far_index, want_index)
    np.testing.assert_allclose(far_sqdist, want_sqdist, rtol=1e-9)
    if n_far >= 2:
        assert list(far_index[:2]) == [40, 600] and far_sqdist[0] == far_sqdist[1]


@pytest.mark.parametrize("dtype", DTYPES)
def test_farthest_over_blocks_and_the_step_relocate_alike(dtype):
    """The blocks' candidates merged farthest first (ties to the lowest row) are the whole matrix's,
    and the in-memory step's relocated centre is its first candidate."""
    M = make_csr(dtype, n=N_MULTI, messy=True)
    C0 = init_centres(M, 6)
    C0[5] = 1e3  # nearest to nothing: the step relocates it
    labels, C1 = np.full(M.shape[0], -1, np.int32), np.empty_like(C0)
    _sparse_core.lloyd_step(*parts(M), None, C0, C1, labels, 2)
    n_far = 9
    whole = np.empty(n_far), np.empty(n_far, np.int64)
    _sparse_core.farthest(*parts(M), C0, labels, *whole, 2)
    cand, start = [], 0
    for B in blocks(M):
        nb = min(n_far, B.shape[0])
        d, i = np.empty(nb), np.empty(nb, np.int64)
        _sparse_core.farthest(*parts(B), C0, labels[start : start + B.shape[0]], d, i, 2)
        cand += [(-di, start + ii) for di, ii in zip(d, i)]
        start += B.shape[0]
    merged = sorted(cand)[:n_far]
    np.testing.assert_array_equal(whole[0], [-d for d, _ in merged])
    np.testing.assert_array_equal(whole[1], [i for _, i in merged])
    np.testing.assert_array_equal(C1[5], M[int(whole[1][0])].toarray().ravel().astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_partials_bit_identical_for_any_thread_count(dtype):
    M = make_csr(dtype, n=N_MULTI, k=8, messy=True)
    C = init_centres(M, 8)
    w = weights(M.shape[0], True)
    out = []
    for n_threads in (1, 2, 3):
        labels = np.full(M.shape[0], -1, np.int32)
        res = lloyd_partial(M, w, C, labels, n_threads)
        far = np.empty(50), np.empty(50, np.int64)
        _sparse_core.farthest(*parts(M), C, labels, *far, n_threads)
        out.append((labels, *res, *far))
    for other in out[1:]:
        for a, b in zip(out[0], other):
            np.testing.assert_array_equal(a, b)


def test_partials_reject_bad_input():
    M = make_csr(np.float64)
    C = init_centres(M, 3)
    n = M.shape[0]
    labels = np.zeros(n, np.int32)
    labels[3] = 3
    with pytest.raises(ValueError, match="label is outside"):
        _sparse_core.farthest(*parts(M), C, labels, np.empty(1), np.empty(1, np.int64), 1)
    with pytest.raises(ValueError, match="label is outside"):
        lloyd_partial(M, None, C, labels)
    with pytest.raises(ValueError, match="argument"):
        _sparse_core.farthest(
            *parts(M), C, np.zeros(n, np.int32), np.empty(n + 1), np.empty(n + 1, np.int64), 1
        )
    M.data[5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        lloyd_partial(M, None, C, np.zeros(n, np.int32))
    with pytest.raises(ValueError, match="NaN"):
        _sparse_core.farthest(*parts(M), C, np.zeros(n, np.int32), np.empty(1), np.empty(1, np.int64), 1)


@pytest.mark.parametrize("n_local_trials", [0, 6])
@pytest.mark.parametrize("weighted", [False, True])
def test_kmeans_plusplus_draws_the_dense_rows(weighted, n_local_trials):
    # The same generator and draws as the dense k-means++: on float64 the same rows are chosen. Six
    # trials take two blocks of the CSR kernel's candidates (the default, 4 at k=8, one).
    M = make_csr(np.float64, n=N_MULTI, k=8, messy=True)
    w = weights(M.shape[0], weighted)
    C, Cd = np.empty((8, M.shape[1])), np.empty((8, M.shape[1]))
    idx, idx_d = np.empty(8, np.int64), np.empty(8, np.int64)
    _sparse_core.kmeans_plusplus(*parts(M), w, 11, n_local_trials, C, idx, 2)
    _kmeans_core.kmeans_plusplus(np.ascontiguousarray(M.toarray()), w, 11, n_local_trials, Cd, idx_d, 2)
    np.testing.assert_array_equal(idx, idx_d)
    np.testing.assert_array_equal(C, M.toarray()[idx])
    assert len(set(idx.tolist())) == 8


@pytest.mark.parametrize("dtype", DTYPES)
def test_kmeans_plusplus_lowers_the_potential_like_dense(dtype):
    M = make_csr(dtype, n=N_MULTI, k=8)
    pots = []
    for seed in range(5):
        C = np.empty((8, M.shape[1]), dtype)
        _sparse_core.kmeans_plusplus(*parts(M), None, seed, 0, C, np.empty(8, np.int64), 1)
        pots.append(twins.potential(M, C))
    rand = [twins.potential(M, M.toarray()[np.random.RandomState(s).choice(N_MULTI, 8)]) for s in range(5)]
    assert np.median(pots) < np.median(rand)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_random_init_draws_the_dense_rows(dtype, weighted):
    M = make_csr(dtype, messy=True)
    w = weights(M.shape[0], weighted)
    C, Cd = np.empty((6, M.shape[1]), dtype), np.empty((6, M.shape[1]), dtype)
    idx, idx_d = np.empty(6, np.int64), np.empty(6, np.int64)
    _sparse_core.random_init(*parts(M), w, 3, C, idx)
    _kmeans_core.random_init(np.ascontiguousarray(M.toarray()), w, 3, Cd, idx_d)
    np.testing.assert_array_equal(idx, idx_d)
    np.testing.assert_array_equal(C, Cd)


@pytest.mark.parametrize("dtype", DTYPES)
def test_unsorted_indices_and_stored_zeros_change_nothing(dtype):
    messy = make_csr(dtype, messy=True)
    clean = sp.csr_matrix(messy.toarray())
    C0 = init_centres(clean, 5)
    res = []
    for M in (messy, clean):
        C, labels = C0.copy(), np.empty(M.shape[0], np.int32)
        fit = _sparse_core.fit(*parts(M), None, C, labels, "lloyd", 300, 0.0, 1, None)
        res.append((C, labels, fit))
    np.testing.assert_array_equal(res[0][1], res[1][1])
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=rtol(dtype))
    assert res[0][2][0] == res[1][2][0]


# ------------------------------------------------------------------------------- Python API


def test_kmeans_takes_csr_matrix_csr_array_csc_and_int64_indices_alike():
    M = make_csr(np.float64, messy=True)
    C0 = init_centres(M, 5)
    M64 = M.copy()
    M64.indices, M64.indptr = M64.indices.astype(np.int64), M64.indptr.astype(np.int64)
    results = [
        ckmeans.kmeans(X, 5, init=C0, n_threads=1) for X in (M, sp.csr_array(M), M.tocsc(), M.tocoo(), M64)
    ]
    for r in results[1:]:
        np.testing.assert_array_equal(r.labels, results[0].labels)
        np.testing.assert_allclose(r.centroids, results[0].centroids, rtol=1e-12)
    assert results[0].algorithm == "lloyd"


def test_kmeans_on_csr_equals_the_dense_fit():
    M = make_csr(np.float64, n=N_MULTI, k=6)
    C0 = init_centres(M, 6)
    a = ckmeans.kmeans(M, 6, init=C0, tol=1e-4, n_threads=2)
    b = ckmeans.kmeans(M.toarray(), 6, init=C0, tol=1e-4, n_threads=2, algorithm="lloyd")
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_allclose(a.centroids, b.centroids, rtol=1e-10)
    np.testing.assert_allclose(a.inertia, b.inertia, rtol=1e-9)
    assert a.n_iter == b.n_iter


def test_duplicate_columns_in_a_row_are_summed_on_a_copy():
    M = make_csr(np.float64)
    row0 = slice(M.indptr[0], M.indptr[1])
    indices = np.r_[M.indices[row0], M.indices[0], M.indices[M.indptr[1] :]]  # row 0 lists a column twice
    data = np.r_[M.data[row0], 0.5, M.data[M.indptr[1] :]]
    dup = sp.csr_matrix((data, indices, np.r_[0, M.indptr[1:] + 1]), shape=M.shape)
    before = dup.data.copy()
    C0 = init_centres(M, 5)
    r = ckmeans.kmeans(dup, 5, init=C0, n_threads=1)
    r_ref = ckmeans.kmeans(sp.csr_matrix(dup.toarray()), 5, init=C0, n_threads=1)
    np.testing.assert_array_equal(r.labels, r_ref.labels)
    np.testing.assert_allclose(r.inertia, r_ref.inertia, rtol=1e-12)
    np.testing.assert_array_equal(dup.data, before)  # the caller's matrix is not modified


@pytest.mark.parametrize("itype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_duplicate_row_matches_twin(dtype, itype):
    # Random rows in shuffled column order (the search must not rely on sorted columns), some with
    # one column repeated anywhere in its row; 25 of the 40 trials hold a duplicate.
    rng = np.random.default_rng(3)
    for trial in range(40):
        n, d = int(rng.integers(1, 30)), int(rng.integers(1, 12))
        rows = [rng.permutation(d)[: rng.integers(0, d + 1)] for _ in range(n)]
        for i in rng.choice(n, size=int(rng.integers(0, 3)), replace=True):
            if len(rows[i]):
                rows[i] = rng.permutation(np.r_[rows[i], rng.choice(rows[i])])
        indptr = np.r_[0, np.cumsum([len(r) for r in rows])].astype(np.int64)
        indices = np.concatenate(rows).astype(itype) if indptr[-1] else np.zeros(1, itype)
        values = np.ones(max(int(indptr[-1]), 1), dtype)
        assert _sparse_core.duplicate_row(values, indptr, indices, d) == twins.csr_duplicate_row(
            indptr, indices[: indptr[-1]]
        ), trial


def _bad(M, what):
    M = M.copy()
    if what == "nan":
        M.data[3] = np.nan
    elif what == "inf":
        M.data[-1] = -np.inf
    elif what == "negative index":
        M.indices[5] = -1
    elif what == "index too large":
        M.indices[5] = M.shape[1]
    elif what == "indptr":
        M.indptr[4], M.indptr[5] = M.indptr[5], M.indptr[4] - 1
    return M


@pytest.mark.parametrize(
    "what, message",
    [
        ("nan", r"NaN or infinity \(first at X\[0, "),
        ("inf", r"NaN or infinity \(first at X\[599, "),
        ("negative index", "column index out of range"),
        ("index too large", "column index out of range"),
        ("indptr", "indptr must be non-decreasing"),
    ],
)
def test_bad_csr_gets_a_clear_error(what, message):
    M = _bad(make_csr(np.float64), what)
    with pytest.raises(ValueError, match=message):
        ckmeans.kmeans(M, 3, n_threads=1)
    with pytest.raises(ValueError, match=message):
        ckmeans.metrics.objective(M, np.zeros((2, M.shape[1])), np.zeros(M.shape[0], int))


def test_shape_and_weight_mismatches_get_clear_errors():
    M = make_csr(np.float64)
    with pytest.raises(ValueError, match="number of features"):
        ckmeans.kmeans(M, 3, init=np.zeros((3, M.shape[1] + 1)))
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(600,\)"):
        ckmeans.kmeans(M, 3, sample_weight=np.ones(599))
    est = ckmeans.KMeans(3, n_init=1, random_state=0).fit(M)
    with pytest.raises(ValueError, match="features"):
        est.predict(sp.csr_matrix((2, M.shape[1] + 3)))
    with pytest.raises(ValueError, match="empty"):
        ckmeans.kmeans(sp.csr_matrix((0, 5)), 1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_estimator_on_sparse_input(dtype):
    M = make_csr(dtype, n=N_MULTI, k=6)
    est = ckmeans.KMeans(6, random_state=0, n_threads=2).fit(M)
    dense = ckmeans.KMeans(6, init=est.cluster_centers_, n_threads=2)
    assert est.cluster_centers_.dtype == dtype
    np.testing.assert_array_equal(est.predict(M), est.labels_)
    np.testing.assert_array_equal(est.predict(M.toarray()), est.labels_)
    D = est.transform(M)
    assert D.dtype == dtype and D.shape == (N_MULTI, 6)
    np.testing.assert_allclose(D, est.transform(M.toarray()), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(-est.score(M), est.inertia_, rtol=1e-5)
    w = weights(N_MULTI, True)
    np.testing.assert_allclose(
        est.score(M, sample_weight=w), dense.fit(M.toarray()).score(M.toarray(), None, w), rtol=1e-4
    )
    C = est.cluster_centers_
    np.testing.assert_allclose(
        ckmeans.metrics.objective(M, C, est.labels_, w),
        ckmeans.metrics.objective(M.toarray(), C, est.labels_, w),
        rtol=1e-6 if dtype == np.float32 else 1e-10,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", [0, 1])
def test_same_fixed_point_as_sklearn_on_csr(dtype, seed):
    from sklearn.cluster import KMeans as SkKMeans

    M = make_csr(dtype, n=3000, d=60, k=8, seed=seed)
    C0 = init_centres(M, 8, seed=seed + 5)
    ours = ckmeans.kmeans(M, 8, init=C0, max_iter=50, tol=0, n_threads=2)
    sk = SkKMeans(8, init=C0, n_init=1, max_iter=50, tol=0, algorithm="lloyd").fit(M)
    assert np.mean(ours.labels == sk.labels_) >= 0.999
    np.testing.assert_allclose(ours.inertia, sk.inertia_, rtol=1e-6)


# ----------------------------------------------------------------------------------- spherical


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_spherical_matches_twin(dtype, sparse):
    M = make_csr(dtype, k=5)
    X = M if sparse else M.toarray()
    U = twins.unit_rows(M.toarray())
    C0 = U[np.random.RandomState(4).choice(M.shape[0], 5, replace=False)] * 3.0  # scaled: init is rescaled
    w = weights(M.shape[0], True)
    res = ckmeans.kmeans(X, 5, init=C0, tol=0, sample_weight=w, spherical=True, n_threads=2)
    C, labels, inertia, n_iter = twins.kmeans_fit(U.astype(dtype), w, twins.unit_rows(C0), spherical=True)
    np.testing.assert_array_equal(res.labels, labels)
    np.testing.assert_allclose(res.centroids, C, rtol=1e-4 if dtype == np.float32 else 1e-10, atol=1e-6)
    cos = (U * C[labels]).sum(axis=1)
    np.testing.assert_allclose(res.inertia, (w * (1 - cos)).sum(), rtol=1e-4 if dtype == np.float32 else 1e-9)
    np.testing.assert_allclose(res.inertia, inertia / 2, rtol=1e-4 if dtype == np.float32 else 1e-9)
    np.testing.assert_allclose(res.inertia_history[-1], res.inertia, rtol=1e-4)  # converged: the same
    assert res.n_iter == n_iter


@pytest.mark.parametrize("sparse", [False, True])
def test_spherical_rejects_zero_rows_naming_them(sparse):
    X = make_csr(np.float64).toarray()
    X[[7, 30]] = 0
    X = sp.csr_matrix(X) if sparse else X
    with pytest.raises(ValueError, match=r"2 all-zero row\(s\) \(the first is row 7\)"):
        ckmeans.kmeans(X, 3, spherical=True)
    with pytest.raises(ValueError, match="all-zero"):
        ckmeans.KMeans(3, spherical=True).fit(X)


def test_spherical_n_init_keeps_the_lowest_objective_and_estimator_agrees():
    M = make_csr(np.float64, n=N_MULTI, k=8)
    inits = [M[np.random.RandomState(s).choice(N_MULTI, 8, replace=False)].toarray() for s in range(4)]
    runs = [ckmeans.kmeans(M, 8, init=C, spherical=True, n_threads=1).inertia for C in inits]
    assert len(set(runs)) > 1
    calls = iter(inits)
    best = ckmeans.kmeans(M, 8, init=lambda X, k, rs: next(calls), n_init=4, spherical=True, n_threads=1)
    assert best.inertia == min(runs)
    est = ckmeans.KMeans(8, n_init=4, random_state=0, spherical=True).fit(M)
    np.testing.assert_allclose(-est.score(M), est.inertia_, rtol=1e-9)
    np.testing.assert_array_equal(est.predict(M * 5.0), est.labels_)  # scale does not matter
    np.testing.assert_allclose(np.linalg.norm(est.cluster_centers_, axis=1), 1.0, rtol=1e-12)


# --------------------------------------------------------------------- 20 Newsgroups TF-IDF


@pytest.fixture(scope="module")
def news_tfidf(shared_data):
    from conftest import require_file

    from ckmeans.datasets import load_20newsgroups
    from ckmeans.experiments import tfidf_text

    docs, y, _ = load_20newsgroups(require_file(shared_data / "20newsgroups" / "20news-bydate.tar.gz"))
    return tfidf_text(docs)[0], y


@pytest.mark.parametrize("dtype", DTYPES)
def test_same_fixed_point_as_sklearn_on_20newsgroups(news_tfidf, dtype):
    from sklearn.cluster import KMeans as SkKMeans

    X = news_tfidf[0].astype(dtype)
    C0 = np.empty((20, X.shape[1]), dtype)
    _sparse_core.kmeans_plusplus(*parts(X), None, 3, 0, C0, np.empty(20, np.int64), 2)
    ours = ckmeans.kmeans(X, 20, init=C0, max_iter=50, tol=0, n_threads=2)
    sk = SkKMeans(20, init=C0, n_init=1, max_iter=50, tol=0, algorithm="lloyd").fit(X)
    assert np.mean(ours.labels == sk.labels_) >= 0.999
    np.testing.assert_allclose(ours.inertia, sk.inertia_, rtol=1e-6)


def test_spherical_quality_on_20newsgroups(news_tfidf):
    from sklearn.metrics import normalized_mutual_info_score

    X, y = news_tfidf
    res = ckmeans.kmeans(X, 20, n_init=10, spherical=True, random_state=0, n_threads=2)
    nmi = normalized_mutual_info_score(y, res.labels)
    assert nmi >= 0.45, nmi
