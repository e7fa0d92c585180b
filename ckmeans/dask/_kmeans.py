"""The driver of ckmeans.dask.KMeans: validation, the fit loop over the blocks of a dask array, and
the reduction of the blocks' partials.

Every iteration sends the centres to the cluster once (one task holding them, which the workers pass
between them), runs ``_blocks.step`` (the C partial step) on every block where it lives (one task
per worker over the persisted blocks it holds) and fetches only the O(k x d) partials, summed here
in block order: the result depends on the chunking, never on the number of workers, the grouping or
the order in which tasks finish. Every task is a pure function of its inputs, so a block lost with a
worker is recomputed by the scheduler, with the same bits.
"""

from __future__ import annotations

import uuid
import warnings

import dask
import dask.array as da
import numpy as np
import scipy.sparse as sp
from dask.core import flatten
from distributed import futures_of, get_client, wait
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from ckmeans._kmeans import _iteration_callback, _run_seeds
from ckmeans._spherical import check_spherical, objective_from_inertia, unit_centres
from ckmeans._validation import (
    check_init_array,
    check_init_name,
    check_max_iter,
    check_n_clusters,
    check_n_init,
    check_random_state,
    check_tol,
)
from ckmeans.dask import _blocks
from ckmeans.dask._init import initial_centres

_KEPT_DTYPES = (np.float32, np.float64, np.uint8)
_SPARSE_DTYPES = (np.float32, np.float64)


def is_sparse(X):
    """Whether the dask array X has scipy sparse blocks."""
    return sp.issparse(X._meta)


def _client():
    try:
        return get_client()
    except ValueError as exc:
        raise ValueError(
            "ckmeans.dask fits on a dask.distributed cluster: create a Client first, e.g. "
            "Client(LocalCluster()) or Client('tcp://scheduler:8786')"
        ) from exc


def check_dask_X(X):
    """A 2-D dask array of float32, float64 or uint8 (other real types become float64), or of scipy
    sparse blocks of float32 or float64 (other real types become float64), one block along the
    features, with known block sizes, and no block of no rows."""
    if not isinstance(X, da.Array):
        X = da.asarray(X)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"X must hold real numbers, got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(
            f"X must be a 2-D array (n_samples, n_features), got {X.ndim}-D with shape {X.shape}"
        )
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError("X has blocks of unknown size: call X.compute_chunk_sizes() first")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X is empty: shape {X.shape}; k-means needs at least one sample and one feature")
    if X.dtype not in (_SPARSE_DTYPES if is_sparse(X) else _KEPT_DTYPES):
        X = X.astype(np.float64)
    if X.numblocks[1] != 1:
        X = X.rechunk({1: -1})
    if 0 in X.chunks[0]:  # blocks of no rows (left by a filter, say) have nothing to run on
        X = X.rechunk({0: tuple(c for c in X.chunks[0] if c)})
    return X


def check_dask_sample_weight(sample_weight, X):
    """None, or float64 weights as a dask array in X's row blocks (their checks run with the first
    pass over X)."""
    if sample_weight is None:
        return None
    w = sample_weight if isinstance(sample_weight, da.Array) else da.asarray(np.asarray(sample_weight))
    if w.ndim == 0:
        w = da.full(X.shape[0], w, chunks=X.chunks[0])
    if w.dtype.kind not in "biuf":
        raise ValueError(f"sample_weight must hold real numbers, got dtype {w.dtype}")
    if w.shape != (X.shape[0],):
        raise ValueError(f"sample_weight must have shape ({X.shape[0]},), got {w.shape}")
    return w.astype(np.float64).rechunk((X.chunks[0],))


