# The compiled side of ckmeans/kernels.pxd: every C function of ckmeans.h re-exported under its own
# name as a `cdef ... noexcept nogil` function. Cython publishes these through this module's
# __pyx_capi__, so a user's extension that cimports them calls into the C core linked here and needs
# no library of its own. Each wrapper is one call: the contract is the C function's (ckmeans.h).
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t

cimport ckmeans._ckmeans as _c

from ckmeans._runtime import strerror  # the Python-side message of a status code

__all__ = ["strerror"]


# ---- runtime and version ---------------------------------------------------------------------------

cdef int ck_version() noexcept nogil:
    return _c.ck_version()

cdef const char *ck_version_string() noexcept nogil:
    return _c.ck_version_string()

cdef const char *ck_strerror(int status) noexcept nogil:
    return _c.ck_strerror(status)

cdef int ck_openmp_enabled() noexcept nogil:
    return _c.ck_openmp_enabled()

cdef int ck_max_threads() noexcept nogil:
    return _c.ck_max_threads()

cdef const char *ck_kernel_isa(int family) noexcept nogil:
    return _c.ck_kernel_isa(family)

cdef const volatile int *ck_set_cancel_flag(const volatile int *flag) noexcept nogil:
    return _c.ck_set_cancel_flag(flag)


# ---- parameters of the fits ------------------------------------------------------------------------

cdef void ck_kmeans_params_init(ck_kmeans_params *params) noexcept nogil:
    _c.ck_kmeans_params_init(params)

cdef void ck_soft_params_init(ck_soft_params *params) noexcept nogil:
    _c.ck_soft_params_init(params)


# ---- hard k-means: assignment, inertia, centroid update --------------------------------------------

cdef int ck_assign_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                       int32_t *labels, double *sqdist, int n_threads) noexcept nogil:
    return _c.ck_assign_f32(data, n_clusters, centroids, labels, sqdist, n_threads)

cdef int ck_assign_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                       int32_t *labels, double *sqdist, int n_threads) noexcept nogil:
    return _c.ck_assign_f64(data, n_clusters, centroids, labels, sqdist, n_threads)

cdef int ck_assign_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                      int32_t *labels, double *sqdist, int n_threads) noexcept nogil:
    return _c.ck_assign_u8(data, n_clusters, centroids, labels, sqdist, n_threads)

cdef int ck_inertia_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                        const int32_t *labels, double *inertia, int n_threads) noexcept nogil:
    return _c.ck_inertia_f32(data, n_clusters, centroids, labels, inertia, n_threads)

cdef int ck_inertia_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                        const int32_t *labels, double *inertia, int n_threads) noexcept nogil:
    return _c.ck_inertia_f64(data, n_clusters, centroids, labels, inertia, n_threads)

cdef int ck_inertia_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                       const int32_t *labels, double *inertia, int n_threads) noexcept nogil:
    return _c.ck_inertia_u8(data, n_clusters, centroids, labels, inertia, n_threads)

cdef int ck_centroids_update_f32(const ck_data_f32 *data, int64_t n_clusters,
                                 const int32_t *labels, float *centroids,
                                 double *weight_in_clusters, int n_threads) noexcept nogil:
    return _c.ck_centroids_update_f32(data, n_clusters, labels, centroids, weight_in_clusters, n_threads)

cdef int ck_centroids_update_f64(const ck_data_f64 *data, int64_t n_clusters,
                                 const int32_t *labels, double *centroids,
                                 double *weight_in_clusters, int n_threads) noexcept nogil:
    return _c.ck_centroids_update_f64(data, n_clusters, labels, centroids, weight_in_clusters, n_threads)

cdef int ck_centroids_update_u8(const ck_data_u8 *data, int64_t n_clusters,
                                const int32_t *labels, double *centroids,
                                double *weight_in_clusters, int n_threads) noexcept nogil:
    return _c.ck_centroids_update_u8(data, n_clusters, labels, centroids, weight_in_clusters, n_threads)


# ---- hard k-means: one Lloyd iteration, a whole fit ------------------------------------------------

cdef int ck_lloyd_step_f32(const ck_data_f32 *data, int64_t n_clusters,
                           const float *centroids_old, float *centroids_new, int32_t *labels,
                           ck_step_stats *stats, int n_threads) noexcept nogil:
    return _c.ck_lloyd_step_f32(data, n_clusters, centroids_old, centroids_new, labels, stats, n_threads)

