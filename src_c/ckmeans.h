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
    CK_ERR_IDX_DIM_RANGE = 17   /* a dimension to write is negative or above 2^32 - 1 */
};

/* Static English description of a status code (never NULL). */
const char *ck_strerror(int status);

/* 1 if this library was compiled with OpenMP, else 0. */
int ck_openmp_enabled(void);

/* Threads OpenMP would use for a parallel region right now (1 without OpenMP). */
int ck_max_threads(void);

/* ---- IDX (MNIST) file format -------------------------------------------------------------------
 * An IDX file is: two zero bytes, a type-code byte, an ndim byte (1..255), ndim big-endian unsigned
 * 32-bit dimensions, then prod(dims) big-endian elements in row-major order. A dimension of 0 is
 * legal and means an empty array (payload of 0 bytes); the file must then end right after the
 * header. Nothing here allocates memory or reads past the lengths it is given. */
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
 * dimension bytes present (CK_ERR_IDX_TRUNCATED_HEADER), prod(dims) * elem_size <= INT64_MAX
 * (CK_ERR_IDX_OVERFLOW), and when total_len >= 0, total_len - header_bytes equal to
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

#ifdef __cplusplus
}
#endif
#endif /* CKMEANS_H */
