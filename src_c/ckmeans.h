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

/* ---- status codes -------------------------------------------------------------------------- */
enum {
    CK_OK = 0,
    CK_ERR_NOMEM = 1,       /* an internal allocation failed */
    CK_ERR_ARG = 2,         /* an argument is out of its documented range */
    /* IDX format errors (10..29) */
    CK_ERR_IDX_TRUNCATED_HEADER = 10,
    CK_ERR_IDX_MAGIC = 11,
    CK_ERR_IDX_TYPE = 12,
    CK_ERR_IDX_NDIM = 13,
    CK_ERR_IDX_OVERFLOW = 14,
    CK_ERR_IDX_SHORT_PAYLOAD = 15,
    CK_ERR_IDX_LONG_PAYLOAD = 16,
    CK_ERR_IDX_DIM_RANGE = 17,  /* a dimension to write is negative or above 2^32 - 1 */
    /* metrics errors (50..59) */
    CK_ERR_LABEL_RANGE = 50, /* a label code is outside [0, n_rows) or [0, n_cols) */
    /* k-means errors (60..69) */
    CK_ERR_KMEANS_LABEL = 60,   /* a label is outside [0, n_clusters) */
    CK_ERR_KMEANS_NONFINITE = 61, /* X holds a NaN or an infinity (found by a fit, step or k-means++) */
    /* soft k-means errors (70..79) */
    CK_ERR_SOFT_BETA = 70,      /* a stiffness beta is not a finite number > 0 */
    CK_ERR_SOFT_DISTANCE = 71   /* the distance code is not CK_SOFT_EUCLIDEAN or CK_SOFT_SQEUCLIDEAN */
};

/* Static English description of a status code (never NULL). */
const char *ck_strerror(int status);

/* 1 if this library was compiled with OpenMP, else 0. */
int ck_openmp_enabled(void);

/* Threads OpenMP would use for a parallel region right now (1 without OpenMP). */
int ck_max_threads(void);

/* Kernel families whose instruction set is picked at run time (see ck_kernel_isa). */
enum {
    CK_KERNEL_KMEANS = 0,       /* hard k-means: nearest-centre search, centroid sums, bounded fits */
    CK_KERNEL_KMEANS_UINT8 = 1, /* hard k-means' screen of uint8 rows (integer dot products with VNNI) */
    CK_KERNEL_SOFT = 2,         /* soft k-means E and M steps */
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
    int type_code;          /* one of CK_IDX_* */
    int elem_size;          /* bytes per element: 1, 2, 4 or 8 */
    int ndim;               /* 1..255 */
    int64_t dims[CK_IDX_MAX_NDIM]; /* dims[0..ndim-1], each 0..2^32-1 */
    int64_t n_elems;        /* product of the dimensions (0 if any is 0) */
    int64_t header_bytes;   /* 4 + 4 * ndim: offset of the payload in the file */
    int64_t payload_bytes;  /* n_elems * elem_size; always <= INT64_MAX */
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
int ck_contingency(const int32_t *row_codes, const int32_t *col_codes, int64_t n_samples,
                   int64_t n_rows, int64_t n_cols, const double *weights, double *out,
                   int n_threads);

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
 * X is n_samples x n_features row-major; centroids n_clusters x n_features row-major. Sums, weights,
 * inertias and squared distances are always double. sample_weight (n_samples doubles, >= 0) may be
 * NULL for unit weights. Units: squared distances, inertias, tol_abs and mean variances are in X's
 * units squared (times the weights for sums). Labels are int32_t in [0, n_clusters). Sizes are
 * int64_t and every index expression is computed in int64_t, so n_samples * n_features may exceed 2^31.
 * Nearest-centroid ties go to the lowest centroid index. Results are bit-identical for any
 * n_threads. The assignment step uses AVX2/FMA when the CPU has it (chosen at run time, or never
 * with the environment variable CKMEANS_NO_SIMD=1); that may change a label only where two
 * centroids are equally near up to rounding. Status: CK_OK, CK_ERR_ARG (sizes out of range),
 * CK_ERR_NOMEM, CK_ERR_KMEANS_LABEL (a label given as input is out of range). */

/* Nearest centroid of every row: labels[i] (OUT) and, if sqdist is not NULL, sqdist[i] (OUT) =
 * ||x_i - c_label||^2 computed by differences (never negative). */
int ck_assign_f32(const float *X, int64_t n_samples, int64_t n_features, const float *centroids,
                  int64_t n_clusters, int32_t *labels, double *sqdist, int n_threads);
int ck_assign_f64(const double *X, int64_t n_samples, int64_t n_features, const double *centroids,
                  int64_t n_clusters, int32_t *labels, double *sqdist, int n_threads);
int ck_assign_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *centroids,
                 int64_t n_clusters, int32_t *labels, double *sqdist, int n_threads);