cdef int ck_lloyd_step_f64(const ck_data_f64 *data, int64_t n_clusters,
                           const double *centroids_old, double *centroids_new, int32_t *labels,
                           ck_step_stats *stats, int n_threads) noexcept nogil:
    return _c.ck_lloyd_step_f64(data, n_clusters, centroids_old, centroids_new, labels, stats, n_threads)

cdef int ck_lloyd_step_u8(const ck_data_u8 *data, int64_t n_clusters,
                          const double *centroids_old, double *centroids_new, int32_t *labels,
                          ck_step_stats *stats, int n_threads) noexcept nogil:
    return _c.ck_lloyd_step_u8(data, n_clusters, centroids_old, centroids_new, labels, stats, n_threads)

cdef int ck_lloyd_partial_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                              int32_t *labels, double *sums, double *weight_in_clusters,
                              ck_step_stats *stats, int n_threads) noexcept nogil:
    return _c.ck_lloyd_partial_f32(data, n_clusters, centroids, labels, sums, weight_in_clusters, stats,
                                   n_threads)

cdef int ck_lloyd_partial_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                              int32_t *labels, double *sums, double *weight_in_clusters,
                              ck_step_stats *stats, int n_threads) noexcept nogil:
    return _c.ck_lloyd_partial_f64(data, n_clusters, centroids, labels, sums, weight_in_clusters, stats,
                                   n_threads)

cdef int ck_lloyd_partial_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                             int32_t *labels, double *sums, double *weight_in_clusters,
                             ck_step_stats *stats, int n_threads) noexcept nogil:
    return _c.ck_lloyd_partial_u8(data, n_clusters, centroids, labels, sums, weight_in_clusters, stats,
                                  n_threads)

cdef int ck_farthest_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                         const int32_t *labels, int64_t n_far, double *far_sqdist,
                         int64_t *far_index, int n_threads) noexcept nogil:
    return _c.ck_farthest_f32(data, n_clusters, centroids, labels, n_far, far_sqdist, far_index,
                              n_threads)

cdef int ck_farthest_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                         const int32_t *labels, int64_t n_far, double *far_sqdist,
                         int64_t *far_index, int n_threads) noexcept nogil:
    return _c.ck_farthest_f64(data, n_clusters, centroids, labels, n_far, far_sqdist, far_index,
                              n_threads)

cdef int ck_farthest_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                        const int32_t *labels, int64_t n_far, double *far_sqdist,
                        int64_t *far_index, int n_threads) noexcept nogil:
    return _c.ck_farthest_u8(data, n_clusters, centroids, labels, n_far, far_sqdist, far_index,
                             n_threads)

cdef int ck_kmeans_fit_f32(const ck_data_f32 *data, int64_t n_clusters, float *centroids,
                           const ck_kmeans_params *params,
                           ck_kmeans_result *result) noexcept nogil:
    return _c.ck_kmeans_fit_f32(data, n_clusters, centroids, params, result)

cdef int ck_kmeans_fit_f64(const ck_data_f64 *data, int64_t n_clusters, double *centroids,
                           const ck_kmeans_params *params,
                           ck_kmeans_result *result) noexcept nogil:
    return _c.ck_kmeans_fit_f64(data, n_clusters, centroids, params, result)

cdef int ck_kmeans_fit_u8(const ck_data_u8 *data, int64_t n_clusters, double *centroids,
                          const ck_kmeans_params *params,
                          ck_kmeans_result *result) noexcept nogil:
    return _c.ck_kmeans_fit_u8(data, n_clusters, centroids, params, result)


# ---- hard k-means: initialisation and the tol scale ------------------------------------------------

cdef int ck_kmeans_plusplus_f32(const ck_data_f32 *data, int64_t n_clusters, uint64_t seed,
                                int n_local_trials, float *centroids, int64_t *indices,
                                int n_threads) noexcept nogil:
    return _c.ck_kmeans_plusplus_f32(data, n_clusters, seed, n_local_trials, centroids, indices, n_threads)

cdef int ck_kmeans_plusplus_f64(const ck_data_f64 *data, int64_t n_clusters, uint64_t seed,
                                int n_local_trials, double *centroids, int64_t *indices,
                                int n_threads) noexcept nogil:
    return _c.ck_kmeans_plusplus_f64(data, n_clusters, seed, n_local_trials, centroids, indices, n_threads)

cdef int ck_kmeans_plusplus_u8(const ck_data_u8 *data, int64_t n_clusters, uint64_t seed,
                               int n_local_trials, double *centroids, int64_t *indices,
                               int n_threads) noexcept nogil:
    return _c.ck_kmeans_plusplus_u8(data, n_clusters, seed, n_local_trials, centroids, indices, n_threads)

