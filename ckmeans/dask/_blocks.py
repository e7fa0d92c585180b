"""What runs on a worker, one block of rows at a time: the C kernels over a block (hard and soft
k-means), and nothing that needs the whole data. The drivers (ckmeans.dask._kmeans, _soft) sum what
these return in block order.

A block arrives as dask holds it: a NumPy array of the dtype the driver chose (float32, float64 or
uint8), C-contiguous after ``_dense``. ``_kernels`` is the one place where a block's type picks its
kernels, so that a sparse block type can plug in beside the dense one.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ckmeans import _kmeans_core, _soft_core


def _dense(X):
    return np.ascontiguousarray(X)


def _kernels(X):
    """The kernel module of a block's type and the block as those kernels take it."""
    return _kmeans_core, _dense(X)


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
    return sqdist, index, X[index].astype(np.float64), weights, labels[index]


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


def predict(X, centres, n_threads):
    core, X = _kernels(X)
    labels = np.empty(X.shape[0], np.int32)
    core.assign(X, centres, labels, None, n_threads)
    return labels


def distances(X, centres):
    """Euclidean distances of the block's rows to the centres: ckmeans.KMeans.transform's."""
    from ckmeans.estimators import KMeans

    est = KMeans(n_clusters=centres.shape[0])
    est.cluster_centers_, est.n_features_in_ = centres, centres.shape[1]
    return est.transform(X)


def total_weight(X, w):
    return float(X.shape[0]) if w is None else float(np.sum(_weights(w)))


def draw_row(X, w, u):
    """The row where the running weight (1 per row without weights) first exceeds u, as float64."""
    X = _dense(X)
    cum = np.cumsum(np.ones(X.shape[0]) if w is None else _weights(w))
    i = min(int(np.searchsorted(cum, u, side="right")), X.shape[0] - 1)
    return X[i].astype(np.float64)


def nearest(X, w, centres, prev, n_threads):
    """k-means||'s state of a block: every row's squared distance to its nearest candidate (the new
    candidates `centres`, and prev's if given) and the block's weighted cost."""
    core, X = _kernels(X)
    labels, sqdist = np.empty(X.shape[0], np.int32), np.empty(X.shape[0])
    core.assign(X, centres, labels, sqdist, n_threads)
    if prev is not None:
        np.minimum(prev[0], sqdist, out=sqdist)
    w = _weights(w)
    return sqdist, float(np.sum(sqdist if w is None else w * sqdist))


def cost(state):
    return state[1]


def oversample(X, w, state, factor, seed):
    """k-means||'s draw: each row independently with probability min(1, factor x w x d^2), from a
    generator seeded by (seed, round, block), so the draw depends on the blocks only."""
    X = _dense(X)
    w = _weights(w)
    p = factor * state[0] if w is None else factor * w * state[0]
    keep = np.random.default_rng(seed).random(X.shape[0]) < p
    return X[keep].astype(np.float64)


def attracted(X, w, centres, n_threads):
    """The weight of the block's rows nearest to each candidate."""
    labels = predict(X, centres, n_threads)
    return np.bincount(labels, weights=_weights(w), minlength=centres.shape[0]).astype(np.float64)


def soft_step(X, w, centres, beta, distance, n_threads):
    """A block's part of one soft iteration (ck_soft_partial) from float64 centres: the weighted sums
    sum_i w_i r_ij x_i (k x d), the weights sum_i w_i r_ij and the block's free energy."""
    X = _dense(X)
    k, d = centres.shape
    sums, wsum = np.empty((k, d)), np.empty(k)
    energy = _soft_core.partial(X, _weights(w), centres, beta, distance, sums, wsum, n_threads)
    return sums, wsum, float(energy)


def soft_final(X, w, centres, beta, distance, n_threads):
    """The block's labels and free energy for the final centres (of the centroid dtype)."""
    X = _dense(X)
    labels = np.empty(X.shape[0], np.int32)
    energy = _soft_core.estep(X, _weights(w), centres, beta, distance, None, labels, n_threads)
    return labels, float(energy)


def soft_summary(state):
    return state[1]


def soft_method(X, centres, beta, distance, n_threads, method):
    """ckmeans.SoftKMeans's `method` ('predict', 'predict_proba', 'transform') on the block."""
    return getattr(_soft_estimator(centres, beta, distance, n_threads), method)(X)


def soft_score(X, w, centres, beta, distance, n_threads):
    """The block's part of SoftKMeans.score (minus its free energy), as a 1-element array."""
    est = _soft_estimator(centres, beta, distance, n_threads)
    return np.array([est.score(X, sample_weight=None if w is None else np.ravel(w))])


def _soft_estimator(centres, beta, distance, n_threads):
    from ckmeans.estimators import SoftKMeans

    est = SoftKMeans(n_clusters=centres.shape[0], distance=distance, n_threads=n_threads)
    est.cluster_centers_, est.n_features_in_, est.beta_ = centres, centres.shape[1], beta
    return est
