"""Soft k-means (MacKay): ``ckmeans.soft_kmeans()`` and its result.

Input is checked here, once, with the checks hard k-means uses too (ckmeans._validation); the C
core (src_c/soft_kmeans.c, through ckmeans._soft_core) assumes clean input. The algorithm is the one of
the original notebook: Euclidean distances (not squared, by default), responsibilities by a
log-sum-exp, weighted means, and a stop when the Frobenius norm of the centre change falls below tol.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable, Literal, Union

import numpy as np
from numpy.typing import ArrayLike

from ckmeans._kmeans import _initial_centres, _run_seeds
from ckmeans._sparse import check_csr, issparse, soft_core_for
from ckmeans._spherical import check_spherical, unit_centres, unit_rows
from ckmeans._threads import effective_n_threads
from ckmeans._validation import (
    Init,
    RandomStateLike,
    centroid_dtype,
    check_allocation,
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
    raise_if_overflowed,
)

# A stiffness, a sequence of them (one per iteration) or a function of the iteration.
Beta = Union[float, Sequence[float], Callable[[int], float]]

# Codes of CK_SOFT_EUCLIDEAN / CK_SOFT_SQEUCLIDEAN in ckmeans.h.
DISTANCES = {"euclidean": 0, "sqeuclidean": 1}


@dataclass(frozen=True)
class SoftKMeansResult:
    """What ``ckmeans.soft_kmeans`` returns (the best of ``n_init`` runs).

    centroids : (n_clusters, n_features) float32 for float32 X, float64 otherwise (computed in
        float64 in every case and rounded at the end).
    responsibilities : (n_samples, n_clusters) float64 of the returned centroids (rows sum to 1), or
        None when ``return_responsibilities=False`` (then never allocated).
    labels : (n_samples,) int32, argmax of the responsibilities = the nearest centroid.
    objective : the soft k-means free energy of the returned centroids at the last beta used,
        ``F = sum_i w_i * (-1/beta) * log(sum_j exp(-beta * d(x_i, c_j)))`` (spherical:
        ``d = 1 - cos``).
    n_iter : E+M iterations run.
    converged : True if the Frobenius norm of the centre change fell below tol.
    objective_history : (n_iter,) float64, F of the centres each iteration started from.
    beta : the last beta used (the one of ``objective``, ``responsibilities`` and ``labels``).
    """

    centroids: np.ndarray
    responsibilities: np.ndarray | None
    labels: np.ndarray
    objective: float
    n_iter: int
    converged: bool
    objective_history: np.ndarray
    beta: float


def _check_beta_value(value, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what} must be a real number, got {value!r}")
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{what} must be a finite number > 0, got {value!r}")
    return value


def _beta_schedule(beta, max_iter):
    """float64 array of the betas of iterations 0, 1, ...; the C loop holds the last one after it.

    A number is one beta for every iteration; a sequence gives iteration t its t-th value (values
    past max_iter are never used; after its end the last value holds); for a callable, the array
    holds ``beta(0)`` alone, and _FitMonitor writes ``beta(t)`` there as iteration t - 1 ends, so
    the callable is evaluated only for the iterations that run.
    """
    if isinstance(beta, (numbers.Real, np.bool_)):  # booleans are refused by the value check
        return np.array([_check_beta_value(beta, "beta")])
    if callable(beta):
        return np.array([_check_beta_value(beta(0), "beta(0)")])
    if isinstance(beta, (str, bytes)) or np.ndim(beta) != 1:
        raise ValueError(
            "beta must be a number > 0, a 1-D sequence of them (one per iteration) or a "
            f"callable iteration -> beta, got {beta!r}"
        )
    values = list(beta)[:max_iter]
    if not values:
        raise ValueError("beta is an empty sequence: give at least one value")
    return np.array([_check_beta_value(v, f"beta[{t}]") for t, v in enumerate(values)])


def _check_distance(distance):
    if not isinstance(distance, str) or distance not in DISTANCES:
        raise ValueError(f"distance must be one of {sorted(DISTANCES)}, got {distance!r}")
    return DISTANCES[distance]


class _FitMonitor:
    """The C fit's per-iteration callback: the free energies (a list, so memory follows the
    iterations run, not max_iter), the last beta used, the next beta of a callable schedule (the C
    loop reads betas[0] again at every iteration), and verbose's lines."""

    def __init__(self, schedule, betas, max_iter, verbose):
        self.schedule, self.betas, self.max_iter, self.verbose = schedule, betas, max_iter, verbose
        self.history, self.beta = [], float(betas[0])

    def __call__(self, iteration, energy, center_shift, n_changed, beta):
        self.history.append(energy)
        self.beta = beta
        if self.verbose:
            print(f"Iteration {iteration}, beta {beta}, free energy {energy}.")
        t = iteration + 1
        if callable(self.schedule) and t < self.max_iter:
            self.betas[0] = _check_beta_value(self.schedule(t), f"beta({t})")


