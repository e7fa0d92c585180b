# Boundary to src_c/kmeans_{assign,lloyd,init}.c: typed views in, caller-allocated outputs, the GIL
# released once around each kernel, status codes turned into exceptions. Inputs arrive validated
# (C-contiguous, matching dtypes and shapes) from ckmeans/_kmeans.py.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t

from ckmeans._boundary cimport (check_status, const_ptr_or_null, ctype, pair_error,
                                ptr_or_null, xtype)


cdef extern from "ckmeans.h":
    int ck_assign_f32(const float *X, int64_t n, int64_t d, const float *C, int64_t k, int32_t *labels, double *sqdist, int n_threads) nogil
    int ck_assign_f64(const double *X, int64_t n, int64_t d, const double *C, int64_t k, int32_t *labels, double *sqdist, int n_threads) nogil
    int ck_assign_u8(const uint8_t *X, int64_t n, int64_t d, const double *C, int64_t k, int32_t *labels, double *sqdist, int n_threads) nogil
    int ck_inertia_f32(const float *X, int64_t n, int64_t d, const double *w, const float *C, int64_t k, const int32_t *labels, int n_threads, double *inertia) nogil
    int ck_inertia_f64(const double *X, int64_t n, int64_t d, const double *w, const double *C, int64_t k, const int32_t *labels, int n_threads, double *inertia) nogil
    int ck_inertia_u8(const uint8_t *X, int64_t n, int64_t d, const double *w, const double *C, int64_t k, const int32_t *labels, int n_threads, double *inertia) nogil
    int ck_centroids_update_f32(const float *X, int64_t n, int64_t d, const double *w, const int32_t *labels, int64_t k, float *C, double *wsum, int n_threads) nogil
    int ck_centroids_update_f64(const double *X, int64_t n, int64_t d, const double *w, const int32_t *labels, int64_t k, double *C, double *wsum, int n_threads) nogil
    int ck_centroids_update_u8(const uint8_t *X, int64_t n, int64_t d, const double *w, const int32_t *labels, int64_t k, double *C, double *wsum, int n_threads) nogil
    int ck_lloyd_step_f32(const float *X, int64_t n, int64_t d, const double *w, const float *C_old, int64_t k, float *C_new, int32_t *labels, int n_threads, int64_t *n_changed, double *inertia, double *shift) nogil
    int ck_lloyd_step_f64(const double *X, int64_t n, int64_t d, const double *w, const double *C_old, int64_t k, double *C_new, int32_t *labels, int n_threads, int64_t *n_changed, double *inertia, double *shift) nogil
    int ck_lloyd_step_u8(const uint8_t *X, int64_t n, int64_t d, const double *w, const double *C_old, int64_t k, double *C_new, int32_t *labels, int n_threads, int64_t *n_changed, double *inertia, double *shift) nogil
    int ck_kmeans_fit_f32(const float *X, int64_t n, int64_t d, const double *w, int64_t k, float *C, int32_t *labels, int max_iter, double tol, int n_threads, int *n_iter, double *inertia, double *history, int *converged) nogil
    int ck_kmeans_fit_f64(const double *X, int64_t n, int64_t d, const double *w, int64_t k, double *C, int32_t *labels, int max_iter, double tol, int n_threads, int *n_iter, double *inertia, double *history, int *converged) nogil
    int ck_kmeans_fit_u8(const uint8_t *X, int64_t n, int64_t d, const double *w, int64_t k, double *C, int32_t *labels, int max_iter, double tol, int n_threads, int *n_iter, double *inertia, double *history, int *converged) nogil
    int ck_kmeans_fit_auto_f32(const float *X, int64_t n, int64_t d, const double *w, int64_t k, float *C, int32_t *labels, int max_iter, double tol, int n_threads, int *n_iter, double *inertia, double *history, int *converged) nogil
    int ck_kmeans_fit_auto_f64(const double *X, int64_t n, int64_t d, const double *w, int64_t k, double *C, int32_t *labels, int max_iter, double tol, int n_threads, int *n_iter, double *inertia, double *history, int *converged) nogil
    int ck_kmeans_fit_auto_u8(const uint8_t *X, int64_t n, int64_t d, const double *w, int64_t k, double *C, int32_t *labels, int max_iter, double tol, int n_threads, int *n_iter, double *inertia, double *history, int *converged) nogil
    int ck_kmeans_fit_yinyang_f32(const float *X, int64_t n, int64_t d, const double *w, int64_t k, float *C, int32_t *labels, int max_iter, double tol, int64_t n_groups, int n_threads, int *n_iter, double *inertia, double *history, int64_t *searched, int *converged) nogil
    int ck_kmeans_fit_yinyang_f64(const double *X, int64_t n, int64_t d, const double *w, int64_t k, double *C, int32_t *labels, int max_iter, double tol, int64_t n_groups, int n_threads, int *n_iter, double *inertia, double *history, int64_t *searched, int *converged) nogil
    int ck_kmeans_fit_yinyang_u8(const uint8_t *X, int64_t n, int64_t d, const double *w, int64_t k, double *C, int32_t *labels, int max_iter, double tol, int64_t n_groups, int n_threads, int *n_iter, double *inertia, double *history, int64_t *searched, int *converged) nogil
    int ck_kmeans_plusplus_f32(const float *X, int64_t n, int64_t d, const double *w, int64_t k, uint64_t seed, int n_local_trials, float *C, int64_t *indices, int n_threads) nogil
    int ck_kmeans_plusplus_f64(const double *X, int64_t n, int64_t d, const double *w, int64_t k, uint64_t seed, int n_local_trials, double *C, int64_t *indices, int n_threads) nogil
    int ck_kmeans_plusplus_u8(const uint8_t *X, int64_t n, int64_t d, const double *w, int64_t k, uint64_t seed, int n_local_trials, double *C, int64_t *indices, int n_threads) nogil
    int ck_kmeans_random_init_f32(const float *X, int64_t n, int64_t d, const double *w, int64_t k, uint64_t seed, float *C, int64_t *indices) nogil
    int ck_kmeans_random_init_f64(const double *X, int64_t n, int64_t d, const double *w, int64_t k, uint64_t seed, double *C, int64_t *indices) nogil
    int ck_kmeans_random_init_u8(const uint8_t *X, int64_t n, int64_t d, const double *w, int64_t k, uint64_t seed, double *C, int64_t *indices) nogil

    int ck_mean_feature_variance_f32(const float *X, int64_t n, int64_t d, int n_threads, double *out) nogil
    int ck_mean_feature_variance_f64(const double *X, int64_t n, int64_t d, int n_threads, double *out) nogil
    int ck_mean_feature_variance_u8(const uint8_t *X, int64_t n, int64_t d, int n_threads, double *out) nogil
    int ck_find_nonfinite_f32(const float *x, int64_t n, int n_threads, int64_t *first) nogil
    int ck_find_nonfinite_f64(const double *x, int64_t n, int n_threads, int64_t *first) nogil


