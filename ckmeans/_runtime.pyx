# Boundary to src_c/runtime.c: facts about the compiled core.
from ckmeans._ckmeans cimport ck_max_threads, ck_openmp_enabled, ck_strerror, ck_version_string


def openmp_enabled():
    """True if the C core was compiled with OpenMP (multi-threaded kernels)."""
    return bool(ck_openmp_enabled())


def omp_max_threads():
    """Threads the OpenMP runtime would use now (honours OMP_NUM_THREADS and threadpoolctl)."""
    return ck_max_threads()


def strerror(int status):
    """English message for a C status code."""
    return ck_strerror(status).decode("ascii")


def version_string():
    """The version of the compiled C core ("MAJOR.MINOR.PATCH")."""
    return ck_version_string().decode("ascii")
