"""Clustering quality metrics: contingency table, purity, Gini impurity, k-means objective and
the mapping of clusters to classes.

Labels are any integers (any integer dtype, or floats holding whole numbers): true classes and
cluster ids need not be 0-based or contiguous. Every function validates its input here, once, and
raises ``ValueError`` naming the problem.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment

from ckmeans._metrics import contingency as _contingency
from ckmeans._metrics import soft_contingency as _soft_contingency
from ckmeans._sparse import check_csr, core_for, issparse
from ckmeans._threads import effective_n_threads
from ckmeans._validation import centroid_dtype, check_allocation, check_X, raise_if_overflowed

__all__ = [
    "ContingencyTable",
    "contingency_matrix",
    "gini",
    "map_clusters",
    "objective",
    "purity",
    "soft_contingency_matrix",
    "soft_gini",
    "soft_purity",
]


class ContingencyTable(NamedTuple):
    """Result of :func:`contingency_matrix`.

    ``table[i, j]`` is the number (or total weight) of points of class ``classes[i]`` put in cluster
    ``clusters[j]``.
    """

    table: np.ndarray
    classes: np.ndarray
    clusters: np.ndarray


def _check_labels(values, name):
    """1-D non-empty integer labels, as an integer array (whole floats are converted)."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if arr.dtype.kind in "iu":
        return arr
    if arr.dtype.kind == "b":
        return arr.astype(np.int8)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinity; labels must be integers")
        fractional = arr != np.floor(arr)
        if np.any(fractional):
            raise ValueError(
                f"{name} must hold integers, got non-integer values such as "
                f"{arr[np.argmax(fractional)].item()!r}"
            )
        if np.any(np.abs(arr) >= 2.0**62):
            raise ValueError(f"{name} holds values too large for 64-bit integer labels")
        return arr.astype(np.int64)
    raise ValueError(f"{name} must hold integers, got dtype {arr.dtype}")


def _check_same_length(y_true, labels):
    if y_true.shape[0] != labels.shape[0]:
        raise ValueError(f"y_true and labels have different lengths: {y_true.shape[0]} and {labels.shape[0]}")


def _encode(values):
    """Sorted distinct values and the int32 code of every element."""
    low, high = int(values.min()), int(values.max())
    # Labels usually span a small range (cluster ids 0..k-1, class ids): a presence table over the
    # range is O(n + span) where np.unique sorts (about 50x slower for millions of labels).
    if high - low <= 4 * values.size + 1024 and -(2**62) < low and high < 2**62:
        offsets = values.astype(np.int64) - low
        present = np.bincount(offsets, minlength=high - low + 1) > 0
        uniques = (np.flatnonzero(present) + low).astype(values.dtype)
        codes = (np.cumsum(present) - 1).astype(np.int32)[offsets]
    else:
        uniques, codes = np.unique(values, return_inverse=True)
        codes = codes.astype(np.int32, copy=False).reshape(-1)
    if uniques.shape[0] > np.iinfo(np.int32).max:  # many points are fine, many labels are not
        raise ValueError("more than 2^31 - 1 distinct labels")
    return uniques, codes


def _check_weights(sample_weight, n_samples):
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must be 1-D with {n_samples} entries (one per point), got shape {w.shape}"
        )
    if not np.all(np.isfinite(w)):
        raise ValueError("sample_weight contains NaN or infinity")
    if np.any(w < 0):
        raise ValueError("sample_weight contains negative weights")
    return np.ascontiguousarray(w)


