# Boundary to src_c/sparse.c, the CSR initialisations of src_c/kmeans_init.c and the CSR soft k-means
# of src_c/soft_sparse_tpl.h: the CSR arrays of a validated scipy matrix in (values, indptr as int64,
# indices as int32 or int64, used as they are), caller-allocated outputs, the GIL released once
# around each kernel, status codes turned into exceptions. Inputs arrive validated from
# ckmeans/_sparse.py.
from libc.stdint cimport int32_t, int64_t, uint64_t

from ckmeans._boundary cimport (check_status, ck_sigint_guard, const_ptr_or_null, ctype, interruptible_begin,
                                interruptible_end, labels_ptr_or_null, ptr_or_null, raise_from_callback,
                                resp_ptr_or_null, set_callback, soft_params)
from ckmeans._ckmeans cimport (ck_assign_csr_f32, ck_assign_csr_f64, ck_csr_duplicate_row_f32,
                               ck_csr_duplicate_row_f64, ck_csr_f32, ck_csr_f64, ck_farthest_csr_f32,
                               ck_farthest_csr_f64, ck_inertia_csr_f32, ck_inertia_csr_f64,
                               ck_kmeans_fit_csr_f32, ck_kmeans_fit_csr_f64, ck_kmeans_params,
                               ck_kmeans_params_init, ck_kmeans_plusplus_csr_f32, ck_kmeans_plusplus_csr_f64,
                               ck_kmeans_random_init_csr_f32, ck_kmeans_random_init_csr_f64,
                               ck_kmeans_result, ck_lloyd_partial_csr_f32, ck_lloyd_partial_csr_f64,
                               ck_lloyd_step_csr_f32, ck_lloyd_step_csr_f64, ck_soft_estep_csr_f32,
                               ck_soft_estep_csr_f64, ck_soft_kmeans_fit_csr_f32, ck_soft_kmeans_fit_csr_f64,
                               ck_soft_params, ck_soft_partial_csr_f32, ck_soft_partial_csr_f64,
                               ck_soft_result, ck_step_stats)

from ckmeans._kmeans_core import ALGORITHMS

_ALGORITHM_NAMES = {code: name for name, code in ALGORITHMS.items()}


ctypedef fused itype:
    int32_t
    int64_t


cdef ck_csr_f32 csr_f32(const float[::1] values, const int64_t[::1] indptr, const itype[::1] indices,
                        int64_t n_features, const double *w) noexcept:
    cdef ck_csr_f32 d
    d.values, d.indptr = &values[0], &indptr[0]
    d.indices32, d.indices64 = NULL, NULL
    if itype is int32_t:
        d.indices32 = &indices[0]
    else:
        d.indices64 = &indices[0]
    d.n_samples, d.n_features, d.sample_weight = indptr.shape[0] - 1, n_features, w
    return d


cdef ck_csr_f64 csr_f64(const double[::1] values, const int64_t[::1] indptr, const itype[::1] indices,
                        int64_t n_features, const double *w) noexcept:
    cdef ck_csr_f64 d
    d.values, d.indptr = &values[0], &indptr[0]
    d.indices32, d.indices64 = NULL, NULL
    if itype is int32_t:
        d.indices32 = &indices[0]
    else:
        d.indices64 = &indices[0]
    d.n_samples, d.n_features, d.sample_weight = indptr.shape[0] - 1, n_features, w
    return d


def duplicate_row(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices,
                  int64_t n_features):
    """The first row that lists a column twice, or -1."""
    cdef int st = 0
    cdef int64_t row = -1
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    if ctype is float:
        d32 = csr_f32(values, indptr, indices, n_features, NULL)
        with nogil:
            st = ck_csr_duplicate_row_f32(&d32, &row)
    else:
        d64 = csr_f64(values, indptr, indices, n_features, NULL)
        with nogil:
            st = ck_csr_duplicate_row_f64(&d64, &row)
    check_status(st, "sparse input check")
    return row


