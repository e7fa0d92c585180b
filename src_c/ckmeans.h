/* ckmeans public C API.
 *
 * Plain C99/C11, no Python. Conventions used by every function declared here:
 *   - sizes and indices are int64_t; cluster labels are int32_t;
 *   - arrays are C-contiguous (row-major) and allocated by the caller;
 *   - the return value is a status code: CK_OK (0) on success, a CK_ERR_* value otherwise;
 *     ck_strerror() turns it into a static English message;
 *   - n_threads >= 1 is the number of OpenMP threads (values < 1 are treated as 1); results never
 *     depend on it.
 * Ownership: the caller allocates every array (inputs and outputs); no function keeps a pointer
 * after it returns or frees one it was given; scratch memory is allocated and freed inside the call
 * (CK_ERR_NOMEM if that fails). Sizes are checked (CK_ERR_ARG); pointers are not: every array must be
 * non-NULL and as large as the sizes say, except where NULL is documented as allowed.
 *
 * Using it:
 *   - from C: `make -C src_c` builds libckmeans.a (OPENMP=0 for a serial build); link with
 *     `cc prog.c -Isrc_c src_c/libckmeans.a -fopenmp -lm`. See examples/c/.
 *   - from Cython: `from ckmeans.kernels cimport ck_assign_f64, ...` gives every function below under
 *     the same name and signature, exported by the compiled module ckmeans.kernels; compile with
 *     include_dirs=[ckmeans.get_include()] (this header) and link nothing. See examples/cython/.
 */
#ifndef CKMEANS_H
#define CKMEANS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ------------------------------------------------------------------------------- */
#define CKMEANS_VERSION_MAJOR 0
#define CKMEANS_VERSION_MINOR 4
#define CKMEANS_VERSION_PATCH 0
/* One number for #if tests: 10000 * MAJOR + 100 * MINOR + PATCH. */
#define CKMEANS_VERSION (10000 * CKMEANS_VERSION_MAJOR + 100 * CKMEANS_VERSION_MINOR + CKMEANS_VERSION_PATCH)

/* The version of the library linked at run time, as CKMEANS_VERSION and as "MAJOR.MINOR.PATCH":
 * compare with the header's to catch a program built against another release. */
int ck_version(void);
const char *ck_version_string(void);

/* ---- status codes -------------------------------------------------------------------------- */
enum {
    CK_OK = 0,
    CK_ERR_NOMEM = 1, /* an internal allocation failed */
    CK_ERR_ARG = 2, /* an argument is out of its documented range */
    CK_ERR_CANCELLED = 3, /* a fit stopped early: its cancel flag was set or its callback asked */
    /* IDX format errors (10..29) */
    CK_ERR_IDX_TRUNCATED_HEADER = 10,
    CK_ERR_IDX_MAGIC = 11,
    CK_ERR_IDX_TYPE = 12,
    CK_ERR_IDX_NDIM = 13,
    CK_ERR_IDX_OVERFLOW = 14,
    CK_ERR_IDX_SHORT_PAYLOAD = 15,
    CK_ERR_IDX_LONG_PAYLOAD = 16,
    CK_ERR_IDX_DIM_RANGE = 17, /* a dimension to write is negative or above 2^32 - 1 */
    /* metrics errors (50..59) */
    CK_ERR_LABEL_RANGE = 50, /* a label code is outside [0, n_rows) or [0, n_cols) */
    /* k-means errors (60..69) */
    CK_ERR_KMEANS_LABEL = 60, /* a label is outside [0, n_clusters) */
    CK_ERR_KMEANS_NONFINITE = 61, /* X holds a NaN or an infinity (found by a fit, step or k-means++) */
    CK_ERR_KMEANS_OVERFLOW = 62, /* a row's squared norm is above 2^956 (float32 X: 2^120), where squared
                                    distances or their sums would overflow (fit, step, k-means++) */
    /* soft k-means errors (70..79) */
    CK_ERR_SOFT_BETA = 70, /* a stiffness beta is not a finite number > 0 */
    CK_ERR_SOFT_DISTANCE = 71 /* the distance code is not CK_SOFT_EUCLIDEAN or CK_SOFT_SQEUCLIDEAN */
};

/* Static English description of a status code (never NULL). */
const char *ck_strerror(int status);

/* ---- cancellation ---------------------------------------------------------------------------
 * Makes the long calls made from the calling thread cancellable: while flag is not NULL, the fits,
 * the steps (ck_lloyd_step_*, ck_soft_step_*, ck_soft_estep_*) and k-means++ started from this
 * thread read *flag between blocks of 128 rows (and k-means++ before each centre) and return
 * CK_ERR_CANCELLED soon after it becomes non-zero: within one block of rows per thread. A signal
 * handler (SIGINT) or another thread sets the flag; the caller clears it before the next call.
 * A fit's params->cancel, when not NULL, is read instead. Returns the flag it replaces, to restore
 * when done. The outputs of a cancelled call are not final (a fit keeps the centres of its last
 * finished iteration: see ck_kmeans_fit_*). The flag is per thread, so kernels running on other
 * threads are not affected. */
const volatile int *ck_set_cancel_flag(const volatile int *flag);

/* 1 if this library was compiled with OpenMP, else 0. */
int ck_openmp_enabled(void);

/* Threads OpenMP would use for a parallel region right now (1 without OpenMP). */
int ck_max_threads(void);

/* Kernel families whose instruction set is picked at run time (see ck_kernel_isa). */
enum {
    CK_KERNEL_KMEANS = 0, /* hard k-means: nearest-centre search, centroid sums, bounded fits */
    CK_KERNEL_KMEANS_UINT8 = 1, /* hard k-means' screen of uint8 rows (integer dot products with VNNI) */
    CK_KERNEL_SOFT = 2, /* soft k-means E and M steps */
    CK_KERNEL_N_FAMILIES = 3
};

/* Instruction set the kernels of `family` run in this process: "avx512-vnni", "avx512", "avx2" or
 * "portable" -- what the CPU offers, less what the environment refuses (CKMEANS_NO_SIMD=1: portable;
 * CKMEANS_NO_AVX512=1: at most AVX2; CKMEANS_NO_VNNI=1: no integer screen), read once per process.
 * A static string, or NULL for an unknown family. */
const char *ck_kernel_isa(int family);

