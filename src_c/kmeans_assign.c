/* Nearest-centroid assignment and distance kernels for float32, float64 and uint8 X. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ckmeans.h"
#include "ck_omp.h"
#include "ck_kmeans_internal.h"

#if defined(__x86_64__) && defined(__GNUC__)
static int ck_env_off(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] && v[0] != '0';
}

/* The CPU probes run once per process: written from any thread, every writer stores the same value,
 * and callers query them before their parallel regions anyway. */
static int ck_probe_once(int *cached, int (*probe)(void))
{
    int v = __atomic_load_n(cached, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = probe();
        __atomic_store_n(cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

/* CKMEANS_NO_SIMD=1 forces the portable path (for tests and for bisecting a difference). */
static int ck_probe_avx2(void)
{ return !ck_env_off("CKMEANS_NO_SIMD") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

/* CKMEANS_NO_AVX512=1 keeps the AVX2 kernel (tests check that both give the same bits). */
static int ck_probe_avx512(void)
{ return ck_simd_avx2() && !ck_env_off("CKMEANS_NO_AVX512") && __builtin_cpu_supports("avx512f"); }

static int ck_probe_vnni(void)
{
    return ck_simd_avx512() && !ck_env_off("CKMEANS_NO_VNNI") && __builtin_cpu_supports("avx512vnni") &&
        __builtin_cpu_supports("avx512bw");
}

int ck_simd_avx2(void)
{
    static int cached = -1;
    return ck_probe_once(&cached, ck_probe_avx2);
}
int ck_simd_avx512(void)
{
    static int cached = -1;
    return ck_probe_once(&cached, ck_probe_avx512);
}
int ck_simd_vnni(void)
{
    static int cached = -1;
    return ck_probe_once(&cached, ck_probe_vnni);
}
#else
int ck_simd_avx2(void) { return 0; }
int ck_simd_avx512(void) { return 0; }
int ck_simd_vnni(void) { return 0; }
#endif

void ck_argmin_ws_free(ck_argmin_ws *ws)
{
    free(ws->tile);
    free(ws->score);
    free(ws->panel);
    free(ws->panel32);
    free(ws->c32_sqnorm);
    free(ws->wide32);
    free(ws->tile32);
    free(ws->best32);
    free(ws->second32);
    free(ws->groups);
    free(ws->wide64);
    free(ws->redo);
    free(ws->panel8);
    free(ws->last8);
    free(ws->tile8);
    free(ws->second64);
    memset(ws, 0, sizeof(*ws));
}

void ck_argmin_ws_reset(ck_argmin_ws *ws)
{
    ws->prepared = 0;
    ws->panel_packed = 0;
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
#define CK_DEFINE_PACK(NAME, ST, DT)                                                                         \
    static void NAME(const ST *C, int64_t k, int64_t d, int64_t nr, DT *P)                                   \
    {                                                                                                        \
        for (int64_t b = 0; b * nr < k; b++)                                                                 \
            for (int64_t f = 0; f < d; f++)                                                                  \
                for (int64_t jj = 0; jj < nr; jj++) {                                                        \
                    const int64_t j = b * nr + jj;                                                           \
                    P[(b * d + f) * nr + jj] = j < k ? (DT)C[j * d + f] : (DT)0;                             \
                }                                                                                            \
    }
CK_DEFINE_PACK(ck_pack_f32, float, float)
CK_DEFINE_PACK(ck_pack_f64, double, double)
CK_DEFINE_PACK(ck_pack_u8, double, float) /* float64 centroids of uint8 X, screened in float32 */

/* 64-byte aligned (a panel row of 2 vectors is one cache line), size rounded up as C11 asks. */
static void *ck_alloc_panel(size_t bytes) { return aligned_alloc(64, (bytes + 63) / 64 * 64); }

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* Integer screen of uint8 rows (see ck_screen_vnni): centroids scaled by S = 2^e and rounded to
 * V = round(S c), |V| < 2^21, split as V = 128 q + t and q = 128 h + l, with int8 digits
 * h in [-124, 124], l and t in [-64, 63]. The screen uses q (= V / 128 to within 1/2) for every
 * centroid: a panel holds 16 centroids and per group of 4 features stores 64 bytes of h (centroid jj's
 * 4 bytes at 4 jj) then 64 of l; vpdpbusd multiplies 4 uint8 row bytes with 4 int8 digits and adds
 * them into an int32 lane, 64 exact multiply-adds per instruction straight from the uint8 row. The
 * last digit t (T: k rows of dpad = d rounded up to 64 bytes) refines the winner's score only. */
static void ck_pack_vnni(const double *C, int64_t k, int64_t d, double S, int8_t *P, int8_t *T)
{
    const int64_t nq = (d + 3) / 4, dpad = (d + 63) / 64 * 64;
    memset(T, 0, (size_t)(k * dpad));
    for (int64_t b = 0; b * 16 < k; b++)
        for (int64_t q = 0; q < nq; q++) {
            int8_t *ph = P + (b * nq + q) * 128;
            for (int64_t jj = 0; jj < 16; jj++)
                for (int64_t t = 0; t < 4; t++) {
                    const int64_t j = b * 16 + jj, f = 4 * q + t;
                    const int32_t v = j < k && f < d ? (int32_t)nearbyint(C[j * d + f] * S) : 0;
                    const int32_t q7 = (v + 64) >> 7, h = (q7 + 64) >> 7;
                    ph[4 * jj + t] = (int8_t)h;
                    ph[64 + 4 * jj + t] = (int8_t)(q7 - 128 * h);
                    if (j < k && f < d) T[j * dpad + f] = (int8_t)(v - 128 * q7);
                }
        }
}

/* x . t for one centroid's last digits (exact). */
static __attribute__((target("avx512f,avx512vnni"))) int64_t ck_last_digit_dot(const uint8_t *x,
                                                                               const int8_t *t, int64_t d)
{
    __m512i acc = _mm512_setzero_si512();
    int64_t f = 0;
    for (; f + 64 <= d; f += 64)
        acc = _mm512_dpbusd_epi32(acc, _mm512_loadu_si512(x + f), _mm512_loadu_si512(t + f));
    if (f < d) {
        uint8_t tail[64] = { 0 };
        __builtin_memcpy(tail, x + f, (size_t)(d - f));
        acc = _mm512_dpbusd_epi32(acc, _mm512_loadu_si512(tail), _mm512_loadu_si512(t + f));
    }
    return _mm512_reduce_add_epi32(acc);
}

/* ||x||_1 of a uint8 row, exactly (psadbw adds 8 bytes at a time into 64-bit lanes). */
static __attribute__((target("avx512f,avx512bw"))) int64_t ck_l1_u8(const uint8_t *x, int64_t d)
{
    __m512i acc = _mm512_setzero_si512();
    int64_t f = 0;
    for (; f + 64 <= d; f += 64)
        acc = _mm512_add_epi64(acc, _mm512_sad_epu8(_mm512_loadu_si512(x + f), _mm512_setzero_si512()));
    int64_t l1 = _mm512_reduce_add_epi64(acc);
    for (; f < d; f++) l1 += x[f];
    return l1;
}

/* 4 row bytes starting at feature 4q, zero past the row's end (never read past it). */
static inline int32_t ck_quad(const uint8_t *x, int64_t q, int64_t d)
{
    int32_t v = 0;
    const int64_t f = 4 * q, n = d - f < 4 ? d - f : 4;
    __builtin_memcpy(&v, x + f, (size_t)n);
    return v;
}

static inline __attribute__((always_inline, target("avx512f,avx512vnni"))) void
ck_vnni_block(const uint8_t *x, int64_t d, const int8_t *P, int32_t *out, const int mr, int64_t pf_bytes)
{
    __m512i h[8], l[8];
    for (int i = 0; i < 8; i++) h[i] = l[i] = _mm512_setzero_si512();
    const int64_t nq = (d + 3) / 4, full = d / 4;
    for (int64_t q = 0; q < nq; q++) {
        if (q * 64 < pf_bytes) _mm_prefetch((const char *)(x + mr * d) + q * 64, _MM_HINT_T0);
        const __m512i wh = _mm512_loadu_si512(P + q * 128), wl = _mm512_loadu_si512(P + q * 128 + 64);
        for (int i = 0; i < 8; i++)
            if (i < mr) {
                int32_t v;
                if (q < full) __builtin_memcpy(&v, x + i * d + 4 * q, 4);
                else v = ck_quad(x + i * d, q, d);
                const __m512i xi = _mm512_set1_epi32(v);
                h[i] = _mm512_dpbusd_epi32(h[i], xi, wh);
                l[i] = _mm512_dpbusd_epi32(l[i], xi, wl);
            }
    }
    for (int i = 0; i < mr; i++) {
        _mm512_storeu_si512(out + i * 32, h[i]);
        _mm512_storeu_si512(out + i * 32 + 16, l[i]);
    }
}

/* out[r * 32 + jj] = x_r . h_jj, out[r * 32 + 16 + jj] = x_r . l_jj for one panel (exact int32).
 * With pf (the first panel of a chunk) a block prefetches the next block's rows, as panel_dots. */
static __attribute__((target("avx512f,avx512vnni"))) void
ck_vnni_dots(const uint8_t *X, int64_t nr, int64_t d, const int8_t *P, int32_t *out, int pf)
{
    int64_t r = 0;
    for (; r + 8 <= nr; r += 8)
        ck_vnni_block(X + r * d, d, P, out + r * 32, 8, pf ? (nr - r - 8 < 8 ? nr - r - 8 : 8) * d : 0);
    for (; r + 4 <= nr; r += 4) ck_vnni_block(X + r * d, d, P, out + r * 32, 4, 0);
    for (; r < nr; r++) ck_vnni_block(X + r * d, d, P, out + r * 32, 1, 0);
}

#endif

#define CK_TPL "kmeans_assign_tpl.h"
#include "ck_dtypes.h"