cdef int ck_kmeans_random_init_f32(const ck_data_f32 *data, int64_t n_clusters, uint64_t seed,
                                   float *centroids, int64_t *indices) noexcept nogil:
    return _c.ck_kmeans_random_init_f32(data, n_clusters, seed, centroids, indices)

cdef int ck_kmeans_random_init_f64(const ck_data_f64 *data, int64_t n_clusters, uint64_t seed,
                                   double *centroids, int64_t *indices) noexcept nogil:
    return _c.ck_kmeans_random_init_f64(data, n_clusters, seed, centroids, indices)

cdef int ck_kmeans_random_init_u8(const ck_data_u8 *data, int64_t n_clusters, uint64_t seed,
                                  double *centroids, int64_t *indices) noexcept nogil:
    return _c.ck_kmeans_random_init_u8(data, n_clusters, seed, centroids, indices)

cdef int ck_mean_feature_variance_f32(const ck_data_f32 *data, double *mean_variance,
                                      int n_threads) noexcept nogil:
    return _c.ck_mean_feature_variance_f32(data, mean_variance, n_threads)

cdef int ck_mean_feature_variance_f64(const ck_data_f64 *data, double *mean_variance,
                                      int n_threads) noexcept nogil:
    return _c.ck_mean_feature_variance_f64(data, mean_variance, n_threads)

cdef int ck_mean_feature_variance_u8(const ck_data_u8 *data, double *mean_variance,
                                     int n_threads) noexcept nogil:
    return _c.ck_mean_feature_variance_u8(data, mean_variance, n_threads)


# ---- hard k-means on sparse (CSR) rows ------------------------------------------------------------

cdef int ck_csr_duplicate_row_f32(const ck_csr_f32 *data, int64_t *row) noexcept nogil:
    return _c.ck_csr_duplicate_row_f32(data, row)

cdef int ck_csr_duplicate_row_f64(const ck_csr_f64 *data, int64_t *row) noexcept nogil:
    return _c.ck_csr_duplicate_row_f64(data, row)

cdef int ck_assign_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                           int32_t *labels, double *sqdist, int n_threads) noexcept nogil:
    return _c.ck_assign_csr_f32(data, n_clusters, centroids, labels, sqdist, n_threads)

cdef int ck_assign_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                           int32_t *labels, double *sqdist, int n_threads) noexcept nogil:
    return _c.ck_assign_csr_f64(data, n_clusters, centroids, labels, sqdist, n_threads)

cdef int ck_inertia_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                            const int32_t *labels, double *inertia, int n_threads) noexcept nogil:
    return _c.ck_inertia_csr_f32(data, n_clusters, centroids, labels, inertia, n_threads)

cdef int ck_inertia_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                            const int32_t *labels, double *inertia, int n_threads) noexcept nogil:
    return _c.ck_inertia_csr_f64(data, n_clusters, centroids, labels, inertia, n_threads)

cdef int ck_lloyd_step_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids_old,
                               float *centroids_new, int32_t *labels, ck_step_stats *stats,
                               int n_threads) noexcept nogil:
    return _c.ck_lloyd_step_csr_f32(data, n_clusters, centroids_old, centroids_new, labels, stats, n_threads)

cdef int ck_lloyd_step_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids_old,
                               double *centroids_new, int32_t *labels, ck_step_stats *stats,
                               int n_threads) noexcept nogil:
    return _c.ck_lloyd_step_csr_f64(data, n_clusters, centroids_old, centroids_new, labels, stats, n_threads)

cdef int ck_lloyd_partial_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                                  int32_t *labels, double *sums, double *weight_in_clusters,
                                  ck_step_stats *stats, int n_threads) noexcept nogil:
    return _c.ck_lloyd_partial_csr_f32(data, n_clusters, centroids, labels, sums, weight_in_clusters, stats,
                                       n_threads)

cdef int ck_lloyd_partial_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                                  int32_t *labels, double *sums, double *weight_in_clusters,
                                  ck_step_stats *stats, int n_threads) noexcept nogil:
    return _c.ck_lloyd_partial_csr_f64(data, n_clusters, centroids, labels, sums, weight_in_clusters, stats,
                                       n_threads)

cdef int ck_farthest_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                             const int32_t *labels, int64_t n_far, double *far_sqdist,
                             int64_t *far_index, int n_threads) noexcept nogil:
    return _c.ck_farthest_csr_f32(data, n_clusters, centroids, labels, n_far, far_sqdist, far_index,
                                  n_threads)

