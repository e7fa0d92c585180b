# The compiled side of ckmeans/kernels.pxd: every C function of ckmeans.h re-exported under its own
# name as a `cdef ... noexcept nogil` function. Cython publishes these through this module's
# __pyx_capi__, so a user's extension that cimports them calls into the C core linked here and needs
# no library of its own. Each wrapper is one call: the contract is the C function's (ckmeans.h).
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t

from ckmeans._runtime import strerror  # the Python-side message of a status code

__all__ = ["strerror"]

# The C functions under private Cython names, so the public names can be the C names.
cdef extern from "ckmeans.h" nogil:
    const char *_ck_strerror "ck_strerror"(int status)
    int _ck_openmp_enabled "ck_openmp_enabled"()
    int _ck_max_threads "ck_max_threads"()
    int _ck_assign_f32 "ck_assign_f32"(const float *X, int64_t n_samples, int64_t n_features,
                                       const float *centroids, int64_t n_clusters, int32_t *labels,
                                       double *sqdist, int n_threads)
    int _ck_assign_f64 "ck_assign_f64"(const double *X, int64_t n_samples, int64_t n_features,
                                       const double *centroids, int64_t n_clusters, int32_t *labels,
                                       double *sqdist, int n_threads)
    int _ck_assign_u8 "ck_assign_u8"(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                     const double *centroids, int64_t n_clusters, int32_t *labels,
                                     double *sqdist, int n_threads)
    int _ck_inertia_f32 "ck_inertia_f32"(const float *X, int64_t n_samples, int64_t n_features,
                                         const double *sample_weight, const float *centroids,
                                         int64_t n_clusters, const int32_t *labels, int n_threads,
                                         double *inertia)
    int _ck_inertia_f64 "ck_inertia_f64"(const double *X, int64_t n_samples, int64_t n_features,
                                         const double *sample_weight, const double *centroids,
                                         int64_t n_clusters, const int32_t *labels, int n_threads,
                                         double *inertia)
    int _ck_inertia_u8 "ck_inertia_u8"(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                       const double *sample_weight, const double *centroids,
                                       int64_t n_clusters, const int32_t *labels, int n_threads,
                                       double *inertia)
    int _ck_centroids_update_f32 "ck_centroids_update_f32"(const float *X, int64_t n_samples,
                                                           int64_t n_features, const double *sample_weight,
                                                           const int32_t *labels, int64_t n_clusters,
                                                           float *centroids, double *weight_in_clusters,
                                                           int n_threads)
    int _ck_centroids_update_f64 "ck_centroids_update_f64"(const double *X, int64_t n_samples,
                                                           int64_t n_features, const double *sample_weight,
                                                           const int32_t *labels, int64_t n_clusters,
                                                           double *centroids, double *weight_in_clusters,
                                                           int n_threads)
    int _ck_centroids_update_u8 "ck_centroids_update_u8"(const uint8_t *X, int64_t n_samples,
                                                         int64_t n_features, const double *sample_weight,
                                                         const int32_t *labels, int64_t n_clusters,
                                                         double *centroids, double *weight_in_clusters,
                                                         int n_threads)
    int _ck_lloyd_step_f32 "ck_lloyd_step_f32"(const float *X, int64_t n_samples, int64_t n_features,
                                               const double *sample_weight, const float *centroids_old,
                                               int64_t n_clusters, float *centroids_new, int32_t *labels,
                                               int n_threads, int64_t *n_changed, double *inertia,
                                               double *center_shift)
    int _ck_lloyd_step_f64 "ck_lloyd_step_f64"(const double *X, int64_t n_samples, int64_t n_features,
                                               const double *sample_weight, const double *centroids_old,
                                               int64_t n_clusters, double *centroids_new, int32_t *labels,
                                               int n_threads, int64_t *n_changed, double *inertia,
                                               double *center_shift)
    int _ck_lloyd_step_u8 "ck_lloyd_step_u8"(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                             const double *sample_weight, const double *centroids_old,
                                             int64_t n_clusters, double *centroids_new, int32_t *labels,
                                             int n_threads, int64_t *n_changed, double *inertia,
                                             double *center_shift)
    int _ck_kmeans_fit_f32 "ck_kmeans_fit_f32"(const float *X, int64_t n_samples, int64_t n_features,
                                               const double *sample_weight, int64_t n_clusters,
                                               float *centroids, int32_t *labels, int max_iter,
                                               double tol_abs, int n_threads, int *n_iter, double *inertia,
                                               double *inertia_history, int *converged)
    int _ck_kmeans_fit_f64 "ck_kmeans_fit_f64"(const double *X, int64_t n_samples, int64_t n_features,
                                               const double *sample_weight, int64_t n_clusters,
                                               double *centroids, int32_t *labels, int max_iter,
                                               double tol_abs, int n_threads, int *n_iter, double *inertia,
                                               double *inertia_history, int *converged)
    int _ck_kmeans_fit_u8 "ck_kmeans_fit_u8"(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                             const double *sample_weight, int64_t n_clusters,
                                             double *centroids, int32_t *labels, int max_iter, double tol_abs,
                                             int n_threads, int *n_iter, double *inertia,
                                             double *inertia_history, int *converged)
    int _ck_kmeans_fit_auto_f32 "ck_kmeans_fit_auto_f32"(const float *X, int64_t n_samples,
        int64_t n_features, const double *sample_weight, int64_t n_clusters, float *centroids,
        int32_t *labels, int max_iter, double tol_abs, int n_threads, int *n_iter, double *inertia,
        double *inertia_history, int *converged)
    int _ck_kmeans_fit_auto_f64 "ck_kmeans_fit_auto_f64"(const double *X, int64_t n_samples,
        int64_t n_features, const double *sample_weight, int64_t n_clusters, double *centroids,
        int32_t *labels, int max_iter, double tol_abs, int n_threads, int *n_iter, double *inertia,
        double *inertia_history, int *converged)
    int _ck_kmeans_fit_auto_u8 "ck_kmeans_fit_auto_u8"(const uint8_t *X, int64_t n_samples,
        int64_t n_features, const double *sample_weight, int64_t n_clusters, double *centroids,
        int32_t *labels, int max_iter, double tol_abs, int n_threads, int *n_iter, double *inertia,
        double *inertia_history, int *converged)
    int _ck_kmeans_fit_yinyang_f32 "ck_kmeans_fit_yinyang_f32"(const float *X, int64_t n_samples,
        int64_t n_features, const double *sample_weight, int64_t n_clusters, float *centroids,
        int32_t *labels, int max_iter, double tol_abs, int64_t n_groups, int n_threads, int *n_iter,
        double *inertia, double *inertia_history, int64_t *searched_history, int *converged)
    int _ck_kmeans_fit_yinyang_f64 "ck_kmeans_fit_yinyang_f64"(const double *X, int64_t n_samples,
        int64_t n_features, const double *sample_weight, int64_t n_clusters, double *centroids,
        int32_t *labels, int max_iter, double tol_abs, int64_t n_groups, int n_threads, int *n_iter,
        double *inertia, double *inertia_history, int64_t *searched_history, int *converged)
    int _ck_kmeans_fit_yinyang_u8 "ck_kmeans_fit_yinyang_u8"(const uint8_t *X, int64_t n_samples,
        int64_t n_features, const double *sample_weight, int64_t n_clusters, double *centroids,
        int32_t *labels, int max_iter, double tol_abs, int64_t n_groups, int n_threads, int *n_iter,
        double *inertia, double *inertia_history, int64_t *searched_history, int *converged)
    int _ck_kmeans_plusplus_f32 "ck_kmeans_plusplus_f32"(const float *X, int64_t n_samples,
                                                         int64_t n_features, const double *sample_weight,
                                                         int64_t n_clusters, uint64_t seed,
                                                         int n_local_trials, float *centroids,
                                                         int64_t *indices, int n_threads)
    int _ck_kmeans_plusplus_f64 "ck_kmeans_plusplus_f64"(const double *X, int64_t n_samples,
                                                         int64_t n_features, const double *sample_weight,
                                                         int64_t n_clusters, uint64_t seed,
                                                         int n_local_trials, double *centroids,
                                                         int64_t *indices, int n_threads)
    int _ck_kmeans_plusplus_u8 "ck_kmeans_plusplus_u8"(const uint8_t *X, int64_t n_samples,
                                                       int64_t n_features, const double *sample_weight,
                                                       int64_t n_clusters, uint64_t seed, int n_local_trials,
                                                       double *centroids, int64_t *indices, int n_threads)
    int _ck_kmeans_random_init_f32 "ck_kmeans_random_init_f32"(const float *X, int64_t n_samples,
                                                               int64_t n_features,
                                                               const double *sample_weight,
                                                               int64_t n_clusters, uint64_t seed,
                                                               float *centroids, int64_t *indices)
    int _ck_kmeans_random_init_f64 "ck_kmeans_random_init_f64"(const double *X, int64_t n_samples,
                                                               int64_t n_features,
                                                               const double *sample_weight,
                                                               int64_t n_clusters, uint64_t seed,
                                                               double *centroids, int64_t *indices)
    int _ck_kmeans_random_init_u8 "ck_kmeans_random_init_u8"(const uint8_t *X, int64_t n_samples,
                                                             int64_t n_features, const double *sample_weight,
                                                             int64_t n_clusters, uint64_t seed,
                                                             double *centroids, int64_t *indices)
    int _ck_mean_feature_variance_f32 "ck_mean_feature_variance_f32"(const float *X, int64_t n_samples,
                                                                     int64_t n_features, int n_threads,
                                                                     double *mean_variance)
    int _ck_mean_feature_variance_f64 "ck_mean_feature_variance_f64"(const double *X, int64_t n_samples,
                                                                     int64_t n_features, int n_threads,
                                                                     double *mean_variance)
    int _ck_mean_feature_variance_u8 "ck_mean_feature_variance_u8"(const uint8_t *X, int64_t n_samples,
                                                                   int64_t n_features, int n_threads,
                                                                   double *mean_variance)
    int _ck_find_nonfinite_f32 "ck_find_nonfinite_f32"(const float *x, int64_t n, int n_threads, int64_t *first)
    int _ck_find_nonfinite_f64 "ck_find_nonfinite_f64"(const double *x, int64_t n, int n_threads, int64_t *first)
    int _ck_contingency "ck_contingency"(const int32_t *row_codes, const int32_t *col_codes,
                                         int64_t n_samples, int64_t n_rows, int64_t n_cols,
                                         const double *weights, double *out, int n_threads)
    int _ck_soft_contingency "ck_soft_contingency"(const int32_t *row_codes, const double *resp,
                                                   int64_t n_samples, int64_t n_rows, int64_t n_cols,
                                                   const double *weights, double *out, int n_threads)
    int _ck_soft_estep_f32 "ck_soft_estep_f32"(const float *X, int64_t n_samples, int64_t n_features,
                                               const double *sample_weight, const float *centroids,
                                               int64_t n_clusters, double beta, int distance,
                                               double *responsibilities, int32_t *labels, double *objective,
                                               int n_threads)
    int _ck_soft_estep_f64 "ck_soft_estep_f64"(const double *X, int64_t n_samples, int64_t n_features,
                                               const double *sample_weight, const double *centroids,
                                               int64_t n_clusters, double beta, int distance,
                                               double *responsibilities, int32_t *labels, double *objective,
                                               int n_threads)
    int _ck_soft_estep_u8 "ck_soft_estep_u8"(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                             const double *sample_weight, const double *centroids,
                                             int64_t n_clusters, double beta, int distance,
                                             double *responsibilities, int32_t *labels, double *objective,
                                             int n_threads)
    int _ck_soft_step_f32 "ck_soft_step_f32"(const float *X, int64_t n_samples, int64_t n_features,
                                             const double *sample_weight, const float *centroids_old,
                                             int64_t n_clusters, double beta, int distance,
                                             float *centroids_new, double *weight_in_clusters, int n_threads,
                                             double *objective, double *center_shift)
    int _ck_soft_step_f64 "ck_soft_step_f64"(const double *X, int64_t n_samples, int64_t n_features,
                                             const double *sample_weight, const double *centroids_old,
                                             int64_t n_clusters, double beta, int distance,
                                             double *centroids_new, double *weight_in_clusters, int n_threads,
                                             double *objective, double *center_shift)
    int _ck_soft_step_u8 "ck_soft_step_u8"(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                           const double *sample_weight, const double *centroids_old,
                                           int64_t n_clusters, double beta, int distance,
                                           double *centroids_new, double *weight_in_clusters, int n_threads,
                                           double *objective, double *center_shift)
    int _ck_soft_kmeans_fit_f32 "ck_soft_kmeans_fit_f32"(const float *X, int64_t n_samples,
                                                         int64_t n_features, const double *sample_weight,
                                                         int64_t n_clusters, const double *betas,
                                                         int64_t n_betas, int distance, float *centroids,
                                                         int max_iter, double tol, int n_threads,
                                                         double *responsibilities, int32_t *labels,
                                                         int *n_iter, double *objective,
                                                         double *objective_history, int *converged)
    int _ck_soft_kmeans_fit_f64 "ck_soft_kmeans_fit_f64"(const double *X, int64_t n_samples,
                                                         int64_t n_features, const double *sample_weight,
                                                         int64_t n_clusters, const double *betas,
                                                         int64_t n_betas, int distance, double *centroids,
                                                         int max_iter, double tol, int n_threads,
                                                         double *responsibilities, int32_t *labels,
                                                         int *n_iter, double *objective,
                                                         double *objective_history, int *converged)
    int _ck_soft_kmeans_fit_u8 "ck_soft_kmeans_fit_u8"(const uint8_t *X, int64_t n_samples,
                                                       int64_t n_features, const double *sample_weight,
                                                       int64_t n_clusters, const double *betas,
                                                       int64_t n_betas, int distance, double *centroids,
                                                       int max_iter, double tol, int n_threads,
                                                       double *responsibilities, int32_t *labels, int *n_iter,
                                                       double *objective, double *objective_history,
                                                       int *converged)
    int _ck_idx_elem_size "ck_idx_elem_size"(int type_code)
    int _ck_idx_parse_header "ck_idx_parse_header"(const uint8_t *buf, int64_t buf_len, int64_t total_len,
                                                   ck_idx_header *out)
    int _ck_idx_encode_header "ck_idx_encode_header"(int type_code, int ndim, const int64_t *dims,
                                                     uint8_t *out)
    int _ck_idx_decode "ck_idx_decode"(const uint8_t *payload, int type_code, int64_t n_elems, void *out,
                                       int n_threads)
    int _ck_idx_encode "ck_idx_encode"(const void *src, int type_code, int64_t n_elems, uint8_t *payload,
                                       int n_threads)