/* ---- IDX (MNIST) file format -------------------------------------------------------------------
 * An IDX file is: two zero bytes, a type-code byte, an ndim byte (1..255), ndim big-endian unsigned
 * 32-bit dimensions, then prod(dims) big-endian elements in row-major order. A dimension of 0 is
 * legal and means an empty array (payload of 0 bytes); the file must then end right after the
 * header, and the other dimensions still obey the overflow bound below. Nothing here allocates memory or reads past the lengths it is given. */
enum {
    CK_IDX_UINT8 = 0x08,
    CK_IDX_INT8 = 0x09,
    CK_IDX_INT16 = 0x0B,
    CK_IDX_INT32 = 0x0C,
    CK_IDX_FLOAT32 = 0x0D,
    CK_IDX_FLOAT64 = 0x0E
};

#define CK_IDX_MAX_NDIM 255
#define CK_IDX_MAX_HEADER_BYTES (4 + 4 * CK_IDX_MAX_NDIM) /* 1024 */

typedef struct {
    int type_code; /* one of CK_IDX_* */
    int elem_size; /* bytes per element: 1, 2, 4 or 8 */
    int ndim; /* 1..255 */
    int64_t dims[CK_IDX_MAX_NDIM]; /* dims[0..ndim-1], each 0..2^32-1 */
    int64_t n_elems; /* product of the dimensions (0 if any is 0) */
    int64_t header_bytes; /* 4 + 4 * ndim: offset of the payload in the file */
    int64_t payload_bytes; /* n_elems * elem_size; always <= INT64_MAX */
} ck_idx_header;

/* Bytes per element of an IDX type code, or 0 for an unknown code. */
int ck_idx_elem_size(int type_code);

/* Validate and parse an IDX header.
 *   buf       IN   the first buf_len bytes of the (decompressed) file; pass at least
 *                  CK_IDX_MAX_HEADER_BYTES bytes when the file has them, else the whole file
 *   total_len IN   length of the whole (decompressed) file in bytes, or -1 when not known yet
 *                  (streaming): the payload-length checks are then the caller's job
 *   out       OUT  filled as far as parsing got, so a caller can describe the error (type_code,
 *                  ndim, dims...); fields not reached are 0
 * Checks, in this order: buf_len >= 4 (else CK_ERR_IDX_TRUNCATED_HEADER), first two bytes zero
 * (CK_ERR_IDX_MAGIC), known type code (CK_ERR_IDX_TYPE), ndim >= 1 (CK_ERR_IDX_NDIM), all
 * dimension bytes present (CK_ERR_IDX_TRUNCATED_HEADER), the product of the non-zero dims times
 * elem_size <= INT64_MAX, even when a zero dim makes the array empty (CK_ERR_IDX_OVERFLOW), and when total_len >= 0, total_len - header_bytes equal to
 * payload_bytes (CK_ERR_IDX_SHORT_PAYLOAD / CK_ERR_IDX_LONG_PAYLOAD). Run it before allocating
 * anything sized by the header. */
int ck_idx_parse_header(const uint8_t *buf, int64_t buf_len, int64_t total_len, ck_idx_header *out);

/* Write the 4 + 4 * ndim header bytes of an IDX file into out (caller-allocated).
 * Errors: CK_ERR_IDX_TYPE (unknown code), CK_ERR_IDX_NDIM (ndim outside 1..255),
 * CK_ERR_IDX_DIM_RANGE (a dimension outside 0..2^32-1); out is untouched on error. */
int ck_idx_encode_header(int type_code, int ndim, const int64_t *dims, uint8_t *out);

/* Convert n_elems big-endian IDX elements of type type_code (payload, n_elems * elem_size bytes)
 * into native byte order in out (same size, caller-allocated). out may equal payload (in-place
 * conversion); otherwise the two must not overlap. Neither needs any alignment. Parallel over
 * fixed 65536-element chunks; the result is identical for any n_threads.
 * Errors: CK_ERR_IDX_TYPE (unknown code), CK_ERR_ARG (n_elems < 0, NULL buffer with n_elems > 0). */
int ck_idx_decode(const uint8_t *payload, int type_code, int64_t n_elems, void *out, int n_threads);

/* The reverse of ck_idx_decode: native elements in `in` to big-endian bytes in payload, with the
 * same contract (in-place allowed, same errors). */
int ck_idx_encode(const void *in, int type_code, int64_t n_elems, uint8_t *payload, int n_threads);
/* ---- metrics (src_c/metrics.c) ------------------------------------------------------------ */

/* Contingency table of two labelings of the same n_samples points.
 *
 *   row_codes  IN   n_samples codes in [0, n_rows)   (e.g. true classes, as 0-based codes)
 *   col_codes  IN   n_samples codes in [0, n_cols)   (e.g. cluster labels)
 *   weights    IN   n_samples weights, or NULL for a weight of 1 per point (plain counts)
 *   out        OUT  n_rows x n_cols, row-major, caller-allocated; overwritten (not accumulated):
 *                   out[r * n_cols + c] = sum of weights[i] over the points i with
 *                   row_codes[i] == r and col_codes[i] == c (a count when weights == NULL).
 *
 * Units: out has the unit of the weights (points when NULL). Counts are exact integers below 2^53.
 * Weighted sums are added in fixed row chunks merged in chunk order, so `out` is bit-identical for
 * any n_threads. Scratch memory: at most 63 partial tables of n_rows x n_cols doubles and at most
 * 2 bytes per point (the chunk count is capped and chunks have at least 4 rows per table cell).
 * Any weights are accepted (negative or non-finite ones are summed as they are).
 *
 * Errors: CK_ERR_ARG for n_samples < 0, n_rows < 1, n_cols < 1, NULL pointers or a table too big to
 * address; CK_ERR_LABEL_RANGE if a code is out of range (out is then unspecified);
 * CK_ERR_NOMEM if the scratch tables cannot be allocated. n_samples == 0 gives a zero table. */
int ck_contingency(const int32_t *row_codes, const int32_t *col_codes, int64_t n_samples, int64_t n_rows,
                   int64_t n_cols, const double *weights, double *out, int n_threads);

/* Weighted contingency of classes against responsibilities: out = onehot(row_codes)^T x R.
 *
 *   row_codes  IN   n_samples codes in [0, n_rows) (true classes as 0-based codes)
 *   resp       IN   n_samples x n_cols, row-major (responsibilities: row i spreads point i over
 *                   the n_cols clusters)
 *   weights    IN   n_samples weights, or NULL for 1 per point
 *   out        OUT  n_rows x n_cols, overwritten: out[r * n_cols + c] = sum of weights[i] * resp[i, c]
 *                   over the points i of class r.
 * Same chunking, scratch bound, determinism (bit-identical for any n_threads) and errors as
 * ck_contingency (CK_ERR_LABEL_RANGE for a class code out of range). */
