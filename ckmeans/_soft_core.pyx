# Boundary to src_c/soft_kmeans.c: typed views in, caller-allocated outputs, the GIL released once
# around each kernel, status codes turned into exceptions. Inputs arrive validated (C-contiguous,
# matching dtypes and shapes, beta checked) from ckmeans/_soft.py.
from libc.stdint cimport int32_t, int64_t, uint8_t

from ckmeans._boundary cimport (check_status, ck_sigint_guard, const_ptr_or_null, ctype, data_f32, data_f64,
                                data_u8, interruptible_begin, interruptible_end, labels_ptr_or_null,
                                pair_error, ptr_or_null, raise_from_callback, resp_ptr_or_null, set_callback,
                                soft_params, xtype)
from ckmeans._ckmeans cimport (ck_data_f32, ck_data_f64, ck_data_u8, ck_soft_estep_f32, ck_soft_estep_f64,
                               ck_soft_estep_u8, ck_soft_kmeans_fit_f32, ck_soft_kmeans_fit_f64,
                               ck_soft_kmeans_fit_u8, ck_soft_params, ck_soft_partial_f32,
                               ck_soft_partial_f64, ck_soft_partial_u8, ck_soft_result, ck_soft_stats,
                               ck_soft_step_f32, ck_soft_step_f64, ck_soft_step_u8)


def estep(const xtype[:, ::1] X,             # IN  (n, d)
          const double[::1] sample_weight,   # IN  (n,) or None
          const ctype[:, ::1] centroids,     # IN  (k, d)
          double beta, int distance,
          double[:, ::1] responsibilities,   # OUT (n, k) or None
          int32_t[::1] labels,               # OUT (n,) or None
          int n_threads, bint spherical=False):
    """Responsibilities and labels (OUT) of X for the centres; returns the free energy."""
    cdef int st = 0
    cdef double obj = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef double *r = resp_ptr_or_null(responsibilities)
    cdef int32_t *lab = labels_ptr_or_null(labels)
    cdef int64_t k = centroids.shape[0]
    cdef ck_soft_params params = soft_params(&beta, 1, distance, 1, 0.0, n_threads, spherical)
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    cdef ck_sigint_guard guard
    interruptible_begin(&guard)
    try:
        if xtype is float and ctype is float:
            d32 = data_f32(X, w)
            with nogil:
                st = ck_soft_estep_f32(&d32, k, &centroids[0, 0], r, lab, &obj, &params)
        elif xtype is double and ctype is double:
            d64 = data_f64(X, w)
            with nogil:
                st = ck_soft_estep_f64(&d64, k, &centroids[0, 0], r, lab, &obj, &params)
        elif xtype is uint8_t and ctype is double:
            du8 = data_u8(X, w)
            with nogil:
                st = ck_soft_estep_u8(&du8, k, &centroids[0, 0], r, lab, &obj, &params)
        else:
            pair_error()
    finally:
        interruptible_end(&guard)
    check_status(st, "soft k-means")
    return obj


def step(const xtype[:, ::1] X, const double[::1] sample_weight, const ctype[:, ::1] centroids_old,
         double beta, int distance,
         ctype[:, ::1] centroids_new,        # OUT (k, d)
         double[::1] weight_in_clusters,     # OUT (k,) or None
         int n_threads, bint spherical=False):
    """One fused E+M iteration; returns (free energy of centroids_old, Frobenius centre shift)."""
    cdef int st = 0
    cdef ck_soft_stats stats
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef double *ws = ptr_or_null(weight_in_clusters)
    cdef int64_t k = centroids_old.shape[0]
    cdef ck_soft_params params = soft_params(&beta, 1, distance, 1, 0.0, n_threads, spherical)
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    cdef ck_sigint_guard guard
    interruptible_begin(&guard)
    try:
        if xtype is float and ctype is float:
            d32 = data_f32(X, w)
            with nogil:
                st = ck_soft_step_f32(&d32, k, &centroids_old[0, 0], &centroids_new[0, 0], ws, &stats,
                                      &params)
        elif xtype is double and ctype is double:
            d64 = data_f64(X, w)
            with nogil:
                st = ck_soft_step_f64(&d64, k, &centroids_old[0, 0], &centroids_new[0, 0], ws, &stats,
                                      &params)
        elif xtype is uint8_t and ctype is double:
            du8 = data_u8(X, w)
            with nogil:
                st = ck_soft_step_u8(&du8, k, &centroids_old[0, 0], &centroids_new[0, 0], ws, &stats, &params)
        else:
            pair_error()
    finally:
        interruptible_end(&guard)
    check_status(st, "soft k-means")
    return stats.objective, stats.center_shift


