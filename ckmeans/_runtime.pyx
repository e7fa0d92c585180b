# Boundary to src_c/runtime.c: facts about the compiled core.
from ckmeans._ckmeans cimport (CK_KERNEL_KMEANS, CK_KERNEL_KMEANS_UINT8, CK_KERNEL_SOFT, ck_kernel_isa,
                               ck_max_threads, ck_openmp_enabled, ck_strerror, ck_version_string)

# Family names of kernel_isa(), in ckmeans.h's order.
KERNEL_FAMILIES = {"kmeans": CK_KERNEL_KMEANS, "kmeans_uint8": CK_KERNEL_KMEANS_UINT8,
                   "soft_kmeans": CK_KERNEL_SOFT}


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


def kernel_isa():
    """Instruction set each kernel family runs in this process, as a dict family -> one of
    "avx512-vnni", "avx512", "avx2", "portable".

    Families: "kmeans" (nearest-centre search, centroid sums, bounded fits), "kmeans_uint8" (the
    screen of uint8 rows, with integer dot products on "avx512-vnni"), "soft_kmeans". The choice is
    what the CPU offers less what the environment refuses, read once per process:
    CKMEANS_NO_SIMD=1 (portable), CKMEANS_NO_AVX512=1 (at most AVX2), CKMEANS_NO_VNNI=1.
    """
    return {name: ck_kernel_isa(family).decode("ascii") for name, family in KERNEL_FAMILIES.items()}