cdef int ck_farthest_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                             const int32_t *labels, int64_t n_far, double *far_sqdist,
                             int64_t *far_index, int n_threads) noexcept nogil:
    return _c.ck_farthest_csr_f64(data, n_clusters, centroids, labels, n_far, far_sqdist, far_index,
                                  n_threads)

cdef int ck_kmeans_fit_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, float *centroids,
                               const ck_kmeans_params *params, ck_kmeans_result *result) noexcept nogil:
    return _c.ck_kmeans_fit_csr_f32(data, n_clusters, centroids, params, result)

cdef int ck_kmeans_fit_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, double *centroids,
                               const ck_kmeans_params *params, ck_kmeans_result *result) noexcept nogil:
    return _c.ck_kmeans_fit_csr_f64(data, n_clusters, centroids, params, result)

cdef int ck_kmeans_plusplus_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, uint64_t seed,
                                    int n_local_trials, float *centroids, int64_t *indices,
                                    int n_threads) noexcept nogil:
    return _c.ck_kmeans_plusplus_csr_f32(data, n_clusters, seed, n_local_trials, centroids, indices,
                                         n_threads)

cdef int ck_kmeans_plusplus_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, uint64_t seed,
                                    int n_local_trials, double *centroids, int64_t *indices,
                                    int n_threads) noexcept nogil:
    return _c.ck_kmeans_plusplus_csr_f64(data, n_clusters, seed, n_local_trials, centroids, indices,
                                         n_threads)

cdef int ck_kmeans_random_init_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, uint64_t seed,
                                       float *centroids, int64_t *indices) noexcept nogil:
    return _c.ck_kmeans_random_init_csr_f32(data, n_clusters, seed, centroids, indices)

cdef int ck_kmeans_random_init_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, uint64_t seed,
                                       double *centroids, int64_t *indices) noexcept nogil:
    return _c.ck_kmeans_random_init_csr_f64(data, n_clusters, seed, centroids, indices)


# ---- input validation ------------------------------------------------------------------------------

cdef int ck_find_nonfinite_f32(const float *x, int64_t n, int64_t *first,
                               int n_threads) noexcept nogil:
    return _c.ck_find_nonfinite_f32(x, n, first, n_threads)

cdef int ck_find_nonfinite_f64(const double *x, int64_t n, int64_t *first,
                               int n_threads) noexcept nogil:
    return _c.ck_find_nonfinite_f64(x, n, first, n_threads)


# ---- metrics ---------------------------------------------------------------------------------------

cdef int ck_contingency(const int32_t *row_codes, const int32_t *col_codes, int64_t n_samples,
                        int64_t n_rows, int64_t n_cols, const double *weights, double *out,
                        int n_threads) noexcept nogil:
    return _c.ck_contingency(row_codes, col_codes, n_samples, n_rows, n_cols, weights, out, n_threads)

cdef int ck_soft_contingency(const int32_t *row_codes, const double *resp, int64_t n_samples,
                             int64_t n_rows, int64_t n_cols, const double *weights,
                             double *out, int n_threads) noexcept nogil:
    return _c.ck_soft_contingency(row_codes, resp, n_samples, n_rows, n_cols, weights, out, n_threads)


# ---- soft k-means (MacKay, stiffness beta > 0) -----------------------------------------------------

cdef int ck_soft_estep_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                           double *responsibilities, int32_t *labels, double *objective,
                           const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_estep_f32(data, n_clusters, centroids, responsibilities, labels, objective, params)

