"""Slow NumPy twins of the hard k-means kernels (src_c/kmeans_*.c), importable by any test file.

They compute in float64 by plain differences, straight from the definitions, and share no code with
ckmeans. Tests compare the C kernels against them with explicit tolerances.
"""

import numpy as np
import scipy.sparse as sp


def sqdist_matrix(X, C):
    """(n, k) squared distances by differences, in float64."""
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(C, dtype=np.float64)
    return ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)


def assign(X, C):
    """Nearest centroid (lowest index on ties) and its squared distance."""
    d2 = sqdist_matrix(X, C)
    labels = d2.argmin(axis=1).astype(np.int32)
    return labels, d2[np.arange(len(labels)), labels]


def clear_margin(X, C, rel=1e-6):
    """Rows whose best and second-best distances differ clearly (no rounding can swap them)."""
    d2 = np.sort(sqdist_matrix(X, C), axis=1)
    if d2.shape[1] < 2:
        return np.ones(d2.shape[0], dtype=bool)
    return d2[:, 1] - d2[:, 0] > rel * (1.0 + d2[:, 1])


def weighted_sums(X, w, labels, k):
    """Per-cluster weighted sums of rows and of weights, float64."""
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(len(X)) if w is None else np.asarray(w, dtype=np.float64)
    sums = np.zeros((k, X.shape[1]))
    np.add.at(sums, labels, X * w[:, None])
    wsum = np.bincount(labels, weights=w, minlength=k).astype(np.float64)
    return sums, wsum


def centroids_update(X, w, labels, C_prev):
    """Weighted means of the members; empty clusters keep their previous centre."""
    k = len(C_prev)
    sums, wsum = weighted_sums(X, w, labels, k)
    C = np.array(C_prev, dtype=np.float64, copy=True)
    full = wsum > 0
    C[full] = sums[full] / wsum[full, None]
    return C, wsum


def farthest(X, C, labels, n_far):
    """The n_far rows farthest from their centre (unweighted), farthest first, ties by lowest row
    index, and their squared distances: by differences, or for scipy sparse X by the sparse kernels'
    formula (csr_sqdist_matrix)."""
    if sp.issparse(X):
        d2 = csr_sqdist_matrix(X, C)[np.arange(X.shape[0]), labels]
    else:
        d2 = ((np.asarray(X, dtype=np.float64) - np.asarray(C, dtype=np.float64)[labels]) ** 2).sum(axis=1)
    order = np.lexsort((np.arange(len(d2)), -d2))[:n_far]
    return order, d2[order]


def csr_duplicate_row(indptr, indices):
    """The first row that lists a column twice, or -1."""
    for i in range(len(indptr) - 1):
        cols = indices[indptr[i] : indptr[i + 1]]
        if len(np.unique(cols)) < len(cols):
            return i
    return -1


def csr_sqdist_matrix(X, C):
    """(n, k) squared distances of the rows of a scipy sparse X as ||x||^2 + ||c||^2 - 2 x.c (scipy's
    sparse product), float64, clamped at 0: the sparse kernels' formula, computed independently."""
    X = sp.csr_matrix(X, dtype=np.float64)
    C = np.asarray(C, dtype=np.float64)
    x2 = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    d2 = x2[:, None] + (C**2).sum(axis=1)[None, :] - 2.0 * (X @ C.T)
    return np.maximum(d2, 0.0)


def _dense_and_sqdist(X, C):
    """X as a float64 array and its squared distances to C (by the sparse formula for sparse X)."""
    if sp.issparse(X):
        return X.toarray().astype(np.float64), csr_sqdist_matrix(X, C)
    X64 = np.asarray(X, dtype=np.float64)
    return X64, sqdist_matrix(X64, C)


def unit_rows(C):
    """Rows scaled to unit L2 norm (zero rows stay zero): spherical k-means' centres."""
    C = np.asarray(C, dtype=np.float64)
    norms = np.sqrt((C**2).sum(axis=1))
    return np.divide(C, norms[:, None], out=C.copy(), where=norms[:, None] > 0)