cdef const char *ck_strerror(int status) noexcept nogil:
    return _ck_strerror(status)


cdef int ck_openmp_enabled() noexcept nogil:
    return _ck_openmp_enabled()


cdef int ck_max_threads() noexcept nogil:
    return _ck_max_threads()


cdef int ck_assign_f32(const float *X, int64_t n_samples, int64_t n_features, const float *centroids,
                       int64_t n_clusters, int32_t *labels, double *sqdist, int n_threads) noexcept nogil:
    return _ck_assign_f32(X, n_samples, n_features, centroids, n_clusters, labels, sqdist, n_threads)


cdef int ck_assign_f64(const double *X, int64_t n_samples, int64_t n_features, const double *centroids,
                       int64_t n_clusters, int32_t *labels, double *sqdist, int n_threads) noexcept nogil:
    return _ck_assign_f64(X, n_samples, n_features, centroids, n_clusters, labels, sqdist, n_threads)


cdef int ck_assign_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *centroids,
                      int64_t n_clusters, int32_t *labels, double *sqdist, int n_threads) noexcept nogil:
    return _ck_assign_u8(X, n_samples, n_features, centroids, n_clusters, labels, sqdist, n_threads)


cdef int ck_inertia_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                        const float *centroids, int64_t n_clusters, const int32_t *labels, int n_threads,
                        double *inertia) noexcept nogil:
    return _ck_inertia_f32(X, n_samples, n_features, sample_weight, centroids, n_clusters, labels, n_threads,
                           inertia)


