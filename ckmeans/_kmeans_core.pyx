# Boundary to src_c/kmeans_{assign,lloyd,init}.c: typed views in, caller-allocated outputs, the GIL
# released once around each kernel, status codes turned into exceptions. Inputs arrive validated
# (C-contiguous, matching dtypes and shapes) from ckmeans/_kmeans.py.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t

from ckmeans._boundary cimport (check_status, ck_sigint_guard, const_ptr_or_null, ctype, data_f32, data_f64,
                                data_u8, interruptible_begin, interruptible_end, pair_error, ptr_or_null,
                                raise_from_callback, set_callback, xtype)
from ckmeans._ckmeans cimport (CK_ALGO_AUTO, CK_ALGO_HAMERLY, CK_ALGO_LLOYD, CK_ALGO_YINYANG,
                               ck_assign_f32, ck_assign_f64, ck_assign_u8, ck_centroids_update_f32,
                               ck_centroids_update_f64, ck_centroids_update_u8, ck_data_f32, ck_data_f64,
                               ck_data_u8, ck_find_nonfinite_f32, ck_find_nonfinite_f64, ck_inertia_f32,
                               ck_inertia_f64, ck_inertia_u8, ck_kmeans_fit_f32, ck_kmeans_fit_f64,
                               ck_kmeans_fit_u8, ck_kmeans_params, ck_kmeans_params_init,
                               ck_kmeans_plusplus_f32, ck_kmeans_plusplus_f64, ck_kmeans_plusplus_u8,
                               ck_kmeans_random_init_f32, ck_kmeans_random_init_f64,
                               ck_kmeans_random_init_u8, ck_kmeans_result, ck_lloyd_step_f32,
                               ck_lloyd_step_f64, ck_lloyd_step_u8, ck_lloyd_partial_f32,
                               ck_lloyd_partial_f64, ck_lloyd_partial_u8, ck_farthest_f32, ck_farthest_f64,
                               ck_farthest_u8, ck_mean_feature_variance_f32,
                               ck_mean_feature_variance_f64, ck_mean_feature_variance_u8, ck_step_stats)

# The method names of ckmeans.kmeans and their codes in ckmeans.h.
ALGORITHMS = {"auto": CK_ALGO_AUTO, "lloyd": CK_ALGO_LLOYD, "yinyang": CK_ALGO_YINYANG,
              "hamerly": CK_ALGO_HAMERLY}
_ALGORITHM_NAMES = {code: name for name, code in ALGORITHMS.items()}


def assign(const xtype[:, ::1] X, const ctype[:, ::1] centroids, int32_t[::1] labels, double[::1] sqdist,
           int n_threads):
    """labels (OUT) and optional sqdist (OUT) of every row's nearest centroid."""
    cdef int st = 0
    cdef double *sq = ptr_or_null(sqdist)
    cdef int64_t k = centroids.shape[0]
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    if xtype is float and ctype is float:
        d32 = data_f32(X, NULL)
        with nogil:
            st = ck_assign_f32(&d32, k, &centroids[0, 0], &labels[0], sq, n_threads)
    elif xtype is double and ctype is double:
        d64 = data_f64(X, NULL)
        with nogil:
            st = ck_assign_f64(&d64, k, &centroids[0, 0], &labels[0], sq, n_threads)
    elif xtype is uint8_t and ctype is double:
        du8 = data_u8(X, NULL)
        with nogil:
            st = ck_assign_u8(&du8, k, &centroids[0, 0], &labels[0], sq, n_threads)
    else:
        pair_error()
    check_status(st, "k-means")


