"""Initial centres of ckmeans.dask.KMeans over the blocks of X."""

from __future__ import annotations

import numpy as np

from ckmeans._kmeans import _initial_centres, kmeans
from ckmeans.dask import _blocks

# k-means|| (Bahmani et al. 2012): l = 2 k expected candidates per round, over 5 rounds (their
# experiments find a few rounds with l of order k enough).
OVERSAMPLING = 2
ROUNDS = 5


def initial_centres(blocks, X, w, n_clusters, init, seed, n_threads, cdtype, run):
    """(n_clusters, n_features) centres of dtype cdtype for run `run`, from its uint64 seed."""
    if not isinstance(init, str):
        return init.copy()
    if init == "k-means||":
        return _kmeans_parallel(blocks, n_clusters, int(seed), n_threads, cdtype, run)
    # 'k-means++', 'random': ckmeans.kmeans's own, on X brought to the client.
    Xm = np.ascontiguousarray(X.compute())
    wm = None if w is None else np.ascontiguousarray(w.compute())
    return _initial_centres(Xm, wm, n_clusters, init, seed, None, n_threads, cdtype)


def _draw_rows(blocks, rng, totals, n, name):
    """n rows drawn at random in proportion to their weight (with replacement), as float64."""
    cum = np.cumsum(totals)
    picks = []
    for q in range(n):
        u = rng.random() * cum[-1]
        b = min(int(np.searchsorted(cum, u, side="right")), len(cum) - 1)
        before = cum[b - 1] if b else 0.0
        picks.append(blocks.on(b, _blocks.draw_row, u - before, name=(*name, q)))
    return np.array(blocks.client.gather(picks))


def _kmeans_parallel(blocks, k, seed, n_threads, cdtype, run):
    rng = np.random.default_rng([seed, 0])
    totals = blocks.collect(_blocks.total_weight, name=("kmpar-total", run))
    cands = [_draw_rows(blocks, rng, totals, 1, ("kmpar-first", run))]
    states = [None] * len(blocks.x)
    for r in range(ROUNDS):
        new = blocks.put(cands[-1].astype(cdtype), "kmpar-new", run, r)
        states = blocks.map(_blocks.nearest, new, states, n_threads, name=("kmpar-nearest", run, r))
        phi = 0.0
        for c in blocks.gather(_blocks.cost, states, name=("kmpar-cost", run, r)):
            phi += c
        if not phi > 0:
            break  # every row is a candidate already
        drawn = blocks.collect(
            _blocks.oversample,
            states,
            OVERSAMPLING * k / phi,
            [[seed, r + 1, b] for b in range(len(states))],
            name=("kmpar-draw", run, r),
        )
        drawn = np.concatenate(drawn)
        if len(drawn) == 0:
            break
        cands.append(drawn)
    cands = np.concatenate(cands)
    if len(cands) < k:  # few distinct rows: top up with rows drawn by weight
        cands = np.concatenate([cands, _draw_rows(blocks, rng, totals, k - len(cands), ("kmpar-more", run))])
    cands = np.ascontiguousarray(cands.astype(cdtype))
    sent = blocks.put(cands, "kmpar-cands", run)
    weights = np.zeros(len(cands))
    for a in blocks.collect(_blocks.attracted, sent, n_threads, name=("kmpar-attract", run)):
        weights += a
    if not (weights > 0).sum() >= k:  # a candidate set no bigger than k: weights could leave too few
        weights += 1.0
    return kmeans(
        cands,
        k,
        init="k-means++",
        n_init=1,
        sample_weight=weights,
        random_state=seed % 2**32,
        n_threads=n_threads,
    ).centroids