def _data_facts(blocks, want_variance):
    """At most one pass over X: the mean feature variance of X (scikit-learn's tol scale), whether
    dense X is finite (sparse blocks are checked by ``_blocks.prepared`` wherever they are read) and
    the weights' checks, named as ckmeans.kmeans names them."""
    X, w = blocks.X, blocks.w
    sparse = is_sparse(X)
    todo = {}
    if not sparse:
        if want_variance:
            todo["var"] = X.var(axis=0, dtype=np.float64).mean()
        elif X.dtype.kind == "f":
            todo["x_finite"] = da.isfinite(X).all()
    if w is not None:
        todo.update(finite=da.isfinite(w).all(), neg=(w < 0).any(), pos=(w > 0).sum())
    facts = dask.compute(todo)[0]
    if sparse and want_variance:
        facts["var"] = _mean_variance(blocks.collect(_blocks.moments, name=("moments",)))
    if w is not None:
        if not facts["finite"]:
            raise ValueError("sample_weight contains NaN or infinity")
        if facts["neg"]:
            raise ValueError("sample_weight contains negative values")
        if facts["pos"] == 0:
            raise ValueError("sample_weight is zero everywhere: at least one sample needs a positive weight")
    var = facts.get("var", 0.0)
    if not facts.get("x_finite", True) or not np.isfinite(var):
        if not sparse and not da.isfinite(X).all().compute():
            raise ValueError("X contains NaN or infinity")
    return float(var), facts.get("pos")


def _mean_variance(moments):
    """The mean over features of the columns' population variance, from the blocks' (rows, column
    means, column variances) merged in block order (Chan et al.'s pairwise update)."""
    n, mean, m2 = moments[0][0], moments[0][1], moments[0][2] * moments[0][0]
    for n_b, mean_b, var_b in moments[1:]:
        delta = mean_b - mean
        total = n + n_b
        mean = mean + delta * (n_b / total)
        m2 = m2 + var_b * n_b + delta**2 * (n * n_b / total)
        n = total
    return float(np.mean(m2 / n))


class _Blocks:
    """X (and the weights) on the cluster, block by block in row order. Persisted, X stays in the
    workers' memory for the whole fit; otherwise every pass over X reads its blocks again from X's
    graph (read_idx: a memory map of the block's rows), each task holding one block while it runs,
    so X may exceed the memory of all the workers together."""

    def __init__(self, client, X, w, persist):
        self.client = client
        self.persisted = bool(persist)
        if persist:
            X, w = client.persist(X), None if w is None else client.persist(w)
            wait([X] if w is None else [X, w])
            self.xf, self.wf = _block_futures(client, X), [None] * X.numblocks[0]
            if w is not None:
                self.wf = _block_futures(client, w)
            for f in self.xf:  # a block that failed its checks: its own error, the first in row order
                if f.status == "error":
                    f.result()
        self.X, self.w = X, w  # (holding the persisted collections holds their blocks)
        self.x = list(X.to_delayed().ravel())
        self.wb = [None] * len(self.x) if w is None else list(w.to_delayed())
        self.sizes = [int(c) for c in X.chunks[0]]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        self.token = uuid.uuid4().hex

    def key(self, *parts):
        return "-".join(["ckmeans", self.token, *map(str, parts)])

    def put(self, value, *name):
        """value to the cluster once, as a task holding it: the workers pass it between them, and
        the scheduler can recompute it (unlike scattered data) when a worker holding it is lost."""
        return self.client.submit(np.asarray, value, key=self.key(*name))

    def _task(self, b, fn, args, key):
        return dask.delayed(fn, pure=True)(self.x[b], self.wb[b], *args, dask_key_name=key)

    @staticmethod
    def _args(args, b):
        return [a[b] if isinstance(a, list) else a for a in args]

    def on(self, b, fn, *args, name):
        """fn(block b of X, its weights, *args) as one task: its future."""
        return self.client.compute(self._task(b, fn, args, self.key(*name)))

    def map(self, fn, *args, name):
        """fn(block of X, its weights, *args) on every block: their futures, held where they were
        computed. An argument that is a list gives each block its own element."""
        return self.client.compute(
            [self._task(b, fn, self._args(args, b), self.key(*name, b)) for b in range(len(self.x))]
        )

    def collect(self, fn, *args, name):
        """fn(block of X, its weights, *args) on every block, fetched here in block order (a small
        result per block). Persisted blocks are served by one task per worker over the blocks it
        holds, which saves the scheduler a round of tasks per block at every iteration; the
        results are each block's own, so they do not depend on that grouping."""
        if not self.persisted:
            return self.client.gather(self.map(fn, *args, name=name))
        who = self.client.who_has(self.xf)
        groups = {}
        for b, f in enumerate(self.xf):
            holders = who.get(f.key)  # (none while a lost block is being recomputed: a task of its own)
            groups.setdefault(holders[0] if holders else b, []).append(b)
        futures = [
            self.client.submit(
                _blocks.each,
                fn,
                [self.xf[b] for b in bs],
                [self.wf[b] for b in bs],
                [self._args(args, b) for b in bs],
                key=self.key(*name, bs[0]),
                workers=[worker] if isinstance(worker, str) else None,
                allow_other_workers=isinstance(worker, str),
            )
            for worker, bs in groups.items()
        ]
        results = [None] * len(self.xf)
        for bs, got in zip(groups.values(), self.client.gather(futures)):
            for b, r in zip(bs, got):
                results[b] = r
        return results

    def labels(self, finals):
        """The labels held in the blocks' final states, as a dask array in X's row blocks."""
        labels = [
            self.client.submit(_blocks.labels_of, f, key=self.key("labels", b)) for b, f in enumerate(finals)
        ]
        return da.concatenate([da.from_delayed(f, (size,), np.int32) for f, size in zip(labels, self.sizes)])

    def gather(self, fn, states, name):
        return self.client.gather(
            [self.client.submit(fn, s, key=self.key(*name, b)) for b, s in enumerate(states)]
        )


