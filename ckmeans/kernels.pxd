# ckmeans' public Cython API: the C kernels of ckmeans.h, callable without the GIL from your own
# Cython code.
#
#     from ckmeans.kernels cimport ck_data_f64, ck_kmeans_params, ck_kmeans_params_init, ck_kmeans_fit_f64
#
# Build your extension with include_dirs=[ckmeans.get_include()] (the directory of ckmeans.h; add
# numpy.get_include() only if you also cimport numpy). Nothing else to link: every function below is
# implemented in the compiled module ckmeans.kernels, which Cython imports when your module is
# imported and calls through function pointers (the scipy.special.cython_special model).
#
# Each function has the name and signature of the C function in ckmeans.h, whose comment is the full
# contract; the types and constants are ckmeans.h's, re-exported here. Conventions of every function:
#   - data first (a ck_data_f32 / _f64 / _u8: X, its sizes and optional sample weights), then
#     n_clusters, the inputs, the outputs, and last n_threads or the fit's parameters;
#   - sizes and indices are int64_t, cluster labels int32_t; arrays are C-contiguous (row-major);
#   - the caller allocates every array; nothing is kept after the call and nothing is freed;
#   - the return value is a status code: CK_OK (0), or a CK_ERR_* code (ck_strerror gives its
#     message; ckmeans.kernels.strerror from Python). Sizes are checked (CK_ERR_ARG), pointers are
#     not, and values (NaN, infinities) are the caller's to validate, as ckmeans' Python API does;
#   - n_threads >= 1 OpenMP threads (< 1 acts as 1); results are bit-identical for any count. Inside
#     your own prange loop pass n_threads=1;
#   - dtypes: _f32 takes float X and float centroids, _f64 double and double, _u8 uint8_t X (read in
#     place, never copied) and double centroids. Sums, weights, inertias, squared distances: double.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t

from ckmeans._ckmeans cimport (CKMEANS_VERSION, CKMEANS_VERSION_MAJOR, CKMEANS_VERSION_MINOR,
                               CKMEANS_VERSION_PATCH, CK_ALGO_AUTO, CK_ALGO_HAMERLY, CK_ALGO_LLOYD,
                               CK_ALGO_YINYANG, CK_ERR_ARG, CK_ERR_CANCELLED, CK_ERR_IDX_DIM_RANGE,
                               CK_ERR_IDX_LONG_PAYLOAD, CK_ERR_IDX_MAGIC, CK_ERR_IDX_NDIM,
                               CK_ERR_IDX_OVERFLOW, CK_ERR_IDX_SHORT_PAYLOAD, CK_ERR_IDX_TRUNCATED_HEADER,
                               CK_ERR_IDX_TYPE, CK_ERR_KMEANS_LABEL, CK_ERR_KMEANS_NONFINITE,
                               CK_ERR_KMEANS_OVERFLOW, CK_ERR_LABEL_RANGE, CK_ERR_NOMEM, CK_ERR_SOFT_BETA,
                               CK_ERR_SOFT_DISTANCE,
                               CK_IDX_FLOAT32, CK_IDX_FLOAT64, CK_IDX_INT16, CK_IDX_INT32, CK_IDX_INT8,
                               CK_IDX_MAX_HEADER_BYTES, CK_IDX_MAX_NDIM, CK_IDX_UINT8, CK_KERNEL_KMEANS,
                               CK_KERNEL_KMEANS_UINT8, CK_KERNEL_N_FAMILIES, CK_KERNEL_SOFT, CK_OK,
                               CK_SOFT_EUCLIDEAN, CK_SOFT_SQEUCLIDEAN, ck_csr_f32, ck_csr_f64, ck_data_f32,
                               ck_data_f64, ck_data_u8,
                               ck_idx_header, ck_iter_callback, ck_iter_info, ck_kmeans_params,
                               ck_kmeans_result, ck_soft_params, ck_soft_result, ck_soft_stats, ck_step_stats)