def inertia(const xtype[:, ::1] X, const double[::1] sample_weight, const ctype[:, ::1] centroids,
            const int32_t[::1] labels, int n_threads):
    """sum_i w_i ||x_i - c_labels[i]||^2."""
    cdef int st = 0
    cdef double out = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    if xtype is float and ctype is float:
        d32 = data_f32(X, w)
        with nogil:
            st = ck_inertia_f32(&d32, k, &centroids[0, 0], &labels[0], &out, n_threads)
    elif xtype is double and ctype is double:
        d64 = data_f64(X, w)
        with nogil:
            st = ck_inertia_f64(&d64, k, &centroids[0, 0], &labels[0], &out, n_threads)
    elif xtype is uint8_t and ctype is double:
        du8 = data_u8(X, w)
        with nogil:
            st = ck_inertia_u8(&du8, k, &centroids[0, 0], &labels[0], &out, n_threads)
    else:
        pair_error()
    check_status(st, "k-means")
    return out


def centroids_update(const xtype[:, ::1] X, const double[::1] sample_weight, const int32_t[::1] labels,
                     ctype[:, ::1] centroids, double[::1] weight_in_clusters, int n_threads):
    """centroids (IN/OUT: empty clusters untouched) = weighted means; weight_in_clusters (OUT)."""
    cdef int st = 0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    if xtype is float and ctype is float:
        d32 = data_f32(X, w)
        with nogil:
            st = ck_centroids_update_f32(&d32, k, &labels[0], &centroids[0, 0], &weight_in_clusters[0],
                                         n_threads)
    elif xtype is double and ctype is double:
        d64 = data_f64(X, w)
        with nogil:
            st = ck_centroids_update_f64(&d64, k, &labels[0], &centroids[0, 0], &weight_in_clusters[0],
                                         n_threads)
    elif xtype is uint8_t and ctype is double:
        du8 = data_u8(X, w)
        with nogil:
            st = ck_centroids_update_u8(&du8, k, &labels[0], &centroids[0, 0], &weight_in_clusters[0],
                                        n_threads)
    else:
        pair_error()
    check_status(st, "k-means")


def lloyd_step(const xtype[:, ::1] X, const double[::1] sample_weight, const ctype[:, ::1] centroids_old,
               ctype[:, ::1] centroids_new, int32_t[::1] labels, int n_threads):
    """One Lloyd iteration; returns (n_changed, inertia, center_shift)."""
    cdef int st = 0
    cdef ck_step_stats stats
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids_old.shape[0]
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    cdef ck_sigint_guard guard
    interruptible_begin(&guard)
    try:
        if xtype is float and ctype is float:
            d32 = data_f32(X, w)
            with nogil:
                st = ck_lloyd_step_f32(&d32, k, &centroids_old[0, 0], &centroids_new[0, 0], &labels[0],
                                       &stats, n_threads)
        elif xtype is double and ctype is double:
            d64 = data_f64(X, w)
            with nogil:
                st = ck_lloyd_step_f64(&d64, k, &centroids_old[0, 0], &centroids_new[0, 0], &labels[0],
                                       &stats, n_threads)
        elif xtype is uint8_t and ctype is double:
            du8 = data_u8(X, w)
            with nogil:
                st = ck_lloyd_step_u8(&du8, k, &centroids_old[0, 0], &centroids_new[0, 0], &labels[0], &stats,
                                      n_threads)
        else:
            pair_error()
    finally:
        interruptible_end(&guard)
    check_status(st, "k-means")
    return stats.n_changed, stats.inertia, stats.center_shift