def _block_futures(client, A):
    """The futures of a persisted dask array's row blocks, in row order."""
    futures = {f.key: f for f in futures_of(A)}
    return [futures[key] for key in flatten(A.__dask_keys__())]


def _reduce(parts):
    """The blocks' partials summed in block order, and the blocks' label digests."""
    sums, wsum, inertia = parts[0][0].copy(), parts[0][1].copy(), parts[0][3]
    for s, ws, _, i in parts[1:]:
        sums += s
        wsum += ws
        inertia += i
    return sums, wsum, [p[2] for p in parts], inertia


def _relocate(blocks, C_old, sums, wsum, n_threads, name):
    """ck_lloyd_step's empty-cluster rule over all blocks: each empty cluster takes one of the
    farthest points of the whole data (farthest first, ties to the lowest row), fetched as each
    block's own farthest candidates."""
    k, d = sums.shape
    n_empty = int(np.count_nonzero(wsum == 0))
    if n_empty == 0:
        return
    cands = blocks.collect(_blocks.farthest, C_old, n_empty, n_threads, name=name)
    sqdist = np.concatenate([c[0] for c in cands])
    rows = np.concatenate([c[1] + blocks.offsets[b] for b, c in enumerate(cands)])
    order = np.lexsort((rows, -sqdist))[:n_empty]
    if not sqdist[order[0]] > 0:
        return  # every point sits on its centre
    x = np.concatenate([c[2] for c in cands])
    weight = np.concatenate([c[3] for c in cands])
    label = np.concatenate([c[4] for c in cands])
    taken = 0
    for j in range(k):
        if taken == n_empty:
            break
        if wsum[j] != 0:
            continue
        q = order[taken]
        taken += 1
        v = weight[q] * x[q]
        sums[label[q]] -= v
        sums[j] = v
        wsum[j] = weight[q]
        wsum[label[q]] -= weight[q]


def _average(sums, wsum, C_old):
    """ck_lloyd_step's update: weighted means; a cluster still empty takes the heaviest's centre."""
    C = C_old.copy()
    full = wsum > 0
    C[full] = (sums[full] / wsum[full, None]).astype(C.dtype)
    heaviest = int(np.argmax(wsum))
    if wsum[heaviest] > 0:
        C[~full] = C[heaviest]
    return C


