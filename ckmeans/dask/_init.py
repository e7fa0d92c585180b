"""Initial centres of ckmeans.dask.KMeans over the blocks of X."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ckmeans._kmeans import _initial_centres, kmeans
from ckmeans._sparse import check_csr
from ckmeans._spherical import unit_centres
from ckmeans.dask import _blocks

# k-means|| (Bahmani et al. 2012): l = 2 k expected candidates per round, over 5 rounds (their
# experiments find a few rounds with l of order k enough).
OVERSAMPLING = 2
ROUNDS = 5


def initial_centres(blocks, X, w, n_clusters, init, seed, n_threads, cdtype, run, spherical):
    """(n_clusters, n_features) centres of dtype cdtype for run `run`, from its uint64 seed (X's rows
    are at unit norm for spherical k-means, and so are the centres returned)."""
    if not isinstance(init, str):
        return unit_centres(init.copy()) if spherical else init.copy()
    if init == "k-means||":
        return _kmeans_parallel(blocks, n_clusters, int(seed), n_threads, cdtype, run, spherical)
    # 'k-means++', 'random': ckmeans.kmeans's own, on X brought to the client.
    Xm = X.compute()
    Xm = check_csr(Xm) if sp.issparse(Xm) else np.ascontiguousarray(Xm)
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
    return _stack(blocks.client.gather(picks))


def _stack(rows):
    """Rows from the blocks (float64 arrays, or CSR from sparse blocks) as one matrix."""
    return sp.vstack(rows, format="csr") if sp.issparse(rows[0]) else np.concatenate(rows)


def _dense(rows, cdtype):
    return np.ascontiguousarray((rows.toarray() if sp.issparse(rows) else rows).astype(cdtype))


def _kmeans_parallel(blocks, k, seed, n_threads, cdtype, run, spherical):
    rng = np.random.default_rng([seed, 0])
    totals = blocks.collect(_blocks.total_weight, name=("kmpar-total", run))
    cands = [_draw_rows(blocks, rng, totals, 1, ("kmpar-first", run))]
    states, seen, batches_seen = [None] * len(blocks.x), 0, 0

    def see(r):
        """The blocks' states updated with the candidates drawn since the last update (sent dense)."""
        nonlocal states, seen, batches_seen
        drawn = _stack(cands[batches_seen:])
        new = blocks.put(_dense(drawn, cdtype), "kmpar-new", run, r)
        states = blocks.map(_blocks.nearest, new, seen, states, n_threads, name=("kmpar-nearest", run, r))
        seen, batches_seen = seen + drawn.shape[0], len(cands)

    for r in range(ROUNDS):
        see(r)
        phi = 0.0
        for c in blocks.gather(_blocks.cost, states, name=("kmpar-cost", run, r)):
            phi += c
        if not phi > 0:
            break  # every row is a candidate already
        drawn = _stack(
            blocks.collect(
                _blocks.oversample,
                states,
                OVERSAMPLING * k / phi,
                [[seed, r + 1, b] for b in range(len(states))],
                name=("kmpar-draw", run, r),
            )
        )
        if drawn.shape[0] == 0:
            break
        cands.append(drawn)
    n_cands = sum(c.shape[0] for c in cands)
    if n_cands < k:  # few distinct rows: top up with rows drawn by weight
        cands.append(_draw_rows(blocks, rng, totals, k - n_cands, ("kmpar-more", run)))
        n_cands = k
    if seen < n_cands:  # the last draw and the top-up have not been scored yet
        see(ROUNDS)
    cands = _stack(cands).astype(cdtype)
    weights = np.zeros(cands.shape[0])
    for a in blocks.gather(_blocks.attracted, states, name=("kmpar-attract", run)):
        weights[: len(a)] += a
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
        spherical=spherical,
    ).centroids