cdef int ck_inertia_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                        const double *centroids, int64_t n_clusters, const int32_t *labels, int n_threads,
                        double *inertia) noexcept nogil:
    return _ck_inertia_f64(X, n_samples, n_features, sample_weight, centroids, n_clusters, labels, n_threads,
                           inertia)


cdef int ck_inertia_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                       const double *centroids, int64_t n_clusters, const int32_t *labels, int n_threads,
                       double *inertia) noexcept nogil:
    return _ck_inertia_u8(X, n_samples, n_features, sample_weight, centroids, n_clusters, labels, n_threads,
                          inertia)


cdef int ck_centroids_update_f32(const float *X, int64_t n_samples, int64_t n_features,
                                 const double *sample_weight, const int32_t *labels, int64_t n_clusters,
                                 float *centroids, double *weight_in_clusters, int n_threads) noexcept nogil:
    return _ck_centroids_update_f32(X, n_samples, n_features, sample_weight, labels, n_clusters, centroids,
                                    weight_in_clusters, n_threads)


cdef int ck_centroids_update_f64(const double *X, int64_t n_samples, int64_t n_features,
                                 const double *sample_weight, const int32_t *labels, int64_t n_clusters,
                                 double *centroids, double *weight_in_clusters, int n_threads) noexcept nogil:
    return _ck_centroids_update_f64(X, n_samples, n_features, sample_weight, labels, n_clusters, centroids,
                                    weight_in_clusters, n_threads)