def _fit_run(blocks, C, max_iter, tol_abs, n_threads, report, run, spherical):
    """One run of Lloyd's fit from centres C: (centres, n_iter, inertia history, converged, strict)."""
    history, digests = [], None
    strict = on_tol = False
    for it in range(max_iter):
        centres = blocks.put(C, "centres", run, it)
        sums, wsum, new_digests, inertia = _reduce(
            blocks.collect(_blocks.step, centres, n_threads, name=("step", run, it))
        )
        unchanged = new_digests == digests
        digests = new_digests
        _relocate(blocks, centres, sums, wsum, n_threads, ("farthest", run, it))
        C_new = _average(sums, wsum, C)
        if spherical:
            unit_centres(C_new)
        shift = float(((C_new.astype(np.float64) - C.astype(np.float64)) ** 2).sum())
        C = C_new
        history.append(objective_from_inertia(inertia) if spherical else inertia)
        if report is not None:  # (the count of changed labels is not known, only whether any changed)
            report(it, inertia, shift, 0 if unchanged else -1, 0.0)
        # scikit-learn's order: unchanged labels are strict convergence, then the shift against tol
        if unchanged:
            strict = True
            break
        if shift <= tol_abs:
            on_tol = True
            break
    return C, len(history), np.array(history), strict or on_tol, strict


# 'auto' persists X when it takes at most this share of the workers' memory limits together: below
# distributed's default threshold for spilling to disk (60%), with room for the tasks' own memory.
PERSIST_SHARE = 0.5


def _persists(client, persist, X, w):
    """Whether a fit keeps X (and the weights) in the workers' memory: `persist` if a bool; for
    'auto', when they take at most PERSIST_SHARE of the workers' memory limits together (always
    when a worker has no limit)."""
    if isinstance(persist, (bool, np.bool_)):
        return bool(persist)
    if not (isinstance(persist, str) and persist == "auto"):
        raise ValueError(f"persist must be 'auto', True or False, got {persist!r}")
    limits = [info.get("memory_limit") for info in client.scheduler_info()["workers"].values()]
    if not limits or not all(limits):
        return True
    return X.nbytes + (0 if w is None else w.nbytes) <= PERSIST_SHARE * sum(limits)


class _FitSetup:
    """What a fit of ckmeans.dask.KMeans or SoftKMeans checks and prepares before its runs, from the
    estimator's common parameters (n_clusters, init, n_init, max_iter, tol, random_state,
    n_threads, verbose): the checked sizes, the blocks on the cluster, the runs' seeds, and one pass
    over X for the weights' checks, X's finiteness and (want_variance) its mean feature variance."""

    def __init__(self, est, X, sample_weight, want_variance):
        client = _client()
        X = check_dask_X(X)
        self.n_samples, self.n_features = X.shape
        self.n_clusters = check_n_clusters(est.n_clusters, self.n_samples)
        check_max_iter(est.max_iter)
        check_tol(est.tol)
        self.n_threads = _check_n_threads(est.n_threads)
        init = est.init
        is_name = isinstance(init, str)
        if is_name and init != "k-means||":
            check_init_name(init)
        self.cdtype = np.float32 if X.dtype == np.float32 else np.float64
        if not is_name:
            init = check_init_array(init, self.n_clusters, self.n_features, self.cdtype)
        # (k-means|| counts as k-means++: one run by default)
        self.n_init = check_n_init(
            est.n_init, "k-means++" if is_name and init == "k-means||" else init, type(est).__name__
        )
        w = check_dask_sample_weight(sample_weight, X)
        self.spherical = check_spherical(est.spherical)
        if is_sparse(X) or self.spherical:
            dtype = np.float32 if X.dtype == np.float32 else np.float64
            X = X.map_blocks(_blocks.prepared, self.spherical, dtype=dtype, meta=X._meta.astype(dtype))
        # the blocks first, so that a persisted X is read once, by the pass below
        self.blocks = _Blocks(client, X, w, _persists(client, est.persist, X, w))
        X, w = self.blocks.X, self.blocks.w
        self.variance, n_positive = _data_facts(self.blocks, want_variance)
        if w is not None and is_name and n_positive < self.n_clusters:
            raise ValueError(
                f"only {n_positive} samples have a positive weight; "
                f"n_clusters={self.n_clusters} initial centres need that many"
            )
        self.seeds = _run_seeds(check_random_state(est.random_state), self.n_init)
        self.X, self.w, self.init, self.verbose = X, w, init, est.verbose

    def initial_centres(self, run):
        """Run `run`'s initial centres (of the centroid dtype)."""
        C = initial_centres(
            self.blocks,
            self.X,
            self.w,
            self.n_clusters,
            self.init,
            self.seeds[run],
            self.n_threads,
            self.cdtype,
            run,
            self.spherical,
        )
        if self.verbose:
            print("Initialization complete")
        return C