def lloyd_partial(const xtype[:, ::1] X, const double[::1] sample_weight, const ctype[:, ::1] centroids,
                  int32_t[::1] labels, double[:, ::1] sums, double[::1] weight_in_clusters, int n_threads):
    """One block's partials of a Lloyd iteration: labels (IN previous, OUT new), sums and
    weight_in_clusters (OUT); returns (n_changed, inertia)."""
    cdef int st = 0
    cdef ck_step_stats stats
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    if xtype is float and ctype is float:
        d32 = data_f32(X, w)
        with nogil:
            st = ck_lloyd_partial_f32(&d32, k, &centroids[0, 0], &labels[0], &sums[0, 0],
                                      &weight_in_clusters[0], &stats, n_threads)
    elif xtype is double and ctype is double:
        d64 = data_f64(X, w)
        with nogil:
            st = ck_lloyd_partial_f64(&d64, k, &centroids[0, 0], &labels[0], &sums[0, 0],
                                      &weight_in_clusters[0], &stats, n_threads)
    elif xtype is uint8_t and ctype is double:
        du8 = data_u8(X, w)
        with nogil:
            st = ck_lloyd_partial_u8(&du8, k, &centroids[0, 0], &labels[0], &sums[0, 0],
                                     &weight_in_clusters[0], &stats, n_threads)
    else:
        pair_error()
    check_status(st, "k-means")
    return stats.n_changed, stats.inertia


def farthest(const xtype[:, ::1] X, const ctype[:, ::1] centroids, const int32_t[::1] labels,
             double[::1] far_sqdist, int64_t[::1] far_index, int n_threads):
    """far_sqdist and far_index (OUT, n_far each): the rows farthest from their centre, farthest first."""
    cdef int st = 0
    cdef int64_t k = centroids.shape[0], n_far = far_index.shape[0]
    cdef double *fd = &far_sqdist[0] if n_far else NULL
    cdef int64_t *fi = &far_index[0] if n_far else NULL
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    if xtype is float and ctype is float:
        d32 = data_f32(X, NULL)
        with nogil:
            st = ck_farthest_f32(&d32, k, &centroids[0, 0], &labels[0], n_far, fd, fi, n_threads)
    elif xtype is double and ctype is double:
        d64 = data_f64(X, NULL)
        with nogil:
            st = ck_farthest_f64(&d64, k, &centroids[0, 0], &labels[0], n_far, fd, fi, n_threads)
    elif xtype is uint8_t and ctype is double:
        du8 = data_u8(X, NULL)
        with nogil:
            st = ck_farthest_u8(&du8, k, &centroids[0, 0], &labels[0], n_far, fd, fi, n_threads)
    else:
        pair_error()
    check_status(st, "k-means")


def fit(const xtype[:, ::1] X, const double[::1] sample_weight, ctype[:, ::1] centroids, int32_t[::1] labels,
        str algorithm, int max_iter, double tol_abs, int n_threads, double[::1] inertia_history,
        int64_t n_groups=0, int64_t[::1] searched_history=None, callback=None, bint spherical=False):
    """Whole fit from centroids (IN/OUT) by `algorithm` (a key of ALGORITHMS); labels (OUT),
    inertia_history and searched_history (OUT, max_iter values, or None). callback: None, or called
    after every iteration with (iteration, inertia, center_shift, n_changed, 0.0); what it raises
    stops the fit and is raised here. spherical: centres scaled to unit norm after each update.
    Returns (n_iter, inertia, converged, the method that ran)."""
    cdef int st = 0
    cdef ck_kmeans_params params
    cdef ck_kmeans_result res
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef list box
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    ck_kmeans_params_init(&params)
    params.algorithm = ALGORITHMS[algorithm]
    params.max_iter, params.tol_abs = max_iter, tol_abs
    params.n_groups, params.n_threads = n_groups, n_threads
    params.spherical = spherical
    box = set_callback(callback, &params.callback, &params.callback_data)
    res.labels = &labels[0]
    res.inertia_history = ptr_or_null(inertia_history)
    res.searched_history = NULL if searched_history is None else &searched_history[0]
    cdef ck_sigint_guard guard
    interruptible_begin(&guard)
    try:
        if xtype is float and ctype is float:
            d32 = data_f32(X, w)
            with nogil:
                st = ck_kmeans_fit_f32(&d32, k, &centroids[0, 0], &params, &res)
        elif xtype is double and ctype is double:
            d64 = data_f64(X, w)
            with nogil:
                st = ck_kmeans_fit_f64(&d64, k, &centroids[0, 0], &params, &res)
        elif xtype is uint8_t and ctype is double:
            du8 = data_u8(X, w)
            with nogil:
                st = ck_kmeans_fit_u8(&du8, k, &centroids[0, 0], &params, &res)
        else:
            pair_error()
    finally:
        interruptible_end(&guard)
    raise_from_callback(box)
    check_status(st, "k-means")
    return res.n_iter, res.inertia, bool(res.converged), _ALGORITHM_NAMES[res.algorithm]


