/* The dtype matrix of the k-means kernels, defined once.
 *
 * A kernel file writes its logic once in a template header using
 *   CK_XT   element type of X            (float, double, uint8_t)
 *   CK_CT   centroid / compute type      (float for float32 X, double for float64 and uint8 X)
 *   CK_FN(name)  name##_##suffix         (suffix f32, f64, u8)
 * then instantiates it for every dtype with
 *   #define CK_TPL "my_tpl.h"
 *   #include "ck_dtypes.h"
 * uint8 X is read as it is (widened in registers or in a chunk-sized scratch, never copied whole to
 * floats); its labels, sums and distances come out bit-identical to the float64 fit of the same values.
 *
 * The CK_V* macros are the AVX2 vector vocabulary of each dtype (the CK_W* ones its AVX-512 vocabulary,
 * for the centroid type); they are only expanded inside functions compiled with
 * __attribute__((target("avx2,fma"))) (or "avx512f"). Private header. */
#ifndef CK_TPL
#error "define CK_TPL (the template header to instantiate) before including ck_dtypes.h"
#endif

#ifndef CK_DTYPES_ONCE
#define CK_DTYPES_ONCE
#include <stdint.h>
#define CK_CAT_(a, b) a##_##b
#define CK_CAT(a, b) CK_CAT_(a, b)
#define CK_FN(name) CK_CAT(name, CK_SFX)
/* The public data struct of the dtype (ck_data_f32, ...). */
#define CK_DATA CK_FN(ck_data)
#if defined(__x86_64__) && defined(__GNUC__)
#define CK_HAVE_X86_SIMD 1
#include <immintrin.h>
static inline __attribute__((target("avx2,fma"))) double ck_hsum_pd(__m256d v)
{
    __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
    lo = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}
static inline __attribute__((target("avx2,fma"))) float ck_hsum_ps(__m256 v)
{
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    return _mm_cvtss_f32(_mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1)));
}
/* Smallest lane: the minimum when no lane is NaN (with a NaN lane, some lane's value; only scores
 * of non-finite X have one, and the fits report that X as an error). */
