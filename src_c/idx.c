/* IDX (MNIST) format: header validation and big-endian <-> native payload conversion.
 *
 * Layout: 2 zero bytes, 1 type-code byte, 1 byte ndim, ndim big-endian uint32 dimensions, then the
 * product of the dimensions elements, each big-endian. Contracts are documented in ckmeans.h. */
#include <string.h>

#include "ck_omp.h"
#include "ckmeans.h"

/* Elements per chunk of the conversion loop. Chunks are a fixed size (never derived from the thread
 * count) so the work split is reproducible; 64 Ki elements = 256 KiB of float32, large enough that a
 * thread's start-up cost is amortised and small enough to balance across threads. */
#define CK_IDX_CHUNK ((int64_t)1 << 16)

int ck_idx_elem_size(int type_code)
{
    switch (type_code) {
    case CK_IDX_UINT8:
    case CK_IDX_INT8: return 1;
    case CK_IDX_INT16: return 2;
    case CK_IDX_INT32:
    case CK_IDX_FLOAT32: return 4;
    case CK_IDX_FLOAT64: return 8;
    default: return 0;
    }
}

static uint32_t load_be32(const uint8_t *p)
{ return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3]; }

int ck_idx_parse_header(const uint8_t *buf, int64_t buf_len, int64_t total_len, ck_idx_header *out)
{
    memset(out, 0, sizeof *out);
    if (buf == NULL && buf_len > 0) return CK_ERR_ARG;
    if (buf_len < 4) return CK_ERR_IDX_TRUNCATED_HEADER;
    if (buf[0] != 0 || buf[1] != 0) return CK_ERR_IDX_MAGIC;
    out->type_code = buf[2];
    out->elem_size = ck_idx_elem_size(buf[2]);
    if (out->elem_size == 0) return CK_ERR_IDX_TYPE;
    out->ndim = buf[3];
    if (out->ndim == 0) return CK_ERR_IDX_NDIM;
    out->header_bytes = 4 + 4 * (int64_t)out->ndim;
    if (buf_len < out->header_bytes || (total_len >= 0 && total_len < out->header_bytes))
        return CK_ERR_IDX_TRUNCATED_HEADER;

    /* The product of the non-zero dimensions, times elem_size, must fit in int64 even when another
     * dimension is 0 and the array is empty: NumPy refuses such a shape too, and a bound that holds
     * for every header keeps the rule simple. Bounding by INT64_MAX / elem_size makes
     * n_elems * elem_size (the allocation size) fit as well. */
    for (int i = 0; i < out->ndim; i++) out->dims[i] = (int64_t)load_be32(buf + 4 + 4 * i);
    const int64_t limit = INT64_MAX / out->elem_size;
    int64_t nonzero_product = 1;
    int has_zero = 0;
    for (int i = 0; i < out->ndim; i++) {
        const int64_t d = out->dims[i];
        if (d == 0) {
            has_zero = 1;
        } else if (nonzero_product > limit / d) {
            return CK_ERR_IDX_OVERFLOW;
        } else {
            nonzero_product *= d;
        }
    }
    const int64_t n_elems = has_zero ? 0 : nonzero_product;
    out->n_elems = n_elems;
    out->payload_bytes = n_elems * out->elem_size;
    if (total_len >= 0) {
        const int64_t available = total_len - out->header_bytes;
        if (available < out->payload_bytes) return CK_ERR_IDX_SHORT_PAYLOAD;
        if (available > out->payload_bytes) return CK_ERR_IDX_LONG_PAYLOAD;
    }
    return CK_OK;
}

int ck_idx_encode_header(int type_code, int ndim, const int64_t *dims, uint8_t *out)
{
    if (ck_idx_elem_size(type_code) == 0) return CK_ERR_IDX_TYPE;
    if (ndim < 1 || ndim > 255) return CK_ERR_IDX_NDIM;
    for (int i = 0; i < ndim; i++)
        if (dims[i] < 0 || dims[i] > (int64_t)UINT32_MAX) return CK_ERR_IDX_DIM_RANGE;
    out[0] = 0;
    out[1] = 0;
    out[2] = (uint8_t)type_code;
    out[3] = (uint8_t)ndim;
    for (int i = 0; i < ndim; i++) {
        const uint32_t d = (uint32_t)dims[i];
        uint8_t *p = out + 4 + 4 * i;
        p[0] = (uint8_t)(d >> 24);
        p[1] = (uint8_t)(d >> 16);
        p[2] = (uint8_t)(d >> 8);
        p[3] = (uint8_t)d;
    }
    return CK_OK;
}