# ---- runtime and version ---------------------------------------------------------------------------
# ck_version: CKMEANS_VERSION of the library linked; ck_strerror: the static message of a status
# code; ck_openmp_enabled: 1 if built with OpenMP; ck_max_threads: threads a parallel region would use;
# ck_kernel_isa: the instruction set a kernel family runs (CK_KERNEL_*); ck_set_cancel_flag: the
# flag the long calls of this thread poll (CK_ERR_CANCELLED once it is non-zero).
cdef int ck_version() noexcept nogil
cdef const char *ck_version_string() noexcept nogil
cdef const char *ck_strerror(int status) noexcept nogil
cdef int ck_openmp_enabled() noexcept nogil
cdef int ck_max_threads() noexcept nogil
cdef const char *ck_kernel_isa(int family) noexcept nogil
cdef const volatile int *ck_set_cancel_flag(const volatile int *flag) noexcept nogil

# ---- parameters of the fits ------------------------------------------------------------------------
# Fill a ck_kmeans_params / ck_soft_params with the defaults before setting its fields.
cdef void ck_kmeans_params_init(ck_kmeans_params *params) noexcept nogil
cdef void ck_soft_params_init(ck_soft_params *params) noexcept nogil

# ---- hard k-means: assignment, inertia, centroid update --------------------------------------------
# labels (OUT) of the nearest centroids and optional squared distances; the weighted inertia of
# given labels; the weighted means of given labels (empty clusters keep their rows).
cdef int ck_assign_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                       int32_t *labels, double *sqdist, int n_threads) noexcept nogil
cdef int ck_assign_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                       int32_t *labels, double *sqdist, int n_threads) noexcept nogil
cdef int ck_assign_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                      int32_t *labels, double *sqdist, int n_threads) noexcept nogil
cdef int ck_inertia_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                        const int32_t *labels, double *inertia, int n_threads) noexcept nogil
cdef int ck_inertia_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                        const int32_t *labels, double *inertia, int n_threads) noexcept nogil
cdef int ck_inertia_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                       const int32_t *labels, double *inertia, int n_threads) noexcept nogil
cdef int ck_centroids_update_f32(const ck_data_f32 *data, int64_t n_clusters,
                                 const int32_t *labels, float *centroids,
                                 double *weight_in_clusters, int n_threads) noexcept nogil
cdef int ck_centroids_update_f64(const ck_data_f64 *data, int64_t n_clusters,
                                 const int32_t *labels, double *centroids,
                                 double *weight_in_clusters, int n_threads) noexcept nogil
cdef int ck_centroids_update_u8(const ck_data_u8 *data, int64_t n_clusters,
                                const int32_t *labels, double *centroids,
                                double *weight_in_clusters, int n_threads) noexcept nogil

# ---- hard k-means: one Lloyd iteration, a whole fit ------------------------------------------------
# ck_kmeans_fit_*: params->algorithm picks Lloyd, Yinyang, Hamerly or the automatic choice (all
# exact); result->algorithm says which ran. Also CK_ERR_CANCELLED (cancel flag or callback).
cdef int ck_lloyd_step_f32(const ck_data_f32 *data, int64_t n_clusters,
                           const float *centroids_old, float *centroids_new, int32_t *labels,
                           ck_step_stats *stats, int n_threads) noexcept nogil
# ck_lloyd_partial_*: one block's sums, weights, changes and inertia of a Lloyd iteration, for a fit
# over several blocks; ck_farthest_*: a block's candidates for empty clusters.
cdef int ck_lloyd_partial_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                              int32_t *labels, double *sums, double *weight_in_clusters,
                              ck_step_stats *stats, int n_threads) noexcept nogil
cdef int ck_lloyd_partial_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                              int32_t *labels, double *sums, double *weight_in_clusters,
                              ck_step_stats *stats, int n_threads) noexcept nogil
cdef int ck_lloyd_partial_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                             int32_t *labels, double *sums, double *weight_in_clusters,
                             ck_step_stats *stats, int n_threads) noexcept nogil
cdef int ck_farthest_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                         const int32_t *labels, int64_t n_far, double *far_sqdist,
                         int64_t *far_index, int n_threads) noexcept nogil