def lloyd_partial(X, w, C, labels_prev):
    """A block's part of one Lloyd iteration (assignment and sums, no relocation, no averaging); X
    dense or scipy sparse. Returns sums, weights, labels, n_changed, inertia of the assignment."""
    X64, D2 = _dense_and_sqdist(X, C)
    n = len(X64)
    w = np.ones(n) if w is None else np.asarray(w, dtype=np.float64)
    labels = D2.argmin(axis=1).astype(np.int32)
    sums, wsum = weighted_sums(X64, w, labels, len(C))
    n_changed = int(np.count_nonzero(labels != labels_prev))
    return sums, wsum, labels, n_changed, float((w * D2[np.arange(n), labels]).sum())


def lloyd_iter(X, w, C_old, labels_prev, spherical=False):
    """One Lloyd iteration with scikit-learn's rules (lloyd_iter_chunked_dense + relocation); X dense
    or scipy sparse; spherical: the new centres scaled to unit norm.

    Returns new centres, labels, n_changed, inertia of the assignment, squared centre shift.
    """
    sums, wsum, labels, n_changed, inertia = lloyd_partial(X, w, C_old, labels_prev)
    X64 = X.toarray().astype(np.float64) if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    w = np.ones(len(X64)) if w is None else np.asarray(w, dtype=np.float64)
    empty = np.flatnonzero(wsum == 0)
    if len(empty):
        # nothing moves if every point is on its centre
        order, far = farthest(X64, C_old, labels, len(empty))
        if far[0] > 0:
            for j, i in zip(empty, order):
                old = labels[i]
                sums[old] -= w[i] * X64[i]
                sums[j] = w[i] * X64[i]
                wsum[j] = w[i]
                wsum[old] -= w[i]
    C_new = np.array(C_old, dtype=np.float64, copy=True)
    full = wsum > 0
    C_new[full] = sums[full] / wsum[full, None]
    heaviest = int(np.argmax(wsum))
    if wsum[heaviest] > 0:
        C_new[~full] = C_new[heaviest]
    if spherical:
        C_new = unit_rows(C_new)
    shift = float(((C_new - np.asarray(C_old, dtype=np.float64)) ** 2).sum())
    return C_new, labels, n_changed, inertia, shift


def kmeans_fit(X, w, C0, max_iter=300, tol_abs=0.0, spherical=False):
    """scikit-learn's Lloyd loop on the twin iteration: (centres, labels, inertia, n_iter); X dense
    or scipy sparse."""
    C = np.asarray(C0, dtype=np.float64)
    n = X.shape[0]
    labels = np.full(n, -1, dtype=np.int32)
    strict = False
    for it in range(max_iter):  # noqa: B007 (the count is returned)
        C, labels, n_changed, _, shift = lloyd_iter(X, w, C, labels, spherical)
        if n_changed == 0:
            strict = True
            break
        if shift <= tol_abs:
            break
    X64, D2 = _dense_and_sqdist(X, C)
    if not strict:
        labels = D2.argmin(axis=1).astype(np.int32)
    wv = np.ones(n) if w is None else np.asarray(w, dtype=np.float64)
    inertia = float((wv * ((X64 - C[labels]) ** 2).sum(axis=1)).sum())
    return C, labels, inertia, it + 1


# ------------------------------------------------------------------- soft k-means (soft_kmeans.c)


def soft_distances(X, C, distance):
    """(n, k) Euclidean or squared Euclidean distances by differences, in float64 (scipy sparse X: by
    the sparse kernels' expansion, csr_sqdist_matrix); 'spherical': 1 - cos = ||x - c||^2 / 2 of unit
    rows and centres (exp(-beta D) is then a von Mises-Fisher mixture's exp(beta cos), up to a
    factor per row)."""
    d2 = csr_sqdist_matrix(X, C) if sp.issparse(X) else sqdist_matrix(X, C)
    if distance == "spherical":
        return d2 / 2
    return np.sqrt(d2) if distance == "euclidean" else d2


