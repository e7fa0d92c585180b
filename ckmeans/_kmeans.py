"""Hard k-means: ``ckmeans.kmeans()`` and its result.

Everything is validated here, once; the C core (src_c/kmeans_*.c, through ckmeans._kmeans_core)
assumes clean input. Semantics follow scikit-learn's ``KMeans(algorithm='lloyd')`` so that, from the
same initial centres, both reach the same fixed point.
"""
import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ckmeans import _kmeans_core
from ckmeans._threads import effective_n_threads

_ALGORITHMS = ("lloyd", "elkan", "yinyang", "hamerly", "auto")
# The C fit's method for each name: scikit-learn's 'elkan' is served by the Yinyang bounds.
_METHODS = {"lloyd": "lloyd", "elkan": "yinyang", "yinyang": "yinyang", "hamerly": "hamerly", "auto": "auto"}
# The C loop counts iterations in an int, and the inertia history takes 8 bytes per allowed iteration.
_MAX_ITER_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class KMeansResult:
    """What ``ckmeans.kmeans`` returns (the best of ``n_init`` runs).

    centroids : (n_clusters, n_features) float32 for float32 X, float64 otherwise.
    labels : (n_samples,) int32, the nearest centroid of every row.
    inertia : sum of sample_weight x squared distance to the assigned centroid.
    n_iter : Lloyd iterations run.
    converged : True if labels stopped changing or the centre shift fell within tol before max_iter.
    inertia_history : (n_iter,) float64, the inertia of each iteration's assignment step.
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


def _check_X(X, n_threads=None, scan=True):
    """float32, float64 and uint8 as they are; any other real numbers as float64; C order. Float X
    is scanned for NaN and infinity in C on n_threads (see ckmeans._threads), unless scan is False:
    for callers whose kernels report non-finite X themselves (see _raise_if_nonfinite)."""
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"X must hold real numbers, got dtype {X.dtype}") from exc
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features), got {X.ndim}-D with shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X is empty: shape {X.shape}; k-means needs at least one sample and one feature")
    if X.dtype not in (np.float32, np.float64, np.uint8):
        X = X.astype(np.float64)
    X = np.ascontiguousarray(X)
    if scan:
        _raise_if_nonfinite(X, n_threads)
    return X


def _raise_if_nonfinite(X, n_threads=None):
    """The ValueError naming the first NaN or infinity of float X, if it holds one."""
    if X.dtype.kind == "f":
        first = _kmeans_core.find_nonfinite(X, effective_n_threads(n_threads))
        if first >= 0:
            row, col = divmod(first, X.shape[1])
            raise ValueError(f"X contains NaN or infinity (first at X[{row}, {col}] = {X[row, col]})")


def _check_n_clusters(n_clusters, n_samples):
    """n_clusters as an int in [1, n_samples]."""
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, numbers.Integral):
        raise TypeError(f"n_clusters must be an integer, got {n_clusters!r}")
    if not 1 <= n_clusters <= n_samples:
        raise ValueError(f"n_clusters={n_clusters} must be in [1, n_samples={n_samples}]")
    return int(n_clusters)


def _check_max_iter(max_iter):
    if (isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral)
            or not 1 <= max_iter <= _MAX_ITER_LIMIT):
        raise ValueError(f"max_iter must be an integer in [1, {_MAX_ITER_LIMIT}], got {max_iter!r}")


def _check_tol(tol):
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol >= 0 or not np.isfinite(tol):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")


def _check_init_name(init):
    """True for a string init (which must name a method); arrays and callables are checked later."""
    if isinstance(init, str) and init not in ("k-means++", "random"):
        raise ValueError(f"init must be 'k-means++', 'random', an array or a callable, got {init!r}")
    return isinstance(init, str)


def _check_weights_for_init(w, init, n_clusters):
    """Drawing n_clusters distinct rows needs that many rows of positive weight."""
    if w is not None and isinstance(init, str) and np.count_nonzero(w) < n_clusters:
        raise ValueError(f"only {np.count_nonzero(w)} samples have a positive weight; "
                         f"n_clusters={n_clusters} initial centres need that many")


def _centroid_dtype(X):
    return np.float32 if X.dtype == np.float32 else np.float64


def _check_sample_weight(sample_weight, n_samples):
    """None stays None (unit weights, a faster exact path in C); otherwise float64, >= 0, not all 0."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight)
    if w.ndim == 0:
        w = np.full(n_samples, float(w))
    if w.dtype.kind not in "biuf":
        raise ValueError(f"sample_weight must hold real numbers, got dtype {w.dtype}")
    w = np.ascontiguousarray(w, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(f"sample_weight must have shape ({n_samples},), got {w.shape}")
    if not np.isfinite(w).all():
        raise ValueError("sample_weight contains NaN or infinity")
    if (w < 0).any():
        raise ValueError("sample_weight contains negative values")
    if not (w > 0).any():
        raise ValueError("sample_weight is zero everywhere: at least one sample needs a positive weight")
    return w


def _check_algorithm(algorithm):
    if not isinstance(algorithm, str) or algorithm not in _ALGORITHMS:
        raise ValueError(f"algorithm must be one of {_ALGORITHMS}, got {algorithm!r}")
    return algorithm




def _verbose_iteration(tol_abs):
    """The C fit's per-iteration callback for verbose=True: scikit-learn's lines, as they happen."""
    def report(iteration, inertia, center_shift, n_changed, beta):
        print(f"Iteration {iteration}, inertia {inertia}.")
        if n_changed == 0:
            print(f"Converged at iteration {iteration}: strict convergence.")
        elif center_shift <= tol_abs:
            print(f"Converged at iteration {iteration}: center shift {center_shift} within tolerance {tol_abs}.")
    return report


def _tolerance(X, tol, n_threads):
    """scikit-learn's tol scale: tol x mean of the per-feature variances of X (unweighted)."""
    if tol == 0:
        return 0.0
    return float(_kmeans_core.mean_feature_variance(X, n_threads) * tol)


def _check_init_array(init, n_clusters, n_features, cdtype):
    init = np.asarray(init)
    if init.dtype.kind not in "biuf":
        raise ValueError(f"init array must hold real numbers, got dtype {init.dtype}")
    if init.shape != (n_clusters, n_features):
        raise ValueError(f"init array has shape {init.shape}; expected (n_clusters, n_features) = "
                         f"({n_clusters}, {n_features})")
    init = np.array(init, dtype=cdtype, order="C", copy=True)  # the fit writes into it
    if not np.isfinite(init).all():
        raise ValueError("init array contains NaN or infinity")
    return init


def _check_random_state(random_state):
    """A numpy Generator as it is; anything else through scikit-learn's check_random_state."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    return check_random_state(random_state)


def _run_seeds(rs, n_runs):
    """One uint64 seed per run for the C generator, drawn from the caller's random state."""
    if isinstance(rs, np.random.Generator):
        return rs.integers(0, 2**64, size=n_runs, dtype=np.uint64)
    return rs.randint(0, np.iinfo(np.int64).max, size=n_runs, dtype=np.int64).astype(np.uint64)


def _initial_centres(X, w, n_clusters, init, seed, random_state, n_threads, cdtype):
    centres = np.empty((n_clusters, X.shape[1]), dtype=cdtype)
    indices = np.empty(n_clusters, dtype=np.int64)
    if isinstance(init, str) and init == "k-means++":
        _kmeans_core.kmeans_plusplus(X, w, np.uint64(seed), 0, centres, indices, n_threads)
    elif isinstance(init, str) and init == "random":
        _kmeans_core.random_init(X, w, np.uint64(seed), centres, indices)
    elif callable(init):
        centres = _check_init_array(init(X, n_clusters, random_state), n_clusters, X.shape[1], cdtype)
    else:
        centres = _check_init_array(init, n_clusters, X.shape[1], cdtype)
    return centres


def kmeans(X, n_clusters, *, init="k-means++", n_init="auto", max_iter=300, tol=1e-4,
           sample_weight=None, algorithm="auto", random_state=None, n_threads=None, verbose=False):
    """Hard k-means (Lloyd) with scikit-learn's semantics and a C/OpenMP core.

    Parameters
    ----------
    X : array (n_samples, n_features). float32, float64 and uint8 are used as they are (uint8 is
        never converted to float); other real types become float64. Any memory order.
    n_clusters : int in [1, n_samples].
    init : 'k-means++' (greedy, 2 + ln k candidates per centre), 'random' (n_clusters distinct rows,
        drawn proportional to sample_weight), an array (n_clusters, n_features) of any float dtype,
        or a callable ``init(X, n_clusters, random_state) -> array``.
    n_init : runs from different initialisations, the lowest inertia wins; 'auto' is 1 for
        'k-means++' or an array and 10 for 'random' or a callable.
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
        name) runs 'yinyang'; 'auto' runs 'yinyang' with at least 64 clusters and max_iter >= 20;
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

    Returns
    -------
    KMeansResult
    """
    # No scan of its own for NaN and infinity unless a callable init gets X first: the tol scale, the
    # k-means++ and the fit's first step all read X anyway and report them (one read of X less).
    X = _check_X(X, n_threads, scan=callable(init))
    n_samples, n_features = X.shape
    n_clusters = _check_n_clusters(n_clusters, n_samples)
    _check_max_iter(max_iter)
    _check_tol(tol)
    method = _METHODS[_check_algorithm(algorithm)]
    is_string_init = _check_init_name(init)
    if n_init == "auto":
        n_init = 10 if (init == "random" if is_string_init else callable(init)) else 1
    if isinstance(n_init, bool) or not isinstance(n_init, numbers.Integral) or n_init < 1:
        raise ValueError(f"n_init must be 'auto' or an integer >= 1, got {n_init!r}")
    n_init = int(n_init)
    w = _check_sample_weight(sample_weight, n_samples)
    _check_weights_for_init(w, init, n_clusters)
    n_threads = effective_n_threads(n_threads)
    cdtype = _centroid_dtype(X)
    if not is_string_init and not callable(init):
        init = _check_init_array(init, n_clusters, n_features, cdtype)
        if n_init != 1:
            warnings.warn(f"an explicit init array was given: running n_init=1 instead of {n_init}",
                          RuntimeWarning, stacklevel=2)
            n_init = 1
    tol_abs = _tolerance(X, tol, n_threads)
    if not np.isfinite(tol_abs):
        _raise_if_nonfinite(X, n_threads)  # (else finite values so large that their variance overflows)
    random_state = _check_random_state(random_state)
    seeds = _run_seeds(random_state, n_init)

    report = _verbose_iteration(tol_abs) if verbose else None
    best = None
    for run in range(n_init):
        labels = np.empty(n_samples, dtype=np.int32)
        history = np.empty(max_iter, dtype=np.float64)
        try:
            centres = _initial_centres(X, w, n_clusters, init, seeds[run], random_state, n_threads, cdtype)
            if verbose:
                print("Initialization complete")
            n_iter, inertia, converged, ran = _kmeans_core.fit(X, w, centres, labels, method, max_iter, tol_abs,
                                                               n_threads, history, callback=report)
        except ValueError:
            _raise_if_nonfinite(X, n_threads)  # the kernels' CK_ERR_KMEANS_NONFINITE, with the value named
            raise
        if best is None or inertia < best.inertia:
            best = KMeansResult(centres, labels, float(inertia), int(n_iter), bool(converged),
                                history[:n_iter].copy(), ran)
    n_distinct = np.unique(best.labels).size
    if n_distinct < n_clusters:
        warnings.warn(f"Number of distinct clusters ({n_distinct}) found smaller than n_clusters "
                      f"({n_clusters}). Possibly due to duplicate points in X.", ConvergenceWarning,
                      stacklevel=2)
    return best
