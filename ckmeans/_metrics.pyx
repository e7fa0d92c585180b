# Boundary to src_c/metrics.c. Callers (ckmeans/metrics.py) pass validated, contiguous arrays.
from libc.stdint cimport int32_t, int64_t

from ckmeans._ckmeans cimport CK_ERR_NOMEM, CK_OK, ck_contingency, ck_soft_contingency, ck_strerror


cdef int _raise(int status, name) except -1:
    if status == CK_ERR_NOMEM:
        raise MemoryError(ck_strerror(status).decode("ascii"))
    if status != CK_OK:
        raise ValueError(f"{name}: {ck_strerror(status).decode('ascii')}")
    return 0


def contingency(const int32_t[::1] row_codes,  # IN  (n_samples,) codes in [0, n_rows)
                const int32_t[::1] col_codes,  # IN  (n_samples,) codes in [0, n_cols)
                const double[::1] weights,     # IN  (n_samples,) or None for counts
                double[:, ::1] out,            # OUT (n_rows, n_cols), overwritten
                int n_threads):
    cdef int64_t n_samples = row_codes.shape[0]
    cdef int64_t n_rows = out.shape[0], n_cols = out.shape[1]
    cdef const int32_t *rows = &row_codes[0] if n_samples > 0 else NULL
    cdef const int32_t *cols = &col_codes[0] if n_samples > 0 else NULL
    cdef const double *w = &weights[0] if weights is not None and n_samples > 0 else NULL
    cdef int status
    if col_codes.shape[0] != n_samples or (weights is not None and weights.shape[0] != n_samples):
        raise ValueError("row_codes, col_codes and weights must have the same length")
    with nogil:
        status = ck_contingency(rows, cols, n_samples, n_rows, n_cols, w, &out[0, 0], n_threads)
    _raise(status, "ck_contingency")


def soft_contingency(const int32_t[::1] row_codes,  # IN  (n_samples,) codes in [0, n_rows)
                     const double[:, ::1] resp,     # IN  (n_samples, n_cols) responsibilities
                     const double[::1] weights,     # IN  (n_samples,) or None
                     double[:, ::1] out,            # OUT (n_rows, n_cols), overwritten
                     int n_threads):
    cdef int64_t n_samples = row_codes.shape[0]
    cdef int64_t n_rows = out.shape[0], n_cols = out.shape[1]
    cdef const int32_t *rows = &row_codes[0] if n_samples > 0 else NULL
    cdef const double *r = &resp[0, 0] if n_samples > 0 else NULL
    cdef const double *w = &weights[0] if weights is not None and n_samples > 0 else NULL
    cdef int status
    if (resp.shape[0] != n_samples or resp.shape[1] != n_cols
            or (weights is not None and weights.shape[0] != n_samples)):
        raise ValueError("row_codes, resp, weights and out must agree in shape")
    with nogil:
        status = ck_soft_contingency(rows, r, n_samples, n_rows, n_cols, w, &out[0, 0], n_threads)
    _raise(status, "ck_soft_contingency")
