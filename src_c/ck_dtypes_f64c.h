/* The vector vocabulary of double centroids, shared by the float64 and uint8 blocks of ck_dtypes.h
 * (each defines its own CK_VLOADX, the only difference). Private header, included only there. */
#define CK_CT double
#define CK_V __m256d
#define CK_VW 4
#define CK_VZERO() _mm256_setzero_pd()
#define CK_VLOADC(p) _mm256_loadu_pd(p)
#define CK_VFMA(a, b, acc) _mm256_fmadd_pd(a, b, acc)
#define CK_VSET1(v) _mm256_set1_pd(v)
#define CK_VSTORE(p, v) _mm256_storeu_pd(p, v)
#define CK_VSUB(a, b) _mm256_sub_pd(a, b)
#define CK_VMUL(a, b) _mm256_mul_pd(a, b)
#define CK_VMIN(a, b) _mm256_min_pd(a, b)
#define CK_VEQ(a, b) _mm256_cmp_pd(a, b, _CMP_EQ_OQ)
#define CK_VMASKBITS(m) _mm256_movemask_pd(m)
#define CK_VBLEND(a, b, m) _mm256_blendv_pd(a, b, m)
#define CK_VHMIN(v) ck_hmin_pd(v)
#define CK_VBCAST8B(p) _mm256_broadcast_sd(p)
#define CK_VQUAD1(v, b) _mm256_blend_pd(v, b, 0x02)
#define CK_VQUAD2(v, b) _mm256_blend_pd(v, b, 0x04)
#define CK_VQUAD3(v, b) _mm256_blend_pd(v, b, 0x08)
#define CK_W __m512d
#define CK_WZERO() _mm512_setzero_pd()
#define CK_WLOAD(p) _mm512_loadu_pd(p)
#define CK_WSET1(v) _mm512_set1_pd(v)
#define CK_WFMA(a, b, acc) _mm512_fmadd_pd(a, b, acc)
#define CK_WSTORE(p, v) _mm512_storeu_pd(p, v)
#define CK_WW 8
#define CK_WHSUM(v) _mm512_reduce_add_pd(v)
#define CK_WMASK __mmask8
#define CK_WMASKZLOAD(m, p) _mm512_maskz_loadu_pd(m, p)
#define CK_WMASKMOV(src, m, v) _mm512_mask_mov_pd(src, m, v)
#define CK_WSUB(a, b) _mm512_sub_pd(a, b)
#define CK_WMUL(a, b) _mm512_mul_pd(a, b)
#define CK_WREDMIN(v) _mm512_reduce_min_pd(v)
#define CK_WEQ(a, b) _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ)
#define CK_VHSUM(v) ck_hsum_pd(v)