def assign(const xtype[:, ::1] X, const ctype[:, ::1] centroids, int32_t[::1] labels, double[::1] sqdist,
           int n_threads):
    """labels (OUT) and optional sqdist (OUT) of every row's nearest centroid."""
    cdef int st = 0
    cdef double *sq = ptr_or_null(sqdist)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = centroids.shape[0]
    if xtype is float and ctype is float:
        with nogil:
            st = ck_assign_f32(&X[0, 0], n, d, &centroids[0, 0], k, &labels[0], sq, n_threads)
    elif xtype is double and ctype is double:
        with nogil:
            st = ck_assign_f64(&X[0, 0], n, d, &centroids[0, 0], k, &labels[0], sq, n_threads)
    elif xtype is uint8_t and ctype is double:
        with nogil:
            st = ck_assign_u8(&X[0, 0], n, d, &centroids[0, 0], k, &labels[0], sq, n_threads)
    else:
        pair_error()
    check_status(st, "k-means")


def inertia(const xtype[:, ::1] X, const double[::1] sample_weight, const ctype[:, ::1] centroids,
            const int32_t[::1] labels, int n_threads):
    """sum_i w_i ||x_i - c_labels[i]||^2."""
    cdef int st = 0
    cdef double out = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = centroids.shape[0]
    if xtype is float and ctype is float:
        with nogil:
            st = ck_inertia_f32(&X[0, 0], n, d, w, &centroids[0, 0], k, &labels[0], n_threads, &out)
    elif xtype is double and ctype is double:
        with nogil:
            st = ck_inertia_f64(&X[0, 0], n, d, w, &centroids[0, 0], k, &labels[0], n_threads, &out)
    elif xtype is uint8_t and ctype is double:
        with nogil:
            st = ck_inertia_u8(&X[0, 0], n, d, w, &centroids[0, 0], k, &labels[0], n_threads, &out)
    else:
        pair_error()
    check_status(st, "k-means")
    return out


