# ckmeans' public Cython API: the C kernels, callable without the GIL from your own Cython code.
#
#     from ckmeans.kernels cimport ck_kmeans_fit_f64, ck_strerror, CK_OK
#
# Build your extension with include_dirs=[ckmeans.get_include()] (the directory of ckmeans.h; add
# numpy.get_include() only if you also cimport numpy). Nothing else to link: every function below is
# implemented in the compiled module ckmeans.kernels, which Cython imports when your module is
# imported and calls through function pointers (the scipy.special.cython_special model).
# Cython finds this file through the installed `ckmeans` package on sys.path.
#
# Each function has the same name and signature as the C function of ckmeans.h, and the full
# contract (edge cases, algorithms, determinism) is the comment there; this file says what each does,
# in which units, who owns what, and which status it returns. Conventions of every function:
#   - sizes and indices are int64_t, cluster labels int32_t; arrays are C-contiguous (row-major);
#   - the caller allocates every array, inputs and outputs alike; nothing is kept after the call
#     and nothing is freed; outputs are only written, inputs (const) only read;
#   - the return value is a status code: CK_OK (0), or a CK_ERR_* code (ck_strerror gives its
#     message; ckmeans.kernels.strerror from Python). Sizes are checked (CK_ERR_ARG), pointers are
#     not: arrays must be non-NULL and as large as the sizes say (NULL only where it is allowed),
#     and the values are the caller's job to validate (NaN, infinities) as ckmeans' Python API does;
#   - n_threads >= 1 OpenMP threads (values < 1 act as 1); results are bit-identical for any count.
#     Inside your own prange loop pass n_threads=1.
#   - dtypes: _f32 takes float X and float centroids, _f64 double and double, _u8 uint8_t X (read in
#     place, never copied) and double centroids. Sums, weights, inertias, squared distances: double.
#   - sample_weight: n_samples doubles >= 0, or NULL for unit weights.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t

cdef extern from "ckmeans.h":
    # Status codes (ckmeans.h): 0 = ok.
    enum:
        CK_OK                        # success
        CK_ERR_NOMEM                 # an internal scratch allocation failed
        CK_ERR_ARG                   # an argument is out of its documented range
        CK_ERR_IDX_TRUNCATED_HEADER  # IDX: fewer header bytes than the header needs
        CK_ERR_IDX_MAGIC             # IDX: the first two bytes are not zero
        CK_ERR_IDX_TYPE              # IDX: unknown type code
        CK_ERR_IDX_NDIM              # IDX: ndim is 0 (or outside 1..255 when writing)
        CK_ERR_IDX_OVERFLOW          # IDX: the payload size does not fit in int64_t
        CK_ERR_IDX_SHORT_PAYLOAD     # IDX: fewer payload bytes than the dimensions say
        CK_ERR_IDX_LONG_PAYLOAD      # IDX: bytes left over after the payload
        CK_ERR_IDX_DIM_RANGE         # IDX: a dimension to write is outside 0..2^32-1
        CK_ERR_LABEL_RANGE           # contingency: a code is outside [0, n_rows) or [0, n_cols)
        CK_ERR_KMEANS_LABEL          # k-means: an input label is outside [0, n_clusters)
        CK_ERR_KMEANS_NONFINITE      # k-means: X holds a NaN or an infinity (fits, steps, k-means++)
        CK_ERR_SOFT_BETA             # soft k-means: a stiffness beta is not finite and > 0
        CK_ERR_SOFT_DISTANCE         # soft k-means: distance is not one of CK_SOFT_*

    # Distance codes of soft k-means.
    enum:
        CK_SOFT_EUCLIDEAN            # D_ij = ||x_i - c_j||
        CK_SOFT_SQEUCLIDEAN          # D_ij = ||x_i - c_j||^2

    # IDX element type codes and header limits.
    enum:
        CK_IDX_UINT8
        CK_IDX_INT8
        CK_IDX_INT16
        CK_IDX_INT32
        CK_IDX_FLOAT32
        CK_IDX_FLOAT64
    enum: CK_IDX_MAX_NDIM            # 255
    enum: CK_IDX_MAX_HEADER_BYTES    # 4 + 4 * 255 = 1024

    # A parsed IDX header (filled by ck_idx_parse_header).
    ctypedef struct ck_idx_header:
        int type_code                # one of CK_IDX_*
        int elem_size                # bytes per element: 1, 2, 4 or 8
        int ndim                     # 1..255
        int64_t dims[CK_IDX_MAX_NDIM]  # dims[0..ndim-1], each 0..2^32-1
        int64_t n_elems              # product of the dims
        int64_t header_bytes         # 4 + 4 * ndim: offset of the payload
        int64_t payload_bytes        # n_elems * elem_size


