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
    CK_ERR_IDX_LONG_PAYLOAD = 16
};

/* Static English description of a status code (never NULL). */
const char *ck_strerror(int status);

/* 1 if this library was compiled with OpenMP, else 0. */
int ck_openmp_enabled(void);

/* Threads OpenMP would use for a parallel region right now (1 without OpenMP). */
int ck_max_threads(void);

#ifdef __cplusplus
}
#endif
#endif /* CKMEANS_H */