/* *inertia (OUT) = sum_i w_i ||x_i - c_{labels[i]}||^2 for the given labels. */
int ck_inertia_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                   const float *centroids, int64_t n_clusters, const int32_t *labels, int n_threads,
                   double *inertia);
int ck_inertia_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                   const double *centroids, int64_t n_clusters, const int32_t *labels, int n_threads,
                   double *inertia);
int ck_inertia_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                  const double *centroids, int64_t n_clusters, const int32_t *labels, int n_threads,
                  double *inertia);

/* Weighted centroid update for given labels: centroids[j] (OUT) = weighted mean of the rows labelled
 * j; rows of empty clusters are left as they were (IN/OUT). weight_in_clusters (OUT, n_clusters). */
int ck_centroids_update_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                            const int32_t *labels, int64_t n_clusters, float *centroids,
                            double *weight_in_clusters, int n_threads);
int ck_centroids_update_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                            const int32_t *labels, int64_t n_clusters, double *centroids,
                            double *weight_in_clusters, int n_threads);
int ck_centroids_update_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           const int32_t *labels, int64_t n_clusters, double *centroids,
                           double *weight_in_clusters, int n_threads);

/* One Lloyd iteration (scikit-learn's lloyd_iter): assign every row to centroids_old, then
 * centroids_new (OUT; may equal centroids_old) = weighted means, empty clusters relocated to the
 * farthest points. labels: IN the previous labels (-1 for none), OUT the new ones; *n_changed (OUT)
 * counts the differences. *inertia (OUT) = sum_i w_i ||x_i - c_old||^2 of the new labels (from
 * ||x||^2 - 2 x.c + ||c||^2, clamped at 0; for _u8 with AVX2 the x.c behind it are the screening
 * values, so it is float32-accurate like _f32); *center_shift (OUT) = sum ||c_new - c_old||^2.
 * uint8 X with AVX2: nearest centroids are screened (exact integer dot products with AVX512-VNNI,
 * float32 otherwise) and rows whose two best scores are within the screen's worst-case error bound
 * are redone in float64, so labels equal the _f64 ones. CK_ERR_KMEANS_NONFINITE if float X holds a NaN
 * or an infinity (seen in the row norms the step computes anyway; the outputs are then meaningless). */
int ck_lloyd_step_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                      const float *centroids_old, int64_t n_clusters, float *centroids_new, int32_t *labels,
                      int n_threads, int64_t *n_changed, double *inertia, double *center_shift);
int ck_lloyd_step_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                      const double *centroids_old, int64_t n_clusters, double *centroids_new, int32_t *labels,
                      int n_threads, int64_t *n_changed, double *inertia, double *center_shift);
int ck_lloyd_step_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                     const double *centroids_old, int64_t n_clusters, double *centroids_new, int32_t *labels,
                     int n_threads, int64_t *n_changed, double *inertia, double *center_shift);