# ---- runtime -------------------------------------------------------------------------------------

# Static English message of a status code; never NULL, never to be freed.
cdef const char *ck_strerror(int status) noexcept nogil
# 1 if ckmeans was compiled with OpenMP, else 0.
cdef int ck_openmp_enabled() noexcept nogil
# Threads an OpenMP parallel region would use now (1 without OpenMP).
cdef int ck_max_threads() noexcept nogil

# ---- hard k-means: assignment --------------------------------------------------------------------
# labels (OUT, n_samples) = index of the nearest of the n_clusters centroids (ties: lowest index);
# sqdist (OUT, n_samples, or NULL) = its squared Euclidean distance in X's units squared.
# X: n_samples x n_features; centroids: n_clusters x n_features.
# Status: CK_OK, CK_ERR_ARG (n_samples < 0, n_features < 1, n_clusters < 1), CK_ERR_NOMEM.
cdef int ck_assign_f32(const float *X, int64_t n_samples, int64_t n_features, const float *centroids,
                       int64_t n_clusters, int32_t *labels, double *sqdist, int n_threads) noexcept nogil
cdef int ck_assign_f64(const double *X, int64_t n_samples, int64_t n_features, const double *centroids,
                       int64_t n_clusters, int32_t *labels, double *sqdist, int n_threads) noexcept nogil
cdef int ck_assign_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *centroids,
                      int64_t n_clusters, int32_t *labels, double *sqdist, int n_threads) noexcept nogil

# *inertia (OUT) = sum_i w_i ||x_i - c_labels[i]||^2 (X's units squared, times the weights) for the
# given labels (IN, n_samples, each in [0, n_clusters)).
# Status: CK_OK, CK_ERR_ARG, CK_ERR_KMEANS_LABEL (a label out of range), CK_ERR_NOMEM.
cdef int ck_inertia_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                        const float *centroids, int64_t n_clusters, const int32_t *labels, int n_threads,
                        double *inertia) noexcept nogil
cdef int ck_inertia_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                        const double *centroids, int64_t n_clusters, const int32_t *labels, int n_threads,
                        double *inertia) noexcept nogil
cdef int ck_inertia_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                       const double *centroids, int64_t n_clusters, const int32_t *labels, int n_threads,
                       double *inertia) noexcept nogil

# ---- hard k-means: update, one iteration, whole fit ----------------------------------------------
# Weighted centroid update: centroids[j] (IN/OUT, n_clusters x n_features) = weighted mean of the
# rows labelled j (labels IN, each in [0, n_clusters)); the rows of empty clusters keep their value.
# weight_in_clusters (OUT, n_clusters) = total weight per cluster (a count for unit weights).
# Status: CK_OK, CK_ERR_ARG, CK_ERR_KMEANS_LABEL, CK_ERR_NOMEM.
cdef int ck_centroids_update_f32(const float *X, int64_t n_samples, int64_t n_features,
                                 const double *sample_weight, const int32_t *labels, int64_t n_clusters,
                                 float *centroids, double *weight_in_clusters, int n_threads) noexcept nogil
cdef int ck_centroids_update_f64(const double *X, int64_t n_samples, int64_t n_features,
                                 const double *sample_weight, const int32_t *labels, int64_t n_clusters,
                                 double *centroids, double *weight_in_clusters, int n_threads) noexcept nogil
cdef int ck_centroids_update_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, const int32_t *labels, int64_t n_clusters,
                                double *centroids, double *weight_in_clusters, int n_threads) noexcept nogil

