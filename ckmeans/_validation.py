"""Input checks shared by hard and soft k-means, the estimators and the metrics: each lives here once.

The C kernels assume what these functions establish (dtype, C order, shapes, finite values,
parameter ranges). Where scikit-learn's KMeans raises or warns for the same problem, the message is
scikit-learn's, so code written against it reads the same errors.
"""

import numbers
import os
import warnings
from typing import Any, Callable, Optional, Union

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils import check_random_state as _sklearn_random_state

from ckmeans import _kmeans_core
from ckmeans._threads import effective_n_threads

# The C loops count iterations in an int, and the histories take 8 bytes per allowed iteration.
MAX_ITER_LIMIT = 2**31 - 1

RandomStateLike = Union[None, int, np.random.RandomState, np.random.Generator]
# An init method's name, an array of initial centres, or init(X, n_clusters, random_state) -> centres.
Init = Union[str, ArrayLike, Callable[[np.ndarray, int, Any], ArrayLike]]


def check_X(X: Any, n_threads: Optional[int] = None, scan: bool = True) -> np.ndarray:
    """float32, float64 and uint8 as they are; any other real numbers as float64; C order. Float X
    is scanned for NaN and infinity in C on n_threads (see ckmeans._threads), unless scan is False:
    for callers whose kernels report non-finite X themselves (see raise_if_nonfinite)."""
    X = np.asarray(X)
    if X.dtype.kind in "cmM":  # would convert without an error, losing the imaginary part or the unit
        raise ValueError(f"X must hold real numbers, got dtype {X.dtype}")
    if X.dtype.kind not in "biuf":
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"X must hold real numbers, got dtype {X.dtype}") from exc
    if X.ndim != 2:
        raise ValueError(
            f"X must be a 2-D array (n_samples, n_features), got {X.ndim}-D with shape {X.shape}"
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X is empty: shape {X.shape}; k-means needs at least one sample and one feature")
    if X.dtype not in (np.float32, np.float64, np.uint8):
        X = X.astype(np.float64)
    X = np.ascontiguousarray(X)
    if scan:
        raise_if_nonfinite(X, n_threads)
    return X


def raise_if_nonfinite(X: np.ndarray, n_threads: Optional[int] = None) -> None:
    """The ValueError naming the first NaN or infinity of float X, if it holds one."""
    if isinstance(X, np.ndarray) and X.dtype.kind == "f":  # (sparse X is checked when validated)
        first = _kmeans_core.find_nonfinite(X, effective_n_threads(n_threads))
        if first >= 0:
            row, col = divmod(first, X.shape[1])
            raise ValueError(f"X contains NaN or infinity (first at X[{row}, {col}] = {X[row, col]})")


# What to do when squared distances overflow, for every message that says they do.
_SCALE_ADVICE = "scale the data (e.g. divide X by its largest absolute value)"


def check_magnitude(X: np.ndarray, centres: np.ndarray) -> None:
    """The ValueError of overflow when the squared distances between the rows of X and the centres
    could leave the range of the kernels' arithmetic (float32 scores for float32 X, float64 else):
    with m the largest |value|, ||x - c||^2 <= 4 n_features m^2, kept 4 times below the maximum."""
    limit = float(np.finfo(np.float32 if X.dtype == np.float32 else np.float64).max) / 16
    largest = float(np.abs(centres).max())
    if X.dtype != np.uint8:
        largest = max(largest, float(X.max()), -float(X.min()))
    if largest > np.sqrt(limit / X.shape[1]):
        raise ValueError(
            f"X or the centres hold values up to {largest:.3g}, so large that squared distances "
            f"overflow {X.dtype if X.dtype == np.float32 else np.dtype(np.float64)}: {_SCALE_ADVICE}"
        )


def raise_if_overflowed(*values: Any, what: str) -> None:
    """The ValueError of overflow when a result computed from finite inputs is not finite (weights
    times squared distances, or sums of them, beyond the float64 range)."""
    if not all(np.isfinite(v).all() for v in values):
        raise ValueError(f"{what} overflowed (squared distances times sample_weight): {_SCALE_ADVICE}")


def check_allocation(shape: tuple, what: str) -> None:
    """The MemoryError of a float64 array of this shape larger than the machine's physical memory,
    raised before anything is computed (Linux would grant the allocation and fail only on use)."""
    n_bytes = 8 * int(np.prod([int(s) for s in shape], dtype=object))
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return
    if n_bytes > memory:
        raise MemoryError(
            f"{what} of shape {tuple(shape)} needs {n_bytes / 2**30:.1f} GiB, more than this machine's "
            f"{memory / 2**30:.1f} GiB of memory"
        )


def centroid_dtype(X: np.ndarray) -> type:
    """float32 centres for float32 X, float64 for everything else (uint8 included)."""
    return np.float32 if X.dtype == np.float32 else np.float64


def check_n_clusters(n_clusters: Any, n_samples: int) -> int:
    """n_clusters as an int in [1, n_samples]."""
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, numbers.Integral):
        raise TypeError(f"n_clusters must be an integer, got {n_clusters!r}")
    if n_clusters < 1:
        raise ValueError(f"n_clusters={n_clusters} must be >= 1")
    if n_clusters > n_samples:
        raise ValueError(f"n_samples={n_samples} should be >= n_clusters={n_clusters}.")
    return int(n_clusters)


