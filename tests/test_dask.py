"""ckmeans.dask.KMeans on LocalClusters of worker processes: the in-memory fit's result from the
same init, the same bits on 1 and 2 workers, a worker lost mid-fit, and the errors."""

import os
import signal
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning

import ckmeans

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import require_file

REASON = "ckmeans.dask needs dask[array] and distributed (pip install 'ckmeans[dask]')"
dask = pytest.importorskip("dask", reason=REASON)
da = pytest.importorskip("dask.array", reason=REASON)
distributed = pytest.importorskip("distributed", reason=REASON)
cdask = pytest.importorskip("ckmeans.dask", reason=REASON)
from ckmeans.dask import _kmeans as driver  # noqa: E402

DTYPES = [np.float32, np.float64, np.uint8]


def blobs(dtype, n=3000, d=6, k=5, seed=0):
    X, _ = make_blobs(n, n_features=d, centers=k, cluster_std=2.0, random_state=seed)
    if dtype == np.uint8:
        X = (X - X.min()) * (255 / (X.max() - X.min()))
    return np.ascontiguousarray(X.astype(dtype))


def assert_same_fit(km, ref, labels=1.0):
    """The dask fit against the in-memory one: inertia within 1e-9 relative, the labels' share."""
    np.testing.assert_allclose(km.inertia_, ref.inertia_, rtol=1e-9)
    assert (np.asarray(km.labels_.compute()) == ref.labels_).mean() >= labels
    np.testing.assert_allclose(km.cluster_centers_, ref.cluster_centers_, rtol=1e-5, atol=1e-5)
    assert km.cluster_centers_.dtype == ref.cluster_centers_.dtype


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_equals_in_memory_fit_from_same_init(client, dtype, weighted):
    X = blobs(dtype)
    w = np.random.RandomState(1).uniform(0.5, 2.0, len(X)) if weighted else None
    init = X[:: len(X) // 5][:5].astype(np.float64)
    ref = ckmeans.KMeans(5, init=init, n_threads=1).fit(X, sample_weight=w)
    dw = None if w is None else da.from_array(w, chunks=700)
    km = cdask.KMeans(5, init=init).fit(da.from_array(X, chunks=(700, 6)), sample_weight=dw)
    assert_same_fit(km, ref)
    assert km.n_iter_ == ref.n_iter_
    assert km.labels_.dtype == np.int32 and km.labels_.chunks == ((700,) * 4 + (200,),)


def test_equals_in_memory_fit_on_mnist(client, shared_data):
    path = require_file(shared_data / "mnist" / "train-images-idx3-ubyte.gz")
    X = ckmeans.read_idx(path).reshape(60000, 784)
    init = ckmeans.kmeans(X[:2000], 10, random_state=0, max_iter=1).centroids
    ref = ckmeans.KMeans(10, init=init, max_iter=15, n_threads=2).fit(X)
    km = cdask.KMeans(10, init=init, max_iter=15).fit(da.from_array(X, chunks=(16000, 784)))
    assert_same_fit(km, ref, labels=0.9999)


def test_same_bits_on_one_and_two_workers(clusters):
    """k-means|| init and the fit: every number the same bits, whichever workers run the blocks."""
    X = blobs(np.float32, n=4000, k=8)
    fits = []
    for n in (1, 2):
        with clusters[n].as_current():
            km = cdask.KMeans(8, random_state=3, tol=0).fit(da.from_array(X, chunks=600))
            fits.append((km.cluster_centers_, km.labels_.compute(), km.inertia_, km.inertia_history_))
    for a, b in zip(*fits):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_cluster_takes_the_farthest_point_of_all_blocks(client, dtype):
    X = blobs(dtype, n=2000, k=4)
    init = X[:4].astype(np.float64)
    init[2] = 1e4  # nearest to nothing: empty after the first assignment
    ref = ckmeans.KMeans(4, init=init, max_iter=1, n_threads=1).fit(X)
    km = cdask.KMeans(4, init=init, max_iter=1).fit(da.from_array(X, chunks=300))
    far = np.argmax(((X.astype(np.float64)[:, None] - init.astype(X.dtype)[None]) ** 2).sum(2).min(1))
    assert far >= 300  # in a later block than the first
    np.testing.assert_allclose(km.cluster_centers_[2], X[far].astype(np.float64), rtol=1e-6)
    assert_same_fit(km, ref)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_in_memory_inits_give_the_in_memory_fit(client, init):
    X = blobs(np.float64)
    ref = ckmeans.KMeans(5, init=init, n_init=2, random_state=7, n_threads=1).fit(X)
    km = cdask.KMeans(5, init=init, n_init=2, random_state=7).fit(da.from_array(X, chunks=1000))
    assert_same_fit(km, ref)


def test_kmeans_parallel_init_is_as_good_as_kmeans_plusplus(client):
    X = blobs(np.float32, n=6000, d=10, k=20, seed=4)
    ref = min(ckmeans.KMeans(20, random_state=s, n_threads=1).fit(X).inertia_ for s in range(3))
    km = cdask.KMeans(20, random_state=0).fit(da.from_array(X, chunks=1000))
    assert km.inertia_ <= 1.05 * ref


def test_predict_and_transform_are_lazy_and_match_in_memory(client):
    X = blobs(np.float32)
    km = cdask.KMeans(5, random_state=0).fit(da.from_array(X, chunks=800))
    ref = ckmeans.KMeans(5, init=km.cluster_centers_, n_threads=1, max_iter=1)
    ref.fit(X)
    ref.cluster_centers_ = km.cluster_centers_
    labels = km.predict(da.from_array(X, chunks=900))
    dist = km.transform(da.from_array(X, chunks=900))
    assert isinstance(labels, da.Array) and isinstance(dist, da.Array)
    np.testing.assert_array_equal(labels.compute(), ref.predict(X))
    np.testing.assert_array_equal(labels.compute(), km.labels_.compute())
    np.testing.assert_array_equal(dist.compute(), ref.transform(X))
    assert dist.dtype == np.float32


def test_verbose_prints_the_iterations(client, capsys):
    X = blobs(np.float64, n=1000)
    km = cdask.KMeans(5, init=X[:5], verbose=1).fit(da.from_array(X, chunks=400))
    out = capsys.readouterr().out
    assert out.startswith("Initialization complete\nIteration 0, inertia ")
    assert out.count("Iteration ") == km.n_iter_
    assert out.endswith(f"Converged at iteration {km.n_iter_ - 1}: strict convergence.\n")


def test_duplicate_points_warn(client):
    X = np.repeat(np.arange(3.0)[:, None], 10, axis=0)
    with pytest.warns(ConvergenceWarning, match="distinct clusters"):
        cdask.KMeans(4, init="random", n_init=1, random_state=0).fit(da.from_array(X, chunks=7))


@pytest.mark.parametrize(
    "X, kwargs, fit_kwargs, match",
    [
        (np.zeros(10), {}, {}, "2-D"),
        (np.zeros((0, 3)), {}, {}, "empty"),
        (np.array([["a"]]), {}, {}, "real numbers"),
        (np.zeros((5, 2)), {"n_clusters": 6}, {}, "n_samples=5 should be >= n_clusters=6"),
        (np.zeros((5, 2)), {"init": np.zeros((3, 3))}, {}, "does not match"),
        (np.zeros((5, 2)), {"init": "kmeans"}, {}, "init must be"),
        (np.zeros((5, 2)), {"n_threads": 0}, {}, "n_threads must be a positive integer"),
        (np.zeros((5, 2)), {"tol": -1}, {}, "tol must be"),
        (np.zeros((5, 2)), {}, {"sample_weight": -np.ones(5)}, "negative"),
        (np.zeros((5, 2)), {}, {"sample_weight": np.ones(4)}, "shape"),
        (np.zeros((5, 2)), {}, {"sample_weight": np.zeros(5)}, "zero everywhere"),
        (np.full((5, 2), np.nan), {}, {}, "NaN or infinity"),
        (np.zeros((5, 2)), {"persist": "yes"}, {}, "persist must be 'auto', True or False"),
    ],
)
def test_bad_input_is_named(client, X, kwargs, fit_kwargs, match):
    kwargs = {"n_clusters": 2, "init": "random", **kwargs}
    with pytest.raises(ValueError, match=match):
        cdask.KMeans(**kwargs).fit(da.from_array(X), **fit_kwargs)


def test_without_a_client_the_error_says_what_to_do():
    with pytest.raises(ValueError, match="create a Client first"):
        cdask.KMeans(2).fit(da.zeros((4, 2)))


def test_worker_killed_mid_fit_gives_the_same_result(clusters, monkeypatch):
    """SIGKILL of a worker at the third iteration: its blocks and labels are gone, the scheduler
    recomputes them elsewhere (its nanny restarts it), and the fit ends with the same bits."""
    X = blobs(np.float64, n=4000, k=8)
    init = X[:8].copy()
    client = clusters[2]
    with client.as_current():
        want = cdask.KMeans(8, init=init, tol=0).fit(da.from_array(X, chunks=500))
        want_labels = want.labels_.compute()
        calls, reduce = [], driver._reduce

        def kill_at_third_iteration(parts):
            calls.append(1)
            if len(calls) == 3:
                os.kill(next(iter(client.run(os.getpid).values())), signal.SIGKILL)
            return reduce(parts)

        monkeypatch.setattr(driver, "_reduce", kill_at_third_iteration)
        km = cdask.KMeans(8, init=init, tol=0).fit(da.from_array(X, chunks=500))
        labels = km.labels_.compute()
    assert len(calls) == want.n_iter_ > 3
    np.testing.assert_array_equal(km.cluster_centers_, want.cluster_centers_)
    np.testing.assert_array_equal(labels, want_labels)
    assert km.inertia_ == want.inertia_


@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.int16])
def test_read_idx_is_the_file_in_lazy_blocks(tmp_path, dtype, gzipped):
    data = (np.arange(1000 * 12) % 251).astype(dtype).reshape(1000, 3, 4)
    path = tmp_path / ("x.idx.gz" if gzipped else "x.idx")
    ckmeans.write_idx(path, data)  # gzipped by the .gz suffix
    arr = cdask.read_idx(path, chunks=300, cache_dir=tmp_path / "cache")
    assert arr.chunks == ((300, 300, 300, 100), (3,), (4,)) and arr.dtype == dtype
    got = arr.compute(scheduler="sync")
    np.testing.assert_array_equal(got, data)
    assert got.dtype.isnative
    if gzipped:  # decompressed once, then reused
        raw = tmp_path / "cache" / "x.idx"
        stamp = raw.stat().st_mtime_ns
        cdask.read_idx(path, chunks=300, cache_dir=tmp_path / "cache")
        assert raw.stat().st_mtime_ns == stamp


