/* Library-wide runtime facts and status messages. */
#include "ckmeans.h"
#include "ck_omp.h"
#include "ck_kmeans_internal.h"
#include "ck_cancel.h"

#define CK_STR_(x) #x
#define CK_STR(x) CK_STR_(x)

int ck_version(void) { return CKMEANS_VERSION; }

const char *ck_version_string(void)
{ return CK_STR(CKMEANS_VERSION_MAJOR) "." CK_STR(CKMEANS_VERSION_MINOR) "." CK_STR(CKMEANS_VERSION_PATCH); }

/* One flag per thread: a program may run kernels from several threads, each cancelled on its own. */
static _Thread_local const volatile int *ck_thread_cancel;

const volatile int *ck_set_cancel_flag(const volatile int *flag)
{
    const volatile int *previous = ck_thread_cancel;
    ck_thread_cancel = flag;
    return previous;
}

const volatile int *ck_cancel_flag(void) { return ck_thread_cancel; }

int ck_openmp_enabled(void) { return ck_omp_enabled(); }

int ck_max_threads(void) { return ck_omp_max_threads(); }

const char *ck_kernel_isa(int family)
{
    const char *hard = ck_simd_avx512() ? "avx512" : ck_simd_avx2() ? "avx2" : "portable";
    switch (family) {
    case CK_KERNEL_KMEANS: return hard;
    case CK_KERNEL_KMEANS_UINT8: return ck_simd_vnni() ? "avx512-vnni" : hard;
    case CK_KERNEL_SOFT: return ck_soft_isa();
    default: return NULL;
    }
}

const char *ck_strerror(int status)
{
    switch (status) {
    case CK_OK: return "success";
    case CK_ERR_NOMEM: return "out of memory";
    case CK_ERR_ARG: return "invalid argument";
    case CK_ERR_CANCELLED: return "cancelled: the cancel flag was set or the fit's callback asked to stop";
    case CK_ERR_IDX_TRUNCATED_HEADER: return "truncated header";
    case CK_ERR_IDX_MAGIC: return "bad magic number: the first two bytes must be zero";
    case CK_ERR_IDX_TYPE: return "unknown element type code";
    case CK_ERR_IDX_NDIM: return "number of dimensions outside 1..255 (zero dimensions)";
    case CK_ERR_IDX_OVERFLOW: return "product of the dimensions overflows (more than 2^63 - 1 payload bytes)";
    case CK_ERR_IDX_SHORT_PAYLOAD: return "payload shorter than the dimensions require (truncated data)";
    case CK_ERR_IDX_LONG_PAYLOAD: return "payload longer than the dimensions require (trailing bytes)";
    case CK_ERR_IDX_DIM_RANGE: return "dimension outside the IDX range 0..2^32-1";
    case CK_ERR_LABEL_RANGE: return "a label code is outside its range [0, number of rows or columns)";
    case CK_ERR_KMEANS_LABEL: return "a label is outside [0, n_clusters)";
    case CK_ERR_KMEANS_NONFINITE: return "X holds a NaN or an infinity";
    case CK_ERR_KMEANS_OVERFLOW:
        return "X holds values so large that squared distances overflow: scale the data (e.g. divide X by its "
               "largest absolute value)";
    case CK_ERR_SOFT_BETA: return "beta (stiffness) must be a finite number > 0";
    case CK_ERR_SOFT_DISTANCE: return "unknown soft k-means distance code";
    default: return "unknown ckmeans status code";
    }
}