def assign(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices, int64_t n_features,
           const ctype[:, ::1] centroids, int32_t[::1] labels, double[::1] sqdist, int n_threads):
    """labels (OUT) and optional sqdist (OUT) of every row's nearest centroid."""
    cdef int st = 0
    cdef double *sq = ptr_or_null(sqdist)
    cdef int64_t k = centroids.shape[0]
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    if ctype is float:
        d32 = csr_f32(values, indptr, indices, n_features, NULL)
        with nogil:
            st = ck_assign_csr_f32(&d32, k, &centroids[0, 0], &labels[0], sq, n_threads)
    else:
        d64 = csr_f64(values, indptr, indices, n_features, NULL)
        with nogil:
            st = ck_assign_csr_f64(&d64, k, &centroids[0, 0], &labels[0], sq, n_threads)
    check_status(st, "sparse k-means")


def inertia(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices, int64_t n_features,
            const double[::1] sample_weight, const ctype[:, ::1] centroids, const int32_t[::1] labels,
            int n_threads):
    """sum_i w_i ||x_i - c_labels[i]||^2."""
    cdef int st = 0
    cdef double out = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    if ctype is float:
        d32 = csr_f32(values, indptr, indices, n_features, w)
        with nogil:
            st = ck_inertia_csr_f32(&d32, k, &centroids[0, 0], &labels[0], &out, n_threads)
    else:
        d64 = csr_f64(values, indptr, indices, n_features, w)
        with nogil:
            st = ck_inertia_csr_f64(&d64, k, &centroids[0, 0], &labels[0], &out, n_threads)
    check_status(st, "sparse k-means")
    return out


def lloyd_step(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices,
               int64_t n_features, const double[::1] sample_weight, const ctype[:, ::1] centroids_old,
               ctype[:, ::1] centroids_new, int32_t[::1] labels, int n_threads):
    """One Lloyd iteration; returns (n_changed, inertia, center_shift)."""
    cdef int st = 0
    cdef ck_step_stats stats
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids_old.shape[0]
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    if ctype is float:
        d32 = csr_f32(values, indptr, indices, n_features, w)
        with nogil:
            st = ck_lloyd_step_csr_f32(&d32, k, &centroids_old[0, 0], &centroids_new[0, 0], &labels[0],
                                       &stats, n_threads)
    else:
        d64 = csr_f64(values, indptr, indices, n_features, w)
        with nogil:
            st = ck_lloyd_step_csr_f64(&d64, k, &centroids_old[0, 0], &centroids_new[0, 0], &labels[0],
                                       &stats, n_threads)
    check_status(st, "sparse k-means")
    return stats.n_changed, stats.inertia, stats.center_shift


def lloyd_partial(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices,
                  int64_t n_features, const double[::1] sample_weight, const ctype[:, ::1] centroids,
                  int32_t[::1] labels, double[:, ::1] sums, double[::1] weight_in_clusters, int n_threads):
    """One block's partials of a Lloyd iteration: labels (IN previous, OUT new), sums and
    weight_in_clusters (OUT); returns (n_changed, inertia)."""
    cdef int st = 0
    cdef ck_step_stats stats
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    if ctype is float:
        d32 = csr_f32(values, indptr, indices, n_features, w)
        with nogil:
            st = ck_lloyd_partial_csr_f32(&d32, k, &centroids[0, 0], &labels[0], &sums[0, 0],
                                          &weight_in_clusters[0], &stats, n_threads)
    else:
        d64 = csr_f64(values, indptr, indices, n_features, w)
        with nogil:
            st = ck_lloyd_partial_csr_f64(&d64, k, &centroids[0, 0], &labels[0], &sums[0, 0],
                                          &weight_in_clusters[0], &stats, n_threads)
    check_status(st, "sparse k-means")
    return stats.n_changed, stats.inertia


def farthest(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices, int64_t n_features,
             const ctype[:, ::1] centroids, const int32_t[::1] labels, double[::1] far_sqdist,
             int64_t[::1] far_index, int n_threads):
    """far_sqdist and far_index (OUT, n_far each): the rows farthest from their centre, farthest first."""
    cdef int st = 0
    cdef int64_t k = centroids.shape[0], n_far = far_index.shape[0]
    cdef double *fd = &far_sqdist[0] if n_far else NULL
    cdef int64_t *fi = &far_index[0] if n_far else NULL
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    if ctype is float:
        d32 = csr_f32(values, indptr, indices, n_features, NULL)
        with nogil:
            st = ck_farthest_csr_f32(&d32, k, &centroids[0, 0], &labels[0], n_far, fd, fi, n_threads)
    else:
        d64 = csr_f64(values, indptr, indices, n_features, NULL)
        with nogil:
            st = ck_farthest_csr_f64(&d64, k, &centroids[0, 0], &labels[0], n_far, fd, fi, n_threads)
    check_status(st, "sparse k-means")


