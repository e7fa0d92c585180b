"""Hard k-means: ``ckmeans.kmeans()`` and its result.

Everything is validated here, once (the checks shared with soft k-means and the metrics live in
ckmeans._validation); the C core (src_c/kmeans_*.c, through ckmeans._kmeans_core)
assumes clean input. Semantics follow scikit-learn's ``KMeans(algorithm='lloyd')`` so that, from the
same initial centres, both reach the same fixed point.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from numpy.typing import ArrayLike
from sklearn.exceptions import ConvergenceWarning

from ckmeans._sparse import CSRData, check_csr, core_for, issparse
from ckmeans._spherical import check_spherical, objective_from_inertia, unit_centres, unit_rows
from ckmeans._threads import effective_n_threads
from ckmeans._validation import (
    Init,
    RandomStateLike,
    centroid_dtype,
    check_init_array,
    check_init_name,
    check_max_iter,
    check_n_clusters,
    check_n_init,
    check_random_state,
    check_sample_weight,
    check_tol,
    check_weights_for_init,
    check_X,
    raise_if_nonfinite,
    raise_if_overflowed,
)

Algorithm = Literal["auto", "lloyd", "elkan", "yinyang", "hamerly"]
_ALGORITHMS = get_args(Algorithm)
# The C fit's method for each name: scikit-learn's 'elkan' is served by the Yinyang bounds.
_METHODS = {"lloyd": "lloyd", "elkan": "yinyang", "yinyang": "yinyang", "hamerly": "hamerly", "auto": "auto"}


@dataclass(frozen=True)
class KMeansResult:
    """What ``ckmeans.kmeans`` returns (the best of ``n_init`` runs).

    centroids : (n_clusters, n_features) float32 for float32 X, float64 otherwise.
    labels : (n_samples,) int32, the nearest centroid of every row.
    inertia : sum of sample_weight x squared distance to the assigned centroid; with
        spherical=True, sum of sample_weight x (1 - cosine) to it.
    n_iter : Lloyd iterations run.
    converged : True if labels stopped changing or the centre shift fell within tol before max_iter.
    inertia_history : (n_iter,) float64, the inertia (spherical: the objective) of each iteration's
        assignment step.
    algorithm : the method that ran the fit's last iteration: 'lloyd', 'yinyang' or 'hamerly' (what
        'auto' chose; 'elkan' runs 'yinyang').
    """

    centroids: np.ndarray
    labels: np.ndarray
    inertia: float
    n_iter: int
    converged: bool
    inertia_history: np.ndarray
    algorithm: str


def _check_algorithm(algorithm):
    if not isinstance(algorithm, str) or algorithm not in _ALGORITHMS:
        raise ValueError(f"algorithm must be one of {_ALGORITHMS}, got {algorithm!r}")
    return algorithm


def _iteration_callback(history, tol_abs, verbose):
    """The C fit's per-iteration callback: appends each iteration's inertia to history (a list, so
    memory follows the iterations run, not max_iter) and, for verbose=True, prints scikit-learn's
    lines as they happen."""

    def on_iteration(iteration, inertia, center_shift, n_changed, beta):
        history.append(inertia)
        if not verbose:
            return
        print(f"Iteration {iteration}, inertia {inertia}.")
        if n_changed == 0:
            print(f"Converged at iteration {iteration}: strict convergence.")
        elif center_shift <= tol_abs:
            print(
                f"Converged at iteration {iteration}: center shift {center_shift} within tolerance {tol_abs}."
            )

    return on_iteration


def _tolerance(X, tol, n_threads):
    """scikit-learn's tol scale: tol x mean of the per-feature variances of X (unweighted)."""
    if tol == 0:
        return 0.0
    return float(core_for(X).mean_feature_variance(X, n_threads) * tol)


def _run_seeds(rs, n_runs):
    """One uint64 seed per run for the C generator, drawn from the caller's random state."""
    if isinstance(rs, np.random.Generator):
        return rs.integers(0, 2**64, size=n_runs, dtype=np.uint64)
    return rs.randint(0, np.iinfo(np.int64).max, size=n_runs, dtype=np.int64).astype(np.uint64)