int ck_soft_contingency(const int32_t *row_codes, const double *resp, int64_t n_samples, int64_t n_rows,
                        int64_t n_cols, const double *weights, double *out, int n_threads);

/* ---- hard k-means (src_c/kmeans_*.c) ------------------------------------------------------
 * Three dtypes share one implementation:
 *   _f32: X float,   centroids float  (distances of the assignment step computed in float)
 *   _f64: X double,  centroids double
 *   _u8 : X uint8_t, centroids double (X is read as it is, never copied to a float array; labels,
 *         centroids and final inertias are bit-identical to the float64 call on the same values)
 * Every kernel takes the data first, as a ck_data_* (X, its sizes and its optional weights), then
 * n_clusters, the inputs, the outputs, and last n_threads or the parameters of a fit.
 * X is n_samples x n_features row-major; centroids n_clusters x n_features row-major. Sums, weights,
 * inertias and squared distances are always double. sample_weight (n_samples doubles, >= 0) may be
 * NULL for unit weights. Units: squared distances, inertias, tol_abs and mean variances are in X's
 * units squared (times the weights for sums). Labels are int32_t in [0, n_clusters). Sizes are
 * int64_t and every index expression is computed in int64_t, so n_samples * n_features may exceed 2^31.
 * Nearest-centroid ties go to the lowest centroid index. Results are bit-identical for any
 * n_threads. The assignment step uses AVX2/FMA or AVX-512 when the CPU has it (chosen at run time,
 * or refused with the environment variables CKMEANS_NO_SIMD=1 / CKMEANS_NO_AVX512=1); that may change
 * a label only where two centroids are equally near up to rounding. Status: CK_OK, CK_ERR_ARG (sizes
 * out of range), CK_ERR_NOMEM, CK_ERR_KMEANS_LABEL (a label given as input is out of range). */

/* The data of a call: X (n_samples x n_features, row-major) and its optional weights. */
typedef struct {
    const float *X;
    int64_t n_samples;
    int64_t n_features;
    const double *sample_weight; /* n_samples weights >= 0, or NULL for 1 per row */
} ck_data_f32;
typedef struct {
    const double *X;
    int64_t n_samples;
    int64_t n_features;
    const double *sample_weight;
} ck_data_f64;
typedef struct {
    const uint8_t *X;
    int64_t n_samples;
    int64_t n_features;
    const double *sample_weight;
} ck_data_u8;

/* Nearest centroid of every row: labels[i] (OUT) and, if sqdist is not NULL, sqdist[i] (OUT) =
 * ||x_i - c_label||^2 computed by differences (never negative). The weights are not used. */
int ck_assign_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids, int32_t *labels,
                  double *sqdist, int n_threads);
int ck_assign_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids, int32_t *labels,
                  double *sqdist, int n_threads);
int ck_assign_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids, int32_t *labels,
                 double *sqdist, int n_threads);

/* *inertia (OUT) = sum_i w_i ||x_i - c_{labels[i]}||^2 for the given labels (IN). */
int ck_inertia_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids, const int32_t *labels,
                   double *inertia, int n_threads);
int ck_inertia_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                   const int32_t *labels, double *inertia, int n_threads);
int ck_inertia_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids, const int32_t *labels,
                  double *inertia, int n_threads);

/* Weighted centroid update for given labels (IN): centroids[j] (OUT) = weighted mean of the rows
 * labelled j; rows of empty clusters are left as they were (IN/OUT). weight_in_clusters (OUT,
 * n_clusters) = the total weight of each cluster (a count for unit weights). */
int ck_centroids_update_f32(const ck_data_f32 *data, int64_t n_clusters, const int32_t *labels,
                            float *centroids, double *weight_in_clusters, int n_threads);
int ck_centroids_update_f64(const ck_data_f64 *data, int64_t n_clusters, const int32_t *labels,
                            double *centroids, double *weight_in_clusters, int n_threads);
int ck_centroids_update_u8(const ck_data_u8 *data, int64_t n_clusters, const int32_t *labels,
                           double *centroids, double *weight_in_clusters, int n_threads);

/* What one Lloyd iteration reports (ck_lloyd_step, and the per-iteration callback of a fit). */
typedef struct {
    int64_t n_changed; /* labels that differ from the previous ones */
    double inertia; /* sum_i w_i ||x_i - c_old||^2 of the new labels */
    double center_shift; /* sum_j ||c_new_j - c_old_j||^2 */
} ck_step_stats;

/* One Lloyd iteration (scikit-learn's lloyd_iter): assign every row to centroids_old, then
 * centroids_new (OUT; may equal centroids_old) = weighted means, empty clusters relocated to the
 * farthest points. labels: IN the previous labels (-1 for none), OUT the new ones. stats (OUT): the
 * labels changed, the inertia of the new labels (from ||x||^2 - 2 x.c + ||c||^2, clamped at 0; for
 * _u8 with AVX2 the x.c behind it are the screening values, so it is float32-accurate like _f32) and
 * the squared centre shift.
 * uint8 X with AVX2: nearest centroids are screened (exact integer dot products with AVX512-VNNI,
 * float32 otherwise) and rows whose two best scores are within the screen's worst-case error bound
 * are redone in float64, so labels equal the _f64 ones. CK_ERR_KMEANS_NONFINITE if float X holds a NaN
 * or an infinity (seen in the row norms the step computes anyway; the outputs are then meaningless). */
int ck_lloyd_step_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids_old,
                      float *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads);
int ck_lloyd_step_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids_old,
                      double *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads);
int ck_lloyd_step_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids_old,
                     double *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads);

/* The partials of one Lloyd iteration over a block of the rows of a larger fit (a fit over the blocks
 * of a distributed array): assign every row of the block to centroids, as ck_lloyd_step does, but
 * neither relocate nor average. labels: IN the previous labels (-1 for none), OUT the new ones.
 * sums (OUT, n_clusters x n_features) = sum_i w_i x_i and weight_in_clusters (OUT, n_clusters) =
 * sum_i w_i over the rows labelled j, both the bits ck_lloyd_step averages; stats (OUT): n_changed and
 * inertia as ck_lloyd_step's, center_shift 0. Summed over the blocks in a fixed order, they give
 * a result that depends on the blocks only; empty clusters then take the farthest rows of all blocks
 * (ck_farthest of each block, merged farthest first, ties to the lowest row). Same status codes as
 * ck_lloyd_step. */