static int host_is_big_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 0;
}

#if defined(__GNUC__) || defined(__clang__)
#define CK_BSWAP16(x) __builtin_bswap16(x)
#define CK_BSWAP32(x) __builtin_bswap32(x)
#define CK_BSWAP64(x) __builtin_bswap64(x)
#else
#define CK_BSWAP16(x) ((uint16_t)(((x) >> 8) | ((x) << 8)))
#define CK_BSWAP32(x)                                                                                        \
    ((((x) & 0xFF000000u) >> 24) | (((x) & 0x00FF0000u) >> 8) | (((x) & 0x0000FF00u) << 8) |                 \
     (((x) & 0x000000FFu) << 24))
#define CK_BSWAP64(x) (((uint64_t)CK_BSWAP32((uint32_t)(x)) << 32) | CK_BSWAP32((uint32_t)((x) >> 32)))
#endif

/* Reverse the bytes of each of n elements of `size` bytes. memcpy loads/stores keep this free of
 * alignment and strict-aliasing assumptions (payloads start at odd header offsets); compilers turn
 * them into plain loads. src == dst is allowed because each element is read before it is written. */
static void swap_range(const uint8_t *src, uint8_t *dst, int64_t n, int size)
{
    switch (size) {
    case 2:
        for (int64_t i = 0; i < n; i++) {
            uint16_t v;
            memcpy(&v, src + 2 * i, 2);
            v = CK_BSWAP16(v);
            memcpy(dst + 2 * i, &v, 2);
        }
        break;
    case 4:
        for (int64_t i = 0; i < n; i++) {
            uint32_t v;
            memcpy(&v, src + 4 * i, 4);
            v = CK_BSWAP32(v);
            memcpy(dst + 4 * i, &v, 4);
        }
        break;
    case 8:
        for (int64_t i = 0; i < n; i++) {
            uint64_t v;
            memcpy(&v, src + 8 * i, 8);
            v = CK_BSWAP64(v);
            memcpy(dst + 8 * i, &v, 8);
        }
        break;
    default:
        if (src != dst) memmove(dst, src, (size_t)n);
        break;
    }
}

/* Big-endian <-> native is the same permutation in both directions, so decode and encode share it. */
static int convert(const uint8_t *src, int type_code, int64_t n_elems, uint8_t *dst, int n_threads)
{
    const int size = ck_idx_elem_size(type_code);
    if (size == 0) return CK_ERR_IDX_TYPE;
    if (n_elems < 0 || (n_elems > 0 && (src == NULL || dst == NULL))) return CK_ERR_ARG;
    if (n_elems == 0) return CK_OK;
    if (size == 1 || host_is_big_endian()) {
        if (src != dst) memmove(dst, src, (size_t)(n_elems * size));
        return CK_OK;
    }
    const int64_t n_chunks = (n_elems + CK_IDX_CHUNK - 1) / CK_IDX_CHUNK;
    int64_t c;
#pragma omp parallel for schedule(static) num_threads(ck_omp_team(n_threads, n_chunks))
    for (c = 0; c < n_chunks; c++) {
        const int64_t begin = c * CK_IDX_CHUNK;
        const int64_t n = (n_elems - begin < CK_IDX_CHUNK) ? n_elems - begin : CK_IDX_CHUNK;
        swap_range(src + begin * size, dst + begin * size, n, size);
    }
    return CK_OK;
}

int ck_idx_decode(const uint8_t *payload, int type_code, int64_t n_elems, void *out, int n_threads)
{ return convert(payload, type_code, n_elems, (uint8_t *)out, n_threads); }

int ck_idx_encode(const void *in, int type_code, int64_t n_elems, uint8_t *payload, int n_threads)
{ return convert((const uint8_t *)in, type_code, n_elems, payload, n_threads); }