def soft_kmeans(
    X: ArrayLike,
    n_clusters: int,
    beta: Beta,
    *,
    init: Init = "k-means++",
    n_init: int | Literal["auto"] = "auto",
    max_iter: int = 100,
    tol: float = 1e-5,
    distance: Literal["euclidean", "sqeuclidean"] = "euclidean",
    sample_weight: ArrayLike | None = None,
    random_state: RandomStateLike = None,
    n_threads: int | None = None,
    return_responsibilities: bool = True,
    verbose: bool = False,
    spherical: bool = False,
) -> SoftKMeansResult:
    """Soft k-means with stiffness ``beta`` (MacKay, Information Theory, Inference and Learning
    Algorithms, ch. 20) and a C/OpenMP core.

    Each iteration computes the responsibilities
    ``r_ij = exp(-beta d(x_i, c_j)) / sum_l exp(-beta d(x_i, c_l))`` (a stable log-sum-exp: finite for
    raw 0..255 pixels at any beta) and moves every centre to ``sum_i w_i r_ij x_i / sum_i w_i r_ij``,
    in one pass over X. Responsibilities, and their products ``w_i r_ij``, below the smallest normal
    double (2.2e-308) are 0: subnormal numbers would slow every iteration several times over on
    Intel CPUs, and what they would add to the sums is below 2.2e-308 times a point. A cluster
    whose total responsibility is then 0 keeps its previous centre.

    Parameters
    ----------
    X : array (n_samples, n_features). float32, float64 and uint8 are used as they are (uint8 is
        never converted to float); other real types become float64. Any memory order. For mostly
        zero float rows (images) the fit keeps a packed copy of their nonzero 8-feature groups, up
        to half the size of X and only where free memory allows (see README, 'Memory').
        Or a scipy sparse matrix or array, taken as :func:`ckmeans.kmeans` takes it (CSR with
        float32/float64 values and int32/int64 indices used without copying; other formats
        converted). Sparse distances are ``||x||^2 - 2 x.c + ||c||^2`` clamped at 0 (dense ones are
        recomputed by differences where that expansion cancels), so sparse and dense fits of the
        same data agree to rounding, not bit for bit. A sparse fit keeps a transposed copy of X
        (16 bytes per stored value) for its M-steps.
    n_clusters : int in [1, n_samples].
    beta : stiffness > 0 (an inverse length for 'euclidean', an inverse squared length for
        'sqeuclidean'). Or a schedule for deterministic annealing: a sequence (iteration t uses
        beta[t]; past its end the last value holds) or a callable ``beta(t)`` of the 0-based
        iteration. Every value used must be finite and > 0. Large beta tends to hard k-means, beta
        -> 0 sends every centre to the weighted mean of X.
    init : 'k-means++', 'random', an array (n_clusters, n_features) or a callable
        ``init(X, n_clusters, random_state)``, as in :func:`ckmeans.kmeans`.
    n_init : runs from different initialisations, as in :func:`ckmeans.kmeans`: 'auto' is 1 for
        'k-means++' or an array and 10 for 'random' or a callable; an init array runs once. The
        run with the lowest free energy (``objective``) wins. (With a schedule cut short by tol,
        runs may end at different betas: pass tol=0 to compare them at the same one.)
    max_iter : iterations (>= 1).
    tol : absolute (>= 0): stop when the Frobenius norm of the centre change is < tol; 0 runs max_iter
        iterations. A schedule is cut short by it too: pass tol=0 to run a whole schedule.
    distance : 'euclidean' (``||x - c||``, the notebook's choice) or 'sqeuclidean' (``||x - c||^2``).
    sample_weight : None or (n_samples,) non-negative weights, not all zero.
    random_state : None, int, RandomState or Generator; seeds the initialisation.
    n_threads : see ckmeans._threads (None = all usable cores). Never changes the result.
    return_responsibilities : False skips the (n_samples, n_clusters) array (result field None).
    verbose : print each run's start, the beta and free energy of every iteration as the C fit
        reports it, and how the run ended.
    spherical : soft spherical k-means, a von Mises-Fisher mixture with shared concentration
        ``beta`` and equal weights: the rows are scaled to unit L2 norm (a copy; an all-zero row is
        a ValueError), ``r_ij`` is proportional to ``exp(beta cos(x_i, c_j))``, and every centre is
        rescaled to unit norm after each M-step. ``distance`` is then not used: d = 1 - cos
        = ||x - c||^2 / 2 for unit vectors, so ``objective`` is the free energy in units of
        1 - cos and tends to spherical k-means' objective sum_i w_i (1 - cos) as beta grows.
        Initial centres given as an array or by a callable are scaled to unit norm too.

    Returns
    -------
    SoftKMeansResult
    """
    X = check_csr(X) if issparse(X) else check_X(X, n_threads)
    if check_spherical(spherical):
        X = unit_rows(X)
    n_samples, n_features = X.shape
    n_clusters = check_n_clusters(n_clusters, n_samples)
    check_max_iter(max_iter)
    check_tol(tol)
    betas = _beta_schedule(beta, max_iter)
    distance_code = _check_distance(distance)
    check_init_name(init)
    w = check_sample_weight(sample_weight, n_samples)
    check_weights_for_init(w, init, n_clusters)
    n_threads = effective_n_threads(n_threads)
    cdtype = centroid_dtype(X)
    is_string_init = isinstance(init, str)
    if not is_string_init and not callable(init):
        init = check_init_array(init, n_clusters, n_features, cdtype)
    n_init = check_n_init(n_init, init, "SoftKMeans")
    random_state = check_random_state(random_state)
    seeds = _run_seeds(random_state, n_init)

    best = None
    spare = None  # a responsibilities array the best run does not hold: the next run writes there
    if return_responsibilities:
        check_allocation((n_samples, n_clusters), "the responsibilities")
    first_beta = betas[0]
    for run in range(n_init):
        # Responsibilities before the initialisation: a model too big for memory fails at once.
        resp = None
        if return_responsibilities:
            resp = spare if spare is not None else np.empty((n_samples, n_clusters))
        centres = _initial_centres(X, w, n_clusters, init, seeds[run], random_state, n_threads, cdtype)
        if spherical and not is_string_init:
            centres = unit_centres(centres)
        labels = np.empty(n_samples, dtype=np.int32)
        betas[0] = first_beta
        monitor = _FitMonitor(beta, betas, max_iter, verbose)
        if verbose:
            print("Initialization complete")
        n_iter, objective, converged = soft_core_for(X).fit(
            X,
            w,
            betas,
            distance_code,
            centres,
            int(max_iter),
            float(tol),
            n_threads,
            resp,
            labels,
            None,
            callback=monitor,
            spherical=bool(spherical),
        )
        raise_if_overflowed(objective, centres, what="the soft k-means free energy")
        if verbose:
            print(
                f"{'Converged' if converged else 'Stopped'} after {n_iter} iterations, "
                f"free energy {objective}."
            )
        if best is None or objective < best.objective:
            spare = None if best is None else best.responsibilities
            best = SoftKMeansResult(
                centres,
                resp,
                labels,
                float(objective),
                int(n_iter),
                bool(converged),
                np.array(monitor.history, dtype=np.float64),
                float(monitor.beta),
            )
        else:
            spare = resp
    return best