def centroids_update(const xtype[:, ::1] X, const double[::1] sample_weight, const int32_t[::1] labels,
                     ctype[:, ::1] centroids, double[::1] weight_in_clusters, int n_threads):
    """centroids (IN/OUT: empty clusters untouched) = weighted means; weight_in_clusters (OUT)."""
    cdef int st = 0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = centroids.shape[0]
    if xtype is float and ctype is float:
        with nogil:
            st = ck_centroids_update_f32(&X[0, 0], n, d, w, &labels[0], k, &centroids[0, 0], &weight_in_clusters[0], n_threads)
    elif xtype is double and ctype is double:
        with nogil:
            st = ck_centroids_update_f64(&X[0, 0], n, d, w, &labels[0], k, &centroids[0, 0], &weight_in_clusters[0], n_threads)
    elif xtype is uint8_t and ctype is double:
        with nogil:
            st = ck_centroids_update_u8(&X[0, 0], n, d, w, &labels[0], k, &centroids[0, 0], &weight_in_clusters[0], n_threads)
    else:
        pair_error()
    check_status(st, "k-means")


def lloyd_step(const xtype[:, ::1] X, const double[::1] sample_weight, const ctype[:, ::1] centroids_old,
               ctype[:, ::1] centroids_new, int32_t[::1] labels, int n_threads):
    """One Lloyd iteration; returns (n_changed, inertia, center_shift)."""
    cdef int st = 0
    cdef int64_t changed = 0
    cdef double inert = 0.0, shift = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = centroids_old.shape[0]
    if xtype is float and ctype is float:
        with nogil:
            st = ck_lloyd_step_f32(&X[0, 0], n, d, w, &centroids_old[0, 0], k, &centroids_new[0, 0], &labels[0], n_threads, &changed, &inert, &shift)
    elif xtype is double and ctype is double:
        with nogil:
            st = ck_lloyd_step_f64(&X[0, 0], n, d, w, &centroids_old[0, 0], k, &centroids_new[0, 0], &labels[0], n_threads, &changed, &inert, &shift)
    elif xtype is uint8_t and ctype is double:
        with nogil:
            st = ck_lloyd_step_u8(&X[0, 0], n, d, w, &centroids_old[0, 0], k, &centroids_new[0, 0], &labels[0], n_threads, &changed, &inert, &shift)
    else:
        pair_error()
    check_status(st, "k-means")
    return changed, inert, shift


def fit(const xtype[:, ::1] X, const double[::1] sample_weight, ctype[:, ::1] centroids, int32_t[::1] labels,
        int max_iter, double tol_abs, int n_threads, double[::1] inertia_history, bint auto=False):
    """Whole Lloyd fit from centroids (IN/OUT); returns (n_iter, inertia, converged). auto: the same
    results by ck_kmeans_fit_auto's choice of method."""
    cdef int st = 0, n_iter = 0, conv = 0
    cdef double inert = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = centroids.shape[0]
    if xtype is float and ctype is float:
        with nogil:
            if auto:
                st = ck_kmeans_fit_auto_f32(&X[0, 0], n, d, w, k, &centroids[0, 0], &labels[0], max_iter, tol_abs, n_threads, &n_iter, &inert, &inertia_history[0], &conv)
            else:
                st = ck_kmeans_fit_f32(&X[0, 0], n, d, w, k, &centroids[0, 0], &labels[0], max_iter, tol_abs, n_threads, &n_iter, &inert, &inertia_history[0], &conv)
    elif xtype is double and ctype is double:
        with nogil:
            if auto:
                st = ck_kmeans_fit_auto_f64(&X[0, 0], n, d, w, k, &centroids[0, 0], &labels[0], max_iter, tol_abs, n_threads, &n_iter, &inert, &inertia_history[0], &conv)
            else:
                st = ck_kmeans_fit_f64(&X[0, 0], n, d, w, k, &centroids[0, 0], &labels[0], max_iter, tol_abs, n_threads, &n_iter, &inert, &inertia_history[0], &conv)
    elif xtype is uint8_t and ctype is double:
        with nogil:
            if auto:
                st = ck_kmeans_fit_auto_u8(&X[0, 0], n, d, w, k, &centroids[0, 0], &labels[0], max_iter, tol_abs, n_threads, &n_iter, &inert, &inertia_history[0], &conv)
            else:
                st = ck_kmeans_fit_u8(&X[0, 0], n, d, w, k, &centroids[0, 0], &labels[0], max_iter, tol_abs, n_threads, &n_iter, &inert, &inertia_history[0], &conv)
    else:
        pair_error()
    check_status(st, "k-means")
    return n_iter, inert, bool(conv)


