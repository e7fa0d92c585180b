"""What runs on a worker, one block of rows at a time: the C kernels over a block (hard and soft
k-means), and nothing that needs the whole data. The drivers (ckmeans.dask._kmeans, _soft) sum what
these return in block order.

A block arrives as dask holds it: a NumPy array of the dtype the driver chose (float32, float64 or
uint8), or a scipy sparse matrix that ``prepared`` checked and made CSR. ``_kernels`` is the one
place where a block's type picks its kernels: ckmeans._kmeans_core's for arrays, ckmeans._sparse's
(the same calls on CSR) for sparse blocks.
"""

from __future__ import annotations

import hashlib

import numpy as np
import scipy.sparse as sp
from sklearn.utils.sparsefuncs import mean_variance_axis

from ckmeans._sparse import CSRData, check_csr, core_for, soft_core_for
from ckmeans._spherical import unit_rows


def prepared(X, spherical, block_info=None):
    """A block as the fit's passes read it: a sparse block checked as ckmeans.kmeans checks sparse X
    and held as CSR; with spherical, every row scaled to unit norm. A ValueError names the block's
    first row in X, since its own message counts rows within the block."""
    try:
        if sp.issparse(X):
            X = check_csr(X)
            if spherical:
                X = unit_rows(X)
            return sp.csr_matrix((X.values, X.indices, X.indptr), shape=X.shape)
        return unit_rows(np.ascontiguousarray(X)) if spherical else X
    except ValueError as exc:
        start = block_info[0]["array-location"][0][0] if block_info else 0
        raise ValueError(f"{exc} (in the block of rows starting at row {start} of X)") from exc


def _kernels(X):
    """The kernel module of a block's type and the block as those kernels take it (a sparse block
    was checked by ``prepared``: only its index types are settled here)."""
    if sp.issparse(X):
        X = CSRData(X.data, np.asarray(X.indptr, dtype=np.int64), X.indices, X.shape, X)
    else:
        X = np.ascontiguousarray(X)
    return core_for(X), X


def _rows(X, index):
    """Rows of a block (as _kernels gives it) in float64: an array, or CSR for a sparse block."""
    if isinstance(X, CSRData):
        return X.matrix[index].astype(np.float64)
    return X[index].astype(np.float64)


def _weights(w):
    return None if w is None else np.ascontiguousarray(w, dtype=np.float64)


def each(fn, xs, ws, args):
    """fn(x, w, *a) for every block x held by one worker (its weights w, its arguments a): their
    results, in the order given."""
    return [fn(x, w, *a) for x, w, a in zip(xs, ws, args)]


def _step(core, X, w, centres, n_threads):
    k, d = centres.shape
    labels = np.full(X.shape[0], -1, np.int32)
    sums, wsum = np.empty((k, d)), np.empty(k)
    _, inertia = core.lloyd_partial(X, _weights(w), centres, labels, sums, wsum, n_threads)
    return labels, sums, wsum, float(inertia)


def step(X, w, centres, n_threads):
    """One Lloyd iteration's partials of a block: (sums, weight_in_clusters, digest of the labels,
    inertia). The labels themselves stay on the worker and are not kept.

    A step depends on the block and the centres only, not on the previous step, so the scheduler
    recomputes a lost one from them alone; the driver compares the labels' digests with the previous
    step's to detect labels that stopped changing (a 128-bit BLAKE2b digest: unequal labels that
    collide are beyond any practical chance)."""
    labels, sums, wsum, inertia = _step(*_kernels(X), w, centres, n_threads)
    return sums, wsum, hashlib.blake2b(labels.tobytes(), digest_size=16).digest(), inertia


def farthest(X, w, centres, n_far, n_threads):
    """The block's n_far candidates for empty clusters (ck_farthest) after the step from `centres`
    (whose labels it recomputes): squared distances, rows within the block, the rows themselves
    (float64), their weights and their labels."""
    core, X = _kernels(X)
    labels = _step(core, X, w, centres, n_threads)[0]
    n_far = min(n_far, X.shape[0])
    sqdist, index = np.empty(n_far), np.empty(n_far, np.int64)
    core.farthest(X, centres, labels, sqdist, index, n_threads)
    w = _weights(w)
    weights = np.ones(n_far) if w is None else w[index]
    rows = _rows(X, index)
    return sqdist, index, rows.toarray() if sp.issparse(rows) else rows, weights, labels[index]


def final(X, w, centres, strict, n_threads):
    """The block's labels for the final centres, their inertia and the clusters' row counts. After
    strict convergence they are the last step's labels (the final centres are that step's), so
    they come from the step's own search; otherwise from a fresh assignment."""
    core, X = _kernels(X)
    if strict:
        labels = _step(core, X, w, centres, n_threads)[0]
    else:
        labels = np.empty(X.shape[0], np.int32)
        core.assign(X, centres, labels, None, n_threads)
    inertia = core.inertia(X, _weights(w), centres, labels, n_threads)
    return labels, float(inertia), np.bincount(labels, minlength=centres.shape[0])


def labels_of(state):
    return state[0]


def summary(state):
    return state[1:]


