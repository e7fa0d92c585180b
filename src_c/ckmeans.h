/* ckmeans public C API.
 *
 * Plain C99/C11, no Python. Conventions used by every function declared here:
 *   - sizes and indices are int64_t; cluster labels are int32_t;
 *   - arrays are C-contiguous (row-major) and allocated by the caller;
 *   - the return value is a status code: CK_OK (0) on success, a CK_ERR_* value otherwise;
 *     ck_strerror() turns it into a static English message;
 *   - n_threads >= 1 is the number of OpenMP threads (values < 1 are treated as 1); results never
 *     depend on it.
 * Build the static library with `make -C src_c` or link the symbols exported by the ckmeans wheel.
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
    /* metrics errors (50..59) */
    CK_ERR_LABEL_RANGE = 50  /* a label code is outside [0, n_rows) or [0, n_cols) */
};

/* Static English description of a status code (never NULL). */
const char *ck_strerror(int status);

/* 1 if this library was compiled with OpenMP, else 0. */
int ck_openmp_enabled(void);

/* Threads OpenMP would use for a parallel region right now (1 without OpenMP). */
int ck_max_threads(void);

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

#ifdef __cplusplus
}
#endif
#endif /* CKMEANS_H */