# One Lloyd iteration: assign to centroids_old (IN), then centroids_new (OUT; may be the same array)
# = the weighted means, empty clusters moved to the farthest points. labels: IN the previous labels
# (-1 for none), OUT the new ones. *n_changed (OUT) labels that changed; *inertia (OUT) of the new
# labels against centroids_old; *center_shift (OUT) = sum_j ||c_new_j - c_old_j||^2.
# Status: CK_OK, CK_ERR_ARG, CK_ERR_NOMEM,
# CK_ERR_KMEANS_NONFINITE (float X holds a NaN or an infinity; seen in the row norms, no pass of its own).
cdef int ck_lloyd_step_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           const float *centroids_old, int64_t n_clusters, float *centroids_new,
                           int32_t *labels, int n_threads, int64_t *n_changed, double *inertia,
                           double *center_shift) noexcept nogil
cdef int ck_lloyd_step_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           const double *centroids_old, int64_t n_clusters, double *centroids_new,
                           int32_t *labels, int n_threads, int64_t *n_changed, double *inertia,
                           double *center_shift) noexcept nogil
cdef int ck_lloyd_step_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                          const double *centroids_old, int64_t n_clusters, double *centroids_new,
                          int32_t *labels, int n_threads, int64_t *n_changed, double *inertia,
                          double *center_shift) noexcept nogil

# Whole hard k-means (Lloyd) fit with scikit-learn's stopping rules, from given initial centres.
# centroids: IN the initial centres, OUT the final ones (n_clusters x n_features); labels (OUT,
# n_samples) of the final centres. Stops after max_iter (>= 1) iterations, when no label changes, or
# when sum_j ||c_new_j - c_old_j||^2 <= tol_abs (ABSOLUTE, X's units squared: ckmeans.kmeans passes
# tol x ck_mean_feature_variance). *n_iter (OUT) iterations run; *inertia (OUT) final inertia;
# inertia_history (OUT, max_iter doubles, or NULL) inertia of each iteration; *converged (OUT) 1 if it
# stopped before max_iter. Needs 1 <= n_clusters <= n_samples.
# Status: CK_OK, CK_ERR_ARG, CK_ERR_NOMEM,
# CK_ERR_KMEANS_NONFINITE (float X holds a NaN or an infinity; seen in the row norms, no pass of its own).
cdef int ck_kmeans_fit_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           int64_t n_clusters, float *centroids, int32_t *labels, int max_iter, double tol_abs,
                           int n_threads, int *n_iter, double *inertia, double *inertia_history,
                           int *converged) noexcept nogil
cdef int ck_kmeans_fit_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           int64_t n_clusters, double *centroids, int32_t *labels, int max_iter, double tol_abs,
                           int n_threads, int *n_iter, double *inertia, double *inertia_history,
                           int *converged) noexcept nogil
cdef int ck_kmeans_fit_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                          int64_t n_clusters, double *centroids, int32_t *labels, int max_iter, double tol_abs,
                          int n_threads, int *n_iter, double *inertia, double *inertia_history,
                          int *converged) noexcept nogil

# The same fit as ck_kmeans_fit_* (same arguments, same results bit for bit) by whichever exact method
# is expected to be fastest: Yinyang bounds from 64 clusters (max_iter >= 20); below, for unweighted
# float X whose column sums are exact in float64 (integer-valued data such as pixels), single bounds
# that skip reading the rows they settle; else Lloyd. What ckmeans.kmeans(algorithm='auto') runs.
cdef int ck_kmeans_fit_auto_f32(const float *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, float *centroids,
                                int32_t *labels, int max_iter, double tol_abs, int n_threads, int *n_iter,
                                double *inertia, double *inertia_history, int *converged) noexcept nogil
cdef int ck_kmeans_fit_auto_f64(const double *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, double *centroids,
                                int32_t *labels, int max_iter, double tol_abs, int n_threads, int *n_iter,
                                double *inertia, double *inertia_history, int *converged) noexcept nogil
cdef int ck_kmeans_fit_auto_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, double *centroids,
                                int32_t *labels, int max_iter, double tol_abs, int n_threads, int *n_iter,
                                double *inertia, double *inertia_history, int *converged) noexcept nogil

