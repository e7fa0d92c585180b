# Boundary to src_c/idx.c: IDX header parsing and big-endian <-> native conversion.
# Validation of sources, dtypes and messages lives in ckmeans/idx.py.
from libc.stdint cimport int64_t, uint8_t

from ckmeans._ckmeans cimport (CK_ERR_IDX_LONG_PAYLOAD, CK_ERR_IDX_MAGIC, CK_ERR_IDX_NDIM,
                               CK_ERR_IDX_OVERFLOW, CK_ERR_IDX_SHORT_PAYLOAD, CK_ERR_IDX_TRUNCATED_HEADER,
                               CK_ERR_IDX_TYPE, CK_IDX_MAX_HEADER_BYTES, CK_IDX_MAX_NDIM, ck_idx_decode,
                               ck_idx_elem_size, ck_idx_encode, ck_idx_encode_header, ck_idx_header,
                               ck_idx_parse_header, ck_strerror)

MAX_NDIM = CK_IDX_MAX_NDIM
MAX_HEADER_BYTES = CK_IDX_MAX_HEADER_BYTES
TRUNCATED_HEADER = CK_ERR_IDX_TRUNCATED_HEADER
MAGIC = CK_ERR_IDX_MAGIC
TYPE = CK_ERR_IDX_TYPE
NDIM = CK_ERR_IDX_NDIM
OVERFLOW = CK_ERR_IDX_OVERFLOW
SHORT_PAYLOAD = CK_ERR_IDX_SHORT_PAYLOAD
LONG_PAYLOAD = CK_ERR_IDX_LONG_PAYLOAD


def strerror(int status):
    """English message of a C status code."""
    return ck_strerror(status).decode("ascii")


def parse_header(const uint8_t[::1] buf, int64_t total_len):
    """Parse an IDX header.

    Returns ``(status, message, type_code, dims, header_bytes, payload_bytes)``; ``status`` is 0 on
    success, else a CK_ERR_IDX_* code with its ``message``, the other fields filled as far as
    parsing got so the caller can describe the problem.
    """
    cdef ck_idx_header h
    cdef int status
    cdef const uint8_t *p = &buf[0] if buf.shape[0] > 0 else NULL
    status = ck_idx_parse_header(p, buf.shape[0], total_len, &h)
    dims = tuple(h.dims[i] for i in range(h.ndim))
    return (status, strerror(status), h.type_code, dims, h.header_bytes,
            h.payload_bytes)


def encode_header(int type_code, dims):
    """IDX header bytes for ``type_code`` and ``dims``; ValueError if the C encoder refuses them."""
    cdef int64_t cdims[CK_IDX_MAX_NDIM]
    cdef uint8_t out[CK_IDX_MAX_HEADER_BYTES]
    cdef int ndim = len(dims)
    if ndim < 1 or ndim > CK_IDX_MAX_NDIM:
        raise ValueError(strerror(CK_ERR_IDX_NDIM))
    for i in range(ndim):
        cdims[i] = dims[i]
    status = ck_idx_encode_header(type_code, ndim, cdims, out)
    if status != 0:
        raise ValueError(strerror(status))
    return bytes(out[:4 + 4 * ndim])


cdef _check(int status):
    if status != 0:
        raise ValueError(strerror(status))


cdef _check_sizes(Py_ssize_t src_len, Py_ssize_t dst_len, int type_code, int64_t n_elems):
    # A memory-safety guard for this private boundary, not user validation (idx.py does that).
    cdef int64_t size = ck_idx_elem_size(type_code)
    if size == 0 or n_elems < 0 or n_elems > src_len // size or n_elems > dst_len // size:
        raise ValueError(f"buffers of {src_len} and {dst_len} bytes cannot hold {n_elems} "
                         f"elements of IDX type 0x{type_code:02X}")


def decode(const uint8_t[::1] payload, int type_code, int64_t n_elems, uint8_t[::1] out,
           int n_threads):
    """Big-endian payload -> native bytes in ``out`` (may be the same buffer as ``payload``)."""
    cdef int status
    _check_sizes(payload.shape[0], out.shape[0], type_code, n_elems)
    if n_elems == 0:
        return
    with nogil:
        status = ck_idx_decode(&payload[0], type_code, n_elems, &out[0], n_threads)
    _check(status)


def encode(const uint8_t[::1] native, int type_code, int64_t n_elems, uint8_t[::1] payload,
           int n_threads):
    """Native bytes -> big-endian payload bytes (the reverse of :func:`decode`)."""
    cdef int status
    _check_sizes(native.shape[0], payload.shape[0], type_code, n_elems)
    if n_elems == 0:
        return
    with nogil:
        status = ck_idx_encode(&native[0], type_code, n_elems, &payload[0], n_threads)
    _check(status)
