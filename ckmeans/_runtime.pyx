# Boundary to src_c/runtime.c: facts about the compiled core.

cdef extern from "ckmeans.h":
    int ck_openmp_enabled() nogil
    int ck_max_threads() nogil
    const char *ck_strerror(int status) nogil


def openmp_enabled():
    """True if the C core was compiled with OpenMP (multi-threaded kernels)."""
    return bool(ck_openmp_enabled())


def omp_max_threads():
    """Threads the OpenMP runtime would use now (honours OMP_NUM_THREADS and threadpoolctl)."""
    return ck_max_threads()


def strerror(int status):
    """English message for a C status code."""
    return ck_strerror(status).decode("ascii")