cdef int ck_farthest_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                         const int32_t *labels, int64_t n_far, double *far_sqdist,
                         int64_t *far_index, int n_threads) noexcept nogil
cdef int ck_farthest_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                        const int32_t *labels, int64_t n_far, double *far_sqdist,
                        int64_t *far_index, int n_threads) noexcept nogil
cdef int ck_lloyd_step_f64(const ck_data_f64 *data, int64_t n_clusters,
                           const double *centroids_old, double *centroids_new, int32_t *labels,
                           ck_step_stats *stats, int n_threads) noexcept nogil
cdef int ck_lloyd_step_u8(const ck_data_u8 *data, int64_t n_clusters,
                          const double *centroids_old, double *centroids_new, int32_t *labels,
                          ck_step_stats *stats, int n_threads) noexcept nogil
cdef int ck_kmeans_fit_f32(const ck_data_f32 *data, int64_t n_clusters, float *centroids,
                           const ck_kmeans_params *params,
                           ck_kmeans_result *result) noexcept nogil
cdef int ck_kmeans_fit_f64(const ck_data_f64 *data, int64_t n_clusters, double *centroids,
                           const ck_kmeans_params *params,
                           ck_kmeans_result *result) noexcept nogil
cdef int ck_kmeans_fit_u8(const ck_data_u8 *data, int64_t n_clusters, double *centroids,
                          const ck_kmeans_params *params,
                          ck_kmeans_result *result) noexcept nogil

# ---- hard k-means: initialisation and the tol scale ------------------------------------------------
# Greedy k-means++ and random rows: the same seed gives the same centres for any n_threads.
# ck_mean_feature_variance_*: times a relative tol, it gives params.tol_abs as ckmeans.kmeans does.
cdef int ck_kmeans_plusplus_f32(const ck_data_f32 *data, int64_t n_clusters, uint64_t seed,
                                int n_local_trials, float *centroids, int64_t *indices,
                                int n_threads) noexcept nogil
cdef int ck_kmeans_plusplus_f64(const ck_data_f64 *data, int64_t n_clusters, uint64_t seed,
                                int n_local_trials, double *centroids, int64_t *indices,
                                int n_threads) noexcept nogil
cdef int ck_kmeans_plusplus_u8(const ck_data_u8 *data, int64_t n_clusters, uint64_t seed,
                               int n_local_trials, double *centroids, int64_t *indices,
                               int n_threads) noexcept nogil
cdef int ck_kmeans_random_init_f32(const ck_data_f32 *data, int64_t n_clusters, uint64_t seed,
                                   float *centroids, int64_t *indices) noexcept nogil
cdef int ck_kmeans_random_init_f64(const ck_data_f64 *data, int64_t n_clusters, uint64_t seed,
                                   double *centroids, int64_t *indices) noexcept nogil
cdef int ck_kmeans_random_init_u8(const ck_data_u8 *data, int64_t n_clusters, uint64_t seed,
                                  double *centroids, int64_t *indices) noexcept nogil
cdef int ck_mean_feature_variance_f32(const ck_data_f32 *data, double *mean_variance,
                                      int n_threads) noexcept nogil
cdef int ck_mean_feature_variance_f64(const ck_data_f64 *data, double *mean_variance,
                                      int n_threads) noexcept nogil
cdef int ck_mean_feature_variance_u8(const ck_data_u8 *data, double *mean_variance,
                                     int n_threads) noexcept nogil

# ---- hard k-means on sparse (CSR) rows ------------------------------------------------------------
# ck_csr_f32 / _f64: values, indptr, indices32 or indices64, shape, optional weights (ckmeans.h).
# The first row listing a column twice; assignment, inertia, Lloyd step, a block's Lloyd partials and
# empty-cluster candidates, whole fit (Lloyd; ck_kmeans_params.spherical too), k-means++ and random
# rows, with the dense kernels' contracts.
cdef int ck_csr_duplicate_row_f32(const ck_csr_f32 *data, int64_t *row) noexcept nogil
cdef int ck_csr_duplicate_row_f64(const ck_csr_f64 *data, int64_t *row) noexcept nogil
cdef int ck_assign_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                           int32_t *labels, double *sqdist, int n_threads) noexcept nogil
cdef int ck_assign_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                           int32_t *labels, double *sqdist, int n_threads) noexcept nogil
cdef int ck_inertia_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                            const int32_t *labels, double *inertia, int n_threads) noexcept nogil
cdef int ck_inertia_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                            const int32_t *labels, double *inertia, int n_threads) noexcept nogil
cdef int ck_lloyd_step_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids_old,
                               float *centroids_new, int32_t *labels, ck_step_stats *stats,
                               int n_threads) noexcept nogil