def contingency_matrix(
    y_true: ArrayLike,
    labels: ArrayLike,
    *,
    n_clusters: int | None = None,
    sample_weight: ArrayLike | None = None,
    n_threads: int | None = None,
) -> ContingencyTable:
    """Contingency table of true classes (rows) against clusters (columns).

    Parameters
    ----------
    y_true : array-like of int, shape (n_samples,)
        True class of every point; any integers.
    labels : array-like of int, shape (n_samples,)
        Cluster of every point; any integers.
    n_clusters : int, optional
        When given, the columns are the clusters ``0 .. n_clusters - 1`` in that order, so empty
        clusters appear as zero columns; ``labels`` must then lie in that range. By default the
        columns are the distinct values of ``labels``, sorted.
    sample_weight : array-like of float, shape (n_samples,), optional
        Non-negative weight of every point; the table then holds total weights.
    n_threads : int, optional
        Threads for the C kernel (None = all usable cores, see :mod:`ckmeans._threads`). The
        result is identical for any value.

    Returns
    -------
    ContingencyTable
        ``(table, classes, clusters)``: ``table`` has shape ``(len(classes), len(clusters))``,
        int64 counts without weights, float64 total weights with them; ``classes`` are the
        sorted distinct values of ``y_true``; ``clusters`` the cluster id of every column.
    """
    y_true = _check_labels(y_true, "y_true")
    labels = _check_labels(labels, "labels")
    _check_same_length(y_true, labels)
    n_threads = effective_n_threads(n_threads)
    classes, row_codes = _encode(y_true)
    if n_clusters is None:
        clusters, col_codes = _encode(labels)
    else:
        if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)):
            raise ValueError(f"n_clusters must be a positive integer, got {n_clusters!r}")
        if not 1 <= n_clusters <= np.iinfo(np.int32).max:
            raise ValueError(f"n_clusters must be in [1, 2^31 - 1], got {n_clusters}")
        low, high = labels.min(), labels.max()
        if low < 0 or high >= n_clusters:
            raise ValueError(
                f"labels must lie in [0, n_clusters={n_clusters}), got values in [{low}, {high}]"
            )
        clusters = np.arange(n_clusters)
        col_codes = np.ascontiguousarray(labels, dtype=np.int32)
    weights = None if sample_weight is None else _check_weights(sample_weight, y_true.shape[0])
    check_allocation((classes.shape[0], clusters.shape[0]), "the contingency table")
    table = np.empty((classes.shape[0], clusters.shape[0]), dtype=np.float64)
    _contingency(row_codes, col_codes, weights, table, n_threads)
    if weights is None:
        # Exact: the kernel's float64 counts are integers below 2^53.
        table = table.astype(np.int64)
    return ContingencyTable(table, classes, clusters)


def purity(y_true: ArrayLike, labels: ArrayLike, *, n_threads: int | None = None) -> float:
    """Fraction of points whose cluster's most frequent class is their own class.

    ``sum_k max_c n_kc / n`` with ``n_kc`` the points of class ``c`` in cluster ``k``. It lies in
    ``[max_c n_c / n, 1]`` (at least the share of the largest class) and is 1 when every cluster
    holds a single class; more clusters never lower it.
    """
    table = contingency_matrix(y_true, labels, n_threads=n_threads).table
    return float(table.max(axis=0).sum() / table.sum())


def gini(y_true: ArrayLike, labels: ArrayLike, *, n_threads: int | None = None) -> float:
    """Size-weighted Gini impurity of the clusters.

    ``sum_k (n_k / n) * (1 - sum_c (n_kc / n_k)^2)``: 0 when every cluster holds a single class,
    at most ``1 - 1 / n_classes``. Empty clusters have weight ``n_k / n = 0`` and contribute nothing
    (only the cluster ids present in ``labels`` are summed over).

    The weights ``n_k / n`` use the number of points ``n`` of this labeling. The original notebook
    divided by a hard-coded 11314 (the size of the 20 Newsgroups training set), which is wrong for
    any other data set, test split or subset.
    """
    table = contingency_matrix(y_true, labels, n_threads=n_threads).table.astype(np.float64)
    sizes = table.sum(axis=0)
    # n_k * (1 - sum_c (n_kc / n_k)^2) = n_k - sum_c n_kc^2 / n_k, summed over the clusters.
    return float((sizes - (table**2).sum(axis=0) / sizes).sum() / sizes.sum())


