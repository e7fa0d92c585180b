# K-means on many independent datasets at once (bootstrap resamples, per-user or per-image
# subsets...): one prange loop over the datasets, each one fitted by ckmeans' C kernels on one thread,
# without the GIL and without a Python call per dataset.
from cython.parallel cimport prange
from libc.stdint cimport int32_t, int64_t, uint64_t

import numpy as np

from ckmeans.kernels cimport (CK_OK, ck_data_f64, ck_kmeans_fit_f64, ck_kmeans_params,
                              ck_kmeans_params_init, ck_kmeans_plusplus_f64, ck_kmeans_result,
                              ck_mean_feature_variance_f64, ck_strerror)


cdef int fit_one(const double *X, int64_t n, int64_t d, int n_clusters, uint64_t seed, int max_iter,
                 double tol, double *centroids, int32_t *labels, int64_t *init_rows, int *n_iter,
                 double *inertia) noexcept nogil:
    """One dataset on one thread: k-means++, then the fit ckmeans.kmeans runs; a status code."""
    cdef ck_data_f64 data
    data.X, data.n_samples, data.n_features, data.sample_weight = X, n, d, NULL
    cdef double variance = 0.0
    cdef int st = ck_mean_feature_variance_f64(&data, &variance, 1)
    if st == CK_OK:
        st = ck_kmeans_plusplus_f64(&data, n_clusters, seed, 0, centroids, init_rows, 1)
    if st != CK_OK:
        return st
    cdef ck_kmeans_params params
    ck_kmeans_params_init(&params)  # the defaults (exact automatic method, one thread), then ours
    params.max_iter, params.tol_abs = max_iter, tol * variance
    cdef ck_kmeans_result result
    result.labels, result.inertia_history, result.searched_history = labels, NULL, NULL
    st = ck_kmeans_fit_f64(&data, n_clusters, centroids, &params, &result)
    n_iter[0], inertia[0] = result.n_iter, result.inertia
    return st


def kmeans_many(const double[:, :, ::1] X, int n_clusters, const uint64_t[::1] seeds, *,
                int max_iter=300, double tol=1e-4, int n_threads=1):
    """Fit k-means to each X[s] of X (n_sets, n_samples, n_features), float64, C-contiguous.

    Dataset s starts from greedy k-means++ seeded with seeds[s], then runs ckmeans.kmeans' fit and
    stopping rule (tol relative to the mean feature variance of X[s]). The datasets are shared
    among n_threads threads; every kernel call uses one thread, so nothing is oversubscribed.

    Returns a dict of arrays: centroids (n_sets, n_clusters, n_features), labels (n_sets, n_samples)
    int32, inertia (n_sets,), n_iter (n_sets,) C int, init_rows (n_sets, n_clusters) int64 (the rows
    k-means++ chose, to reproduce a fit elsewhere).
    """
    cdef Py_ssize_t n_sets = X.shape[0], s
    cdef int64_t n = X.shape[1], d = X.shape[2]
    if seeds.shape[0] != n_sets:
        raise ValueError(f"need one seed per dataset: {seeds.shape[0]} seeds for {n_sets} datasets")
    if not 1 <= n_clusters <= n:
        raise ValueError(f"n_clusters={n_clusters} must be in [1, n_samples={n}]")
    centroids = np.empty((n_sets, n_clusters, d))
    labels = np.empty((n_sets, n), dtype=np.int32)
    inertia = np.empty(n_sets)
    n_iter = np.empty(n_sets, dtype=np.intc)
    init_rows = np.empty((n_sets, n_clusters), dtype=np.int64)
    status = np.zeros(n_sets, dtype=np.int32)
    cdef double[:, :, ::1] C = centroids
    cdef int32_t[:, ::1] L = labels
    cdef double[::1] E = inertia
    cdef int[::1] T = n_iter
    cdef int64_t[:, ::1] R = init_rows
    cdef int32_t[::1] S = status

    for s in prange(n_sets, nogil=True, num_threads=n_threads, schedule="dynamic"):
        S[s] = fit_one(&X[s, 0, 0], n, d, n_clusters, seeds[s], max_iter, tol, &C[s, 0, 0], &L[s, 0],
                       &R[s, 0], &T[s], &E[s])

    for s in range(n_sets):  # errors surface after the parallel loop, with the GIL
        if S[s] != CK_OK:
            raise RuntimeError(f"dataset {s}: {ck_strerror(S[s]).decode()}")
    return {"centroids": centroids, "labels": labels, "inertia": inertia, "n_iter": n_iter,
            "init_rows": init_rows}