def _initial_centres(X, w, n_clusters, init, seed, random_state, n_threads, cdtype):
    centres = np.empty((n_clusters, X.shape[1]), dtype=cdtype)
    indices = np.empty(n_clusters, dtype=np.int64)
    if isinstance(init, str) and init == "k-means++":
        core_for(X).kmeans_plusplus(X, w, np.uint64(seed), 0, centres, indices, n_threads)
    elif isinstance(init, str) and init == "random":
        core_for(X).random_init(X, w, np.uint64(seed), centres, indices)
    elif callable(init):
        user_x = X.matrix if isinstance(X, CSRData) else X
        centres = check_init_array(init(user_x, n_clusters, random_state), n_clusters, X.shape[1], cdtype)
    else:
        centres = check_init_array(init, n_clusters, X.shape[1], cdtype)
    return centres


def kmeans(
    X: ArrayLike,
    n_clusters: int,
    *,
    init: Init = "k-means++",
    n_init: int | Literal["auto"] = "auto",
    max_iter: int = 300,
    tol: float = 1e-4,
    sample_weight: ArrayLike | None = None,
    algorithm: Algorithm = "auto",
    random_state: RandomStateLike = None,
    n_threads: int | None = None,
    verbose: bool = False,
    spherical: bool = False,
) -> KMeansResult:
    """Hard k-means (Lloyd) with scikit-learn's semantics and a C/OpenMP core.

    Parameters
    ----------
    X : array (n_samples, n_features). float32, float64 and uint8 are used as they are (uint8 is
        never converted to float); other real types become float64. Any memory order.
        Or a scipy sparse matrix or array: CSR with float32 or float64 values and int32 or int64
        indices is used without copying (unsorted indices and stored zeros are fine); other
        formats (CSC, COO, ...), other value types and rows listing a column twice are converted
        to canonical CSR first, a copy. Sparse fits run Lloyd's iterations whatever ``algorithm``
        says (``algorithm`` of the result says so); every other option works as for dense X.
    n_clusters : int in [1, n_samples].
    init : 'k-means++' (greedy, 2 + ln k candidates per centre), 'random' (n_clusters distinct rows,
        drawn proportional to sample_weight), an array (n_clusters, n_features) of any float dtype,
        or a callable ``init(X, n_clusters, random_state) -> array``.
    n_init : runs from different initialisations, the lowest inertia wins; 'auto' is 1 for
        'k-means++' or an array and 10 for 'random' or a callable. An init array runs once
        whatever n_init says (a RuntimeWarning when it asked for more), as in scikit-learn.
    max_iter : iterations per run (>= 1).
    tol : relative tolerance (>= 0): a run stops when the squared centre shift is within
        tol x mean feature variance of X. Labels that stop changing always stop it.
    sample_weight : None or (n_samples,) non-negative weights, not all zero.
    algorithm : 'auto' (default), 'lloyd', 'yinyang', 'hamerly' or 'elkan'. All give the same result
        (labels, centroids bit for bit, n_iter, inertia) from the same init; they differ in speed:
        'lloyd' computes every point-centre distance each iteration; 'yinyang' (Ding et al. 2015)
        keeps per-point bounds on the distances to groups of centres (4 x (groups + 1) bytes per
        point, groups = ceil(n_clusters / 4) up to 64) and searches only the points whose label may
        change; 'hamerly' is the same with one group (8 bytes per point); 'elkan' (scikit-learn's
        name) runs 'yinyang' ('lloyd' for a single cluster, with scikit-learn's RuntimeWarning);
        'auto' runs 'yinyang' with at least 64 clusters and max_iter >= 20;
        with fewer clusters (max_iter >= 20, float X, no sample_weight) it runs 'hamerly' when the
        first iteration finds the cluster sums exact in float64 (integer-valued data such as pixels):
        then only the points that change cluster update the sums, and the points the bounds settle
        are not read at all; else 'lloyd'.
        inertia_history of the bounded runs is computed from the cluster sums, so it differs from
        Lloyd's in rounding only.
    random_state : None, int, numpy RandomState or Generator. Seeds the C generator of each run, so
        a given value reproduces the same centres for any n_threads.
    n_threads : see ckmeans._threads (None = all usable cores). Never changes the result.
    verbose : print, as scikit-learn does, when each run's initialisation is complete, the inertia
        of every iteration as the C fit reports it, and why the run stopped.
    spherical : spherical k-means (faiss's name): the rows are scaled to unit L2 norm (a copy; an
        all-zero row is a ValueError), each point goes to the centre of largest cosine, each centre
        is the normalised mean of its points, and the objective (``inertia``) is
        sum_i w_i (1 - cos(x_i, c)); n_init keeps the lowest. Initial centres given as an array or
        by a callable are scaled to unit norm too. For unit vectors
        ||x - c||^2 = 2 (1 - cos), so the Euclidean k-means++ and fit on the normalised rows, with
        the centres rescaled to unit norm after every update, are the cosine ones.

    Returns
    -------
    KMeansResult
    """
    # No scan of its own for NaN and infinity unless a callable init gets X first: the tol scale, the
    # k-means++ and the fit's first step all read X anyway and report them (one read of X less).
    if issparse(X):
        X = check_csr(X)
    else:
        X = check_X(X, n_threads, scan=callable(init) or bool(spherical))
    if check_spherical(spherical):
        X = unit_rows(X)
    n_samples, n_features = X.shape
    n_clusters = check_n_clusters(n_clusters, n_samples)
    check_max_iter(max_iter)
    check_tol(tol)
    method = _METHODS[_check_algorithm(algorithm)]
    if algorithm == "elkan" and n_clusters == 1:
        warnings.warn(
            "algorithm='elkan' doesn't make sense for a single cluster. Using 'lloyd' instead.",
            RuntimeWarning,
            stacklevel=2,
        )  # scikit-learn's warning
        method = "lloyd"
    is_string_init = check_init_name(init)
    w = check_sample_weight(sample_weight, n_samples)
    check_weights_for_init(w, init, n_clusters)
    n_threads = effective_n_threads(n_threads)
    cdtype = centroid_dtype(X)
    if not is_string_init and not callable(init):
        init = check_init_array(init, n_clusters, n_features, cdtype)
    n_init = check_n_init(n_init, init, "KMeans")
    tol_abs = _tolerance(X, tol, n_threads)
    if not np.isfinite(tol_abs):
        raise_if_nonfinite(X, n_threads)  # (else finite values so large that their variance overflows)
    random_state = check_random_state(random_state)
    seeds = _run_seeds(random_state, n_init)

    best = None
    for run in range(n_init):
        labels = np.empty(n_samples, dtype=np.int32)
        history = []
        try:
            centres = _initial_centres(X, w, n_clusters, init, seeds[run], random_state, n_threads, cdtype)
            if spherical and not is_string_init:
                centres = unit_centres(centres)
            if verbose:
                print("Initialization complete")
            n_iter, inertia, converged, ran = core_for(X).fit(
                X,
                w,
                centres,
                labels,
                method,
                max_iter,
                tol_abs,
                n_threads,
                None,
                callback=_iteration_callback(history, tol_abs, verbose),
                spherical=bool(spherical),
            )
        except ValueError:
            raise_if_nonfinite(X, n_threads)  # the kernels' CK_ERR_KMEANS_NONFINITE, with the value named
            raise
        raise_if_overflowed(inertia, centres, what="the k-means inertia")
        if spherical:
            inertia = objective_from_inertia(inertia)
            history = [objective_from_inertia(value) for value in history]
        if best is None or inertia < best.inertia:
            best = KMeansResult(
                centres,
                labels,
                float(inertia),
                int(n_iter),
                bool(converged),
                np.array(history, dtype=np.float64),
                ran,
            )
    n_distinct = np.unique(best.labels).size
    if n_distinct < n_clusters:
        warnings.warn(
            f"Number of distinct clusters ({n_distinct}) found smaller than n_clusters "
            f"({n_clusters}). Possibly due to duplicate points in X.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return best