def fit_yinyang(const xtype[:, ::1] X, const double[::1] sample_weight, ctype[:, ::1] centroids,
                int32_t[::1] labels, int max_iter, double tol_abs, int64_t n_groups, int n_threads,
                double[::1] inertia_history, int64_t[::1] searched_history=None):
    """Whole Yinyang fit (Lloyd's results) from centroids (IN/OUT); returns (n_iter, inertia, converged).
    searched_history (OUT, max_iter counts, or None): rows searched per iteration."""
    cdef int st = 0, n_iter = 0, conv = 0
    cdef int64_t *searched = NULL if searched_history is None else &searched_history[0]
    cdef double inert = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = centroids.shape[0]
    if xtype is float and ctype is float:
        with nogil:
            st = ck_kmeans_fit_yinyang_f32(&X[0, 0], n, d, w, k, &centroids[0, 0], &labels[0], max_iter, tol_abs, n_groups, n_threads, &n_iter, &inert, &inertia_history[0], searched, &conv)
    elif xtype is double and ctype is double:
        with nogil:
            st = ck_kmeans_fit_yinyang_f64(&X[0, 0], n, d, w, k, &centroids[0, 0], &labels[0], max_iter, tol_abs, n_groups, n_threads, &n_iter, &inert, &inertia_history[0], searched, &conv)
    elif xtype is uint8_t and ctype is double:
        with nogil:
            st = ck_kmeans_fit_yinyang_u8(&X[0, 0], n, d, w, k, &centroids[0, 0], &labels[0], max_iter, tol_abs, n_groups, n_threads, &n_iter, &inert, &inertia_history[0], searched, &conv)
    else:
        pair_error()
    check_status(st, "k-means")
    return n_iter, inert, bool(conv)


def kmeans_plusplus(const xtype[:, ::1] X, const double[::1] sample_weight, uint64_t seed, int n_local_trials,
                    ctype[:, ::1] centroids, int64_t[::1] indices, int n_threads):
    """Greedy k-means++ into centroids (OUT) and indices (OUT)."""
    cdef int st = 0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = centroids.shape[0]
    if xtype is float and ctype is float:
        with nogil:
            st = ck_kmeans_plusplus_f32(&X[0, 0], n, d, w, k, seed, n_local_trials, &centroids[0, 0], &indices[0], n_threads)
    elif xtype is double and ctype is double:
        with nogil:
            st = ck_kmeans_plusplus_f64(&X[0, 0], n, d, w, k, seed, n_local_trials, &centroids[0, 0], &indices[0], n_threads)
    elif xtype is uint8_t and ctype is double:
        with nogil:
            st = ck_kmeans_plusplus_u8(&X[0, 0], n, d, w, k, seed, n_local_trials, &centroids[0, 0], &indices[0], n_threads)
    else:
        pair_error()
    check_status(st, "k-means")


def random_init(const xtype[:, ::1] X, const double[::1] sample_weight, uint64_t seed,
                ctype[:, ::1] centroids, int64_t[::1] indices):
    """n_clusters distinct rows into centroids (OUT) and indices (OUT)."""
    cdef int st = 0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = centroids.shape[0]
    if xtype is float and ctype is float:
        with nogil:
            st = ck_kmeans_random_init_f32(&X[0, 0], n, d, w, k, seed, &centroids[0, 0], &indices[0])
    elif xtype is double and ctype is double:
        with nogil:
            st = ck_kmeans_random_init_f64(&X[0, 0], n, d, w, k, seed, &centroids[0, 0], &indices[0])
    elif xtype is uint8_t and ctype is double:
        with nogil:
            st = ck_kmeans_random_init_u8(&X[0, 0], n, d, w, k, seed, &centroids[0, 0], &indices[0])
    else:
        pair_error()
    check_status(st, "k-means")


def find_nonfinite(const ctype[:, ::1] X, int n_threads):
    """Flat index of the first NaN or infinity in X, or -1."""
    cdef int st = 0
    cdef int64_t first = -1, n = X.shape[0] * X.shape[1]
    if ctype is float:
        with nogil:
            st = ck_find_nonfinite_f32(&X[0, 0], n, n_threads, &first)
    else:
        with nogil:
            st = ck_find_nonfinite_f64(&X[0, 0], n, n_threads, &first)
    check_status(st, "validation")
    return first


def mean_feature_variance(const xtype[:, ::1] X, int n_threads):
    """Mean over features of the per-feature variance of X."""
    cdef int st = 0
    cdef double out = 0.0
    cdef int64_t n = X.shape[0], d = X.shape[1]
    if xtype is float:
        with nogil:
            st = ck_mean_feature_variance_f32(&X[0, 0], n, d, n_threads, &out)
    elif xtype is double:
        with nogil:
            st = ck_mean_feature_variance_f64(&X[0, 0], n, d, n_threads, &out)
    else:
        with nogil:
            st = ck_mean_feature_variance_u8(&X[0, 0], n, d, n_threads, &out)
    check_status(st, "k-means")
    return out
