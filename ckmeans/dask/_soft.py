"""The driver of ckmeans.dask.SoftKMeans: the soft fit loop over the blocks of a dask array.

Each iteration sends the float64 centres to the cluster once, runs ``_blocks.soft_step`` (the C
partial of a soft step, ck_soft_partial) on every block where it lives and sums the blocks' O(k x d)
partials here in block order, then takes the M-step: the result depends on the chunking only. The
checks, the blocks on the cluster and the initial centres are ckmeans.dask.KMeans's.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin

from ckmeans._soft import _beta_schedule, _check_distance, _FitMonitor
from ckmeans._spherical import check_spherical, unit_centres
from ckmeans._validation import check_max_iter
from ckmeans.dask import _blocks
from ckmeans.dask._kmeans import _check_n_threads, _FitSetup, check_dask_sample_weight, check_new_X


def _soft_run(blocks, C, betas, monitor, max_iter, tol, distance, spherical, n_threads, run):
    """One run of the soft fit from float64 centres C, each iteration's beta taken from betas as the
    C fit takes it (monitor, ckmeans._soft's, records the free energies and the last beta, prints
    verbose's lines and evaluates a callable schedule). Returns (centres, n_iter, converged)."""
    for it in range(max_iter):
        beta = float(betas[min(it, len(betas) - 1)])
        centres = blocks.put(C, "soft-centres", run, it)
        parts = blocks.collect(
            _blocks.soft_step, centres, beta, distance, spherical, n_threads, name=("soft-step", run, it)
        )
        sums, wsum, energy = parts[0][0].copy(), parts[0][1].copy(), parts[0][2]
        for s, ws, e in parts[1:]:
            sums += s
            wsum += ws
            energy += e
        # ck_soft_step's M-step: a cluster of total weight 0 keeps its centre
        C_new = C.copy()
        full = wsum > 0
        C_new[full] = sums[full] / wsum[full, None]
        if spherical:
            unit_centres(C_new)
        shift = float(np.sqrt(((C_new - C) ** 2).sum()))
        C = C_new
        monitor(it, energy, shift, -1, beta)
        if shift < tol:
            return C, it + 1, True
    return C, max_iter, False


class SoftKMeans(ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """Soft k-means (MacKay) on a dask array, with the ckmeans C kernels running on the workers.

    The parameters and the result are those of :class:`ckmeans.SoftKMeans` (beta or a schedule of
    betas, 'euclidean' or 'sqeuclidean' distances, tol on the Frobenius norm of the centre change,
    the run of lowest free energy of n_init), over X given as a ``dask.array`` of row blocks
    (float32, float64 or uint8, used as they are, or scipy sparse blocks as in
    :class:`ckmeans.dask.KMeans`). It runs on the current ``dask.distributed``
    Client.

    Each iteration sends the centres (float64, as the in-memory fit holds them) to the cluster
    once; every block runs the C soft step without its M-step where it lives and returns its
    weighted sums, weights and free energy, summed in block order: the result depends on the
    chunking of X, never on the number of workers. It equals the in-memory fit from the same
    initial centres up to the order of the sums. Labels stay on the workers: ``labels_``,
    ``predict``, ``predict_proba``, ``transform`` and ``score`` return dask arrays.

    Parameters
    ----------
    n_clusters : int, default=8
    beta : float, sequence of floats or callable, default=1.0
    init : {'k-means||', 'k-means++', 'random'} or array (n_clusters, n_features), default='k-means||'
        As in :class:`ckmeans.dask.KMeans` ('k-means++' and 'random' bring X to the client).
    n_init : 'auto' or int, default='auto'
        'auto': 1 for 'k-means||', 'k-means++' or an array, 10 for 'random'.
    max_iter : int, default=100
    tol : float, default=1e-5
    distance : {'euclidean', 'sqeuclidean'}, default='euclidean'
    random_state : None, int, numpy RandomState or Generator, default=None
    n_threads : int, default=1
        Threads of each block's kernel on its worker (see :class:`ckmeans.dask.KMeans`).
    verbose : int, default=0
    spherical : bool, default=False
        Soft spherical k-means, as in :class:`ckmeans.SoftKMeans` (a von Mises-Fisher mixture of
        shared concentration beta): rows scaled to unit norm on the workers, centres rescaled to
        unit norm after each update.
    persist : 'auto' or bool, default='auto'
        Whether X stays in the workers' memory during the fit (see :class:`ckmeans.dask.KMeans`).

    Attributes
    ----------
    cluster_centers_ : ndarray (n_clusters, n_features), float32 for float32 X, else float64
    labels_ : dask array of int32, shape (n_samples,), held on the workers
    objective_ : float, the free energy of X at ``beta_``
    objective_history_ : ndarray, the free energy of the centres each iteration started from
    beta_ : float, the last beta of the fit
    n_iter_ : int
    converged_ : bool, whether the centre shift fell below tol
    n_features_in_ : int
    """

    def __init__(
        self,
        n_clusters=8,
        *,
        beta=1.0,
        init="k-means||",
        n_init="auto",
        max_iter=100,
        tol=1e-5,
        distance="euclidean",
        random_state=None,
        n_threads=1,
        verbose=0,
        spherical=False,
        persist="auto",
    ):
        self.n_clusters = n_clusters
        self.beta = beta
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.distance = distance
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose
        self.spherical = spherical
        self.persist = persist

    def fit(self, X, y=None, sample_weight=None):
        """Compute the soft clustering of the dask array X (y is ignored). Returns self."""
        check_max_iter(self.max_iter)  # (the schedule's length depends on it)
        betas = _beta_schedule(self.beta, self.max_iter)
        distance = _check_distance(self.distance)
        fit = _FitSetup(self, X, sample_weight, want_variance=False)
        blocks, n_threads = fit.blocks, fit.n_threads
        first_beta = betas[0]
        best = None
        for run in range(fit.n_init):
            C = fit.initial_centres(run).astype(np.float64)
            betas[0] = first_beta
            monitor = _FitMonitor(self.beta, betas, self.max_iter, bool(self.verbose))
            C, n_iter, converged = _soft_run(
                blocks, C, betas, monitor, self.max_iter, self.tol, distance, fit.spherical, n_threads, run
            )
            # the final E-step at the last beta, with the centres rounded as the caller gets them
            C = C.astype(fit.cdtype)
            finals = blocks.map(
                _blocks.soft_final,
                blocks.put(C, "soft-final", run),
                monitor.beta,
                distance,
                fit.spherical,
                n_threads,
                name=("soft-final", run),
            )
            objective = 0.0
            for e in blocks.gather(_blocks.soft_summary, finals, name=("soft-summary", run)):
                objective += e
            if self.verbose:
                print(
                    f"{'Converged' if converged else 'Stopped'} after {n_iter} iterations, "
                    f"free energy {objective}."
                )
            if best is None or objective < best[1]:
                best = (C, objective, n_iter, np.array(monitor.history), monitor.beta, converged, finals)
        C, objective, n_iter, history, beta, converged, finals = best
        self.labels_ = blocks.labels(finals)
        self.cluster_centers_ = C
        self.objective_ = float(objective)
        self.objective_history_ = history
        self.beta_ = float(beta)
        self.n_iter_ = int(n_iter)
        self.converged_ = bool(converged)
        self.n_features_in_ = fit.n_features
        self._n_features_out = fit.n_clusters
        return self

    def _map(self, X, method, dtype, **kwargs):
        X, centres = check_new_X(self, X)
        return X.map_blocks(
            _blocks.soft_method,
            centres,
            self.beta_,
            self.distance,
            check_spherical(self.spherical),
            _check_n_threads(self.n_threads),
            method,
            dtype=dtype,
            meta=np.empty((0,) * (1 if kwargs.get("drop_axis") else 2), dtype),
            **kwargs,
        )

    def predict(self, X):
        """Cluster of largest responsibility (the nearest centre) of every row of the dask array X: a
        lazy dask array of int32."""
        return self._map(X, "predict", np.int32, drop_axis=1)

    def predict_proba(self, X):
        """Responsibilities of every row of X at ``beta_``: a lazy dask array (n_samples,
        n_clusters) of float64."""
        return self._map(X, "predict_proba", np.float64, chunks=(X.chunks[0], (len(self.cluster_centers_),)))

    def transform(self, X):
        """Distances of every row of X to every centre in the fitted ``distance``: a lazy dask array."""
        dtype = np.float32 if X.dtype == np.float32 else np.float64
        return self._map(X, "transform", dtype, chunks=(X.chunks[0], (len(self.cluster_centers_),)))

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the free energy of X with the fitted centres at ``beta_``: a lazy 0-d dask
        array (the blocks' parts summed)."""
        X, centres = check_new_X(self, X)
        w = check_dask_sample_weight(sample_weight, X)
        args = (
            centres,
            self.beta_,
            self.distance,
            check_spherical(self.spherical),
            _check_n_threads(self.n_threads),
        )
        weight = None if w is None else w[:, None]
        parts = X.map_blocks(
            _blocks.soft_score, weight, *args, dtype=np.float64, drop_axis=1, chunks=(1,), meta=np.empty((0,))
        )
        return parts.sum()

    def fit_predict(self, X, y=None, sample_weight=None):
        return self.fit(X, sample_weight=sample_weight).labels_