def kmeans_plusplus(const xtype[:, ::1] X, const double[::1] sample_weight, uint64_t seed, int n_local_trials,
                    ctype[:, ::1] centroids, int64_t[::1] indices, int n_threads):
    """Greedy k-means++ into centroids (OUT) and indices (OUT)."""
    cdef int st = 0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    cdef ck_sigint_guard guard
    interruptible_begin(&guard)
    try:
        if xtype is float and ctype is float:
            d32 = data_f32(X, w)
            with nogil:
                st = ck_kmeans_plusplus_f32(&d32, k, seed, n_local_trials, &centroids[0, 0], &indices[0],
                                            n_threads)
        elif xtype is double and ctype is double:
            d64 = data_f64(X, w)
            with nogil:
                st = ck_kmeans_plusplus_f64(&d64, k, seed, n_local_trials, &centroids[0, 0], &indices[0],
                                            n_threads)
        elif xtype is uint8_t and ctype is double:
            du8 = data_u8(X, w)
            with nogil:
                st = ck_kmeans_plusplus_u8(&du8, k, seed, n_local_trials, &centroids[0, 0], &indices[0],
                                           n_threads)
        else:
            pair_error()
    finally:
        interruptible_end(&guard)
    check_status(st, "k-means")


def random_init(const xtype[:, ::1] X, const double[::1] sample_weight, uint64_t seed,
                ctype[:, ::1] centroids, int64_t[::1] indices):
    """n_clusters distinct rows into centroids (OUT) and indices (OUT)."""
    cdef int st = 0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    if xtype is float and ctype is float:
        d32 = data_f32(X, w)
        with nogil:
            st = ck_kmeans_random_init_f32(&d32, k, seed, &centroids[0, 0], &indices[0])
    elif xtype is double and ctype is double:
        d64 = data_f64(X, w)
        with nogil:
            st = ck_kmeans_random_init_f64(&d64, k, seed, &centroids[0, 0], &indices[0])
    elif xtype is uint8_t and ctype is double:
        du8 = data_u8(X, w)
        with nogil:
            st = ck_kmeans_random_init_u8(&du8, k, seed, &centroids[0, 0], &indices[0])
    else:
        pair_error()
    check_status(st, "k-means")


def find_nonfinite(const ctype[:, ::1] X, int n_threads):
    """Flat index of the first NaN or infinity in X, or -1."""
    cdef int st = 0
    cdef int64_t first = -1, n = X.shape[0] * X.shape[1]
    if ctype is float:
        with nogil:
            st = ck_find_nonfinite_f32(&X[0, 0], n, &first, n_threads)
    else:
        with nogil:
            st = ck_find_nonfinite_f64(&X[0, 0], n, &first, n_threads)
    check_status(st, "validation")
    return first


def mean_feature_variance(const xtype[:, ::1] X, int n_threads):
    """Mean over features of the per-feature variance of X."""
    cdef int st = 0
    cdef double out = 0.0
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    if xtype is float:
        d32 = data_f32(X, NULL)
        with nogil:
            st = ck_mean_feature_variance_f32(&d32, &out, n_threads)
    elif xtype is double:
        d64 = data_f64(X, NULL)
        with nogil:
            st = ck_mean_feature_variance_f64(&d64, &out, n_threads)
    else:
        du8 = data_u8(X, NULL)
        with nogil:
            st = ck_mean_feature_variance_u8(&du8, &out, n_threads)
    check_status(st, "k-means")
    return out