def soft_flush(R):
    """Responsibilities below the smallest normal double are 0 (soft_kmeans.c: ck_soft_flush)."""
    return np.where(R < np.finfo(np.float64).tiny, 0.0, R)


def soft_estep(X, C, beta, distance, w=None):
    """Responsibilities (log-sum-exp from the definition, flushed), argmax labels and the free energy
    sum_i w_i * (-1/beta) * log sum_j exp(-beta D_ij)."""
    a = -beta * soft_distances(X, C, distance)
    m = a.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(a - m).sum(axis=1))
    R = soft_flush(np.exp(a - lse[:, None]))
    w = np.ones(len(a)) if w is None else np.asarray(w, dtype=np.float64)
    return R, a.argmax(axis=1).astype(np.int32), float((w * (-lse / beta)).sum())


def soft_partial(X, w, C, beta, distance):
    """A block's part of one soft iteration (E-step and sums, no M-step): sum_i w_i r_ij x_i, the
    total weights sum_i w_i r_ij and the free energy of C. X dense or scipy sparse."""
    X64 = sp.csr_matrix(X, dtype=np.float64) if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    R, _, energy = soft_estep(X64, C, beta, distance, w)
    wr = R if w is None else soft_flush(R * np.asarray(w, dtype=np.float64)[:, None])
    sums = np.asarray((X64.T @ wr).T) if sp.issparse(X64) else wr.T @ X64
    return sums, wr.sum(axis=0), energy


def soft_step(X, w, C_old, beta, distance):
    """One E+M iteration: new centres (clusters of zero total weight keep their old centre; scaled to
    unit norm for 'spherical'), the total weights, the free energy of C_old and the Frobenius norm of
    the change. X dense or scipy sparse."""
    sums, wsum, energy = soft_partial(X, w, C_old, beta, distance)
    C_new = np.array(C_old, dtype=np.float64, copy=True)
    full = wsum > 0
    C_new[full] = sums[full] / wsum[full, None]
    if distance == "spherical":
        C_new = unit_rows(C_new)
    return C_new, wsum, energy, float(np.linalg.norm(C_new - np.asarray(C_old, dtype=np.float64)))


def soft_fit(X, w, C0, beta, distance, max_iter):
    """max_iter soft_steps from C0, then the E-step of the final centres rounded to C0's dtype (as the
    fit returns them): (centres, responsibilities, labels, free energy)."""
    C = np.asarray(C0, dtype=np.float64)
    for _ in range(max_iter):
        C = soft_step(X, w, C, beta, distance)[0]
    C = C.astype(np.asarray(C0).dtype).astype(np.float64)
    return (C, *soft_estep(X, C, beta, distance, w))


def soft_contingency(y_codes, R, w=None):
    """(n_classes, k) table: sum of w_i R[i, k] over the points of each class (onehot(y)^T R)."""
    R = np.asarray(R, dtype=np.float64)
    if w is not None:
        R = R * np.asarray(w, dtype=np.float64)[:, None]
    table = np.zeros((int(np.max(y_codes)) + 1, R.shape[1]))
    for c in range(table.shape[0]):
        table[c] = R[y_codes == c].sum(axis=0)
    return table


def soft_gini(y, R):
    """The notebook's double loop over points and clusters, with the n of the data (not 11314)."""
    classes = np.unique(y)
    n, k = R.shape
    total = 0.0
    for j in range(k):
        counts = {c: 0.0 for c in classes}
        for i in range(n):
            counts[y[i]] += R[i, j]
        size = sum(counts.values())
        if size > 0:
            total += size * (1.0 - sum((v / size) ** 2 for v in counts.values()))
    return total / n


# ------------------------------------------------- k-means++ potential (kmeans_init.c, both layouts)


def potential(X, C):
    """sum_i min_j ||x_i - c_j||^2 (unweighted), float64; X dense or scipy sparse."""
    return float(_dense_and_sqdist(X, C)[1].min(axis=1).sum())