def check_max_iter(max_iter: Any) -> None:
    if (
        isinstance(max_iter, bool)
        or not isinstance(max_iter, numbers.Integral)
        or not 1 <= max_iter <= MAX_ITER_LIMIT
    ):
        raise ValueError(f"max_iter must be an integer in [1, {MAX_ITER_LIMIT}], got {max_iter!r}")


def check_tol(tol: Any) -> None:
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol >= 0 or not np.isfinite(tol):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")


def check_init_name(init: Any) -> bool:
    """True for a string init (which must name a method); arrays and callables are checked later."""
    if isinstance(init, str) and init not in ("k-means++", "random"):
        raise ValueError(f"init must be 'k-means++', 'random', an array or a callable, got {init!r}")
    return isinstance(init, str)


def check_n_init(n_init: Any, init: Any, estimator: str) -> int:
    """Runs to make, by scikit-learn's rule: 'auto' is one run for 'k-means++' or an init array and
    ten for 'random' or a callable; an init array gives one run whatever n_init says, with
    scikit-learn's RuntimeWarning (naming ``estimator``) when n_init asked for more."""
    is_array = not isinstance(init, str) and not callable(init)
    if isinstance(n_init, str) and n_init == "auto":
        return 10 if (init == "random" if isinstance(init, str) else callable(init)) else 1
    if isinstance(n_init, bool) or not isinstance(n_init, numbers.Integral) or n_init < 1:
        raise ValueError(f"n_init must be 'auto' or an integer >= 1, got {n_init!r}")
    if is_array and n_init != 1:
        # stacklevel 3: the caller of kmeans() / soft_kmeans(), as scikit-learn points at fit's caller
        warnings.warn(
            f"Explicit initial center position passed: performing only one init in "
            f"{estimator} instead of n_init={n_init}.",
            RuntimeWarning,
            stacklevel=3,
        )
        return 1
    return int(n_init)


def check_weights_for_init(w: Optional[np.ndarray], init: Any, n_clusters: int) -> None:
    """Drawing n_clusters distinct rows needs that many rows of positive weight."""
    if w is not None and isinstance(init, str) and np.count_nonzero(w) < n_clusters:
        raise ValueError(
            f"only {np.count_nonzero(w)} samples have a positive weight; "
            f"n_clusters={n_clusters} initial centres need that many"
        )


def check_sample_weight(sample_weight: Any, n_samples: int) -> Optional[np.ndarray]:
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


def check_init_array(init: Any, n_clusters: int, n_features: int, cdtype: type) -> np.ndarray:
    """A fresh C-ordered copy in the centres' dtype (the fit writes into it), finite, of shape
    (n_clusters, n_features)."""
    init = np.asarray(init)
    if init.dtype.kind not in "biuf":
        raise ValueError(f"init array must hold real numbers, got dtype {init.dtype}")
    if init.ndim != 2:
        raise ValueError(f"init array must be 2-D (n_clusters, n_features), got shape {init.shape}")
    if init.shape[0] != n_clusters:
        raise ValueError(
            f"The shape of the initial centers {init.shape} does not match the number "
            f"of clusters {n_clusters}."
        )
    if init.shape[1] != n_features:
        raise ValueError(
            f"The shape of the initial centers {init.shape} does not match the number "
            f"of features of the data {n_features}."
        )
    init = np.array(init, dtype=cdtype, order="C", copy=True)
    if not np.isfinite(init).all():
        raise ValueError("init array contains NaN or infinity")
    return init


def check_fitted_centres(centres: Any, n_features: int, cdtype: type) -> np.ndarray:
    """A fitted model's centres as the kernels read them next to X of n_features columns: 2-D, at
    least one row, real and finite, exactly n_features wide, C-ordered in cdtype. Checked on every
    call, as ``cluster_centers_`` is a public attribute a caller may have replaced; a narrower array
    would make the kernels read past its end."""
    centres = np.asarray(centres)
    if centres.dtype.kind not in "biuf":
        raise ValueError(f"cluster_centers_ must hold real numbers, got dtype {centres.dtype}")
    if centres.ndim != 2 or centres.shape[0] < 1:
        raise ValueError(f"cluster_centers_ must be 2-D with at least one centre, got shape {centres.shape}")
    if centres.shape[0] > np.iinfo(np.int32).max:
        raise ValueError(f"cluster_centers_ has {centres.shape[0]} centres; labels are int32")
    if centres.shape[1] != n_features:
        raise ValueError(
            f"cluster_centers_ has {centres.shape[1]} features but X has {n_features}: the fitted "
            f"state does not match the data"
        )
    centres = np.ascontiguousarray(centres, dtype=cdtype)
    if not np.isfinite(centres).all():
        raise ValueError("cluster_centers_ contains NaN or infinity")
    return centres


def check_random_state(random_state: RandomStateLike) -> Union[np.random.RandomState, np.random.Generator]:
    """A numpy Generator as it is; anything else through scikit-learn's check_random_state."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    return _sklearn_random_state(random_state)