def map_clusters(
    y_true: ArrayLike,
    labels: ArrayLike,
    method: Literal["majority", "hungarian"] = "majority",
    *,
    n_threads: int | None = None,
) -> tuple[dict[int, int | None], float]:
    """Map every cluster to a class and report the accuracy of that mapping.

    Parameters
    ----------
    y_true, labels : array-like of int, shape (n_samples,)
        True classes and cluster ids; any integers.
    method : {'majority', 'hungarian'}
        ``'majority'``: every cluster maps to its most frequent class (ties go to the smallest
        class value); several clusters may share a class, and the accuracy equals :func:`purity`.
        ``'hungarian'``: a one-to-one mapping maximising the number of correctly mapped points
        (``scipy.optimize.linear_sum_assignment`` on the contingency table). With more clusters
        than classes, the clusters left over map to ``None`` and their points count as wrong
        (``None`` rather than -1 because -1 may be a real class).
    n_threads : int, optional
        Threads for the contingency kernel.

    Returns
    -------
    mapping : dict
        ``{cluster id: class value or None}`` for every cluster id present in ``labels``.
    accuracy : float
        Fraction of points whose cluster maps to their class. The Hungarian accuracy never exceeds
        the majority accuracy (the majority picks the best class per cluster without the one-to-one
        constraint); they are equal when the majority classes are all distinct.
    """
    if method not in ("majority", "hungarian"):
        raise ValueError(f"method must be 'majority' or 'hungarian', got {method!r}")
    table, classes, clusters = contingency_matrix(y_true, labels, n_threads=n_threads)
    n = table.sum()
    if method == "majority":
        best = table.argmax(axis=0)
        mapping = {k.item(): classes[c].item() for k, c in zip(clusters, best)}
        return mapping, float(table.max(axis=0).sum() / n)
    rows, cols = linear_sum_assignment(table, maximize=True)
    mapping = dict.fromkeys(clusters.tolist())
    mapping.update({clusters[j].item(): classes[i].item() for i, j in zip(rows, cols)})
    return mapping, float(table[rows, cols].sum() / n)


def objective(
    X: ArrayLike,
    centroids: ArrayLike,
    labels: ArrayLike,
    sample_weight: ArrayLike | None = None,
    *,
    n_threads: int | None = None,
) -> float:
    """The k-means objective ``sum_i w_i ||x_i - c_{labels_i}||^2`` (the inertia).

    ``X`` float32, float64 or uint8 is used as it is (uint8 is never copied to float; other real
    types become float64), through the engine's C kernel, which sums by differences in float64 in
    fixed chunks (identical for any ``n_threads``). ``centroids`` are taken in the engine's dtype
    for X: float32 for float32 X (float64 centroids are rounded to float32), float64 otherwise.
    A scipy sparse X is taken as ``ckmeans.kmeans`` takes it; each term is then
    ||x||^2 + ||c||^2 - 2 x.c in float64 over the row's nonzeros, clamped at 0.
    """
    X = check_csr(X) if issparse(X) else check_X(X, n_threads)
    centroids = np.asarray(centroids)
    if centroids.ndim != 2 or centroids.shape[0] == 0 or centroids.shape[1] != X.shape[1]:
        raise ValueError(f"centroids must have shape (n_clusters >= 1, {X.shape[1]}), got {centroids.shape}")
    centroids = np.ascontiguousarray(centroids, dtype=centroid_dtype(X))
    if not np.all(np.isfinite(centroids)):
        raise ValueError("centroids contain NaN or infinity")
    labels = _check_labels(labels, "labels")
    if labels.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but labels has {labels.shape[0]} entries")
    if labels.min() < 0 or labels.max() >= centroids.shape[0]:
        raise ValueError(
            f"labels must lie in [0, {centroids.shape[0]}) (one per centroid), got "
            f"values in [{labels.min()}, {labels.max()}]"
        )
    labels = np.ascontiguousarray(labels, dtype=np.int32)
    weights = None if sample_weight is None else _check_weights(sample_weight, X.shape[0])
    value = float(core_for(X).inertia(X, weights, centroids, labels, effective_n_threads(n_threads)))
    raise_if_overflowed(value, what="the objective")
    return value