int ck_lloyd_partial_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids, int32_t *labels,
                         double *sums, double *weight_in_clusters, ck_step_stats *stats, int n_threads);
int ck_lloyd_partial_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                         int32_t *labels, double *sums, double *weight_in_clusters, ck_step_stats *stats,
                         int n_threads);
int ck_lloyd_partial_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids, int32_t *labels,
                        double *sums, double *weight_in_clusters, ck_step_stats *stats, int n_threads);

/* The candidates of scikit-learn's empty-cluster rule: the n_far (0 <= n_far <= n_samples) rows
 * farthest from their centre, ||x_i - c_labels[i]||^2 unweighted (by differences, as ck_sqdist),
 * farthest first, equal distances by increasing row index. far_sqdist (OUT, n_far) their squared
 * distances, far_index (OUT, n_far) their rows. Allocates 16 bytes per row for the sort. Status: CK_OK,
 * CK_ERR_ARG, CK_ERR_NOMEM, CK_ERR_KMEANS_LABEL (a label out of range). */
int ck_farthest_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                    const int32_t *labels, int64_t n_far, double *far_sqdist, int64_t *far_index,
                    int n_threads);
int ck_farthest_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                    const int32_t *labels, int64_t n_far, double *far_sqdist, int64_t *far_index,
                    int n_threads);
int ck_farthest_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids, const int32_t *labels,
                   int64_t n_far, double *far_sqdist, int64_t *far_index, int n_threads);

/* What a fit tells its callback after every iteration. */
typedef struct {
    int iteration; /* 0-based index of the iteration just finished */
    double objective; /* hard: the inertia of its assignment; soft: the free energy of its E-step */
    double center_shift; /* hard: sum ||c_new - c_old||^2; soft: ||C_new - C_old||_F */
    int64_t n_changed; /* hard: labels changed by its assignment; soft: -1 */
    double beta; /* soft: the stiffness it used; hard: 0 */
} ck_iter_info;

/* Called by a fit after every iteration, on the calling thread, outside any parallel region.
 * A non-zero return stops the fit with CK_ERR_CANCELLED. */
typedef int (*ck_iter_callback)(void *callback_data, const ck_iter_info *info);

/* Methods of a hard fit. All are exact: from the same initial centres they give the same labels,
 * bit-identical centroids, the same n_iter, converged and final inertia. */
enum {
    CK_ALGO_AUTO = 0, /* whichever is expected to be fastest (the rule below) */
    CK_ALGO_LLOYD = 1, /* every point-centre distance every iteration */
    CK_ALGO_YINYANG = 2, /* per-row bounds on the distances to n_groups groups of centres */
    CK_ALGO_HAMERLY = 3 /* CK_ALGO_YINYANG with a single group */
};

/* The options of a hard fit. Fill the defaults with ck_kmeans_params_init, then set what differs:
 * new options are added as fields, so code that starts from the initialiser keeps compiling. */
typedef struct {
    int algorithm; /* CK_ALGO_*; default CK_ALGO_AUTO */
    int max_iter; /* >= 1; default 300 */
    double tol_abs; /* >= 0, absolute (ckmeans.kmeans passes tol x mean feature variance,
                                  see ck_mean_feature_variance_*); default 0: stop on labels only */
    int64_t n_groups; /* CK_ALGO_YINYANG's groups of centres; 0 (default) = ceil(n_clusters / 4)
                                  capped at 64; values above n_clusters act as n_clusters */
    int n_threads; /* OpenMP threads (< 1 acts as 1); default 1 */
    const volatile int *cancel; /* NULL (default: the thread's flag, see ck_set_cancel_flag), or a
                                  flag another thread or a signal handler may set to non-zero: the
                                  fit then stops within a block of rows with CK_ERR_CANCELLED */
    ck_iter_callback callback; /* NULL (default), or called after every iteration */
    void *callback_data; /* passed to callback as it is */
    int spherical; /* 0 (default) or 1: spherical k-means -- every centre is scaled to unit L2 norm
                                  after each update. The caller gives rows of unit norm; then the
                                  nearest centre is the one of largest cosine and the inertia is
                                  sum_i w_i 2 (1 - cos(x_i, c)) */
} ck_kmeans_params;

/* Fill *params with the defaults above. */
void ck_kmeans_params_init(ck_kmeans_params *params);

/* The outputs of a hard fit. Set the output arrays (labels required, the histories optional), call
 * the fit, read the scalars. */
typedef struct {
    int32_t *labels; /* OUT n_samples labels, of the returned centres */
    double *inertia_history; /* OUT max_iter inertias, one per iteration's assignment, or NULL */
    int64_t *searched_history; /* OUT max_iter counts of the rows searched per iteration, or NULL
                                  (every row for Lloyd's iterations) */
    int n_iter; /* iterations run */
    double inertia; /* final inertia, by differences */
    int converged; /* 1 if labels stopped changing or the shift fell within tol_abs */
    int algorithm; /* CK_ALGO_LLOYD, _YINYANG or _HAMERLY: the method of the last iteration */
} ck_kmeans_result;

/* A whole k-means fit with scikit-learn's stopping rules. centroids: IN the initial centres, OUT the
 * final ones; result->labels (OUT) belong to the final centres. Stops after params->max_iter
 * iterations, when labels no longer change (converged = 1), or when sum ||c_new - c_old||^2 <=
 * tol_abs (converged = 1). 1 <= n_clusters <= n_samples.
 * Methods (params->algorithm): CK_ALGO_LLOYD searches every row each iteration. CK_ALGO_YINYANG
 * (Ding et al. 2015) splits the centres once into n_groups groups (a few Lloyd iterations on the
 * initial centres); every row keeps an upper bound on its distance to its centre and a lower bound
 * per group, and only rows whose label might change are searched (Lloyd's computed labels, ties
 * included: the bounds carry a worst-case floating-point margin and near ties go through Lloyd's own
 * search). Extra memory: 4 x (n_groups + 1) bytes per sample (float32 bounds) plus
 * O(n_clusters x n_features) and per thread O(n_features + n_groups) x 128 rows of scratch.
 * CK_ALGO_AUTO: with n_clusters >= 64 and max_iter >= 20, Yinyang with its default groups; with
 * fewer clusters, max_iter >= 20, no sample_weight and float X, Hamerly bounds, kept only if the
 * first iteration finds that no column sum can round (all values integer multiples of one power of
 * two 2^q, and sum |x| per column below 2^(q+51): integer-valued data such as pixels, raw or scaled
 * by a power of two): then the clusters' sums are updated by the rows that change cluster only, and
 * rows whose bounds settle them are not read at all; otherwise Lloyd from the second iteration on.
 * Anything else: Lloyd. result->algorithm says which ran.
 * The bounded methods' inertia_history differs from Lloyd's in rounding only (each row's squared
 * distance is taken by differences instead of from ||x||^2 - 2 x.c + ||c||^2).
 * On CK_ERR_CANCELLED (params->cancel set, or the callback asked) centroids hold the centres after
 * the last finished iteration, n_iter counts those iterations, and labels and inertia are not final.
 * CK_ERR_KMEANS_NONFINITE if float X holds a NaN or an infinity (seen in the row norms the first
 * iteration computes anyway, so finite X costs no pass of its own; the outputs are then meaningless). */
