/* Nearest-centroid assignment and distance kernels for float32, float64 and uint8 X. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ckmeans.h"
#include "ck_omp.h"
#include "ck_kmeans_internal.h"

static int ck_env_off(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] && v[0] != '0';
}

int ck_simd_avx2(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    /* Written once from any thread; every writer stores the same value, and callers query it
     * before their parallel region anyway. */
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        /* CKMEANS_NO_SIMD=1 forces the portable path (for tests and for bisecting a difference). */
        __builtin_cpu_init();
        v = !ck_env_off("CKMEANS_NO_SIMD") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
#else
    return 0;
#endif
}

int ck_simd_avx512(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        /* CKMEANS_NO_AVX512=1 keeps the AVX2 kernel (tests check that both give the same bits). */
        __builtin_cpu_init();
        v = ck_simd_avx2() && !ck_env_off("CKMEANS_NO_AVX512") && __builtin_cpu_supports("avx512f");
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
#else
    return 0;
#endif
}

void ck_argmin_ws_free(ck_argmin_ws *ws)
{
    free(ws->tile); free(ws->score); free(ws->panel);
    free(ws->panel32); free(ws->c32_sqnorm); free(ws->wide32); free(ws->tile32);
    free(ws->best32); free(ws->second32); free(ws->wide64); free(ws->redo);
    memset(ws, 0, sizeof(*ws));
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void ck_widen_u8_f32(const uint8_t *x, int64_t len, float *out)
{
    for (int64_t e = 0; e < len; e++) out[e] = x[e];
}

/* Panels of nr centroids for the broadcast kernel: P[(b * d + f) * nr + jj] = C[(b * nr + jj) * d + f],
 * zero past the last centroid (the padded lanes compute zeros nobody reads). */
#define CK_DEFINE_PACK(NAME, ST, DT)                                                                 \
    static void NAME(const ST *C, int64_t k, int64_t d, int64_t nr, DT *P)                          \
    {                                                                                               \
        for (int64_t b = 0; b * nr < k; b++)                                                        \
            for (int64_t f = 0; f < d; f++)                                                         \
                for (int64_t jj = 0; jj < nr; jj++) {                                               \
                    const int64_t j = b * nr + jj;                                                  \
                    P[(b * d + f) * nr + jj] = j < k ? (DT)C[j * d + f] : (DT)0;                    \
                }                                                                                   \
    }
CK_DEFINE_PACK(ck_pack_f32, float, float)
CK_DEFINE_PACK(ck_pack_f64, double, double)
CK_DEFINE_PACK(ck_pack_u8, double, float) /* float64 centroids of uint8 X, screened in float32 */

/* 64-byte aligned (a panel row of 2 vectors is one cache line), size rounded up as C11 asks. */
static void *ck_alloc_panel(size_t bytes)
{
    return aligned_alloc(64, (bytes + 63) / 64 * 64);
}

#define CK_TPL "kmeans_assign_tpl.h"
#include "ck_dtypes.h"