# The same fit as ck_kmeans_fit_* (same results: labels, centroid bits, n_iter, converged, final
# inertia), accelerated by Yinyang bounds: n_groups groups of centres (0 = default ceil(k/4) capped at
# 64; 1 = Hamerly-like). searched_history (OUT, max_iter int64, or NULL): rows searched per
# iteration. inertia_history is computed from the cluster sums (differs from Lloyd's in rounding).
# Extra memory 4 x (n_groups + 1) bytes per sample. Status: CK_OK, CK_ERR_ARG, CK_ERR_NOMEM,
# CK_ERR_KMEANS_NONFINITE (float X holds a NaN or an infinity; seen in the row norms, no pass of its own).
cdef int ck_kmeans_fit_yinyang_f32(const float *X, int64_t n_samples, int64_t n_features,
                                   const double *sample_weight, int64_t n_clusters, float *centroids,
                                   int32_t *labels, int max_iter, double tol_abs, int64_t n_groups,
                                   int n_threads, int *n_iter, double *inertia, double *inertia_history,
                                   int64_t *searched_history, int *converged) noexcept nogil
cdef int ck_kmeans_fit_yinyang_f64(const double *X, int64_t n_samples, int64_t n_features,
                                   const double *sample_weight, int64_t n_clusters, double *centroids,
                                   int32_t *labels, int max_iter, double tol_abs, int64_t n_groups,
                                   int n_threads, int *n_iter, double *inertia, double *inertia_history,
                                   int64_t *searched_history, int *converged) noexcept nogil
cdef int ck_kmeans_fit_yinyang_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                  const double *sample_weight, int64_t n_clusters, double *centroids,
                                  int32_t *labels, int max_iter, double tol_abs, int64_t n_groups,
                                  int n_threads, int *n_iter, double *inertia, double *inertia_history,
                                  int64_t *searched_history, int *converged) noexcept nogil

# ---- hard k-means: initialisation and the tol scale ----------------------------------------------
# Greedy k-means++ (scikit-learn's): centroids (OUT, n_clusters x n_features), indices (OUT,
# n_clusters rows of X chosen, or NULL). n_local_trials <= 0 means 2 + floor(ln k). seed is the whole
# random stream: the same seed gives the same centres for any n_threads.
# Status: CK_OK, CK_ERR_ARG (also: fewer than n_clusters rows with weight > 0), CK_ERR_NOMEM,
# CK_ERR_KMEANS_NONFINITE (float X holds a NaN or an infinity).
cdef int ck_kmeans_plusplus_f32(const float *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, uint64_t seed,
                                int n_local_trials, float *centroids, int64_t *indices,
                                int n_threads) noexcept nogil
cdef int ck_kmeans_plusplus_f64(const double *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, uint64_t seed,
                                int n_local_trials, double *centroids, int64_t *indices,
                                int n_threads) noexcept nogil
cdef int ck_kmeans_plusplus_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                               const double *sample_weight, int64_t n_clusters, uint64_t seed,
                               int n_local_trials, double *centroids, int64_t *indices,
                               int n_threads) noexcept nogil

# n_clusters distinct rows as centres (OUT), their row numbers in indices (OUT, or NULL): uniform, or
# drawn in proportion to the weights. Status: CK_OK, CK_ERR_ARG (fewer than n_clusters rows with
# weight > 0), CK_ERR_NOMEM.
cdef int ck_kmeans_random_init_f32(const float *X, int64_t n_samples, int64_t n_features,
                                   const double *sample_weight, int64_t n_clusters, uint64_t seed,
                                   float *centroids, int64_t *indices) noexcept nogil
cdef int ck_kmeans_random_init_f64(const double *X, int64_t n_samples, int64_t n_features,
                                   const double *sample_weight, int64_t n_clusters, uint64_t seed,
                                   double *centroids, int64_t *indices) noexcept nogil
cdef int ck_kmeans_random_init_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                                  const double *sample_weight, int64_t n_clusters, uint64_t seed,
                                  double *centroids, int64_t *indices) noexcept nogil

# *mean_variance (OUT) = mean over the features of each column's population variance (X's units
# squared): multiply by a relative tol to get ck_kmeans_fit's tol_abs as ckmeans.kmeans does.
# Status: CK_OK, CK_ERR_ARG, CK_ERR_NOMEM.
cdef int ck_mean_feature_variance_f32(const float *X, int64_t n_samples, int64_t n_features, int n_threads,
                                      double *mean_variance) noexcept nogil
cdef int ck_mean_feature_variance_f64(const double *X, int64_t n_samples, int64_t n_features, int n_threads,
                                      double *mean_variance) noexcept nogil