cdef int ck_centroids_update_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, const int32_t *labels, int64_t n_clusters,
                                double *centroids, double *weight_in_clusters, int n_threads) noexcept nogil:
    return _ck_centroids_update_u8(X, n_samples, n_features, sample_weight, labels, n_clusters, centroids,
                                   weight_in_clusters, n_threads)


cdef int ck_lloyd_step_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           const float *centroids_old, int64_t n_clusters, float *centroids_new,
                           int32_t *labels, int n_threads, int64_t *n_changed, double *inertia,
                           double *center_shift) noexcept nogil:
    return _ck_lloyd_step_f32(X, n_samples, n_features, sample_weight, centroids_old, n_clusters,
                              centroids_new, labels, n_threads, n_changed, inertia, center_shift)


cdef int ck_lloyd_step_f64(const double *X, int64_t n_samples, int64_t n_features,
                           const double *sample_weight, const double *centroids_old, int64_t n_clusters,
                           double *centroids_new, int32_t *labels, int n_threads, int64_t *n_changed,
                           double *inertia, double *center_shift) noexcept nogil:
    return _ck_lloyd_step_f64(X, n_samples, n_features, sample_weight, centroids_old, n_clusters,
                              centroids_new, labels, n_threads, n_changed, inertia, center_shift)


