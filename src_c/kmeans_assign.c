/* Nearest-centroid assignment and distance kernels for float32, float64 and uint8 X. */
#include <math.h>
#include <stdlib.h>

#include "ckmeans.h"
#include "ck_omp.h"
#include "ck_kmeans_internal.h"

int ck_simd_avx2(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    /* Written once from any thread; every writer stores the same value, and callers query it
     * before their parallel region anyway. */
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        /* CKMEANS_NO_SIMD=1 forces the portable path (for tests and for bisecting a difference). */
        const char *off = getenv("CKMEANS_NO_SIMD");
        __builtin_cpu_init();
        v = !(off && off[0] && off[0] != '0') && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
#else
    return 0;
#endif
}

#define CK_TPL "kmeans_assign_tpl.h"
#include "ck_dtypes.h"
