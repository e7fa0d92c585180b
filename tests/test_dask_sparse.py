"""ckmeans.dask on scipy sparse blocks and in spherical mode (dense and sparse): the in-memory fit's
result from the same init, the same bits on 1 and 2 workers, the block methods, and the errors."""

import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import ckmeans

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import require_file
from test_sparse import init_centres, make_csr, weights

REASON = "ckmeans.dask needs dask[array] and distributed (pip install 'ckmeans[dask]')"
da = pytest.importorskip("dask.array", reason=REASON)
cdask = pytest.importorskip("ckmeans.dask", reason=REASON)

DTYPES = [np.float32, np.float64]
CHUNK = 350  # several blocks of the 2000-row matrices, the last one shorter


def blocks_of(M, chunk=CHUNK):
    """M (scipy sparse or NumPy) as a dask array of row blocks of the same type."""
    return da.from_array(M, chunks=(chunk, -1), asarray=False)


def assert_same_fit(km, ref, what="inertia_", labels=1.0):
    """The dask fit against the in-memory one: the objective within 1e-9 relative, the labels' share,
    the centres."""
    np.testing.assert_allclose(getattr(km, what), getattr(ref, what), rtol=1e-9)
    assert np.mean(np.asarray(km.labels_.compute()) == ref.labels_) >= labels
    np.testing.assert_allclose(km.cluster_centers_, ref.cluster_centers_, rtol=1e-5, atol=1e-6)
    assert km.cluster_centers_.dtype == ref.cluster_centers_.dtype