def test_read_idx_names_a_malformed_file(tmp_path):
    path = tmp_path / "bad.idx"
    path.write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05abc")
    with pytest.raises(ckmeans.IDXFormatError, match=r"bad\.idx: .*payload"):
        cdask.read_idx(path)


def test_fit_over_read_idx_blocks_mapped_on_the_workers(client, tmp_path):
    X = blobs(np.uint8, n=2000)
    ckmeans.write_idx(tmp_path / "x.idx", X)
    init = X[:5].astype(np.float64)
    km = cdask.KMeans(5, init=init).fit(cdask.read_idx(tmp_path / "x.idx", chunks=500))
    assert_same_fit(km, ckmeans.KMeans(5, init=init, n_threads=1).fit(X))


# ---- SoftKMeans


def assert_same_soft_fit(sk, ref, rtol=1e-9):
    """The dask soft fit against the in-memory one: the blocks' sums are added in another order, so
    the numbers agree to rounding, the labels exactly."""
    np.testing.assert_allclose(sk.objective_, ref.objective_, rtol=rtol)
    np.testing.assert_allclose(sk.cluster_centers_, ref.cluster_centers_, rtol=rtol * 100, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(sk.labels_.compute()), ref.labels_)
    assert sk.cluster_centers_.dtype == ref.cluster_centers_.dtype
    assert (sk.n_iter_, sk.beta_) == (ref.n_iter_, ref.beta_)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_soft_equals_in_memory_fit_from_same_init(client, dtype, weighted):
    X = blobs(dtype)
    w = np.random.RandomState(1).uniform(0.5, 2.0, len(X)) if weighted else None
    init = X[:: len(X) // 5][:5].astype(np.float64)
    kw = dict(beta=[0.05, 0.2, 1.0], init=init, max_iter=30, tol=1e-6, distance="sqeuclidean")
    ref = ckmeans.SoftKMeans(5, n_threads=1, **kw).fit(X, sample_weight=w)
    dw = None if w is None else da.from_array(w, chunks=700)
    sk = cdask.SoftKMeans(5, **kw).fit(da.from_array(X, chunks=(700, 6)), sample_weight=dw)
    assert_same_soft_fit(sk, ref)
    assert sk.labels_.dtype == np.int32 and sk.labels_.chunks == ((700,) * 4 + (200,),)
    assert len(sk.objective_history_) == sk.n_iter_


@pytest.mark.parametrize("dtype", DTYPES)
def test_soft_on_one_block_is_the_in_memory_fit_bit_for_bit(client, dtype):
    """One block: the partial is the in-memory step's E-step and sums, the same operations in the same
    order, so every iteration's centres and free energy are the same bits."""
    X = blobs(dtype, n=2000)
    init = X[:5].astype(np.float64)
    kw = dict(beta=0.5, init=init, max_iter=8, tol=0)
    ref = ckmeans.soft_kmeans(X, 5, sample_weight=None, n_threads=1, **kw)
    sk = cdask.SoftKMeans(5, **kw).fit(da.from_array(X, chunks=-1))
    np.testing.assert_array_equal(sk.cluster_centers_, ref.centroids)
    np.testing.assert_array_equal(sk.objective_history_, ref.objective_history)
    assert sk.objective_ == ref.objective


def test_soft_equals_in_memory_fit_on_mnist(client, shared_data):
    path = require_file(shared_data / "mnist" / "train-images-idx3-ubyte.gz")
    X = ckmeans.read_idx(path).reshape(60000, 784)
    init = ckmeans.kmeans(X[:2000], 10, random_state=0, max_iter=1).centroids
    kw = dict(beta=[1e-3, 3e-3, 1e-2], init=init, max_iter=6, tol=0)
    ref = ckmeans.SoftKMeans(10, n_threads=2, **kw).fit(X)
    sk = cdask.SoftKMeans(10, **kw).fit(da.from_array(X, chunks=(16000, 784)))
    assert_same_soft_fit(sk, ref)


def test_soft_same_bits_on_one_and_two_workers(clusters):
    """k-means|| init, a callable schedule and the fit: the same bits whichever workers run the blocks."""
    X = blobs(np.float32, n=4000, k=8)
    fits = []
    for n in (1, 2):
        with clusters[n].as_current():
            sk = cdask.SoftKMeans(8, beta=lambda t: 0.1 * (t + 1), random_state=3, max_iter=10, tol=0)
            sk.fit(da.from_array(X, chunks=600))
            fits.append((sk.cluster_centers_, sk.labels_.compute(), sk.objective_, sk.objective_history_))
    for a, b in zip(*fits):
        np.testing.assert_array_equal(a, b)
    assert sk.beta_ == pytest.approx(1.0)


def test_soft_predict_proba_transform_score_are_lazy_and_match_in_memory(client):
    X = blobs(np.float32)
    sk = cdask.SoftKMeans(5, beta=0.3, random_state=0).fit(da.from_array(X, chunks=800))
    ref = ckmeans.SoftKMeans(5, beta=0.3, init=sk.cluster_centers_, max_iter=1, n_threads=1).fit(X)
    ref.cluster_centers_, ref.beta_ = sk.cluster_centers_, sk.beta_
    dX = da.from_array(X, chunks=900)
    w = np.random.RandomState(0).uniform(0.5, 2, len(X))
    got = {
        "predict": sk.predict(dX),
        "predict_proba": sk.predict_proba(dX),
        "transform": sk.transform(dX),
        "score": sk.score(dX, sample_weight=da.from_array(w, chunks=900)),
    }
    for name, value in got.items():
        assert isinstance(value, da.Array), name
    np.testing.assert_array_equal(got["predict"].compute(), ref.predict(X))
    np.testing.assert_array_equal(got["predict"].compute(), sk.labels_.compute())
    np.testing.assert_array_equal(got["predict_proba"].compute(), ref.predict_proba(X))
    np.testing.assert_array_equal(got["transform"].compute(), ref.transform(X))
    assert got["transform"].dtype == np.float32
    np.testing.assert_allclose(got["score"].compute(), ref.score(X, sample_weight=w), rtol=1e-12)


def test_soft_verbose_prints_the_iterations(client, capsys):
    X = blobs(np.float64, n=1000)
    sk = cdask.SoftKMeans(5, init=X[:5], beta=[0.1, 0.5], verbose=1).fit(da.from_array(X, chunks=400))
    out = capsys.readouterr().out
    assert out.startswith("Initialization complete\nIteration 0, beta 0.1, free energy ")
    assert "Iteration 1, beta 0.5, free energy " in out
    assert out.count("Iteration ") == sk.n_iter_
    assert out.endswith(f"after {sk.n_iter_} iterations, free energy {sk.objective_}.\n")


@pytest.mark.parametrize(
    "kwargs, fit_kwargs, match",
    [
        ({"beta": 0}, {}, "beta must be a finite number > 0"),
        ({"beta": []}, {}, "empty sequence"),
        ({"beta": lambda t: -1.0}, {}, r"beta\(0\) must be"),
        ({"distance": "cosine"}, {}, "distance must be one of"),
        ({"max_iter": 0}, {}, "max_iter"),
        ({"n_clusters": 6}, {}, "n_samples=5 should be >= n_clusters=6"),
        ({"n_threads": 0}, {}, "n_threads must be a positive integer"),
        ({}, {"sample_weight": -np.ones(5)}, "negative"),
        ({"tol": 0}, {"X": np.full((5, 2), np.inf)}, "NaN or infinity"),
    ],
)
def test_soft_bad_input_is_named(client, kwargs, fit_kwargs, match):
    X = fit_kwargs.pop("X", np.arange(10.0).reshape(5, 2))
    kwargs = {"n_clusters": 2, "init": "random", **kwargs}
    with pytest.raises(ValueError, match=match):
        cdask.SoftKMeans(**kwargs).fit(da.from_array(X), **fit_kwargs)


def test_fit_over_an_idx_file_larger_than_the_workers_memory(tmp_path):
    """A 160 MB raw IDX file on 2 workers whose memory limits add up to 100 MB: 'auto' reads the blocks
    again at every iteration instead of persisting X, so no worker's memory grows by its share of the
    file, and the fit is the in-memory one. (The limits are below a worker's own footprint, so
    distributed's pause and restart on them are turned off: the fit reads the limits only.)"""
    pytest.importorskip("psutil")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import bench_dask  # its sampler of the workers' peak memory

    rng = np.random.default_rng(0)
    X = rng.integers(40, 216, (5, 128), dtype=np.uint8)[rng.integers(0, 5, 1_250_000)]
    X += rng.integers(0, 40, X.shape, dtype=np.uint8)  # (no overflow: at most 254)
    ckmeans.write_idx(tmp_path / "x.idx", X)
    init = X[:5].astype(np.float64)
    ref = ckmeans.KMeans(5, init=init, max_iter=4, tol=0, n_threads=1).fit(X)
    del X
    off = {f"distributed.worker.memory.{t}": False for t in ("target", "spill", "pause", "terminate")}
    with dask.config.set(off):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, memory_limit="50MB", dashboard_address=":0"
        )
    with cluster, distributed.Client(cluster) as client:
        client.run(__import__, "ckmeans.dask")  # (the libraries' own memory, before the fit's)
        km = cdask.KMeans(5, init=init, max_iter=4, tol=0)
        _, peaks = bench_dask.peak_memory(
            client, lambda: km.fit(cdask.read_idx(tmp_path / "x.idx", chunks=100_000))
        )
        assert_same_fit(km, ref)
    grown = max(g for _, g in peaks.values())
    assert grown < 40e6, f"a worker's memory grew by {grown / 1e6:.0f} MB"