cdef int ck_lloyd_step_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids_old,
                               double *centroids_new, int32_t *labels, ck_step_stats *stats,
                               int n_threads) noexcept nogil
cdef int ck_lloyd_partial_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                                  int32_t *labels, double *sums, double *weight_in_clusters,
                                  ck_step_stats *stats, int n_threads) noexcept nogil
cdef int ck_lloyd_partial_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                                  int32_t *labels, double *sums, double *weight_in_clusters,
                                  ck_step_stats *stats, int n_threads) noexcept nogil
cdef int ck_farthest_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                             const int32_t *labels, int64_t n_far, double *far_sqdist,
                             int64_t *far_index, int n_threads) noexcept nogil
cdef int ck_farthest_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                             const int32_t *labels, int64_t n_far, double *far_sqdist,
                             int64_t *far_index, int n_threads) noexcept nogil
cdef int ck_kmeans_fit_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, float *centroids,
                               const ck_kmeans_params *params, ck_kmeans_result *result) noexcept nogil
cdef int ck_kmeans_fit_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, double *centroids,
                               const ck_kmeans_params *params, ck_kmeans_result *result) noexcept nogil
cdef int ck_kmeans_plusplus_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, uint64_t seed,
                                    int n_local_trials, float *centroids, int64_t *indices,
                                    int n_threads) noexcept nogil
cdef int ck_kmeans_plusplus_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, uint64_t seed,
                                    int n_local_trials, double *centroids, int64_t *indices,
                                    int n_threads) noexcept nogil
cdef int ck_kmeans_random_init_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, uint64_t seed,
                                       float *centroids, int64_t *indices) noexcept nogil
cdef int ck_kmeans_random_init_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, uint64_t seed,
                                       double *centroids, int64_t *indices) noexcept nogil

# ---- input validation ------------------------------------------------------------------------------
# *first (OUT) = the index of the first NaN or infinity among x[0..n), or -1.
cdef int ck_find_nonfinite_f32(const float *x, int64_t n, int64_t *first,
                               int n_threads) noexcept nogil
cdef int ck_find_nonfinite_f64(const double *x, int64_t n, int64_t *first,
                               int n_threads) noexcept nogil

# ---- metrics ---------------------------------------------------------------------------------------
# Class x cluster tables (weighted counts; soft: weighted sums of responsibilities).
cdef int ck_contingency(const int32_t *row_codes, const int32_t *col_codes, int64_t n_samples,
                        int64_t n_rows, int64_t n_cols, const double *weights, double *out,
                        int n_threads) noexcept nogil
cdef int ck_soft_contingency(const int32_t *row_codes, const double *resp, int64_t n_samples,
                             int64_t n_rows, int64_t n_cols, const double *weights, double *out,
                             int n_threads) noexcept nogil

# ---- soft k-means (MacKay, stiffness beta > 0) -----------------------------------------------------
# E-step, one fused E+M step (both read params.betas[0], distance and n_threads) and a whole
# fit (beta schedule, cancel flag and callback in the params).
cdef int ck_soft_estep_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                           double *responsibilities, int32_t *labels, double *objective,
                           const ck_soft_params *params) noexcept nogil
cdef int ck_soft_estep_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                           double *responsibilities, int32_t *labels, double *objective,
                           const ck_soft_params *params) noexcept nogil
cdef int ck_soft_estep_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                          double *responsibilities, int32_t *labels, double *objective,
                          const ck_soft_params *params) noexcept nogil