@pytest.mark.parametrize("persist", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_csr_blocks_equal_the_in_memory_fit(client, dtype, weighted, persist):
    M = make_csr(dtype, n=2000, d=60)
    w = weights(M.shape[0], weighted)
    init = init_centres(M, 5)
    ref = ckmeans.KMeans(5, init=init, n_threads=1).fit(M, sample_weight=w)
    dw = None if w is None else da.from_array(w, chunks=CHUNK)
    km = cdask.KMeans(5, init=init, persist=persist).fit(blocks_of(M), sample_weight=dw)
    assert_same_fit(km, ref)
    assert km.n_iter_ == ref.n_iter_


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_spherical_equals_the_in_memory_fit(client, dtype, sparse):
    M = make_csr(dtype, n=2000, d=60)
    X = M if sparse else M.toarray()
    init = init_centres(M, 5)
    ref = ckmeans.KMeans(5, init=init, spherical=True, n_threads=1).fit(X)
    km = cdask.KMeans(5, init=init, spherical=True).fit(blocks_of(X))
    assert_same_fit(km, ref)
    np.testing.assert_allclose(np.linalg.norm(km.cluster_centers_, axis=1), 1.0, rtol=1e-6)
    # the objective is sum (1 - cos), as the in-memory model's
    assert km.inertia_ < 2 * M.shape[0] and np.all(np.diff(km.inertia_history_) <= 1e-9 * km.inertia_)


def split_in_duplicates(M):
    """M with every stored value split into two halves stored under the same column (exact sums)."""
    rows = [np.arange(M.indptr[i], M.indptr[i + 1]) for i in range(M.shape[0])]
    order = np.concatenate([np.r_[r, r] for r in rows])
    indptr = 2 * M.indptr
    return sp.csr_matrix((M.data[order] / 2, M.indices[order], indptr), shape=M.shape)


def test_csr_forms_give_the_same_fit(client):
    """csr_array, CSC blocks, int64 indices, shuffled indices with stored zeros, duplicate columns:
    the fit of the canonical CSR matrix."""
    M = make_csr(np.float64, n=2000, d=60)
    messy = make_csr(np.float64, n=2000, d=60, messy=True, index_dtype=np.int64)
    init = init_centres(M, 5)
    ref = cdask.KMeans(5, init=init).fit(blocks_of(M))
    forms = [
        blocks_of(sp.csr_array(M)),
        blocks_of(M).map_blocks(sp.csc_matrix),
        blocks_of(messy),
        blocks_of(split_in_duplicates(M)),
    ]
    for X in forms:
        km = cdask.KMeans(5, init=init).fit(X)
        np.testing.assert_allclose(km.inertia_, ref.inertia_, rtol=1e-12)
        np.testing.assert_array_equal(km.labels_.compute(), ref.labels_.compute())


@pytest.mark.parametrize("spherical", [False, True])
def test_csr_same_bits_on_one_and_two_workers(clusters, spherical):
    """k-means|| on sparse blocks and the fit: every number the same bits on 1 and 2 workers."""
    M = make_csr(np.float32, n=3000, d=80, k=8)
    fits = []
    for n in (1, 2):
        with clusters[n].as_current():
            km = cdask.KMeans(8, random_state=3, tol=0, spherical=spherical).fit(blocks_of(M, 400))
            fits.append((km.cluster_centers_, km.labels_.compute(), km.inertia_, km.inertia_history_))
    for a, b in zip(*fits):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("spherical", [False, True])
def test_csr_kmeans_parallel_init_is_as_good_as_kmeans_plusplus(client, spherical):
    """The best of 3 seeds of each (single starts of either land in the same few local minima)."""
    M = make_csr(np.float64, n=3000, d=80, k=8)
    ours = min(
        cdask.KMeans(8, random_state=s, spherical=spherical).fit(blocks_of(M)).inertia_ for s in range(3)
    )
    ref = min(ckmeans.KMeans(8, random_state=s, spherical=spherical).fit(M).inertia_ for s in range(3))
    assert ours <= 1.05 * ref


def test_empty_cluster_on_csr_takes_the_farthest_row_of_all_blocks(client):
    M = make_csr(np.float64, n=2000, d=60)
    init = init_centres(M, 5)
    init[2] = 1e3  # nearest to nothing: empty after the first assignment
    ref = ckmeans.KMeans(5, init=init, max_iter=1, n_threads=1).fit(M)
    km = cdask.KMeans(5, init=init, max_iter=1).fit(blocks_of(M))
    assert_same_fit(km, ref)


@pytest.mark.parametrize("spherical", [False, True])
def test_predict_and_transform_of_csr_blocks_match_in_memory(client, spherical):
    M = make_csr(np.float32, n=2000, d=60)
    km = cdask.KMeans(5, random_state=0, spherical=spherical).fit(blocks_of(M))
    ref = ckmeans.KMeans(5, init=km.cluster_centers_, spherical=spherical, max_iter=1).fit(M)
    ref.cluster_centers_ = km.cluster_centers_
    labels, dist = km.predict(blocks_of(M)), km.transform(blocks_of(M))
    assert isinstance(labels, da.Array) and isinstance(dist, da.Array)
    np.testing.assert_array_equal(labels.compute(), ref.predict(M))
    np.testing.assert_allclose(dist.compute(), ref.transform(M), rtol=1e-6)


@pytest.mark.parametrize("spherical", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_soft_equals_the_in_memory_fit(client, sparse, spherical):
    M = make_csr(np.float64, n=2000, d=60)
    X = M if sparse else M.toarray()
    w = weights(M.shape[0], True)
    init = init_centres(M, 5)
    beta = 20.0 if spherical else 2.0
    ref = ckmeans.SoftKMeans(5, beta=beta, init=init, spherical=spherical, n_threads=1).fit(
        X, sample_weight=w
    )
    km = cdask.SoftKMeans(5, beta=beta, init=init, spherical=spherical).fit(
        blocks_of(X), sample_weight=da.from_array(w, chunks=CHUNK)
    )
    assert_same_fit(km, ref, what="objective_")
    assert km.n_iter_ == ref.n_iter_
    proba = km.predict_proba(blocks_of(X)).compute()
    np.testing.assert_allclose(proba, ref.predict_proba(X), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(km.score(blocks_of(X)).compute(), ref.score(X), rtol=1e-9)


def nan_at(M, row):
    M = M.copy()
    M.data[M.indptr[row]] = np.nan
    return M


NAN_AT_1234 = r"NaN or infinity .*X\[34, .*rows starting at row 1200 of X"
ZERO_ROWS = r"all-zero row\(s\) \(the first is row 10\).*rows starting at row 0 of X"


@pytest.mark.parametrize(
    "X, kwargs, match",
    [
        (nan_at(make_csr(n=2000), 1234), {}, NAN_AT_1234),
        (nan_at(make_csr(n=2000), 1234), {"persist": False}, NAN_AT_1234),
        (nan_at(make_csr(n=2000), 1234), {"persist": False, "tol": 0}, NAN_AT_1234),
        (make_csr(n=2000)[:, :0], {}, "empty"),
        (sp.csr_matrix(np.eye(2000)[:, :10]), {"spherical": True}, ZERO_ROWS),
        (np.eye(2000)[:, :10], {"spherical": True}, ZERO_ROWS),
        (make_csr(n=2000), {"spherical": "yes"}, "spherical must be True or False"),
    ],
)
def test_bad_sparse_input_is_named(client, X, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cdask.KMeans(3, **kwargs).fit(blocks_of(X, 300))
    with pytest.raises(ValueError, match=match):
        cdask.SoftKMeans(3, **kwargs).fit(blocks_of(X, 300))


@pytest.fixture(scope="module")
def news_tfidf(shared_data):
    from ckmeans.datasets import load_20newsgroups
    from ckmeans.experiments import tfidf_text

    docs, y, _ = load_20newsgroups(require_file(shared_data / "20newsgroups" / "20news-bydate.tar.gz"))
    return tfidf_text(docs)[0], y


def test_spherical_on_20newsgroups_equals_the_in_memory_fit(client, news_tfidf):
    """Full-vocabulary TF-IDF in 4 sparse blocks, from the same k-means++ centres."""
    X = news_tfidf[0].astype(np.float32)
    init = ckmeans.kmeans(X, 20, max_iter=1, spherical=True, random_state=0).centroids
    ref = ckmeans.KMeans(20, init=init, spherical=True, max_iter=30, n_threads=2).fit(X)
    km = cdask.KMeans(20, init=init, spherical=True, max_iter=30).fit(blocks_of(X, 3000))
    assert_same_fit(km, ref, labels=0.9999)


@pytest.mark.parametrize("sparse", [False, True])
def test_kmeans_parallel_state_counts_each_rows_nearest_of_all_candidates(sparse):
    """The candidates' weights k-means|| builds round by round (each row's nearest so far, ties to
    the lower number) against an assignment to all the candidates at once."""
    from ckmeans.dask import _blocks

    M = make_csr(np.float64, n=500, d=30)
    X = M if sparse else M.toarray()
    w = weights(M.shape[0], True)
    rounds = [init_centres(M, 3, seed=s).astype(np.float64) for s in (1, 2, 3)]
    rounds[2][0] = rounds[0][1]  # a tie across rounds goes to the earlier candidate
    state, first = None, 0
    for C in rounds:
        state = _blocks.nearest(X, w, C, first, state, 1)
        first += len(C)
    everything = np.concatenate(rounds)
    d2 = ((M.toarray()[:, None, :] - everything[None]) ** 2).sum(2)
    nearest = np.argmin(d2, axis=1)  # (the lowest index among equals)
    np.testing.assert_allclose(state[0], d2.min(1), rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(state[2], nearest)
    got = _blocks.attracted(state)
    np.testing.assert_allclose(got, np.bincount(nearest, weights=w)[: len(got)], rtol=1e-12)
    assert state[1] == pytest.approx(np.sum(w * d2.min(1)), rel=1e-9)


@pytest.mark.parametrize("sparse", [False, True])
def test_a_block_without_stored_values_and_an_empty_block(client, sparse):
    """Rows 0..349 all zero (a block of no nonzeros), and a block of no rows: the in-memory fit."""
    M = make_csr(np.float64, n=2000, d=60).tolil()
    M[:CHUNK] = 0
    M = M.tocsr()
    M.eliminate_zeros()
    X = M if sparse else M.toarray()
    init = init_centres(M, 5)
    ref = ckmeans.KMeans(5, init=init, n_threads=1).fit(X)
    dX = da.from_array(X, chunks=((CHUNK, 0, 1000, 650), (60,)), asarray=False)
    assert dX.blocks[1].compute().shape == (0, 60)
    km = cdask.KMeans(5, init=init).fit(dX)
    assert_same_fit(km, ref)
    np.testing.assert_array_equal(km.predict(dX).compute(), ref.labels_)
