# src_c/ckmeans.h declared to Cython, once. Every boundary module (ckmeans/_*.pyx) cimports its C
# functions from here, and the public ckmeans/kernels.pxd re-exports the types and constants; the
# contract of each function is its comment in ckmeans.h. Private: users cimport ckmeans.kernels.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t


cdef extern from "ckmeans.h" nogil:
    # ---- version, status codes, runtime
    enum:
        CKMEANS_VERSION_MAJOR
        CKMEANS_VERSION_MINOR
        CKMEANS_VERSION_PATCH
        CKMEANS_VERSION
    int ck_version()
    const char *ck_version_string()

    enum:
        CK_OK
        CK_ERR_NOMEM
        CK_ERR_ARG
        CK_ERR_CANCELLED
        CK_ERR_IDX_TRUNCATED_HEADER
        CK_ERR_IDX_MAGIC
        CK_ERR_IDX_TYPE
        CK_ERR_IDX_NDIM
        CK_ERR_IDX_OVERFLOW
        CK_ERR_IDX_SHORT_PAYLOAD
        CK_ERR_IDX_LONG_PAYLOAD
        CK_ERR_IDX_DIM_RANGE
        CK_ERR_LABEL_RANGE
        CK_ERR_KMEANS_LABEL
        CK_ERR_KMEANS_NONFINITE
        CK_ERR_KMEANS_OVERFLOW
        CK_ERR_SOFT_BETA
        CK_ERR_SOFT_DISTANCE

    const char *ck_strerror(int status)
    const volatile int *ck_set_cancel_flag(const volatile int *flag)
    int ck_openmp_enabled()
    int ck_max_threads()

    enum:
        CK_KERNEL_KMEANS
        CK_KERNEL_KMEANS_UINT8
        CK_KERNEL_SOFT
        CK_KERNEL_N_FAMILIES
    const char *ck_kernel_isa(int family)

    # ---- IDX
    enum:
        CK_IDX_UINT8
        CK_IDX_INT8
        CK_IDX_INT16
        CK_IDX_INT32
        CK_IDX_FLOAT32
        CK_IDX_FLOAT64
    enum: CK_IDX_MAX_NDIM
    enum: CK_IDX_MAX_HEADER_BYTES

    ctypedef struct ck_idx_header:
        int type_code
        int elem_size
        int ndim
        int64_t dims[CK_IDX_MAX_NDIM]
        int64_t n_elems
        int64_t header_bytes
        int64_t payload_bytes

    int ck_idx_elem_size(int type_code)
    int ck_idx_parse_header(const uint8_t *buf, int64_t buf_len, int64_t total_len, ck_idx_header *out)
    int ck_idx_encode_header(int type_code, int ndim, const int64_t *dims, uint8_t *out)
    int ck_idx_decode(const uint8_t *payload, int type_code, int64_t n_elems, void *out, int n_threads)
    int ck_idx_encode(const void *inp, int type_code, int64_t n_elems, uint8_t *payload, int n_threads)

    # ---- metrics
    int ck_contingency(const int32_t *row_codes, const int32_t *col_codes, int64_t n_samples,
                       int64_t n_rows, int64_t n_cols, const double *weights, double *out, int n_threads)
    int ck_soft_contingency(const int32_t *row_codes, const double *resp, int64_t n_samples,
                            int64_t n_rows, int64_t n_cols, const double *weights, double *out,
                            int n_threads)

    # ---- hard k-means
    ctypedef struct ck_data_f32:
        const float *X
        int64_t n_samples
        int64_t n_features
        const double *sample_weight
    ctypedef struct ck_data_f64:
        const double *X
        int64_t n_samples
        int64_t n_features
        const double *sample_weight
    ctypedef struct ck_data_u8:
        const uint8_t *X
        int64_t n_samples
        int64_t n_features
        const double *sample_weight

    ctypedef struct ck_step_stats:
        int64_t n_changed
        double inertia
        double center_shift

    ctypedef struct ck_iter_info:
        int iteration
        double objective
        double center_shift
        int64_t n_changed
        double beta

    ctypedef int (*ck_iter_callback)(void *callback_data, const ck_iter_info *info) noexcept nogil

    enum:
        CK_ALGO_AUTO
        CK_ALGO_LLOYD
        CK_ALGO_YINYANG
        CK_ALGO_HAMERLY

    ctypedef struct ck_kmeans_params:
        int algorithm
        int max_iter
        double tol_abs
        int64_t n_groups
        int n_threads
        const volatile int *cancel
        ck_iter_callback callback
        void *callback_data
        int spherical

    ctypedef struct ck_kmeans_result:
        int32_t *labels
        double *inertia_history
        int64_t *searched_history
        int n_iter
        double inertia
        int converged
        int algorithm

    void ck_kmeans_params_init(ck_kmeans_params *params)

    int ck_assign_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids, int32_t *labels,
                      double *sqdist, int n_threads)
    int ck_assign_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids, int32_t *labels,
                      double *sqdist, int n_threads)
    int ck_assign_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids, int32_t *labels,
                     double *sqdist, int n_threads)
    int ck_inertia_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                       const int32_t *labels, double *inertia, int n_threads)
    int ck_inertia_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                       const int32_t *labels, double *inertia, int n_threads)
    int ck_inertia_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                      const int32_t *labels, double *inertia, int n_threads)
    int ck_centroids_update_f32(const ck_data_f32 *data, int64_t n_clusters, const int32_t *labels,
                                float *centroids, double *weight_in_clusters, int n_threads)
    int ck_centroids_update_f64(const ck_data_f64 *data, int64_t n_clusters, const int32_t *labels,
                                double *centroids, double *weight_in_clusters, int n_threads)
    int ck_centroids_update_u8(const ck_data_u8 *data, int64_t n_clusters, const int32_t *labels,
                               double *centroids, double *weight_in_clusters, int n_threads)
    int ck_lloyd_step_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids_old,
                          float *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads)
    int ck_lloyd_step_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids_old,
                          double *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads)
    int ck_lloyd_partial_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                             int32_t *labels, double *sums, double *weight_in_clusters, ck_step_stats *stats,
                             int n_threads)
    int ck_lloyd_partial_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                             int32_t *labels, double *sums, double *weight_in_clusters, ck_step_stats *stats,
                             int n_threads)
    int ck_lloyd_partial_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                            int32_t *labels, double *sums, double *weight_in_clusters, ck_step_stats *stats,
                            int n_threads)
    int ck_farthest_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                        const int32_t *labels, int64_t n_far, double *far_sqdist, int64_t *far_index,
                        int n_threads)
    int ck_farthest_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                        const int32_t *labels, int64_t n_far, double *far_sqdist, int64_t *far_index,
                        int n_threads)
    int ck_farthest_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                       const int32_t *labels, int64_t n_far, double *far_sqdist, int64_t *far_index,
                       int n_threads)
    int ck_lloyd_step_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids_old,
                         double *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads)
    int ck_kmeans_fit_f32(const ck_data_f32 *data, int64_t n_clusters, float *centroids,
                          const ck_kmeans_params *params, ck_kmeans_result *result)
    int ck_kmeans_fit_f64(const ck_data_f64 *data, int64_t n_clusters, double *centroids,
                          const ck_kmeans_params *params, ck_kmeans_result *result)
    int ck_kmeans_fit_u8(const ck_data_u8 *data, int64_t n_clusters, double *centroids,
                         const ck_kmeans_params *params, ck_kmeans_result *result)
    int ck_kmeans_plusplus_f32(const ck_data_f32 *data, int64_t n_clusters, uint64_t seed,
                               int n_local_trials, float *centroids, int64_t *indices, int n_threads)
    int ck_kmeans_plusplus_f64(const ck_data_f64 *data, int64_t n_clusters, uint64_t seed,
                               int n_local_trials, double *centroids, int64_t *indices, int n_threads)
    int ck_kmeans_plusplus_u8(const ck_data_u8 *data, int64_t n_clusters, uint64_t seed, int n_local_trials,
                              double *centroids, int64_t *indices, int n_threads)
    int ck_kmeans_random_init_f32(const ck_data_f32 *data, int64_t n_clusters, uint64_t seed,
                                  float *centroids, int64_t *indices)
    int ck_kmeans_random_init_f64(const ck_data_f64 *data, int64_t n_clusters, uint64_t seed,
                                  double *centroids, int64_t *indices)
    int ck_kmeans_random_init_u8(const ck_data_u8 *data, int64_t n_clusters, uint64_t seed, double *centroids,
                                 int64_t *indices)
    int ck_mean_feature_variance_f32(const ck_data_f32 *data, double *mean_variance, int n_threads)
    int ck_mean_feature_variance_f64(const ck_data_f64 *data, double *mean_variance, int n_threads)
    int ck_mean_feature_variance_u8(const ck_data_u8 *data, double *mean_variance, int n_threads)

    # ---- hard k-means on sparse (CSR) rows
    ctypedef struct ck_csr_f32:
        const float *values
        const int64_t *indptr
        const int32_t *indices32
        const int64_t *indices64
        int64_t n_samples
        int64_t n_features
        const double *sample_weight
    ctypedef struct ck_csr_f64:
        const double *values
        const int64_t *indptr
        const int32_t *indices32
        const int64_t *indices64
        int64_t n_samples
        int64_t n_features
        const double *sample_weight

    int ck_csr_duplicate_row_f32(const ck_csr_f32 *data, int64_t *row)
    int ck_csr_duplicate_row_f64(const ck_csr_f64 *data, int64_t *row)
    int ck_assign_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                          int32_t *labels, double *sqdist, int n_threads)
    int ck_assign_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                          int32_t *labels, double *sqdist, int n_threads)
    int ck_inertia_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                           const int32_t *labels, double *inertia, int n_threads)
    int ck_inertia_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                           const int32_t *labels, double *inertia, int n_threads)
    int ck_lloyd_step_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids_old,
                              float *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads)
    int ck_lloyd_step_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids_old,
                              double *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads)
    int ck_lloyd_partial_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                                 int32_t *labels, double *sums, double *weight_in_clusters,
                                 ck_step_stats *stats, int n_threads)
    int ck_lloyd_partial_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                                 int32_t *labels, double *sums, double *weight_in_clusters,
                                 ck_step_stats *stats, int n_threads)
    int ck_farthest_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                            const int32_t *labels, int64_t n_far, double *far_sqdist, int64_t *far_index,
                            int n_threads)
    int ck_farthest_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                            const int32_t *labels, int64_t n_far, double *far_sqdist, int64_t *far_index,
                            int n_threads)
    int ck_kmeans_fit_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, float *centroids,
                              const ck_kmeans_params *params, ck_kmeans_result *result)
    int ck_kmeans_fit_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, double *centroids,
                              const ck_kmeans_params *params, ck_kmeans_result *result)
    int ck_kmeans_plusplus_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, uint64_t seed,
                                   int n_local_trials, float *centroids, int64_t *indices, int n_threads)
    int ck_kmeans_plusplus_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, uint64_t seed,
                                   int n_local_trials, double *centroids, int64_t *indices, int n_threads)
    int ck_kmeans_random_init_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, uint64_t seed,
                                      float *centroids, int64_t *indices)
    int ck_kmeans_random_init_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, uint64_t seed,
                                      double *centroids, int64_t *indices)

    # ---- input validation
    int ck_find_nonfinite_f32(const float *x, int64_t n, int64_t *first, int n_threads)
    int ck_find_nonfinite_f64(const double *x, int64_t n, int64_t *first, int n_threads)

    # ---- soft k-means
    enum:
        CK_SOFT_EUCLIDEAN
        CK_SOFT_SQEUCLIDEAN

    ctypedef struct ck_soft_params:
        const double *betas
        int64_t n_betas
        int distance
        int max_iter
        double tol
        int n_threads
        const volatile int *cancel
        ck_iter_callback callback
        void *callback_data
        int spherical

    ctypedef struct ck_soft_result:
        double *responsibilities
        int32_t *labels
        double *objective_history
        int n_iter
        double objective
        int converged

    ctypedef struct ck_soft_stats:
        double objective
        double center_shift

    void ck_soft_params_init(ck_soft_params *params)

    int ck_soft_estep_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                          double *responsibilities, int32_t *labels, double *objective,
                          const ck_soft_params *params)
    int ck_soft_estep_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                          double *responsibilities, int32_t *labels, double *objective,
                          const ck_soft_params *params)
    int ck_soft_estep_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                         double *responsibilities, int32_t *labels, double *objective,
                         const ck_soft_params *params)
    int ck_soft_step_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids_old,
                         float *centroids_new, double *weight_in_clusters, ck_soft_stats *stats,
                         const ck_soft_params *params)
    int ck_soft_step_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids_old,
                         double *centroids_new, double *weight_in_clusters, ck_soft_stats *stats,
                         const ck_soft_params *params)
    int ck_soft_step_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids_old,
                        double *centroids_new, double *weight_in_clusters, ck_soft_stats *stats,
                        const ck_soft_params *params)
    int ck_soft_kmeans_fit_f32(const ck_data_f32 *data, int64_t n_clusters, float *centroids,
                               const ck_soft_params *params, ck_soft_result *result)
    int ck_soft_kmeans_fit_f64(const ck_data_f64 *data, int64_t n_clusters, double *centroids,
                               const ck_soft_params *params, ck_soft_result *result)
    int ck_soft_kmeans_fit_u8(const ck_data_u8 *data, int64_t n_clusters, double *centroids,
                              const ck_soft_params *params, ck_soft_result *result)
    int ck_soft_partial_f32(const ck_data_f32 *data, int64_t n_clusters, const double *centroids,
                            double *sums, double *weight_in_clusters, double *objective,
                            const ck_soft_params *params)
    int ck_soft_partial_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                            double *sums, double *weight_in_clusters, double *objective,
                            const ck_soft_params *params)
    int ck_soft_partial_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                           double *sums, double *weight_in_clusters, double *objective,
                           const ck_soft_params *params)

    # ---- soft k-means on sparse rows
    int ck_soft_estep_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                              double *responsibilities, int32_t *labels, double *objective,
                              const ck_soft_params *params)
    int ck_soft_estep_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                              double *responsibilities, int32_t *labels, double *objective,
                              const ck_soft_params *params)
    int ck_soft_partial_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const double *centroids,
                                double *sums, double *weight_in_clusters, double *objective,
                                const ck_soft_params *params)
    int ck_soft_partial_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                                double *sums, double *weight_in_clusters, double *objective,
                                const ck_soft_params *params)
    int ck_soft_kmeans_fit_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, float *centroids,
                                   const ck_soft_params *params, ck_soft_result *result)
    int ck_soft_kmeans_fit_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, double *centroids,
                                   const ck_soft_params *params, ck_soft_result *result)