static inline __attribute__((target("avx2,fma"))) double ck_hmin_pd(__m256d v)
{
    __m128d lo = _mm_min_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_min_sd(lo, _mm_unpackhi_pd(lo, lo)));
}
static inline __attribute__((target("avx2,fma"))) float ck_hmin_ps(__m256 v)
{
    __m128 lo = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_min_ps(lo, _mm_movehl_ps(lo, lo));
    return _mm_cvtss_f32(_mm_min_ss(lo, _mm_shuffle_ps(lo, lo, 1)));
}
static inline __attribute__((target("avx2,fma"))) __m256d ck_load_u8_pd(const uint8_t *p)
{
    int32_t four;
    __builtin_memcpy(&four, p, 4);
    return _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(four)));
}
/* Four values as doubles, for any element type (exact conversions). */
static inline __attribute__((target("avx2,fma"))) __m256d ck_load4d_f32(const float *p)
{ return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
static inline __attribute__((target("avx2,fma"))) __m256d ck_load4d_f64(const double *p)
{ return _mm256_loadu_pd(p); }
#define CK_LOAD4D(p)                                                                                         \
    _Generic((p),                                                                                            \
        const float *: ck_load4d_f32,                                                                        \
        float *: ck_load4d_f32,                                                                              \
        const double *: ck_load4d_f64,                                                                       \
        double *: ck_load4d_f64,                                                                             \
        const uint8_t *: ck_load_u8_pd,                                                                      \
        uint8_t *: ck_load_u8_pd)(p)
static inline __attribute__((target("avx512f"))) __m512d ck_load_u8_pd512(const uint8_t *p)
{
    int64_t eight;
    __builtin_memcpy(&eight, p, 8);
    return _mm512_cvtepi32_pd(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(eight)));
}
/* Eight values as doubles, for any element type (exact conversions). */
static inline __attribute__((target("avx512f"))) __m512d ck_load8d_f32(const float *p)
{ return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
static inline __attribute__((target("avx512f"))) __m512d ck_load8d_f64(const double *p)
{ return _mm512_loadu_pd(p); }
#define CK_LOAD8D(p)                                                                                         \
    _Generic((p),                                                                                            \
        const float *: ck_load8d_f32,                                                                        \
        float *: ck_load8d_f32,                                                                              \
        const double *: ck_load8d_f64,                                                                       \
        double *: ck_load8d_f64,                                                                             \
        const uint8_t *: ck_load_u8_pd512,                                                                   \
        uint8_t *: ck_load_u8_pd512)(p)
/* Loops whose result cannot depend on the instruction set (element-wise, or fixed partial sums the
 * compiler may only map onto vector lanes, never reorder) get an AVX2 clone chosen at load time. */
#define CK_ACCUM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CK_HAVE_X86_SIMD 0
#define CK_ACCUM_CLONES
#endif
#endif

/* ---- float32 X, float32 centroids ---- */
#define CK_SFX f32
#define CK_XT float
#define CK_CT float
#define CK_X_IS_U8 0
#define CK_V __m256
#define CK_VW 8
#define CK_VZERO() _mm256_setzero_ps()
#define CK_VLOADX(p) _mm256_loadu_ps(p)
#define CK_VLOADC(p) _mm256_loadu_ps(p)
#define CK_VFMA(a, b, acc) _mm256_fmadd_ps(a, b, acc)
#define CK_VSET1(v) _mm256_set1_ps(v)
#define CK_VSTORE(p, v) _mm256_storeu_ps(p, v)
#define CK_VSUB(a, b) _mm256_sub_ps(a, b)
#define CK_VMUL(a, b) _mm256_mul_ps(a, b)
#define CK_VMIN(a, b) _mm256_min_ps(a, b)
#define CK_VEQ(a, b) _mm256_cmp_ps(a, b, _CMP_EQ_OQ)
#define CK_VMASKBITS(m) _mm256_movemask_ps(m)
#define CK_VBLEND(a, b, m) _mm256_blendv_ps(a, b, m)
#define CK_VHMIN(v) ck_hmin_ps(v)
#define CK_VBCAST8B(p) _mm256_castpd_ps(_mm256_broadcast_sd((const double *)(p)))
#define CK_VQUAD1(v, b) _mm256_blend_ps(v, b, 0x0C)
#define CK_VQUAD2(v, b) _mm256_blend_ps(v, b, 0x30)
#define CK_VQUAD3(v, b) _mm256_blend_ps(v, b, 0xC0)
#define CK_W __m512
#define CK_WZERO() _mm512_setzero_ps()
#define CK_WLOAD(p) _mm512_loadu_ps(p)
#define CK_WSET1(v) _mm512_set1_ps(v)
#define CK_WFMA(a, b, acc) _mm512_fmadd_ps(a, b, acc)
#define CK_WSTORE(p, v) _mm512_storeu_ps(p, v)
#define CK_WW 16
#define CK_WLOADX(p) _mm512_loadu_ps(p)
#define CK_WHSUM(v) _mm512_reduce_add_ps(v)
#define CK_WMASK __mmask16
#define CK_WMASKZLOAD(m, p) _mm512_maskz_loadu_ps(m, p)
#define CK_WMASKMOV(src, m, v) _mm512_mask_mov_ps(src, m, v)
#define CK_WSUB(a, b) _mm512_sub_ps(a, b)
#define CK_WMUL(a, b) _mm512_mul_ps(a, b)
#define CK_WREDMIN(v) _mm512_reduce_min_ps(v)
#define CK_WEQ(a, b) _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ)
#define CK_VHSUM(v) ck_hsum_ps(v)
#include CK_TPL
#include "ck_dtypes_undef.h"

/* ---- float64 X, float64 centroids ---- */
#define CK_SFX f64
#define CK_XT double
#define CK_X_IS_U8 0
#define CK_VLOADX(p) _mm256_loadu_pd(p)
#define CK_WLOADX(p) _mm512_loadu_pd(p)
#include "ck_dtypes_f64c.h"
#include CK_TPL
#include "ck_dtypes_undef.h"

/* ---- uint8 X, float64 centroids ---- */
#define CK_SFX u8
#define CK_XT uint8_t
#define CK_X_IS_U8 1
#define CK_VLOADX(p) ck_load_u8_pd(p)
#define CK_WLOADX(p) ck_load_u8_pd512(p)
#include "ck_dtypes_f64c.h"
#include CK_TPL
#include "ck_dtypes_undef.h"