cdef int ck_mean_feature_variance_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, int n_threads,
                                     double *mean_variance) noexcept nogil

# ---- input validation ----------------------------------------------------------------------------
# *first (OUT) = index of the first NaN or infinity among x[0..n), -1 if all are finite (pass a
# C-contiguous X as n_samples * n_features values). Status: CK_OK, CK_ERR_ARG (n < 0).
cdef int ck_find_nonfinite_f32(const float *x, int64_t n, int n_threads, int64_t *first) noexcept nogil
cdef int ck_find_nonfinite_f64(const double *x, int64_t n, int n_threads, int64_t *first) noexcept nogil

# ---- metrics -------------------------------------------------------------------------------------
# Contingency table: out (OUT, n_rows x n_cols doubles, overwritten) [r, c] = total weight (count when
# weights is NULL) of the points with row_codes[i] == r and col_codes[i] == c. row_codes, col_codes
# (IN, n_samples int32 codes in [0, n_rows) and [0, n_cols)); weights (IN, n_samples, or NULL).
# Status: CK_OK, CK_ERR_ARG (sizes, NULL arrays), CK_ERR_LABEL_RANGE (a code out of range; out is
# then unspecified), CK_ERR_NOMEM.
cdef int ck_contingency(const int32_t *row_codes, const int32_t *col_codes, int64_t n_samples,
                        int64_t n_rows, int64_t n_cols, const double *weights, double *out,
                        int n_threads) noexcept nogil

# Soft contingency: out (OUT, n_rows x n_cols, overwritten) [r, c] = sum over the points i of class r
# (row_codes IN, in [0, n_rows)) of weights[i] * resp[i, c]; resp (IN, n_samples x n_cols, e.g.
# responsibilities); weights (IN, or NULL for 1). Status as ck_contingency.
cdef int ck_soft_contingency(const int32_t *row_codes, const double *resp, int64_t n_samples,
                             int64_t n_rows, int64_t n_cols, const double *weights, double *out,
                             int n_threads) noexcept nogil

# ---- soft k-means (MacKay, stiffness beta > 0) ---------------------------------------------------
# r_ij = exp(-beta D_ij) / sum_l exp(-beta D_il) with D the distance chosen by `distance`
# (CK_SOFT_EUCLIDEAN or CK_SOFT_SQEUCLIDEAN; beta is in 1 / the units of D). Free energy F (units of
# D times the weights) = sum_i w_i (-(1/beta) log sum_j exp(-beta D_ij)). Responsibilities, energies
# and sums are double. Status of every soft function: CK_OK, CK_ERR_ARG (a size out of range),
# CK_ERR_SOFT_BETA, CK_ERR_SOFT_DISTANCE, CK_ERR_NOMEM.

# E-step: responsibilities (OUT, n_samples x n_clusters, or NULL), labels (OUT, n_samples, or NULL)
# = the most responsible (nearest) centre, *objective (OUT, or NULL) = F of these centroids.
cdef int ck_soft_estep_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           const float *centroids, int64_t n_clusters, double beta, int distance,
                           double *responsibilities, int32_t *labels, double *objective,
                           int n_threads) noexcept nogil
cdef int ck_soft_estep_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           const double *centroids, int64_t n_clusters, double beta, int distance,
                           double *responsibilities, int32_t *labels, double *objective,
                           int n_threads) noexcept nogil
cdef int ck_soft_estep_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                          const double *centroids, int64_t n_clusters, double beta, int distance,
                          double *responsibilities, int32_t *labels, double *objective,
                          int n_threads) noexcept nogil

# One fused E+M iteration: centroids_new (OUT; may be centroids_old) = responsibility-weighted means
# under centroids_old (IN); weight_in_clusters (OUT, n_clusters, or NULL) = sum_i w_i r_ij;
# *objective (OUT, or NULL) = F of centroids_old; *center_shift (OUT, or NULL) = ||C_new - C_old||_F.
cdef int ck_soft_step_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                          const float *centroids_old, int64_t n_clusters, double beta, int distance,
                          float *centroids_new, double *weight_in_clusters, int n_threads, double *objective,
                          double *center_shift) noexcept nogil
