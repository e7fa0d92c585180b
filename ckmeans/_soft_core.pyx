# Boundary to src_c/soft_kmeans.c: typed views in, caller-allocated outputs, the GIL released once
# around each kernel, status codes turned into exceptions. Inputs arrive validated (C-contiguous,
# matching dtypes and shapes, beta checked) from ckmeans/_soft.py.
from libc.stdint cimport int32_t, int64_t, uint8_t

from ckmeans._boundary cimport (check_status, const_ptr_or_null, ctype, pair_error,
                                ptr_or_null, xtype)


cdef extern from "ckmeans.h":
    int ck_soft_estep_f32(const float *X, int64_t n, int64_t d, const double *w, const float *C, int64_t k, double beta, int distance, double *resp, int32_t *labels, double *objective, int n_threads) nogil
    int ck_soft_estep_f64(const double *X, int64_t n, int64_t d, const double *w, const double *C, int64_t k, double beta, int distance, double *resp, int32_t *labels, double *objective, int n_threads) nogil
    int ck_soft_estep_u8(const uint8_t *X, int64_t n, int64_t d, const double *w, const double *C, int64_t k, double beta, int distance, double *resp, int32_t *labels, double *objective, int n_threads) nogil
    int ck_soft_step_f32(const float *X, int64_t n, int64_t d, const double *w, const float *C_old, int64_t k, double beta, int distance, float *C_new, double *wsum, int n_threads, double *objective, double *shift) nogil
    int ck_soft_step_f64(const double *X, int64_t n, int64_t d, const double *w, const double *C_old, int64_t k, double beta, int distance, double *C_new, double *wsum, int n_threads, double *objective, double *shift) nogil
    int ck_soft_step_u8(const uint8_t *X, int64_t n, int64_t d, const double *w, const double *C_old, int64_t k, double beta, int distance, double *C_new, double *wsum, int n_threads, double *objective, double *shift) nogil
    int ck_soft_kmeans_fit_f32(const float *X, int64_t n, int64_t d, const double *w, int64_t k, const double *betas, int64_t n_betas, int distance, float *C, int max_iter, double tol, int n_threads, double *resp, int32_t *labels, int *n_iter, double *objective, double *history, int *converged) nogil
    int ck_soft_kmeans_fit_f64(const double *X, int64_t n, int64_t d, const double *w, int64_t k, const double *betas, int64_t n_betas, int distance, double *C, int max_iter, double tol, int n_threads, double *resp, int32_t *labels, int *n_iter, double *objective, double *history, int *converged) nogil
    int ck_soft_kmeans_fit_u8(const uint8_t *X, int64_t n, int64_t d, const double *w, int64_t k, const double *betas, int64_t n_betas, int distance, double *C, int max_iter, double tol, int n_threads, double *resp, int32_t *labels, int *n_iter, double *objective, double *history, int *converged) nogil


cdef inline double *_rptr(double[:, ::1] a):
    return NULL if a is None else &a[0, 0]


cdef inline int32_t *_lptr(int32_t[::1] a):
    return NULL if a is None else &a[0]


def estep(const xtype[:, ::1] X,             # IN  (n, d)
          const double[::1] sample_weight,   # IN  (n,) or None
          const ctype[:, ::1] centroids,     # IN  (k, d)
          double beta, int distance,
          double[:, ::1] responsibilities,   # OUT (n, k) or None
          int32_t[::1] labels,               # OUT (n,) or None
          int n_threads):
    """Responsibilities and labels (OUT) of X for the centres; returns the free energy."""
    cdef int st = 0
    cdef double obj = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef double *r = _rptr(responsibilities)
    cdef int32_t *lab = _lptr(labels)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = centroids.shape[0]
    if xtype is float and ctype is float:
        with nogil:
            st = ck_soft_estep_f32(&X[0, 0], n, d, w, &centroids[0, 0], k, beta, distance, r, lab, &obj, n_threads)
    elif xtype is double and ctype is double:
        with nogil:
            st = ck_soft_estep_f64(&X[0, 0], n, d, w, &centroids[0, 0], k, beta, distance, r, lab, &obj, n_threads)
    elif xtype is uint8_t and ctype is double:
        with nogil:
            st = ck_soft_estep_u8(&X[0, 0], n, d, w, &centroids[0, 0], k, beta, distance, r, lab, &obj, n_threads)
    else:
        pair_error()
    check_status(st, "soft k-means")
    return obj


def step(const xtype[:, ::1] X, const double[::1] sample_weight, const ctype[:, ::1] centroids_old,
         double beta, int distance,
         ctype[:, ::1] centroids_new,        # OUT (k, d)
         double[::1] weight_in_clusters,     # OUT (k,) or None
         int n_threads):
    """One fused E+M iteration; returns (free energy of centroids_old, Frobenius centre shift)."""
    cdef int st = 0
    cdef double obj = 0.0, shift = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef double *ws = ptr_or_null(weight_in_clusters)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = centroids_old.shape[0]
    if xtype is float and ctype is float:
        with nogil:
            st = ck_soft_step_f32(&X[0, 0], n, d, w, &centroids_old[0, 0], k, beta, distance, &centroids_new[0, 0], ws, n_threads, &obj, &shift)
    elif xtype is double and ctype is double:
        with nogil:
            st = ck_soft_step_f64(&X[0, 0], n, d, w, &centroids_old[0, 0], k, beta, distance, &centroids_new[0, 0], ws, n_threads, &obj, &shift)
    elif xtype is uint8_t and ctype is double:
        with nogil:
            st = ck_soft_step_u8(&X[0, 0], n, d, w, &centroids_old[0, 0], k, beta, distance, &centroids_new[0, 0], ws, n_threads, &obj, &shift)
    else:
        pair_error()
    check_status(st, "soft k-means")
    return obj, shift


def fit(const xtype[:, ::1] X, const double[::1] sample_weight,
        const double[::1] betas,             # IN  one beta per iteration; the last one holds after
        int distance,
        ctype[:, ::1] centroids,             # IN/OUT (k, d)
        int max_iter, double tol, int n_threads,
        double[:, ::1] responsibilities,     # OUT (n, k) or None
        int32_t[::1] labels,                 # OUT (n,)
        double[::1] objective_history):      # OUT (max_iter,)
    """Whole soft k-means fit; returns (n_iter, free energy, converged)."""
    cdef int st = 0, n_iter = 0, conv = 0
    cdef double obj = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef double *r = _rptr(responsibilities)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = centroids.shape[0], nb = betas.shape[0]
    if xtype is float and ctype is float:
        with nogil:
            st = ck_soft_kmeans_fit_f32(&X[0, 0], n, d, w, k, &betas[0], nb, distance, &centroids[0, 0], max_iter, tol, n_threads, r, &labels[0], &n_iter, &obj, &objective_history[0], &conv)
    elif xtype is double and ctype is double:
        with nogil:
            st = ck_soft_kmeans_fit_f64(&X[0, 0], n, d, w, k, &betas[0], nb, distance, &centroids[0, 0], max_iter, tol, n_threads, r, &labels[0], &n_iter, &obj, &objective_history[0], &conv)
    elif xtype is uint8_t and ctype is double:
        with nogil:
            st = ck_soft_kmeans_fit_u8(&X[0, 0], n, d, w, k, &betas[0], nb, distance, &centroids[0, 0], max_iter, tol, n_threads, r, &labels[0], &n_iter, &obj, &objective_history[0], &conv)
    else:
        pair_error()
    check_status(st, "soft k-means")
    return n_iter, obj, bool(conv)