int ck_kmeans_fit_f32(const ck_data_f32 *data, int64_t n_clusters, float *centroids,
                      const ck_kmeans_params *params, ck_kmeans_result *result);
int ck_kmeans_fit_f64(const ck_data_f64 *data, int64_t n_clusters, double *centroids,
                      const ck_kmeans_params *params, ck_kmeans_result *result);
int ck_kmeans_fit_u8(const ck_data_u8 *data, int64_t n_clusters, double *centroids,
                     const ck_kmeans_params *params, ck_kmeans_result *result);

/* Greedy k-means++ (scikit-learn's variant): the first centre drawn proportional to the weights,
 * each next one the best, by potential, of n_local_trials (<= 0: 2 + floor(ln k)) rows drawn
 * proportional to w x D^2. centroids (OUT) n_clusters x n_features; indices (OUT, or NULL) the rows
 * chosen. seed: the whole stream (xoshiro256** seeded by splitmix64) -- same seed, same centres, for
 * any n_threads. CK_ERR_KMEANS_NONFINITE if float X holds a NaN or an infinity. */
int ck_kmeans_plusplus_f32(const ck_data_f32 *data, int64_t n_clusters, uint64_t seed, int n_local_trials,
                           float *centroids, int64_t *indices, int n_threads);
int ck_kmeans_plusplus_f64(const ck_data_f64 *data, int64_t n_clusters, uint64_t seed, int n_local_trials,
                           double *centroids, int64_t *indices, int n_threads);
int ck_kmeans_plusplus_u8(const ck_data_u8 *data, int64_t n_clusters, uint64_t seed, int n_local_trials,
                          double *centroids, int64_t *indices, int n_threads);

/* n_clusters distinct rows as centres: uniform without weights; with weights, successive draws
 * proportional to the weights of the rows left (CK_ERR_ARG if fewer than n_clusters are > 0).
 * centroids (OUT), indices (OUT, or NULL) the rows chosen. Serial. */
int ck_kmeans_random_init_f32(const ck_data_f32 *data, int64_t n_clusters, uint64_t seed, float *centroids,
                              int64_t *indices);
int ck_kmeans_random_init_f64(const ck_data_f64 *data, int64_t n_clusters, uint64_t seed, double *centroids,
                              int64_t *indices);
int ck_kmeans_random_init_u8(const ck_data_u8 *data, int64_t n_clusters, uint64_t seed, double *centroids,
                             int64_t *indices);

/* *mean_variance (OUT) = mean over features of the (population) variance of each column of X, by
 * two passes (mean, then squared deviations) like numpy.var: scikit-learn's scale of tol. The
 * weights are not used. */
int ck_mean_feature_variance_f32(const ck_data_f32 *data, double *mean_variance, int n_threads);
int ck_mean_feature_variance_f64(const ck_data_f64 *data, double *mean_variance, int n_threads);
int ck_mean_feature_variance_u8(const ck_data_u8 *data, double *mean_variance, int n_threads);
/* ---- end hard k-means ---- */

/* ---- hard k-means on sparse rows (src_c/sparse.c, sparse_tpl.h; k-means++ and random init in
 * kmeans_init.c) ---------------------------------------------------------------------------------
 * X in compressed sparse row (CSR) form: row i holds the values values[indptr[i] .. indptr[i + 1])
 * in the columns indices[indptr[i] .. indptr[i + 1]). The columns of a row may come in any order
 * and stored zeros are allowed, but a column appears at most once per row (scipy's sum_duplicates
 * makes it so). The caller checks the structure (indptr non-decreasing from indptr[0] = 0, columns in
 * [0, n_features), finite values): the kernels read what the arrays say. Centroids are dense,
 * n_clusters x n_features row-major, float for _csr_f32 and double for _csr_f64; scores, sums and
 * inertias follow the dense kernels' dtype rules. Each row's score against every centre is
 * ||c||^2 - 2 x.c, x.c over the row's nonzeros (accumulated in the centroid type, in the row's
 * stored order) against the centres held transposed (n_features x n_clusters, one contiguous
 * n_clusters vector per nonzero); ||x||^2 is computed once per call in double. Ties go to the lowest
 * index. Results are bit-identical for any n_threads and on every x86-64 CPU (no run-time SIMD
 * choice). Extra memory of a step or fit: the transposed centres (n_clusters x n_features of the
 * centroid type), the cluster sums (n_clusters x n_features doubles), the fit's second set of
 * centres, and O(n_samples) -- never a k x d buffer per thread: the weighted sums are accumulated
 * cluster by cluster (each cluster's rows in row order, clusters shared among the threads), so no
 * per-thread buffers need merging. Lloyd only: a fit with CK_ALGO_AUTO, _YINYANG or _HAMERLY runs
 * Lloyd's iterations (the same result by the fits' contract) and says so in result->algorithm. */

/* The data of a sparse call: X as CSR, its shape and optional weights. Exactly one of indices32
 * and indices64 is non-NULL (scipy's two index types, used as they are). */
typedef struct {
    const float *values; /* nnz = indptr[n_samples] values */
    const int64_t *indptr; /* n_samples + 1 offsets */
    const int32_t *indices32; /* nnz columns, or NULL... */
    const int64_t *indices64; /* ...or these */
    int64_t n_samples;
    int64_t n_features;
    const double *sample_weight; /* n_samples weights >= 0, or NULL for 1 per row */
} ck_csr_f32;
typedef struct {
    const double *values;
    const int64_t *indptr;
    const int32_t *indices32;
    const int64_t *indices64;
    int64_t n_samples;
    int64_t n_features;
    const double *sample_weight;
} ck_csr_f64;