cdef int ck_soft_step_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                          const double *centroids_old, int64_t n_clusters, double beta, int distance,
                          double *centroids_new, double *weight_in_clusters, int n_threads, double *objective,
                          double *center_shift) noexcept nogil
cdef int ck_soft_step_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                         const double *centroids_old, int64_t n_clusters, double beta, int distance,
                         double *centroids_new, double *weight_in_clusters, int n_threads, double *objective,
                         double *center_shift) noexcept nogil

# Whole soft k-means fit from given initial centres. centroids: IN initial, OUT final (n_clusters x
# n_features). Iteration t uses betas[min(t, n_betas - 1)] (betas IN, n_betas >= 1 doubles: an
# annealing schedule, or one constant beta). Stops after max_iter (>= 1) iterations or when
# ||C_new - C_old||_F < tol (ABSOLUTE, units of X; 0 = run max_iter; *converged = 1). Then one more
# E-step gives responsibilities (OUT, n_samples x n_clusters, or NULL), labels (OUT, or NULL) and
# *objective (OUT, F) of the returned centres. *n_iter (OUT); objective_history (OUT, max_iter
# doubles, or NULL) the F of each iteration.
cdef int ck_soft_kmeans_fit_f32(const float *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, const double *betas,
                                int64_t n_betas, int distance, float *centroids, int max_iter, double tol,
                                int n_threads, double *responsibilities, int32_t *labels, int *n_iter,
                                double *objective, double *objective_history, int *converged) noexcept nogil
cdef int ck_soft_kmeans_fit_f64(const double *X, int64_t n_samples, int64_t n_features,
                                const double *sample_weight, int64_t n_clusters, const double *betas,
                                int64_t n_betas, int distance, double *centroids, int max_iter, double tol,
                                int n_threads, double *responsibilities, int32_t *labels, int *n_iter,
                                double *objective, double *objective_history, int *converged) noexcept nogil
cdef int ck_soft_kmeans_fit_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                               const double *sample_weight, int64_t n_clusters, const double *betas,
                               int64_t n_betas, int distance, double *centroids, int max_iter, double tol,
                               int n_threads, double *responsibilities, int32_t *labels, int *n_iter,
                               double *objective, double *objective_history, int *converged) noexcept nogil

# ---- IDX (MNIST) files, on memory buffers --------------------------------------------------------
# Bytes per element of an IDX type code, or 0 for an unknown code.
cdef int ck_idx_elem_size(int type_code) noexcept nogil

# Validate and parse an IDX header. buf (IN): the first buf_len bytes of the (decompressed) file (at
# least CK_IDX_MAX_HEADER_BYTES when the file has them); total_len: the whole file's length in bytes,
# or -1 to skip the payload-length checks. out (OUT) is filled as far as parsing got.
# Status: CK_OK or a CK_ERR_IDX_* code (TRUNCATED_HEADER, MAGIC, TYPE, NDIM, OVERFLOW,
# SHORT_PAYLOAD, LONG_PAYLOAD). Reads no byte beyond buf_len and allocates nothing.
cdef int ck_idx_parse_header(const uint8_t *buf, int64_t buf_len, int64_t total_len,
                             ck_idx_header *out) noexcept nogil

# The 4 + 4 * ndim header bytes of an IDX file into out (OUT, caller-allocated; untouched on error).
# Status: CK_OK, CK_ERR_IDX_TYPE, CK_ERR_IDX_NDIM, CK_ERR_IDX_DIM_RANGE.
cdef int ck_idx_encode_header(int type_code, int ndim, const int64_t *dims, uint8_t *out) noexcept nogil

# n_elems big-endian elements of type type_code (payload IN, n_elems * elem_size bytes) to native
# byte order in out (OUT, the same number of bytes; may be payload itself, else no overlap; no
# alignment needed). Status: CK_OK, CK_ERR_IDX_TYPE, CK_ERR_ARG (n_elems < 0, NULL buffer).
cdef int ck_idx_decode(const uint8_t *payload, int type_code, int64_t n_elems, void *out,
                       int n_threads) noexcept nogil

# The reverse of ck_idx_decode: native elements (IN) to big-endian payload bytes (OUT). Same contract.
cdef int ck_idx_encode(const void *src, int type_code, int64_t n_elems, uint8_t *payload,
                       int n_threads) noexcept nogil