def fit(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices, int64_t n_features,
        const double[::1] sample_weight, ctype[:, ::1] centroids, int32_t[::1] labels, str algorithm,
        int max_iter, double tol_abs, int n_threads, double[::1] inertia_history, bint spherical=False,
        callback=None):
    """Whole fit from centroids (IN/OUT); labels and inertia_history (OUT). callback as in
    _kmeans_core.fit. Returns (n_iter, inertia, converged, the method that ran)."""
    cdef int st = 0
    cdef ck_kmeans_params params
    cdef ck_kmeans_result res
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef list box
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    cdef ck_sigint_guard guard
    ck_kmeans_params_init(&params)
    params.algorithm = ALGORITHMS[algorithm]
    params.max_iter, params.tol_abs, params.n_threads = max_iter, tol_abs, n_threads
    params.spherical = spherical
    box = set_callback(callback, &params.callback, &params.callback_data)
    res.labels = &labels[0]
    res.inertia_history = ptr_or_null(inertia_history)
    res.searched_history = NULL
    interruptible_begin(&guard)
    try:
        if ctype is float:
            d32 = csr_f32(values, indptr, indices, n_features, w)
            with nogil:
                st = ck_kmeans_fit_csr_f32(&d32, k, &centroids[0, 0], &params, &res)
        else:
            d64 = csr_f64(values, indptr, indices, n_features, w)
            with nogil:
                st = ck_kmeans_fit_csr_f64(&d64, k, &centroids[0, 0], &params, &res)
    finally:
        interruptible_end(&guard)
    raise_from_callback(box)
    check_status(st, "sparse k-means")
    return res.n_iter, res.inertia, bool(res.converged), _ALGORITHM_NAMES[res.algorithm]


def kmeans_plusplus(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices,
                    int64_t n_features, const double[::1] sample_weight, uint64_t seed, int n_local_trials,
                    ctype[:, ::1] centroids, int64_t[::1] indices_out, int n_threads):
    """Greedy k-means++ into centroids (OUT) and indices_out (OUT)."""
    cdef int st = 0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    cdef ck_sigint_guard guard
    interruptible_begin(&guard)
    try:
        if ctype is float:
            d32 = csr_f32(values, indptr, indices, n_features, w)
            with nogil:
                st = ck_kmeans_plusplus_csr_f32(&d32, k, seed, n_local_trials, &centroids[0, 0],
                                                &indices_out[0], n_threads)
        else:
            d64 = csr_f64(values, indptr, indices, n_features, w)
            with nogil:
                st = ck_kmeans_plusplus_csr_f64(&d64, k, seed, n_local_trials, &centroids[0, 0],
                                                &indices_out[0], n_threads)
    finally:
        interruptible_end(&guard)
    check_status(st, "sparse k-means")


def random_init(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices,
                int64_t n_features, const double[::1] sample_weight, uint64_t seed, ctype[:, ::1] centroids,
                int64_t[::1] indices_out):
    """n_clusters distinct rows into centroids (OUT) and indices_out (OUT)."""
    cdef int st = 0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    if ctype is float:
        d32 = csr_f32(values, indptr, indices, n_features, w)
        with nogil:
            st = ck_kmeans_random_init_csr_f32(&d32, k, seed, &centroids[0, 0], &indices_out[0])
    else:
        d64 = csr_f64(values, indptr, indices, n_features, w)
        with nogil:
            st = ck_kmeans_random_init_csr_f64(&d64, k, seed, &centroids[0, 0], &indices_out[0])
    check_status(st, "sparse k-means")