/* A whole Lloyd fit with scikit-learn's stopping rules. centroids: IN the initial centres, OUT the
 * final ones; labels (OUT) belong to the final centres. Stops after max_iter (>= 1) iterations,
 * when labels no longer change (*converged = 1), or when sum ||c_new - c_old||^2 <= tol_abs
 * (absolute: Python passes tol x mean feature variance; *converged = 1). *n_iter (OUT) iterations
 * run; *inertia (OUT) the final inertia by differences; inertia_history (OUT, max_iter doubles, or
 * NULL) the inertia of each iteration's assignment. 1 <= n_clusters <= n_samples.
 * CK_ERR_KMEANS_NONFINITE if float X holds a NaN or an infinity (seen in the row norms the first
 * iteration computes anyway, so finite X costs no pass of its own; the outputs are then meaningless). */
int ck_kmeans_fit_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                      int64_t n_clusters, float *centroids, int32_t *labels, int max_iter, double tol_abs,
                      int n_threads, int *n_iter, double *inertia, double *inertia_history, int *converged);
int ck_kmeans_fit_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                      int64_t n_clusters, double *centroids, int32_t *labels, int max_iter, double tol_abs,
                      int n_threads, int *n_iter, double *inertia, double *inertia_history, int *converged);
int ck_kmeans_fit_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                     int64_t n_clusters, double *centroids, int32_t *labels, int max_iter, double tol_abs,
                     int n_threads, int *n_iter, double *inertia, double *inertia_history, int *converged);

/* The same fit as ck_kmeans_fit, accelerated for many clusters by Yinyang bounds (Ding et al. 2015):
 * the centres are split once into n_groups groups (a few Lloyd iterations on the initial centres),
 * every row keeps an upper bound on its distance to its centre and a lower bound per group, and
 * only rows whose label might change are searched. EXACT: same arguments, same results as
 * ck_kmeans_fit with the same initial centres -- the same labels (Lloyd's computed ones, ties
 * included: the bounds carry a worst-case floating-point margin and near ties go through Lloyd's own
 * search), bit-identical centroids, the same *n_iter, *converged and final *inertia.
 * inertia_history differs in rounding only (each row's squared distance is taken by differences
 * instead of from ||x||^2 - 2 x.c + ||c||^2).
 *   n_groups          IN   >= 0; 0 = the default, ceil(n_clusters / 4) capped at 64; 1 gives
 *                          Hamerly-like single bounds; values above n_clusters are treated as n_clusters
 *   searched_history  OUT  max_iter int64 counts of the rows searched in each iteration (the first
 *                          iteration searches all), or NULL
 * Extra memory: 4 x (n_groups + 1) bytes per sample (float32 bounds) plus
 * O(n_clusters x n_features) and per thread O(n_features + n_groups) x 128 rows of scratch. */
int ck_kmeans_fit_yinyang_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                              int64_t n_clusters, float *centroids, int32_t *labels, int max_iter,
                              double tol_abs, int64_t n_groups, int n_threads, int *n_iter, double *inertia,
                              double *inertia_history, int64_t *searched_history, int *converged);
int ck_kmeans_fit_yinyang_f64(const double *X, int64_t n_samples, int64_t n_features,
                              const double *sample_weight, int64_t n_clusters, double *centroids,
                              int32_t *labels, int max_iter, double tol_abs, int64_t n_groups, int n_threads,
                              int *n_iter, double *inertia, double *inertia_history, int64_t *searched_history,
                              int *converged);
int ck_kmeans_fit_yinyang_u8(const uint8_t *X, int64_t n_samples, int64_t n_features,
                             const double *sample_weight, int64_t n_clusters, double *centroids,
                             int32_t *labels, int max_iter, double tol_abs, int64_t n_groups, int n_threads,
                             int *n_iter, double *inertia, double *inertia_history, int64_t *searched_history,
                             int *converged);