cdef int ck_soft_estep_f64(const ck_data_f64 *data, int64_t n_clusters,
                           const double *centroids, double *responsibilities, int32_t *labels,
                           double *objective, const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_estep_f64(data, n_clusters, centroids, responsibilities, labels, objective, params)

cdef int ck_soft_estep_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                          double *responsibilities, int32_t *labels, double *objective,
                          const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_estep_u8(data, n_clusters, centroids, responsibilities, labels, objective, params)

cdef int ck_soft_step_f32(const ck_data_f32 *data, int64_t n_clusters,
                          const float *centroids_old, float *centroids_new,
                          double *weight_in_clusters, ck_soft_stats *stats,
                          const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_step_f32(data, n_clusters, centroids_old, centroids_new, weight_in_clusters, stats,
                               params)

cdef int ck_soft_step_f64(const ck_data_f64 *data, int64_t n_clusters,
                          const double *centroids_old, double *centroids_new,
                          double *weight_in_clusters, ck_soft_stats *stats,
                          const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_step_f64(data, n_clusters, centroids_old, centroids_new, weight_in_clusters, stats,
                               params)

cdef int ck_soft_step_u8(const ck_data_u8 *data, int64_t n_clusters,
                         const double *centroids_old, double *centroids_new,
                         double *weight_in_clusters, ck_soft_stats *stats,
                         const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_step_u8(data, n_clusters, centroids_old, centroids_new, weight_in_clusters, stats,
                              params)

cdef int ck_soft_kmeans_fit_f32(const ck_data_f32 *data, int64_t n_clusters, float *centroids,
                                const ck_soft_params *params,
                                ck_soft_result *result) noexcept nogil:
    return _c.ck_soft_kmeans_fit_f32(data, n_clusters, centroids, params, result)

cdef int ck_soft_kmeans_fit_f64(const ck_data_f64 *data, int64_t n_clusters, double *centroids,
                                const ck_soft_params *params,
                                ck_soft_result *result) noexcept nogil:
    return _c.ck_soft_kmeans_fit_f64(data, n_clusters, centroids, params, result)

cdef int ck_soft_kmeans_fit_u8(const ck_data_u8 *data, int64_t n_clusters, double *centroids,
                               const ck_soft_params *params,
                               ck_soft_result *result) noexcept nogil:
    return _c.ck_soft_kmeans_fit_u8(data, n_clusters, centroids, params, result)

cdef int ck_soft_partial_f32(const ck_data_f32 *data, int64_t n_clusters, const double *centroids,
                             double *sums, double *weight_in_clusters, double *objective,
                             const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_partial_f32(data, n_clusters, centroids, sums, weight_in_clusters, objective, params)

cdef int ck_soft_partial_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                             double *sums, double *weight_in_clusters, double *objective,
                             const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_partial_f64(data, n_clusters, centroids, sums, weight_in_clusters, objective, params)

cdef int ck_soft_partial_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                            double *sums, double *weight_in_clusters, double *objective,
                            const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_partial_u8(data, n_clusters, centroids, sums, weight_in_clusters, objective, params)


# ---- soft k-means on CSR rows ----------------------------------------------------------------------

cdef int ck_soft_estep_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                               double *responsibilities, int32_t *labels, double *objective,
                               const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_estep_csr_f32(data, n_clusters, centroids, responsibilities, labels, objective, params)

cdef int ck_soft_estep_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                               double *responsibilities, int32_t *labels, double *objective,
                               const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_estep_csr_f64(data, n_clusters, centroids, responsibilities, labels, objective, params)

cdef int ck_soft_partial_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const double *centroids,
                                 double *sums, double *weight_in_clusters, double *objective,
                                 const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_partial_csr_f32(data, n_clusters, centroids, sums, weight_in_clusters, objective,
                                      params)

cdef int ck_soft_partial_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                                 double *sums, double *weight_in_clusters, double *objective,
                                 const ck_soft_params *params) noexcept nogil:
    return _c.ck_soft_partial_csr_f64(data, n_clusters, centroids, sums, weight_in_clusters, objective,
                                      params)

cdef int ck_soft_kmeans_fit_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, float *centroids,
                                    const ck_soft_params *params,
                                    ck_soft_result *result) noexcept nogil:
    return _c.ck_soft_kmeans_fit_csr_f32(data, n_clusters, centroids, params, result)

cdef int ck_soft_kmeans_fit_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, double *centroids,
                                    const ck_soft_params *params,
                                    ck_soft_result *result) noexcept nogil:
    return _c.ck_soft_kmeans_fit_csr_f64(data, n_clusters, centroids, params, result)


# ---- IDX (MNIST) files, on memory buffers ----------------------------------------------------------

cdef int ck_idx_elem_size(int type_code) noexcept nogil:
    return _c.ck_idx_elem_size(type_code)

cdef int ck_idx_parse_header(const uint8_t *buf, int64_t buf_len, int64_t total_len,
                             ck_idx_header *out) noexcept nogil:
    return _c.ck_idx_parse_header(buf, buf_len, total_len, out)

cdef int ck_idx_encode_header(int type_code, int ndim, const int64_t *dims,
                              uint8_t *out) noexcept nogil:
    return _c.ck_idx_encode_header(type_code, ndim, dims, out)

cdef int ck_idx_decode(const uint8_t *payload, int type_code, int64_t n_elems, void *out,
                       int n_threads) noexcept nogil:
    return _c.ck_idx_decode(payload, type_code, n_elems, out, n_threads)

cdef int ck_idx_encode(const void *inp, int type_code, int64_t n_elems, uint8_t *payload,
                       int n_threads) noexcept nogil:
    return _c.ck_idx_encode(inp, type_code, n_elems, payload, n_threads)