/* *row (OUT) = the first row of X that lists a column twice, or -1 if none: the check the contract
 * above asks of callers, in O(nnz) time with n_features int64 of scratch (sorting each row's
 * columns would cost O(nnz log nnz)). CK_ERR_ARG also for a column outside [0, n_features). */
int ck_csr_duplicate_row_f32(const ck_csr_f32 *data, int64_t *row);
int ck_csr_duplicate_row_f64(const ck_csr_f64 *data, int64_t *row);

/* Nearest centroid of every row: labels (OUT) and, if not NULL, sqdist (OUT) = ||x - c||^2 as
 * ||x||^2 + ||c||^2 - 2 x.c in double, clamped at 0. The weights are not used. */
int ck_assign_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids, int32_t *labels,
                      double *sqdist, int n_threads);
int ck_assign_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids, int32_t *labels,
                      double *sqdist, int n_threads);

/* *inertia (OUT) = sum_i w_i ||x_i - c_{labels[i]}||^2 for the given labels (IN), each term
 * ||x||^2 + ||c||^2 - 2 x.c in double clamped at 0, summed in chunk order. CK_ERR_KMEANS_LABEL for a
 * label out of range. */
int ck_inertia_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                       const int32_t *labels, double *inertia, int n_threads);
int ck_inertia_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                       const int32_t *labels, double *inertia, int n_threads);

/* One Lloyd iteration, as ck_lloyd_step_*: assignment and the inertia of the new labels, weighted
 * sums, scikit-learn's relocation of empty clusters (the rows ck_farthest_csr lists for
 * centroids_old), new centres and the squared shift. CK_ERR_KMEANS_NONFINITE if a value is NaN or
 * infinite. */
int ck_lloyd_step_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids_old,
                          float *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads);
int ck_lloyd_step_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids_old,
                          double *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads);

/* The partials of one Lloyd iteration over a block of the rows of a larger fit, as ck_lloyd_partial_*:
 * the assignment and cluster sums of ck_lloyd_step_csr, the same operations in the same order, but
 * neither relocation nor averaging. labels: IN the previous labels (-1 for none), OUT the new ones.
 * sums (OUT, n_clusters x n_features) = sum_i w_i x_i and weight_in_clusters (OUT, n_clusters) =
 * sum_i w_i over the rows labelled j; stats (OUT): n_changed and inertia as ck_lloyd_step_csr's,
 * center_shift 0. Memory as a step's (the sums are computed in one shared buffer, then copied).
 * Same status codes as ck_lloyd_step_csr. */
int ck_lloyd_partial_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                             int32_t *labels, double *sums, double *weight_in_clusters, ck_step_stats *stats,
                             int n_threads);
int ck_lloyd_partial_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                             int32_t *labels, double *sums, double *weight_in_clusters, ck_step_stats *stats,
                             int n_threads);

/* The candidates of the empty-cluster rule, as ck_farthest_*: the n_far (0 <= n_far <= n_samples) rows
 * farthest from their centre, unweighted ||x||^2 + ||c||^2 - 2 x.c in double (x.c in double over the
 * row's stored values), clamped at 0, farthest first, equal distances by increasing row index: the
 * distances ck_lloyd_step_csr relocates by. far_sqdist (OUT, n_far), far_index (OUT, n_far).
 * Allocates 24 bytes per row and n_clusters doubles. Status: CK_OK, CK_ERR_ARG, CK_ERR_NOMEM,
 * CK_ERR_KMEANS_LABEL (a label out of range), CK_ERR_KMEANS_NONFINITE (a NaN or infinite value). */
int ck_farthest_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                        const int32_t *labels, int64_t n_far, double *far_sqdist, int64_t *far_index,
                        int n_threads);
int ck_farthest_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                        const int32_t *labels, int64_t n_far, double *far_sqdist, int64_t *far_index,
                        int n_threads);

/* A whole fit, with ck_kmeans_fit_*'s parameters, stopping rules, relocation, cancellation,
 * callback and results (spherical included); the final inertia is ck_inertia_csr's. */
int ck_kmeans_fit_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, float *centroids,
                          const ck_kmeans_params *params, ck_kmeans_result *result);
int ck_kmeans_fit_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, double *centroids,
                          const ck_kmeans_params *params, ck_kmeans_result *result);

/* ck_kmeans_plusplus_* and ck_kmeans_random_init_* on CSR: the same draws from the same seed (the
 * same rows chosen wherever the squared distances agree), centres written dense. */
int ck_kmeans_plusplus_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, uint64_t seed, int n_local_trials,
                               float *centroids, int64_t *indices, int n_threads);
int ck_kmeans_plusplus_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, uint64_t seed, int n_local_trials,
                               double *centroids, int64_t *indices, int n_threads);
int ck_kmeans_random_init_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, uint64_t seed, float *centroids,
                                  int64_t *indices);
int ck_kmeans_random_init_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, uint64_t seed,
                                  double *centroids, int64_t *indices);
/* ---- end sparse hard k-means ---- */

/* ---- input validation ---- */
/* *first (OUT) = the index of the first NaN or infinity among x[0..n), or -1 when all are finite
 * (x is any float array, e.g. a C-contiguous X read as n_samples * n_features values). Runs on
 * n_threads; the answer never depends on them. */
int ck_find_nonfinite_f32(const float *x, int64_t n, int64_t *first, int n_threads);
int ck_find_nonfinite_f64(const double *x, int64_t n, int64_t *first, int n_threads);