/* The same fit again (same arguments and results as ck_kmeans_fit, bit for bit), by whichever exact
 * method is expected to be fastest; what ckmeans.kmeans(algorithm='auto') runs. With
 * n_clusters >= 64 and max_iter >= 20: ck_kmeans_fit_yinyang with its default groups. With fewer
 * clusters, max_iter >= 20, no sample_weight and float X: single (Hamerly) bounds, kept only if the
 * first iteration finds that no column sum can round (all values integer multiples of one power of
 * two 2^q, and sum |x| per column below 2^(q+51): integer-valued data such as pixels, raw or scaled
 * by a power of two): then the clusters' sums are updated by the rows that change cluster only, and
 * rows whose bounds settle them are not read at all; otherwise Lloyd from the second iteration on.
 * Anything else: Lloyd. inertia_history as the method that ran it (see ck_kmeans_fit_yinyang). */
int ck_kmeans_fit_auto_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           int64_t n_clusters, float *centroids, int32_t *labels, int max_iter, double tol_abs,
                           int n_threads, int *n_iter, double *inertia, double *inertia_history, int *converged);
int ck_kmeans_fit_auto_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           int64_t n_clusters, double *centroids, int32_t *labels, int max_iter, double tol_abs,
                           int n_threads, int *n_iter, double *inertia, double *inertia_history, int *converged);
int ck_kmeans_fit_auto_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                          int64_t n_clusters, double *centroids, int32_t *labels, int max_iter, double tol_abs,
                          int n_threads, int *n_iter, double *inertia, double *inertia_history, int *converged);

/* Greedy k-means++ (scikit-learn's variant): the first centre drawn proportional to the weights,
 * each next one the best, by potential, of n_local_trials (<= 0: 2 + floor(ln k)) rows drawn
 * proportional to w x D^2. centroids (OUT) n_clusters x n_features; indices (OUT, or NULL) the rows
 * chosen. seed: the whole stream (xoshiro256** seeded by splitmix64) -- same seed, same centres, for
 * any n_threads. CK_ERR_KMEANS_NONFINITE if float X holds a NaN or an infinity. */
int ck_kmeans_plusplus_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           int64_t n_clusters, uint64_t seed, int n_local_trials, float *centroids,
                           int64_t *indices, int n_threads);
int ck_kmeans_plusplus_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           int64_t n_clusters, uint64_t seed, int n_local_trials, double *centroids,
                           int64_t *indices, int n_threads);
int ck_kmeans_plusplus_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                          int64_t n_clusters, uint64_t seed, int n_local_trials, double *centroids,
                          int64_t *indices, int n_threads);

/* n_clusters distinct rows as centres: uniform without weights; with weights, successive draws
 * proportional to the weights of the rows left (CK_ERR_ARG if fewer than n_clusters are > 0). */
int ck_kmeans_random_init_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                              int64_t n_clusters, uint64_t seed, float *centroids, int64_t *indices);
int ck_kmeans_random_init_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                              int64_t n_clusters, uint64_t seed, double *centroids, int64_t *indices);
int ck_kmeans_random_init_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                             int64_t n_clusters, uint64_t seed, double *centroids, int64_t *indices);
/* *mean_variance (OUT) = mean over features of the (population) variance of each column of X, by
 * two passes (mean, then squared deviations) like numpy.var: scikit-learn's scale of tol. */
int ck_mean_feature_variance_f32(const float *X, int64_t n_samples, int64_t n_features, int n_threads,
                                 double *mean_variance);
int ck_mean_feature_variance_f64(const double *X, int64_t n_samples, int64_t n_features, int n_threads,
                                 double *mean_variance);
int ck_mean_feature_variance_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, int n_threads,
                                double *mean_variance);
/* ---- end hard k-means ---- */

/* ---- input validation ---- */
/* *first (OUT) = the index of the first NaN or infinity among x[0..n), or -1 when all are finite
 * (x is any float array, e.g. a C-contiguous X read as n_samples * n_features values). Runs on
 * n_threads; the answer never depends on them. */