cdef int ck_lloyd_step_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                          const double *sample_weight, const double *centroids_old, int64_t n_clusters,
                          double *centroids_new, int32_t *labels, int n_threads, int64_t *n_changed,
                          double *inertia, double *center_shift) noexcept nogil:
    return _ck_lloyd_step_u8(X, n_samples, n_features, sample_weight, centroids_old, n_clusters,
                             centroids_new, labels, n_threads, n_changed, inertia, center_shift)


cdef int ck_kmeans_fit_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           int64_t n_clusters, float *centroids, int32_t *labels, int max_iter,
                           double tol_abs, int n_threads, int *n_iter, double *inertia,
                           double *inertia_history, int *converged) noexcept nogil:
    return _ck_kmeans_fit_f32(X, n_samples, n_features, sample_weight, n_clusters, centroids, labels,
                              max_iter, tol_abs, n_threads, n_iter, inertia, inertia_history, converged)


cdef int ck_kmeans_fit_f64(const double *X, int64_t n_samples, int64_t n_features,
                           const double *sample_weight, int64_t n_clusters, double *centroids,
                           int32_t *labels, int max_iter, double tol_abs, int n_threads, int *n_iter,
                           double *inertia, double *inertia_history, int *converged) noexcept nogil:
    return _ck_kmeans_fit_f64(X, n_samples, n_features, sample_weight, n_clusters, centroids, labels,
                              max_iter, tol_abs, n_threads, n_iter, inertia, inertia_history, converged)


cdef int ck_kmeans_fit_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                          const double *sample_weight, int64_t n_clusters, double *centroids, int32_t *labels,
                          int max_iter, double tol_abs, int n_threads, int *n_iter, double *inertia,
                          double *inertia_history, int *converged) noexcept nogil:
    return _ck_kmeans_fit_u8(X, n_samples, n_features, sample_weight, n_clusters, centroids, labels, max_iter,
                             tol_abs, n_threads, n_iter, inertia, inertia_history, converged)