def predict(X, centres, spherical, n_threads):
    """ckmeans.KMeans.predict of the block (its checks; spherical: by cosine)."""
    return _hard_estimator(centres, spherical, n_threads).predict(X)


def distances(X, centres, spherical, n_threads):
    """ckmeans.KMeans.transform of the block: Euclidean distances (spherical: of the unit rows)."""
    return _hard_estimator(centres, spherical, n_threads).transform(X)


def _hard_estimator(centres, spherical, n_threads):
    from ckmeans.estimators import KMeans

    est = KMeans(n_clusters=centres.shape[0], spherical=spherical, n_threads=n_threads)
    est.cluster_centers_, est.n_features_in_ = centres, centres.shape[1]
    return est


def moments(X, w):
    """A sparse block's rows, and the means and population variances of its columns (zeros
    included, as ckmeans.kmeans's tol scale for sparse X)."""
    mean, var = mean_variance_axis(X, axis=0)
    return X.shape[0], np.asarray(mean, np.float64), np.asarray(var, np.float64)


def total_weight(X, w):
    return float(X.shape[0]) if w is None else float(np.sum(_weights(w)))


def draw_row(X, w, u):
    """The row where the running weight (1 per row without weights) first exceeds u, as a 1-row
    float64 array (CSR for a sparse block)."""
    X = _kernels(X)[1]
    cum = np.cumsum(np.ones(X.shape[0]) if w is None else _weights(w))
    i = min(int(np.searchsorted(cum, u, side="right")), X.shape[0] - 1)
    return _rows(X, [i])


def nearest(X, w, centres, first, prev, n_threads):
    """k-means||'s state of a block: every row's squared distance to its nearest candidate so far,
    the block's weighted cost, that candidate's number (the new candidates `centres` are numbers
    first, first + 1, ...; prev holds the earlier ones; ties keep the lower number, as an assignment
    to all of them would) and the rows' weights."""
    core, X = _kernels(X)
    labels, sqdist = np.empty(X.shape[0], np.int32), np.empty(X.shape[0])
    core.assign(X, centres, labels, sqdist, n_threads)
    nearest = labels.astype(np.int64) + first
    if prev is not None:
        closer = sqdist < prev[0]
        sqdist = np.where(closer, sqdist, prev[0])
        nearest = np.where(closer, nearest, prev[2])
    w = _weights(w)
    return sqdist, float(np.sum(sqdist if w is None else w * sqdist)), nearest, w


def cost(state):
    return state[1]


def oversample(X, w, state, factor, seed):
    """k-means||'s draw: each row independently with probability min(1, factor x w x d^2), from a
    generator seeded by (seed, round, block), so the draw depends on the blocks only. The rows in
    float64 (CSR for a sparse block)."""
    X = _kernels(X)[1]
    w = _weights(w)
    p = factor * state[0] if w is None else factor * w * state[0]
    keep = np.random.default_rng(seed).random(X.shape[0]) < p
    return _rows(X, np.flatnonzero(keep))


def attracted(state):
    """The weight of the block's rows nearest to each candidate (from k-means||'s state), up to the
    highest candidate number any row of the block is nearest to."""
    return np.bincount(state[2], weights=state[3]).astype(np.float64)


def soft_step(X, w, centres, beta, distance, spherical, n_threads):
    """A block's part of one soft iteration (ck_soft_partial) from float64 centres: the weighted sums
    sum_i w_i r_ij x_i (k x d), the weights sum_i w_i r_ij and the block's free energy."""
    X = _kernels(X)[1]
    k, d = centres.shape
    sums, wsum = np.empty((k, d)), np.empty(k)
    energy = soft_core_for(X).partial(
        X, _weights(w), centres, beta, distance, sums, wsum, n_threads, spherical=spherical
    )
    return sums, wsum, float(energy)


def soft_final(X, w, centres, beta, distance, spherical, n_threads):
    """The block's labels and free energy for the final centres (of the centroid dtype)."""
    X = _kernels(X)[1]
    labels = np.empty(X.shape[0], np.int32)
    energy = soft_core_for(X).estep(
        X, _weights(w), centres, beta, distance, None, labels, n_threads, spherical=spherical
    )
    return labels, float(energy)


def soft_summary(state):
    return state[1]


def soft_method(X, centres, beta, distance, spherical, n_threads, method):
    """ckmeans.SoftKMeans's `method` ('predict', 'predict_proba', 'transform') on the block."""
    return getattr(_soft_estimator(centres, beta, distance, spherical, n_threads), method)(X)


def soft_score(X, w, centres, beta, distance, spherical, n_threads):
    """The block's part of SoftKMeans.score (minus its free energy), as a 1-element array."""
    est = _soft_estimator(centres, beta, distance, spherical, n_threads)
    return np.array([est.score(X, sample_weight=None if w is None else np.ravel(w))])


def _soft_estimator(centres, beta, distance, spherical, n_threads):
    from ckmeans.estimators import SoftKMeans

    est = SoftKMeans(n_clusters=centres.shape[0], distance=distance, spherical=spherical, n_threads=n_threads)
    est.cluster_centers_, est.n_features_in_, est.beta_ = centres, centres.shape[1], beta
    return est