def _check_responsibilities(R, n_samples):
    """(n_samples, k) finite, non-negative rows summing to 1, as C-contiguous float64."""
    R = np.asarray(R)
    if R.dtype.kind not in "biuf":
        raise ValueError(f"responsibilities must hold real numbers, got dtype {R.dtype}")
    if R.ndim != 2 or R.shape[1] == 0:
        raise ValueError(f"responsibilities must be 2-D (n_samples, n_clusters >= 1), got shape {R.shape}")
    if R.shape[0] != n_samples:
        raise ValueError(f"y_true has {n_samples} entries but responsibilities has {R.shape[0]} rows")
    tol = 1e-3 if R.dtype == np.float32 else 1e-6
    R = np.ascontiguousarray(R, dtype=np.float64)
    if not np.all(np.isfinite(R)):
        raise ValueError("responsibilities contain NaN or infinity")
    if np.any(R < 0):
        raise ValueError("responsibilities contain negative values")
    sums = R.sum(axis=1)
    bad = np.abs(sums - 1.0) > tol
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(f"every row of responsibilities must sum to 1; row {i} sums to {sums[i]!r}")
    return R


def soft_contingency_matrix(
    y_true: ArrayLike, R: ArrayLike, *, sample_weight: ArrayLike | None = None, n_threads: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Responsibility-weighted counts of classes (rows) in clusters (columns): ``onehot(y)^T R``.

    ``table[c, k] = sum_i w_i R[i, k]`` over the points i of class ``classes[c]``; computed by the C
    kernel ``ck_soft_contingency`` (identical for any ``n_threads``). Returns ``(table, classes)``.
    """
    y_true = _check_labels(y_true, "y_true")
    R = _check_responsibilities(R, y_true.shape[0])
    weights = None if sample_weight is None else _check_weights(sample_weight, y_true.shape[0])
    classes, row_codes = _encode(y_true)
    table = np.empty((classes.shape[0], R.shape[1]), dtype=np.float64)
    _soft_contingency(row_codes, R, weights, table, effective_n_threads(n_threads))
    return table, classes


def soft_purity(y_true: ArrayLike, R: ArrayLike, *, n_threads: int | None = None) -> float:
    """Purity of the hard assignment ``argmax_k R[i, k]`` (ties to the lowest cluster): see
    :func:`purity`. R is (n_samples, n_clusters) responsibilities, rows summing to 1."""
    y_true = _check_labels(y_true, "y_true")
    R = _check_responsibilities(R, y_true.shape[0])
    return purity(y_true, R.argmax(axis=1), n_threads=n_threads)


def soft_gini(y_true: ArrayLike, R: ArrayLike, *, n_threads: int | None = None) -> float:
    """Gini impurity of soft clusters, from responsibility-weighted label counts, divided by n.

    With ``m_kc = sum_{i in class c} R[i, k]`` (``onehot(y)^T R``, in C) and ``m_k = sum_c m_kc``:
    ``sum_k m_k * (1 - sum_c (m_kc / m_k)^2) / n``; clusters with ``m_k = 0`` contribute nothing. For
    one-hot R it equals :func:`gini` of the argmax labels.
    """
    table, _ = soft_contingency_matrix(y_true, R, n_threads=n_threads)
    sizes = table.sum(axis=0)
    full = sizes > 0
    n = _check_labels(y_true, "y_true").shape[0]
    return float((sizes[full] - (table[:, full] ** 2).sum(axis=0) / sizes[full]).sum() / n)