cdef int ck_kmeans_fit_auto_f32(const float *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, float *centroids,
                                int32_t *labels, int max_iter, double tol_abs, int n_threads, int *n_iter,
                                double *inertia, double *inertia_history, int *converged) noexcept nogil:
    return _ck_kmeans_fit_auto_f32(X, n_samples, n_features, sample_weight, n_clusters, centroids, labels,
                                   max_iter, tol_abs, n_threads, n_iter, inertia, inertia_history, converged)


cdef int ck_kmeans_fit_auto_f64(const double *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, double *centroids,
                                int32_t *labels, int max_iter, double tol_abs, int n_threads, int *n_iter,
                                double *inertia, double *inertia_history, int *converged) noexcept nogil:
    return _ck_kmeans_fit_auto_f64(X, n_samples, n_features, sample_weight, n_clusters, centroids, labels,
                                   max_iter, tol_abs, n_threads, n_iter, inertia, inertia_history, converged)


cdef int ck_kmeans_fit_auto_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, double *centroids,
                                int32_t *labels, int max_iter, double tol_abs, int n_threads, int *n_iter,
                                double *inertia, double *inertia_history, int *converged) noexcept nogil:
    return _ck_kmeans_fit_auto_u8(X, n_samples, n_features, sample_weight, n_clusters, centroids, labels,
                                   max_iter, tol_abs, n_threads, n_iter, inertia, inertia_history, converged)


cdef int ck_kmeans_fit_yinyang_f32(const float *X, int64_t n_samples, int64_t n_features,
                                   const double *sample_weight, int64_t n_clusters, float *centroids,
                                   int32_t *labels, int max_iter, double tol_abs, int64_t n_groups,
                                   int n_threads, int *n_iter, double *inertia, double *inertia_history,
                                   int64_t *searched_history, int *converged) noexcept nogil:
    return _ck_kmeans_fit_yinyang_f32(X, n_samples, n_features, sample_weight, n_clusters, centroids, labels,
                                      max_iter, tol_abs, n_groups, n_threads, n_iter, inertia, inertia_history,
                                      searched_history, converged)


cdef int ck_kmeans_fit_yinyang_f64(const double *X, int64_t n_samples, int64_t n_features,
                                   const double *sample_weight, int64_t n_clusters, double *centroids,
                                   int32_t *labels, int max_iter, double tol_abs, int64_t n_groups,
                                   int n_threads, int *n_iter, double *inertia, double *inertia_history,
                                   int64_t *searched_history, int *converged) noexcept nogil:
    return _ck_kmeans_fit_yinyang_f64(X, n_samples, n_features, sample_weight, n_clusters, centroids, labels,
                                      max_iter, tol_abs, n_groups, n_threads, n_iter, inertia, inertia_history,
                                      searched_history, converged)


cdef int ck_kmeans_fit_yinyang_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                   const double *sample_weight, int64_t n_clusters, double *centroids,
                                   int32_t *labels, int max_iter, double tol_abs, int64_t n_groups,
                                   int n_threads, int *n_iter, double *inertia, double *inertia_history,
                                   int64_t *searched_history, int *converged) noexcept nogil:
    return _ck_kmeans_fit_yinyang_u8(X, n_samples, n_features, sample_weight, n_clusters, centroids, labels,
                                      max_iter, tol_abs, n_groups, n_threads, n_iter, inertia, inertia_history,
                                      searched_history, converged)


cdef int ck_kmeans_plusplus_f32(const float *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, uint64_t seed,
                                int n_local_trials, float *centroids, int64_t *indices,
                                int n_threads) noexcept nogil:
    return _ck_kmeans_plusplus_f32(X, n_samples, n_features, sample_weight, n_clusters, seed, n_local_trials,
                                   centroids, indices, n_threads)


cdef int ck_kmeans_plusplus_f64(const double *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, uint64_t seed,
                                int n_local_trials, double *centroids, int64_t *indices,
                                int n_threads) noexcept nogil:
    return _ck_kmeans_plusplus_f64(X, n_samples, n_features, sample_weight, n_clusters, seed, n_local_trials,
                                   centroids, indices, n_threads)


