"""Spherical k-means' input: rows scaled to unit L2 norm, dense or CSR.

For unit vectors ||x - c||^2 = 2 (1 - cos(x, c)), so Euclidean k-means on unit rows whose centres are
rescaled to unit norm after every update (ck_kmeans_params.spherical) is spherical k-means: the
nearest centre is the one of largest cosine, the inertia is twice the objective sum_i w_i (1 - cos),
and Euclidean k-means++ on the unit rows is k-means++ on the cosine distance.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ckmeans._sparse import CSRData


def check_spherical(spherical: object) -> bool:
    """The spherical option as a bool (True or False only)."""
    if not isinstance(spherical, (bool, np.bool_)):
        raise ValueError(f"spherical must be True or False, got {spherical!r}")
    return bool(spherical)


def raise_if_zero_rows(norms: np.ndarray) -> None:
    """A row of zero norm has no direction: a ValueError naming how many and the first."""
    zero = np.flatnonzero(norms == 0)
    if zero.size:
        raise ValueError(
            f"spherical k-means needs rows of nonzero norm, but X has {zero.size} all-zero row(s) "
            f"(the first is row {zero[0]}); drop them or use spherical=False"
        )


def unit_rows(X: np.ndarray | CSRData) -> np.ndarray | CSRData:
    """A copy of X (validated: an array or CSRData) with every row at unit norm (norms in float64;
    float32 stays float32, anything else becomes float64). CSR keeps its structure (new values
    only)."""
    dtype = np.float32 if X.dtype == np.float32 else np.float64
    if isinstance(X, CSRData):
        counts = np.diff(X.indptr)
        sq = np.zeros(X.shape[0])
        if X.values.size:
            sums = np.add.reduceat(X.values.astype(np.float64) ** 2, X.indptr[:-1][counts > 0])
            sq[counts > 0] = sums
        norms = np.sqrt(sq)
        raise_if_zero_rows(norms)
        values = (X.values / np.repeat(norms, counts)).astype(dtype, copy=False)
        matrix = sp.csr_matrix((values, X.indices, X.indptr), shape=X.shape)
        return CSRData(values, X.indptr, X.indices, X.shape, matrix)
    norms = np.sqrt(np.einsum("ij,ij->i", X, X, dtype=np.float64))
    raise_if_zero_rows(norms)
    return np.ascontiguousarray((X / norms[:, None]).astype(dtype, copy=False))


def unit_centres(C: np.ndarray) -> np.ndarray:
    """Given initial centres scaled to unit norm, in place (a zero row stays zero), so that the first
    assignment is by cosine."""
    norms = np.sqrt(np.einsum("ij,ij->i", C, C, dtype=np.float64))
    nz = norms > 0
    C[nz] = (C[nz] / norms[nz, None]).astype(C.dtype, copy=False)
    return C


def objective_from_inertia(inertia: float) -> float:
    """sum_i w_i (1 - cos) of unit rows and unit centres from their inertia sum_i w_i ||x - c||^2."""
    return inertia / 2.0