cdef int ck_soft_step_f32(const ck_data_f32 *data, int64_t n_clusters,
                          const float *centroids_old, float *centroids_new,
                          double *weight_in_clusters, ck_soft_stats *stats,
                          const ck_soft_params *params) noexcept nogil
cdef int ck_soft_step_f64(const ck_data_f64 *data, int64_t n_clusters,
                          const double *centroids_old, double *centroids_new,
                          double *weight_in_clusters, ck_soft_stats *stats,
                          const ck_soft_params *params) noexcept nogil
cdef int ck_soft_step_u8(const ck_data_u8 *data, int64_t n_clusters,
                         const double *centroids_old, double *centroids_new,
                         double *weight_in_clusters, ck_soft_stats *stats,
                         const ck_soft_params *params) noexcept nogil
cdef int ck_soft_kmeans_fit_f32(const ck_data_f32 *data, int64_t n_clusters, float *centroids,
                                const ck_soft_params *params,
                                ck_soft_result *result) noexcept nogil
cdef int ck_soft_kmeans_fit_f64(const ck_data_f64 *data, int64_t n_clusters, double *centroids,
                                const ck_soft_params *params,
                                ck_soft_result *result) noexcept nogil
cdef int ck_soft_kmeans_fit_u8(const ck_data_u8 *data, int64_t n_clusters, double *centroids,
                               const ck_soft_params *params,
                               ck_soft_result *result) noexcept nogil
# ck_soft_partial_*: one block's weighted sums, weights and free energy of a soft iteration, for a
# fit over the blocks of a larger array (centroids double for every dtype).
cdef int ck_soft_partial_f32(const ck_data_f32 *data, int64_t n_clusters, const double *centroids,
                             double *sums, double *weight_in_clusters, double *objective,
                             const ck_soft_params *params) noexcept nogil
cdef int ck_soft_partial_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                             double *sums, double *weight_in_clusters, double *objective,
                             const ck_soft_params *params) noexcept nogil
cdef int ck_soft_partial_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                            double *sums, double *weight_in_clusters, double *objective,
                            const ck_soft_params *params) noexcept nogil

# ---- soft k-means on CSR rows (ck_csr_f32 / _f64; same params and results as the dense calls) -----
cdef int ck_soft_estep_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                               double *responsibilities, int32_t *labels, double *objective,
                               const ck_soft_params *params) noexcept nogil
cdef int ck_soft_estep_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                               double *responsibilities, int32_t *labels, double *objective,
                               const ck_soft_params *params) noexcept nogil
# ck_soft_partial_csr_*: one CSR block's weighted sums, weights and free energy (centroids double).
cdef int ck_soft_partial_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const double *centroids,
                                 double *sums, double *weight_in_clusters, double *objective,
                                 const ck_soft_params *params) noexcept nogil
cdef int ck_soft_partial_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                                 double *sums, double *weight_in_clusters, double *objective,
                                 const ck_soft_params *params) noexcept nogil
cdef int ck_soft_kmeans_fit_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, float *centroids,
                                    const ck_soft_params *params,
                                    ck_soft_result *result) noexcept nogil
cdef int ck_soft_kmeans_fit_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, double *centroids,
                                    const ck_soft_params *params,
                                    ck_soft_result *result) noexcept nogil

# ---- IDX (MNIST) files, on memory buffers ----------------------------------------------------------
# Parse and validate a header, write one, convert big-endian payloads to native order and back.
cdef int ck_idx_elem_size(int type_code) noexcept nogil
cdef int ck_idx_parse_header(const uint8_t *buf, int64_t buf_len, int64_t total_len,
                             ck_idx_header *out) noexcept nogil
cdef int ck_idx_encode_header(int type_code, int ndim, const int64_t *dims,
                              uint8_t *out) noexcept nogil
cdef int ck_idx_decode(const uint8_t *payload, int type_code, int64_t n_elems, void *out,
                       int n_threads) noexcept nogil
cdef int ck_idx_encode(const void *inp, int type_code, int64_t n_elems, uint8_t *payload,
                       int n_threads) noexcept nogil