cdef int ck_kmeans_plusplus_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                               const double *sample_weight, int64_t n_clusters, uint64_t seed,
                               int n_local_trials, double *centroids, int64_t *indices,
                               int n_threads) noexcept nogil:
    return _ck_kmeans_plusplus_u8(X, n_samples, n_features, sample_weight, n_clusters, seed, n_local_trials,
                                  centroids, indices, n_threads)


cdef int ck_kmeans_random_init_f32(const float *X, int64_t n_samples, int64_t n_features,
                                   const double *sample_weight, int64_t n_clusters, uint64_t seed,
                                   float *centroids, int64_t *indices) noexcept nogil:
    return _ck_kmeans_random_init_f32(X, n_samples, n_features, sample_weight, n_clusters, seed, centroids,
                                      indices)


cdef int ck_kmeans_random_init_f64(const double *X, int64_t n_samples, int64_t n_features,
                                   const double *sample_weight, int64_t n_clusters, uint64_t seed,
                                   double *centroids, int64_t *indices) noexcept nogil:
    return _ck_kmeans_random_init_f64(X, n_samples, n_features, sample_weight, n_clusters, seed, centroids,
                                      indices)


cdef int ck_kmeans_random_init_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                  const double *sample_weight, int64_t n_clusters, uint64_t seed,
                                  double *centroids, int64_t *indices) noexcept nogil:
    return _ck_kmeans_random_init_u8(X, n_samples, n_features, sample_weight, n_clusters, seed, centroids,
                                     indices)


cdef int ck_mean_feature_variance_f32(const float *X, int64_t n_samples, int64_t n_features, int n_threads,
                                      double *mean_variance) noexcept nogil:
    return _ck_mean_feature_variance_f32(X, n_samples, n_features, n_threads, mean_variance)


cdef int ck_mean_feature_variance_f64(const double *X, int64_t n_samples, int64_t n_features, int n_threads,
                                      double *mean_variance) noexcept nogil:
    return _ck_mean_feature_variance_f64(X, n_samples, n_features, n_threads, mean_variance)


cdef int ck_mean_feature_variance_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, int n_threads,
                                     double *mean_variance) noexcept nogil:
    return _ck_mean_feature_variance_u8(X, n_samples, n_features, n_threads, mean_variance)


cdef int ck_find_nonfinite_f32(const float *x, int64_t n, int n_threads, int64_t *first) noexcept nogil:
    return _ck_find_nonfinite_f32(x, n, n_threads, first)


cdef int ck_find_nonfinite_f64(const double *x, int64_t n, int n_threads, int64_t *first) noexcept nogil:
    return _ck_find_nonfinite_f64(x, n, n_threads, first)


cdef int ck_contingency(const int32_t *row_codes, const int32_t *col_codes, int64_t n_samples, int64_t n_rows,
                        int64_t n_cols, const double *weights, double *out, int n_threads) noexcept nogil:
    return _ck_contingency(row_codes, col_codes, n_samples, n_rows, n_cols, weights, out, n_threads)


cdef int ck_soft_contingency(const int32_t *row_codes, const double *resp, int64_t n_samples, int64_t n_rows,
                             int64_t n_cols, const double *weights, double *out,
                             int n_threads) noexcept nogil:
    return _ck_soft_contingency(row_codes, resp, n_samples, n_rows, n_cols, weights, out, n_threads)


cdef int ck_soft_estep_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           const float *centroids, int64_t n_clusters, double beta, int distance,
                           double *responsibilities, int32_t *labels, double *objective,
                           int n_threads) noexcept nogil:
    return _ck_soft_estep_f32(X, n_samples, n_features, sample_weight, centroids, n_clusters, beta, distance,
                              responsibilities, labels, objective, n_threads)


cdef int ck_soft_estep_f64(const double *X, int64_t n_samples, int64_t n_features,
                           const double *sample_weight, const double *centroids, int64_t n_clusters,
                           double beta, int distance, double *responsibilities, int32_t *labels,
                           double *objective, int n_threads) noexcept nogil:
    return _ck_soft_estep_f64(X, n_samples, n_features, sample_weight, centroids, n_clusters, beta, distance,
                              responsibilities, labels, objective, n_threads)


cdef int ck_soft_estep_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                          const double *sample_weight, const double *centroids, int64_t n_clusters,
                          double beta, int distance, double *responsibilities, int32_t *labels,
                          double *objective, int n_threads) noexcept nogil:
    return _ck_soft_estep_u8(X, n_samples, n_features, sample_weight, centroids, n_clusters, beta, distance,
                             responsibilities, labels, objective, n_threads)