/* ---- soft k-means (src_c/soft_kmeans.c) ------------------------------------------------------
 * MacKay's soft k-means with stiffness beta > 0. With D_ij = d(x_i, c_j) the chosen distance
 * (CK_SOFT_EUCLIDEAN: ||x_i - c_j||, CK_SOFT_SQEUCLIDEAN: ||x_i - c_j||^2):
 *   E-step  r_ij = exp(-beta D_ij) / sum_l exp(-beta D_il), by a log-sum-exp shifted by the row's
 *           nearest centre, so it is finite for any finite beta > 0 and any distances;
 *   M-step  c_j = sum_i w_i r_ij x_i / sum_i w_i r_ij; a cluster whose total weight sum_i w_i r_ij is
 *           0 (every r_ij underflowed) keeps its previous centre;
 *   free energy F = sum_i w_i (-(1/beta) log sum_j exp(-beta D_ij))
 *                 = sum_i w_i (min_j D_ij - (1/beta) log sum_j exp(-beta (D_ij - min_l D_il))),
 *           which lies in [E_hard - W log(k) / beta, E_hard] with E_hard = sum_i w_i min_j D_ij and
 *           W = sum_i w_i, and tends to E_hard as beta grows.
 * Dtypes, layouts and data as for hard k-means (_f32, _f64, _u8; X never copied to float;
 * weights NULL = 1). Squared distances are ||x||^2 + ||c||^2 - 2 x.c in double over each row's
 * nonzero features, and by differences for the pairs where that expansion would cancel
 * (||x - c||^2 < (||x||^2 + ||c||^2) / 8), so every distance is within 16 times the rounding bound of
 * differences; responsibilities, sums and energies are double; a fit keeps its centres in double and
 * rounds them to the centroid type only when it returns (so _f32 centroids are the float64 fit's,
 * rounded; the final E-step already uses the rounded centres, so the responsibilities belong to what
 * the caller gets). One pass over X per iteration: each row's distances, responsibilities and
 * weighted sums from its nonzero list while it is in cache. Results are bit-identical for any
 * n_threads, and _u8 equals _f64 on the same values; with AVX2/FMA or AVX-512 (chosen at run time,
 * CKMEANS_NO_SIMD=1 / CKMEANS_NO_AVX512=1 to refuse) the last bits of a distance, a responsibility
 * or a sum may differ from the portable path (AVX-512 reads sparse rows by 8-feature groups, in
 * another summation order). Responsibilities, and their products with the weights, below DBL_MIN
 * are 0 (subnormals are microcoded on Intel cores). A whole fit (ck_soft_kmeans_fit_*) keeps the
 * rows' nonzero bitmasks and, for float X with AVX-512, a packed copy of the rows' nonzero 8-feature
 * groups where that is at most half of X and of the free memory; the results are the same bits as
 * its steps run one at a time. Status: CK_OK, CK_ERR_ARG (sizes out of range: n_samples, n_features, n_clusters
 * >= 1, n_clusters <= INT32_MAX), CK_ERR_SOFT_BETA, CK_ERR_SOFT_DISTANCE, CK_ERR_NOMEM. */
enum { CK_SOFT_EUCLIDEAN = 0, CK_SOFT_SQEUCLIDEAN = 1 };

/* The options of a soft fit (ck_soft_kmeans_fit_*) and of its steps (ck_soft_estep_*,
 * ck_soft_step_*, which read betas[0], distance and n_threads). Fill the defaults with
 * ck_soft_params_init, then set what differs; betas must then point at the caller's schedule. */
typedef struct {
    const double *betas; /* iteration t (0-based) uses betas[t], or betas[n_betas - 1] once
                                  t >= n_betas; each used must be finite and > 0; default NULL */
    int64_t n_betas; /* >= 1 (a constant beta is n_betas = 1); default 0 */
    int distance; /* CK_SOFT_*; default CK_SOFT_EUCLIDEAN */
    int max_iter; /* >= 1; default 300 */
    double tol; /* >= 0 and finite: stop when ||C_new - C_old||_F < tol; 0 runs
                                  max_iter iterations; default 0 */
    int n_threads; /* OpenMP threads (< 1 acts as 1); default 1 */
    const volatile int *cancel; /* as in ck_kmeans_params (fits and steps alike) */
    ck_iter_callback callback; /* as in ck_kmeans_params */
    void *callback_data;
    int spherical; /* 0 (default) or 1: soft spherical k-means, a von Mises-Fisher mixture with
                                  shared concentration beta and equal weights. The caller gives
                                  rows of unit norm; r_ij is proportional to exp(beta cos(x_i, c_j)),
                                  i.e. D_ij = 1 - cos = ||x_i - c_j||^2 / 2 whatever distance says
                                  (it must still be a valid code); every centre is scaled to unit
                                  norm after each M-step (a centre whose weighted mean is 0 stays
                                  0); F and the objectives are in units of 1 - cos */
} ck_soft_params;

/* Fill *params with the defaults above. */
void ck_soft_params_init(ck_soft_params *params);

/* The outputs of a soft fit: set the output arrays, call the fit, read the scalars. */
typedef struct {
    double *responsibilities; /* OUT n_samples x n_clusters, or NULL to skip storing them */
    int32_t *labels; /* OUT n_samples nearest centres, or NULL */
    double *objective_history; /* OUT max_iter free energies, one per iteration's E-step, or NULL */
    int n_iter; /* iterations run */
    double objective; /* free energy of the returned centres */
    int converged; /* 1 if the shift fell below tol */
} ck_soft_result;

/* E-step for given centroids and params->betas[0]: responsibilities (OUT, n_samples x n_clusters
 * double, or NULL), labels (OUT, n_samples, or NULL) = argmax_j r_ij = the nearest centre (lowest
 * index on ties), *objective (OUT, or NULL) = the free energy F. */
int ck_soft_estep_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids,
                      double *responsibilities, int32_t *labels, double *objective,
                      const ck_soft_params *params);
int ck_soft_estep_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids,
                      double *responsibilities, int32_t *labels, double *objective,
                      const ck_soft_params *params);
int ck_soft_estep_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids,
                     double *responsibilities, int32_t *labels, double *objective,
                     const ck_soft_params *params);

/* What one soft iteration reports (ck_soft_step). */
typedef struct {
    double objective; /* F of centroids_old */
    double center_shift; /* ||C_new - C_old||_F, in double */
} ck_soft_stats;

/* One fused E+M iteration with params->betas[0]: centroids_new (OUT; may equal centroids_old) from
 * the responsibilities of centroids_old; weight_in_clusters (OUT, n_clusters, or NULL) =
 * sum_i w_i r_ij; stats (OUT, or NULL). */
int ck_soft_step_f32(const ck_data_f32 *data, int64_t n_clusters, const float *centroids_old,
                     float *centroids_new, double *weight_in_clusters, ck_soft_stats *stats,
                     const ck_soft_params *params);
int ck_soft_step_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids_old,
                     double *centroids_new, double *weight_in_clusters, ck_soft_stats *stats,
                     const ck_soft_params *params);