class KMeans(ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """k-means on a dask array, with the ckmeans C kernels running on the workers.

    The parameters and the result are those of :class:`ckmeans.KMeans` (scikit-learn's semantics:
    tol relative to the mean feature variance of X, strict convergence when labels stop changing,
    empty clusters relocated to the farthest points, the best of n_init runs), over X given as a
    ``dask.array`` of row blocks: NumPy blocks of float32, float64 or uint8, used as they are, or
    scipy sparse blocks (CSR, or converted to CSR on the worker; float32 or float64), e.g.
    ``da.from_array(X_csr, chunks=(10_000, -1), asarray=False)``. It runs on the current
    ``dask.distributed`` Client.

    Each iteration sends the centres to the cluster once; every block runs the C partial step where
    it lives and returns only its O(n_clusters x n_features) sums, summed in block order: the
    result depends on the chunking of X, never on the number of workers. Labels stay on the
    workers: ``labels_``, ``predict`` and ``transform`` return dask arrays.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {'k-means||', 'k-means++', 'random'} or array (n_clusters, n_features), default='k-means||'
        'k-means||' (Bahmani et al. 2012) samples about 2 x n_clusters candidates per round over 5
        rounds on the workers, weights them by the points they attract and reclusters them in memory
        with ckmeans' weighted k-means++: a few passes over X (sparse X: the candidates stay sparse,
        and each round's are sent to the workers dense). 'k-means++' and 'random' are those of
        :func:`ckmeans.kmeans` on the whole of X, which is brought to the client for them (X must
        fit in its memory); with the same random_state they give ckmeans.KMeans's centres.
    n_init : 'auto' or int, default='auto'
        'auto': 1 for 'k-means||', 'k-means++' or an array, 10 for 'random'.
    max_iter : int, default=300
    tol : float, default=1e-4
    random_state : None, int, numpy RandomState or Generator, default=None
    n_threads : int, default=1
        Threads of each block's kernel on its worker. dask runs as many blocks at once as a worker
        has threads (and sets OMP_NUM_THREADS=1 for them), so the default keeps one per task; a
        worker started with ``--nthreads 1`` can give its one task all its cores instead.
    verbose : int, default=0
    spherical : bool, default=False
        Spherical k-means (cosine), as in :class:`ckmeans.KMeans`: the blocks' rows are scaled to unit
        norm on the workers (a copy; an all-zero row is a ValueError), every centre is rescaled to
        unit norm after each update, and ``inertia_`` is sum_i w_i (1 - cos(x_i, c)).
    persist : 'auto' or bool, default='auto'
        Whether X (and sample_weight) stay in the workers' memory during the fit. False reads X's
        blocks again at every pass (an iteration, a k-means|| round), one block per running task,
        so X may exceed the memory of all the workers together (e.g. a raw IDX file of
        :func:`ckmeans.dask.read_idx`, its blocks memory-mapped where they are read). 'auto'
        persists when X and the weights take at most half of the workers' memory limits together,
        and always when a worker has no limit.

    Attributes
    ----------
    cluster_centers_ : ndarray (n_clusters, n_features), float32 for float32 X, else float64
    labels_ : dask array of int32, shape (n_samples,), held on the workers
    inertia_ : float
    n_iter_ : int
    converged_ : bool, whether the labels stopped changing or the centre shift fell below tol
    inertia_history_ : ndarray, the inertia of each iteration's assignment
    n_features_in_ : int
    """

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means||",
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        random_state=None,
        n_threads=1,
        verbose=0,
        spherical=False,
        persist="auto",
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose
        self.spherical = spherical
        self.persist = persist

    def fit(self, X, y=None, sample_weight=None):
        """Compute the clustering of the dask array X (y is ignored). Returns self."""
        fit = _FitSetup(self, X, sample_weight, want_variance=self.tol > 0)
        blocks, n_clusters = fit.blocks, fit.n_clusters
        tol_abs = fit.variance * self.tol
        report = _iteration_callback([], tol_abs, verbose=True) if self.verbose else None
        best = None
        for run in range(fit.n_init):
            C = fit.initial_centres(run)
            C, n_iter, history, converged, strict = _fit_run(
                blocks, C, self.max_iter, tol_abs, fit.n_threads, report, run, fit.spherical
            )
            finals = blocks.map(
                _blocks.final,
                blocks.put(C, "final", run),
                strict,
                fit.n_threads,
                name=("final", run),
            )
            summaries = blocks.gather(_blocks.summary, finals, name=("summary", run))
            inertia = 0.0
            for s in summaries:
                inertia += s[0]
            if fit.spherical:
                inertia = objective_from_inertia(inertia)
            if best is None or inertia < best[1]:
                counts = sum(s[1] for s in summaries)
                best = (C, inertia, n_iter, history, converged, finals, counts)
        C, inertia, n_iter, history, converged, finals, counts = best
        self.labels_ = blocks.labels(finals)
        self.cluster_centers_ = C
        self.inertia_ = float(inertia)
        self.n_iter_ = int(n_iter)
        self.converged_ = bool(converged)
        self.inertia_history_ = history
        self.n_features_in_ = fit.n_features
        self._n_features_out = n_clusters
        n_distinct = int(np.count_nonzero(counts))
        if n_distinct < n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({n_distinct}) found smaller than n_clusters "
                f"({n_clusters}). Possibly due to duplicate points in X.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def predict(self, X):
        """Nearest centre of every row of the dask array X: a lazy dask array of int32."""
        X, centres = check_new_X(self, X)
        n_threads = _check_n_threads(self.n_threads)
        return X.map_blocks(
            _blocks.predict,
            centres,
            check_spherical(self.spherical),
            n_threads,
            dtype=np.int32,
            drop_axis=1,
            meta=np.empty((0,), np.int32),
        )

    def transform(self, X):
        """Euclidean distances of every row of X to every centre: a lazy dask array."""
        X, centres = check_new_X(self, X)
        dtype = np.float32 if X.dtype == np.float32 else np.float64
        return X.map_blocks(
            _blocks.distances,
            centres,
            check_spherical(self.spherical),
            _check_n_threads(self.n_threads),
            dtype=dtype,
            chunks=(X.chunks[0], (len(self.cluster_centers_),)),
            meta=np.empty((0, 0), dtype),
        )

    def fit_predict(self, X, y=None, sample_weight=None):
        return self.fit(X, sample_weight=sample_weight).labels_


def check_new_X(est, X):
    """X for a fitted estimator's predict or transform, checked against it, and its centres as a
    delayed array of the centroid dtype of X."""
    check_is_fitted(est)
    X = check_dask_X(X)
    if X.shape[1] != est.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(est).__name__} is expecting "
            f"{est.n_features_in_} features as input."
        )
    centres = est.cluster_centers_.astype(np.float32 if X.dtype == np.float32 else np.float64)
    return X, dask.delayed(centres)


def _check_n_threads(n_threads):
    if isinstance(n_threads, bool) or not isinstance(n_threads, (int, np.integer)) or n_threads < 1:
        raise ValueError(
            f"n_threads must be a positive integer (threads per block on a worker), got {n_threads!r}"
        )
    return int(n_threads)