cdef int ck_soft_step_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                          const float *centroids_old, int64_t n_clusters, double beta, int distance,
                          float *centroids_new, double *weight_in_clusters, int n_threads, double *objective,
                          double *center_shift) noexcept nogil:
    return _ck_soft_step_f32(X, n_samples, n_features, sample_weight, centroids_old, n_clusters, beta,
                             distance, centroids_new, weight_in_clusters, n_threads, objective, center_shift)


cdef int ck_soft_step_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                          const double *centroids_old, int64_t n_clusters, double beta, int distance,
                          double *centroids_new, double *weight_in_clusters, int n_threads, double *objective,
                          double *center_shift) noexcept nogil:
    return _ck_soft_step_f64(X, n_samples, n_features, sample_weight, centroids_old, n_clusters, beta,
                             distance, centroids_new, weight_in_clusters, n_threads, objective, center_shift)


cdef int ck_soft_step_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                         const double *centroids_old, int64_t n_clusters, double beta, int distance,
                         double *centroids_new, double *weight_in_clusters, int n_threads, double *objective,
                         double *center_shift) noexcept nogil:
    return _ck_soft_step_u8(X, n_samples, n_features, sample_weight, centroids_old, n_clusters, beta,
                            distance, centroids_new, weight_in_clusters, n_threads, objective, center_shift)


cdef int ck_soft_kmeans_fit_f32(const float *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, const double *betas,
                                int64_t n_betas, int distance, float *centroids, int max_iter, double tol,
                                int n_threads, double *responsibilities, int32_t *labels, int *n_iter,
                                double *objective, double *objective_history, int *converged) noexcept nogil:
    return _ck_soft_kmeans_fit_f32(X, n_samples, n_features, sample_weight, n_clusters, betas, n_betas,
                                   distance, centroids, max_iter, tol, n_threads, responsibilities, labels,
                                   n_iter, objective, objective_history, converged)


cdef int ck_soft_kmeans_fit_f64(const double *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, const double *betas,
                                int64_t n_betas, int distance, double *centroids, int max_iter, double tol,
                                int n_threads, double *responsibilities, int32_t *labels, int *n_iter,
                                double *objective, double *objective_history, int *converged) noexcept nogil:
    return _ck_soft_kmeans_fit_f64(X, n_samples, n_features, sample_weight, n_clusters, betas, n_betas,
                                   distance, centroids, max_iter, tol, n_threads, responsibilities, labels,
                                   n_iter, objective, objective_history, converged)


cdef int ck_soft_kmeans_fit_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                               const double *sample_weight, int64_t n_clusters, const double *betas,
                               int64_t n_betas, int distance, double *centroids, int max_iter, double tol,
                               int n_threads, double *responsibilities, int32_t *labels, int *n_iter,
                               double *objective, double *objective_history, int *converged) noexcept nogil:
    return _ck_soft_kmeans_fit_u8(X, n_samples, n_features, sample_weight, n_clusters, betas, n_betas,
                                  distance, centroids, max_iter, tol, n_threads, responsibilities, labels,
                                  n_iter, objective, objective_history, converged)


cdef int ck_idx_elem_size(int type_code) noexcept nogil:
    return _ck_idx_elem_size(type_code)


cdef int ck_idx_parse_header(const uint8_t *buf, int64_t buf_len, int64_t total_len,
                             ck_idx_header *out) noexcept nogil:
    return _ck_idx_parse_header(buf, buf_len, total_len, out)


cdef int ck_idx_encode_header(int type_code, int ndim, const int64_t *dims, uint8_t *out) noexcept nogil:
    return _ck_idx_encode_header(type_code, ndim, dims, out)


cdef int ck_idx_decode(const uint8_t *payload, int type_code, int64_t n_elems, void *out,
                       int n_threads) noexcept nogil:
    return _ck_idx_decode(payload, type_code, n_elems, out, n_threads)


cdef int ck_idx_encode(const void *src, int type_code, int64_t n_elems, uint8_t *payload,
                       int n_threads) noexcept nogil:
    return _ck_idx_encode(src, type_code, n_elems, payload, n_threads)