int ck_soft_step_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids_old,
                    double *centroids_new, double *weight_in_clusters, ck_soft_stats *stats,
                    const ck_soft_params *params);

/* The partials of one soft iteration over a block of the rows of a larger fit (a fit over the blocks
 * of a distributed array), with params->betas[0]: the E-step and sums of ck_soft_step, the same
 * operations in the same order, but no M-step. centroids (IN, n_clusters x n_features) are double
 * for every dtype, as a soft fit holds them between iterations. sums (OUT, n_clusters x n_features)
 * = sum_i w_i r_ij x_i, weight_in_clusters (OUT, n_clusters) = sum_i w_i r_ij, *objective (OUT) the
 * block's free energy. Summed over the blocks in a fixed order, they give a result that depends on
 * the blocks only; the M-step is then sums / weights (the previous centre where a weight is 0). With
 * params->spherical the responsibilities and free energy are the spherical ones (unit rows and
 * centres are the caller's; it rescales the new centres to unit norm). */
int ck_soft_partial_f32(const ck_data_f32 *data, int64_t n_clusters, const double *centroids, double *sums,
                        double *weight_in_clusters, double *objective, const ck_soft_params *params);
int ck_soft_partial_f64(const ck_data_f64 *data, int64_t n_clusters, const double *centroids, double *sums,
                        double *weight_in_clusters, double *objective, const ck_soft_params *params);
int ck_soft_partial_u8(const ck_data_u8 *data, int64_t n_clusters, const double *centroids, double *sums,
                       double *weight_in_clusters, double *objective, const ck_soft_params *params);

/* A whole soft k-means fit. centroids: IN the initial centres, OUT the final ones. Runs up to
 * params->max_iter iterations, the t-th with its beta, and stops early as soon as
 * ||C_new - C_old||_F < tol (converged = 1). Then one more E-step with the last beta used gives the
 * responsibilities, labels and objective of the returned centres. On CK_ERR_CANCELLED centroids hold
 * the centres after the last finished iteration and n_iter counts those iterations; the other
 * outputs are not final. */
int ck_soft_kmeans_fit_f32(const ck_data_f32 *data, int64_t n_clusters, float *centroids,
                           const ck_soft_params *params, ck_soft_result *result);
int ck_soft_kmeans_fit_f64(const ck_data_f64 *data, int64_t n_clusters, double *centroids,
                           const ck_soft_params *params, ck_soft_result *result);
int ck_soft_kmeans_fit_u8(const ck_data_u8 *data, int64_t n_clusters, double *centroids,
                          const ck_soft_params *params, ck_soft_result *result);
/* ---- end soft k-means ---- */

/* ---- soft k-means on sparse rows (src_c/soft_sparse_tpl.h, instantiated by soft_kmeans.c) ------
 * X as CSR (ck_csr_f32 / ck_csr_f64, with the layout rules of the hard sparse kernels above: any
 * column order, stored zeros allowed, each column at most once per row, structure checked by the
 * caller); centroids dense, float for _csr_f32 and double for _csr_f64. The model, parameters
 * (spherical included), results, stopping rule, callback and cancellation are those of the dense
 * soft k-means above, and so is every E-step's arithmetic after the distances. Unlike the dense
 * kernels, squared distances always use the expansion ||x||^2 + ||c||^2 - 2 x.c in double, clamped
 * at 0, with ||x||^2 computed once per call and x.c over the row's stored values: no recomputation
 * by differences, so a pair whose expansion cancels (x close to c, both far from the origin) is
 * within about d eps (||x||^2 + ||c||^2) of its distance. One iteration is two passes: over the rows
 * (distances, responsibilities, their weighted copies w_i r_ij kept for the M-step), then over the
 * columns of a transposed copy of X made once per fit (each centre coordinate
 * sum_i w_i r_ij x_if / sum_i w_i r_ij, its rows in row order): no per-thread sums to merge, so
 * results are bit-identical for any n_threads. With AVX2/FMA (chosen at run time, CKMEANS_NO_SIMD=1
 * to refuse) the last bits may differ from the portable path. Extra memory of a fit: the transposed
 * copy (nnz values in double and nnz 8-byte offsets, n_features + 1 column starts), the centres
 * twice in double and once transposed (3 n_clusters x n_features doubles), n_samples x n_clusters
 * weighted responsibilities, O(n_samples) norms, and per thread the longest row's values plus
 * 128 x n_clusters distances -- never an n_clusters x n_features buffer per thread. Status: as the
 * dense soft calls, plus CK_ERR_KMEANS_NONFINITE for a NaN or infinite value. */

/* E-step for given centroids and params->betas[0], as ck_soft_estep_*. */
int ck_soft_estep_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const float *centroids,
                          double *responsibilities, int32_t *labels, double *objective,
                          const ck_soft_params *params);
int ck_soft_estep_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids,
                          double *responsibilities, int32_t *labels, double *objective,
                          const ck_soft_params *params);

/* The partials of one soft iteration over a block of the rows of a larger fit, as ck_soft_partial_*
 * (params->betas[0], distance and spherical honoured as by the fit): the E-step and the sums of the
 * fit's iteration, the same operations in the same order, but no M-step, so sums / weights are the
 * bits of a one-iteration fit's centres. centroids (IN, n_clusters x n_features) double for both
 * value types. sums (OUT, n_clusters x n_features) = sum_i w_i r_ij x_i, weight_in_clusters (OUT,
 * n_clusters) = sum_i w_i r_ij, *objective (OUT) the block's free energy. Extra memory: a fit's
 * (the block's transposed copy and n_samples x n_clusters weighted responsibilities included). */
int ck_soft_partial_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, const double *centroids, double *sums,
                            double *weight_in_clusters, double *objective, const ck_soft_params *params);
int ck_soft_partial_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, const double *centroids, double *sums,
                            double *weight_in_clusters, double *objective, const ck_soft_params *params);

/* A whole soft k-means fit, as ck_soft_kmeans_fit_*. */
int ck_soft_kmeans_fit_csr_f32(const ck_csr_f32 *data, int64_t n_clusters, float *centroids,
                               const ck_soft_params *params, ck_soft_result *result);
int ck_soft_kmeans_fit_csr_f64(const ck_csr_f64 *data, int64_t n_clusters, double *centroids,
                               const ck_soft_params *params, ck_soft_result *result);
/* ---- end sparse soft k-means ---- */

#ifdef __cplusplus
}
#endif
#endif /* CKMEANS_H */