def soft_estep(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices,
               int64_t n_features, const double[::1] sample_weight, const ctype[:, ::1] centroids,
               double beta, int distance,
               double[:, ::1] responsibilities,   # OUT (n, k) or None
               int32_t[::1] labels,               # OUT (n,) or None
               int n_threads, bint spherical=False):
    """Soft E-step: responsibilities and labels (OUT); returns the free energy."""
    cdef int st = 0
    cdef double obj = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef double *r = resp_ptr_or_null(responsibilities)
    cdef int32_t *lab = labels_ptr_or_null(labels)
    cdef int64_t k = centroids.shape[0]
    cdef ck_soft_params params = soft_params(&beta, 1, distance, 1, 0.0, n_threads, spherical)
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    cdef ck_sigint_guard guard
    interruptible_begin(&guard)
    try:
        if ctype is float:
            d32 = csr_f32(values, indptr, indices, n_features, w)
            with nogil:
                st = ck_soft_estep_csr_f32(&d32, k, &centroids[0, 0], r, lab, &obj, &params)
        else:
            d64 = csr_f64(values, indptr, indices, n_features, w)
            with nogil:
                st = ck_soft_estep_csr_f64(&d64, k, &centroids[0, 0], r, lab, &obj, &params)
    finally:
        interruptible_end(&guard)
    check_status(st, "sparse soft k-means")
    return obj


def soft_partial(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices,
                 int64_t n_features, const double[::1] sample_weight,
                 const double[:, ::1] centroids,    # IN  (k, d), double for both dtypes
                 double beta, int distance,
                 double[:, ::1] sums,               # OUT (k, d)
                 double[::1] weight_in_clusters,    # OUT (k,)
                 int n_threads, bint spherical=False):
    """A block's part of one soft iteration (no M-step), as _soft_core.partial; returns its free
    energy."""
    cdef int st = 0
    cdef double obj = 0.0
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef ck_soft_params params = soft_params(&beta, 1, distance, 1, 0.0, n_threads, spherical)
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    cdef ck_sigint_guard guard
    interruptible_begin(&guard)
    try:
        if ctype is float:
            d32 = csr_f32(values, indptr, indices, n_features, w)
            with nogil:
                st = ck_soft_partial_csr_f32(&d32, k, &centroids[0, 0], &sums[0, 0], &weight_in_clusters[0],
                                             &obj, &params)
        else:
            d64 = csr_f64(values, indptr, indices, n_features, w)
            with nogil:
                st = ck_soft_partial_csr_f64(&d64, k, &centroids[0, 0], &sums[0, 0], &weight_in_clusters[0],
                                             &obj, &params)
    finally:
        interruptible_end(&guard)
    check_status(st, "sparse soft k-means")
    return obj


def soft_fit(const ctype[::1] values, const int64_t[::1] indptr, const itype[::1] indices, int64_t n_features,
             const double[::1] sample_weight, const double[::1] betas, int distance,
             ctype[:, ::1] centroids,             # IN/OUT (k, d)
             int max_iter, double tol, int n_threads,
             double[:, ::1] responsibilities,     # OUT (n, k) or None
             int32_t[::1] labels,                 # OUT (n,)
             double[::1] objective_history,       # OUT (max_iter,) or None
             callback=None, bint spherical=False):
    """Whole soft k-means fit, as _soft_core.fit; returns (n_iter, free energy, converged)."""
    cdef int st = 0
    cdef ck_soft_params params
    cdef ck_soft_result res
    cdef const double *w = const_ptr_or_null(sample_weight)
    cdef int64_t k = centroids.shape[0]
    cdef list box
    cdef ck_csr_f32 d32
    cdef ck_csr_f64 d64
    cdef ck_sigint_guard guard
    params = soft_params(&betas[0], betas.shape[0], distance, max_iter, tol, n_threads, spherical)
    box = set_callback(callback, &params.callback, &params.callback_data)
    res.responsibilities = resp_ptr_or_null(responsibilities)
    res.labels = labels_ptr_or_null(labels)
    res.objective_history = ptr_or_null(objective_history)
    interruptible_begin(&guard)
    try:
        if ctype is float:
            d32 = csr_f32(values, indptr, indices, n_features, w)
            with nogil:
                st = ck_soft_kmeans_fit_csr_f32(&d32, k, &centroids[0, 0], &params, &res)
        else:
            d64 = csr_f64(values, indptr, indices, n_features, w)
            with nogil:
                st = ck_soft_kmeans_fit_csr_f64(&d64, k, &centroids[0, 0], &params, &res)
    finally:
        interruptible_end(&guard)
    raise_from_callback(box)
    check_status(st, "sparse soft k-means")
    return res.n_iter, res.objective, bool(res.converged)