int ck_find_nonfinite_f32(const float *x, int64_t n, int n_threads, int64_t *first);
int ck_find_nonfinite_f64(const double *x, int64_t n, int n_threads, int64_t *first);

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
 * Dtypes, layouts and sample_weight as for hard k-means (_f32, _f64, _u8; X never copied to float;
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

/* E-step for given centroids and beta: responsibilities (OUT, n_samples x n_clusters double, or
 * NULL), labels (OUT, n_samples, or NULL) = argmax_j r_ij = the nearest centre (lowest index on ties),
 * *objective (OUT, or NULL) = the free energy F. */
int ck_soft_estep_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                      const float *centroids, int64_t n_clusters, double beta, int distance,
                      double *responsibilities, int32_t *labels, double *objective, int n_threads);
int ck_soft_estep_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                      const double *centroids, int64_t n_clusters, double beta, int distance,
                      double *responsibilities, int32_t *labels, double *objective, int n_threads);
int ck_soft_estep_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                     const double *centroids, int64_t n_clusters, double beta, int distance,
                     double *responsibilities, int32_t *labels, double *objective, int n_threads);

/* One fused E+M iteration: centroids_new (OUT; may equal centroids_old) from the responsibilities of
 * centroids_old; weight_in_clusters (OUT, n_clusters, or NULL) = sum_i w_i r_ij; *objective (OUT, or
 * NULL) = F of centroids_old; *center_shift (OUT, or NULL) = ||C_new - C_old||_F (in double). */
int ck_soft_step_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                     const float *centroids_old, int64_t n_clusters, double beta, int distance,
                     float *centroids_new, double *weight_in_clusters, int n_threads, double *objective,
                     double *center_shift);
int ck_soft_step_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                     const double *centroids_old, int64_t n_clusters, double beta, int distance,
                     double *centroids_new, double *weight_in_clusters, int n_threads, double *objective,
                     double *center_shift);
int ck_soft_step_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                    const double *centroids_old, int64_t n_clusters, double beta, int distance,
                    double *centroids_new, double *weight_in_clusters, int n_threads, double *objective,
                    double *center_shift);

/* A whole soft k-means fit. centroids: IN the initial centres, OUT the final ones. Iteration t
 * (0-based) uses betas[t], or betas[n_betas - 1] once t >= n_betas (a constant beta is n_betas = 1;
 * the betas used must be finite and > 0). Stops after max_iter (>= 1) iterations or as soon as
 * ||C_new - C_old||_F < tol (tol >= 0 and finite; tol = 0 runs max_iter iterations; *converged = 1).
 * Then one more E-step with the last beta used gives responsibilities (OUT, n_samples x n_clusters,
 * or NULL to skip storing them), labels (OUT or NULL) and *objective (OUT, F) of the returned
 * centres. *n_iter (OUT) iterations run; objective_history (OUT, max_iter doubles, or NULL) the F of
 * each iteration's E-step. */
int ck_soft_kmeans_fit_f32(const float *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           int64_t n_clusters, const double *betas, int64_t n_betas, int distance,
                           float *centroids, int max_iter, double tol, int n_threads,
                           double *responsibilities, int32_t *labels, int *n_iter, double *objective,
                           double *objective_history, int *converged);
int ck_soft_kmeans_fit_f64(const double *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                           int64_t n_clusters, const double *betas, int64_t n_betas, int distance,
                           double *centroids, int max_iter, double tol, int n_threads,
                           double *responsibilities, int32_t *labels, int *n_iter, double *objective,
                           double *objective_history, int *converged);
int ck_soft_kmeans_fit_u8(const uint8_t *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                          int64_t n_clusters, const double *betas, int64_t n_betas, int distance,
                          double *centroids, int max_iter, double tol, int n_threads,
                          double *responsibilities, int32_t *labels, int *n_iter, double *objective,
                          double *objective_history, int *converged);
/* ---- end soft k-means ---- */

#ifdef __cplusplus
}
#endif
#endif /* CKMEANS_H */
