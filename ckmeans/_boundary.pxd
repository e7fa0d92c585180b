# What the k-means boundaries (_kmeans_core.pyx, _soft_core.pyx) share, once: the dtype pairs they
# accept, turning a C status into an exception, and pointers to optional arrays. Private.
from libc.stdint cimport uint8_t


cdef extern from "ckmeans.h":
    const char *ck_strerror(int status) nogil


ctypedef fused xtype:
    float
    double
    uint8_t

ctypedef fused ctype:
    float
    double


cdef inline int check_status(int status, str kernel) except -1:
    """0 passes; CK_ERR_NOMEM (1) is a MemoryError; any other status a ValueError naming it."""
    if status == 0:
        return 0
    msg = ck_strerror(status).decode("ascii")
    if status == 1:
        raise MemoryError(f"ckmeans {kernel} kernel: {msg}")
    raise ValueError(f"ckmeans {kernel} kernel: {msg} (status {status})")


cdef inline int pair_error() except -1:
    raise TypeError("centroids must be float32 for float32 X and float64 for float64 or uint8 X")


cdef inline const double *const_ptr_or_null(const double[::1] a):
    # Not a conditional expression: Cython would drop the const of its temporary.
    if a is None:
        return NULL
    return &a[0]


cdef inline double *ptr_or_null(double[::1] a):
    return NULL if a is None else &a[0]