def partial(const xtype[:, ::1] X, const double[::1] sample_weight,
            const double[:, ::1] centroids,    # IN  (k, d), double for every dtype
            double beta, int distance,
            double[:, ::1] sums,               # OUT (k, d)
            double[::1] weight_in_clusters,    # OUT (k,)
            int n_threads, bint spherical=False):
    """A block's part of one soft iteration (no M-step); returns its free energy."""
    cdef int st = 0
    cdef double obj = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef ck_soft_params params = soft_params(&beta, 1, distance, 1, 0.0, n_threads, spherical)
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    cdef ck_sigint_guard guard
    interruptible_begin(&guard)
    try:
        if xtype is float:
            d32 = data_f32(X, w)
            with nogil:
                st = ck_soft_partial_f32(&d32, k, &centroids[0, 0], &sums[0, 0], &weight_in_clusters[0], &obj,
                                         &params)
        elif xtype is double:
            d64 = data_f64(X, w)
            with nogil:
                st = ck_soft_partial_f64(&d64, k, &centroids[0, 0], &sums[0, 0], &weight_in_clusters[0], &obj,
                                         &params)
        else:
            du8 = data_u8(X, w)
            with nogil:
                st = ck_soft_partial_u8(&du8, k, &centroids[0, 0], &sums[0, 0], &weight_in_clusters[0], &obj,
                                        &params)
    finally:
        interruptible_end(&guard)
    check_status(st, "soft k-means")
    return obj


def fit(const xtype[:, ::1] X, const double[::1] sample_weight,
        const double[::1] betas,             # IN  one beta per iteration; the last one holds after
        int distance,
        ctype[:, ::1] centroids,             # IN/OUT (k, d)
        int max_iter, double tol, int n_threads,
        double[:, ::1] responsibilities,     # OUT (n, k) or None
        int32_t[::1] labels,                 # OUT (n,)
        double[::1] objective_history,       # OUT (max_iter,) or None
        callback=None, bint spherical=False):
    """Whole soft k-means fit; returns (n_iter, free energy, converged). callback: None, or called
    after every iteration with (iteration, free energy, center_shift, -1, beta); what it raises stops
    the fit and is raised here. spherical: unit rows given, unit centres kept (ck_soft_params)."""
    cdef int st = 0
    cdef ck_soft_params params
    cdef ck_soft_result res
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef list box
    cdef ck_data_f32 d32
    cdef ck_data_f64 d64
    cdef ck_data_u8 du8
    params = soft_params(&betas[0], betas.shape[0], distance, max_iter, tol, n_threads, spherical)
    box = set_callback(callback, &params.callback, &params.callback_data)
    res.responsibilities = resp_ptr_or_null(responsibilities)
    res.labels = labels_ptr_or_null(labels)
    res.objective_history = ptr_or_null(objective_history)
    cdef ck_sigint_guard guard
    interruptible_begin(&guard)
    try:
        if xtype is float and ctype is float:
            d32 = data_f32(X, w)
            with nogil:
                st = ck_soft_kmeans_fit_f32(&d32, k, &centroids[0, 0], &params, &res)
        elif xtype is double and ctype is double:
            d64 = data_f64(X, w)
            with nogil:
                st = ck_soft_kmeans_fit_f64(&d64, k, &centroids[0, 0], &params, &res)
        elif xtype is uint8_t and ctype is double:
            du8 = data_u8(X, w)
            with nogil:
                st = ck_soft_kmeans_fit_u8(&du8, k, &centroids[0, 0], &params, &res)
        else:
            pair_error()
    finally:
        interruptible_end(&guard)
    raise_from_callback(box)
    check_status(st, "soft k-means")
    return res.n_iter, res.objective, bool(res.converged)
