"""Sparse (CSR) input: its validation, and the k-means calls of ckmeans._kmeans_core on CSR data.

``check_csr`` turns a scipy sparse matrix or array into a ``CSRData`` once (every check lives here:
the C kernels of src_c/sparse.c and src_c/soft_sparse_tpl.h read what the arrays say). The functions
below take the same arguments as their namesakes in ckmeans._kmeans_core (and ``soft_core_for``'s
those of ckmeans._soft_core), with a CSRData as X, so ``ckmeans.kmeans`` and
``ckmeans.soft_kmeans`` run one code path for both layouts.

Copies: CSR as it is is used without copying its values or indices (int32 or int64 indices alike;
indptr becomes int64, n_samples + 1 numbers). Other formats (CSC, COO, ...) are converted to CSR,
a copy; so are values of another dtype than float32/float64 (to float64) and rows that hold a
column twice (summed, scipy's sum_duplicates, on a copy: the caller's matrix is never modified).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils.sparsefuncs import mean_variance_axis

from ckmeans import _kmeans_core, _soft_core, _sparse_core

__all__ = ["CSRData", "check_csr", "core_for", "issparse", "soft_core_for"]

issparse = sp.issparse


@dataclass(frozen=True)
class CSRData:
    """Validated CSR arrays: values (float32/float64), indptr (int64), indices (int32/int64)."""

    values: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    shape: tuple
    matrix: Any  # the scipy matrix the arrays belong to (what a callable init receives)

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    def parts(self):
        """The leading arguments of every _sparse_core call. An empty matrix gets one-element
        arrays, never read (indptr says every row is empty), so the kernels get valid pointers."""
        values, indices = self.values, self.indices
        if values.size == 0:
            values, indices = np.zeros(1, values.dtype), np.zeros(1, indices.dtype)
        return values, self.indptr, indices, self.shape[1]


def check_csr(X: Any, what: str = "X") -> CSRData:
    """A scipy sparse matrix or array, validated and as CSR (see the module's note on copies).
    Raises ValueError naming the problem: empty shape, a non-real dtype, non-finite values, indptr
    not starting at 0, not non-decreasing or not ending at the number of values, a column index
    negative or >= n_features."""
    if not sp.issparse(X):
        raise TypeError(f"{what} must be a scipy sparse matrix or array, got {type(X).__name__}")
    if len(X.shape) != 2:
        raise ValueError(f"{what} must be 2-D (n_samples, n_features), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"{what} is empty: shape {X.shape}; k-means needs at least one sample and one feature"
        )
    if X.format != "csr":
        X = X.tocsr()
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{what} must hold real numbers, got dtype {X.dtype}")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    n, d = X.shape
    indptr = np.asarray(X.indptr)
    indices = np.asarray(X.indices)
    values = np.asarray(X.data)
    if indptr.ndim != 1 or indptr.shape[0] != n + 1:
        raise ValueError(f"{what}.indptr must have n_samples + 1 = {n + 1} entries, got shape {indptr.shape}")
    if indices.dtype not in (np.int32, np.int64):
        indices = indices.astype(np.int64)
    indptr = np.ascontiguousarray(indptr, dtype=np.int64)
    if indptr[0] != 0:
        raise ValueError(f"{what}.indptr must start at 0, got {indptr[0]}")
    steps = np.diff(indptr)
    if np.any(steps < 0):
        row = int(np.argmax(steps < 0))
        raise ValueError(
            f"{what}.indptr must be non-decreasing; indptr[{row + 1}] = {indptr[row + 1]} < "
            f"indptr[{row}] = {indptr[row]}"
        )
    nnz = int(indptr[-1])
    if nnz > indices.shape[0] or nnz > values.shape[0]:
        raise ValueError(
            f"{what}.indptr ends at {nnz} but there are {indices.shape[0]} indices and "
            f"{values.shape[0]} values"
        )
    indices = np.ascontiguousarray(indices[:nnz])
    values = np.ascontiguousarray(values[:nnz])
    if nnz:
        bad = (indices < 0) | (indices >= d)
        if np.any(bad):
            p = int(np.argmax(bad))
            row = int(np.searchsorted(indptr, p, side="right") - 1)
            raise ValueError(f"{what} has a column index out of range [0, {d}): {indices[p]} in row {row}")
        finite = np.isfinite(values)
        if not finite.all():
            p = int(np.argmin(finite))
            row = int(np.searchsorted(indptr, p, side="right") - 1)
            raise ValueError(
                f"{what} contains NaN or infinity (first at {what}[{row}, {indices[p]}] = {values[p]})"
            )
    data = CSRData(values, indptr, indices, (n, d), X)
    if not X.has_canonical_format and nnz and _sparse_core.duplicate_row(*data.parts()) >= 0:
        X = sp.csr_matrix((values, indices, indptr), shape=(n, d), copy=True)
        X.sum_duplicates()
        return check_csr(X, what)
    return data


# ---- _kmeans_core's calls on CSRData ----------------------------------------------------------------


def core_for(X):
    """The module whose kernels take X: this one for CSRData, ckmeans._kmeans_core for arrays."""
    return sys.modules[__name__] if isinstance(X, CSRData) else _kmeans_core


def kmeans_plusplus(X: CSRData, w, seed, n_local_trials, centres, indices, n_threads):
    _sparse_core.kmeans_plusplus(*X.parts(), w, seed, n_local_trials, centres, indices, n_threads)


def random_init(X: CSRData, w, seed, centres, indices):
    _sparse_core.random_init(*X.parts(), w, seed, centres, indices)


def fit(
    X: CSRData,
    w,
    centres,
    labels,
    method,
    max_iter,
    tol_abs,
    n_threads,
    history,
    callback=None,
    spherical=False,
):
    return _sparse_core.fit(
        *X.parts(), w, centres, labels, method, max_iter, tol_abs, n_threads, history, spherical, callback
    )


def assign(X: CSRData, centres, labels, sqdist, n_threads):
    _sparse_core.assign(*X.parts(), centres, labels, sqdist, n_threads)


def inertia(X: CSRData, w, centres, labels, n_threads):
    return _sparse_core.inertia(*X.parts(), w, centres, labels, n_threads)


def lloyd_partial(X: CSRData, w, centres, labels, sums, wsum, n_threads):
    return _sparse_core.lloyd_partial(*X.parts(), w, centres, labels, sums, wsum, n_threads)


def farthest(X: CSRData, centres, labels, far_sqdist, far_index, n_threads):
    _sparse_core.farthest(*X.parts(), centres, labels, far_sqdist, far_index, n_threads)


def mean_feature_variance(X: CSRData, n_threads: int | None = None) -> float:
    """Mean over features of the population variance of each column, zeros included (scikit-learn's
    tol scale for sparse X, from its mean_variance_axis)."""
    _, var = mean_variance_axis(X.matrix, axis=0)
    return float(np.mean(var))


def sq_distances(X: CSRData, centres: np.ndarray) -> np.ndarray:
    """(n_samples, n_clusters) squared distances ||x||^2 - 2 x.c + ||c||^2 (scipy's sparse product),
    in the centres' dtype, clipped at 0 (rounding can leave a tiny negative number when x ~ c)."""
    x2 = np.asarray(X.matrix.multiply(X.matrix).sum(axis=1), dtype=np.float64).ravel()
    d2 = x2[:, None] - 2.0 * np.asarray(X.matrix @ centres.T)
    d2 += np.einsum("ij,ij->i", centres, centres, dtype=np.float64)
    return np.maximum(d2, 0.0).astype(centres.dtype, copy=False)


# ---- _soft_core's calls on CSRData --------------------------------------------------------------------


def _soft_estep(X: CSRData, w, centres, beta, distance, resp, labels, n_threads, spherical=False):
    return _sparse_core.soft_estep(*X.parts(), w, centres, beta, distance, resp, labels, n_threads, spherical)


def _soft_fit(
    X: CSRData,
    w,
    betas,
    distance,
    centres,
    max_iter,
    tol,
    n_threads,
    resp,
    labels,
    history,
    callback=None,
    spherical=False,
):
    return _sparse_core.soft_fit(
        *X.parts(),
        w,
        betas,
        distance,
        centres,
        max_iter,
        tol,
        n_threads,
        resp,
        labels,
        history,
        callback,
        spherical,
    )


def _soft_partial(X: CSRData, w, centres, beta, distance, sums, wsum, n_threads, spherical=False):
    return _sparse_core.soft_partial(*X.parts(), w, centres, beta, distance, sums, wsum, n_threads, spherical)


_SOFT_CSR = SimpleNamespace(estep=_soft_estep, fit=_soft_fit, partial=_soft_partial)


def soft_core_for(X):
    """The soft k-means calls (``estep``, ``fit``, ``partial``) that take X: their CSR versions for CSRData,
    ckmeans._soft_core for arrays."""
    return _SOFT_CSR if isinstance(X, CSRData) else _soft_core
