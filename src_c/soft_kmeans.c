/* Soft k-means (MacKay's soft k-means with stiffness beta): the fused E+M pass, the E-step alone and
 * the whole fit loop, for float32, float64 and uint8 X. No Python, no GIL.
 *
 * Reuses the engine's machinery instead of copying it: fixed row chunks and the group plan with
 * fixed-order merges (ck_chunks.h), the dtype matrix (ck_dtypes.h) and the run-time SIMD switch
 * (ck_simd_avx2, which honours CKMEANS_NO_SIMD). Centres are held in double during a fit whatever the
 * dtype of X, so float32 X gets float64 responsibilities and sums; they are rounded to float only
 * when handed back. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ckmeans.h"
#include "ck_omp.h"
#include "ck_chunks.h"
#include "ck_kmeans_internal.h"

/* Rows of one fused block: the block's rows stay in L2 between the distance tile and the weighted
 * sums that reuse them. The block size is part of the summation order (each block's partial sums
 * are formed, then added), so it depends on n_features only: the same for every thread count and
 * for uint8 and float64 X (sized as if X were double), a multiple of the distance kernel's 3 rows. */
#define CK_SOFT_BLOCK_BYTES (256 * 1024)

static int64_t ck_soft_block_rows(int64_t n_features)
{
    int64_t rows = CK_SOFT_BLOCK_BYTES / (n_features * (int64_t)sizeof(double));
    rows -= rows % 3;
    if (rows < 3) rows = 3;
    if (rows > CK_CHUNK_ROWS - CK_CHUNK_ROWS % 3) rows = CK_CHUNK_ROWS - CK_CHUNK_ROWS % 3;
    return rows;
}

static int ck_soft_check_beta(double beta) { return isfinite(beta) && beta > 0; }

static int ck_soft_check_args(int64_t n, int64_t d, int64_t k, int distance)
{
    if (n < 1 || d < 1 || k < 1 || k > INT32_MAX || d > INT64_MAX / k) return CK_ERR_ARG;
    if (distance != CK_SOFT_EUCLIDEAN && distance != CK_SOFT_SQEUCLIDEAN) return CK_ERR_SOFT_DISTANCE;
    return CK_OK;
}

/* Per-thread scratch of the E-step: the distance tile and the (weighted) responsibilities of one
 * block, and the block widened to double. uint8 and float32 rows are widened once per block (exact)
 * and go through the float64 kernels: converting inside the register tiles would redo it for every
 * 4 centres, and uint8 X then meets the very code and values of float64 X (same bits). */
typedef struct {
    double *dist, *resp;
    double *wide; /* the block's rows widened to double (uint8 and float32 X only) */
} ck_soft_ws;

static int ck_soft_ws_init(ck_soft_ws *ws, int64_t block_rows, int64_t k, int64_t d, int widen)
{
    ws->dist = malloc((size_t)(block_rows * k) * sizeof(double));
    ws->resp = malloc((size_t)(block_rows * k) * sizeof(double));
    ws->wide = widen ? malloc((size_t)(block_rows * d) * sizeof(double)) : NULL;
    return ws->dist && ws->resp && (ws->wide || !widen) ? CK_OK : CK_ERR_NOMEM;
}

static void ck_soft_ws_free(ck_soft_ws *ws)
{
    free(ws->dist); free(ws->resp); free(ws->wide);
    memset(ws, 0, sizeof(*ws));
}

/* Responsibilities of nb rows from their squared distances d2 (nb x k): r_ij = exp(-beta D_ij) /
 * sum_l exp(-beta D_il), D = sqrt(d2) (euclidean) or d2. Log-sum-exp shifted by the row's nearest
 * centre: exp(-beta (D_ij - D_min)) lies in [0, 1] and is exactly 1 at the minimum, so the sum is
 * >= 1 and nothing overflows, for any finite beta > 0 and any distances. Each row's free energy is
 * -(1/beta) log sum_j exp(-beta D_ij) = D_min - log(s) / beta; the weighted sum over the rows, in row
 * order, is returned. resp (OUT, may be NULL): r_ij times w_i when scale_by_weight. labels (OUT, may
 * be NULL): the nearest centre (lowest index on ties). */
static double ck_soft_responsibilities(double *d2, int64_t nb, int64_t k, double beta, int distance,
                                       const double *w, int64_t row0, double *resp, int scale_by_weight,
                                       int32_t *labels)
{
    double energy = 0.0;
    for (int64_t r = 0; r < nb; r++) {
        double *D = d2 + r * k;
        int64_t best = 0;
        for (int64_t j = 0; j < k; j++) {
            if (distance == CK_SOFT_EUCLIDEAN) D[j] = sqrt(D[j]);
            if (D[j] < D[best]) best = j;
        }
        const double dmin = D[best];
        double s = 0.0;
        for (int64_t j = 0; j < k; j++) {
            D[j] = exp(-beta * (D[j] - dmin));
            s += D[j];
        }
        const double wi = w ? w[row0 + r] : 1.0;
        if (resp) {
            const double scale = scale_by_weight ? wi : 1.0; /* x 1.0 is exact */
            for (int64_t j = 0; j < k; j++) resp[r * k + j] = D[j] / s * scale;
        }
        if (labels) labels[r] = (int32_t)best;
        energy += wi * (dmin - log(s) / beta);
    }
    return energy;
}

/* Buffers of a fused step: group sums, the merged sums and per-chunk energies. */
static int ck_soft_bufs(int64_t n, int64_t d, int64_t k, double **gbuf, int64_t *n_groups, double **merged,
                        double **chunk_energy)
{
    const int64_t stride = k * d + k, n_chunks = ck_n_chunks(n);
    *n_groups = ck_groups_plan(n_chunks, stride);
    *gbuf = malloc((size_t)(*n_groups * stride) * sizeof(double));
    *merged = malloc((size_t)stride * sizeof(double));
    *chunk_energy = malloc((size_t)n_chunks * sizeof(double));
    if (*gbuf && *merged && *chunk_energy) return CK_OK;
    free(*gbuf); free(*merged); free(*chunk_energy);
    *gbuf = *merged = *chunk_energy = NULL;
    return CK_ERR_NOMEM;
}

/* The kernels every dtype runs on (widened) double rows; defined after ck_dtypes.h (its SIMD helpers). */
static void ck_soft_sqdist(const double *X, int64_t nr, int64_t d, const double *C, int64_t k, double *out);
static void ck_soft_accumulate(const double *X, int64_t nb, int64_t d, const double *rw, int64_t k,
                               double *sums);

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
static void ck_soft_widen_f32(const float *x, int64_t len, double *out)
{
    for (int64_t e = 0; e < len; e++) out[e] = x[e];
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
static void ck_soft_widen_u8(const uint8_t *x, int64_t len, double *out)
{
    for (int64_t e = 0; e < len; e++) out[e] = x[e];
}

#define CK_TPL "soft_kmeans_tpl.h"
#include "ck_dtypes.h"

/* out[r * k + j] = ||x_r - c_j||^2 by differences in double (the notebook's cdist, not the
 * ||x||^2 - 2 x.c + ||c||^2 expansion: that cancels when x is near c, and exp(-beta D) would turn
 * the cancellation error into a wrong responsibility at large beta). */
static void ck_soft_sqdist_scalar(const double *X, int64_t nr, int64_t d, const double *C, int64_t k,
                                  double *out)
{
    for (int64_t r = 0; r < nr; r++)
        for (int64_t j = 0; j < k; j++) {
            const double *x = X + r * d;
            const double *c = C + j * d;
            double s = 0.0;
            for (int64_t f = 0; f < d; f++) { const double t = x[f] - c[f]; s += t * t; }
            out[r * k + j] = s;
        }
}

#if CK_HAVE_X86_SIMD
static inline double ck_soft_tail(const double *x, const double *c, int64_t f, int64_t d, double s)
{
    for (; f < d; f++) { const double t = x[f] - c[f]; s += t * t; }
    return s;
}

/* 3 rows x 4 centres per register block (12 accumulators), each row vector widened to double once
 * per 4 centres. FMA rounds once where the scalar loop rounds twice, so the last bits of a distance
 * may differ between the two paths (never between thread counts, nor between uint8 and float64 X,
 * which meet here as the same doubles). */
static __attribute__((target("avx2,fma"))) void ck_soft_sqdist_avx2(
    const double *X, int64_t nr, int64_t d, const double *C, int64_t k, double *out)
{
    const int64_t dv = d - d % 4;
    int64_t r = 0;
    for (; r + 3 <= nr; r += 3) {
        const double *x0 = X + r * d, *x1 = x0 + d, *x2 = x1 + d;
        int64_t j = 0;
        for (; j + 4 <= k; j += 4) {
            const double *c0 = C + j * d, *c1 = c0 + d, *c2 = c1 + d, *c3 = c2 + d;
            __m256d a00 = _mm256_setzero_pd(), a01 = a00, a02 = a00, a03 = a00;
            __m256d a10 = a00, a11 = a00, a12 = a00, a13 = a00, a20 = a00, a21 = a00, a22 = a00, a23 = a00;
            for (int64_t f = 0; f < dv; f += 4) {
                const __m256d v0 = _mm256_loadu_pd(x0 + f), v1 = _mm256_loadu_pd(x1 + f),
                              v2 = _mm256_loadu_pd(x2 + f);
                __m256d c, t;
#define CK_SOFT_COL(cp, A0, A1, A2)                                            \
                c = _mm256_loadu_pd(cp + f);                                   \
                t = _mm256_sub_pd(v0, c); A0 = _mm256_fmadd_pd(t, t, A0);      \
                t = _mm256_sub_pd(v1, c); A1 = _mm256_fmadd_pd(t, t, A1);      \
                t = _mm256_sub_pd(v2, c); A2 = _mm256_fmadd_pd(t, t, A2);
                CK_SOFT_COL(c0, a00, a10, a20)
                CK_SOFT_COL(c1, a01, a11, a21)
                CK_SOFT_COL(c2, a02, a12, a22)
                CK_SOFT_COL(c3, a03, a13, a23)
#undef CK_SOFT_COL
            }
            double *o0 = out + r * k + j, *o1 = o0 + k, *o2 = o1 + k;
            o0[0] = ck_soft_tail(x0, c0, dv, d, ck_hsum_pd(a00));
            o0[1] = ck_soft_tail(x0, c1, dv, d, ck_hsum_pd(a01));
            o0[2] = ck_soft_tail(x0, c2, dv, d, ck_hsum_pd(a02));
            o0[3] = ck_soft_tail(x0, c3, dv, d, ck_hsum_pd(a03));
            o1[0] = ck_soft_tail(x1, c0, dv, d, ck_hsum_pd(a10));
            o1[1] = ck_soft_tail(x1, c1, dv, d, ck_hsum_pd(a11));
            o1[2] = ck_soft_tail(x1, c2, dv, d, ck_hsum_pd(a12));
            o1[3] = ck_soft_tail(x1, c3, dv, d, ck_hsum_pd(a13));
            o2[0] = ck_soft_tail(x2, c0, dv, d, ck_hsum_pd(a20));
            o2[1] = ck_soft_tail(x2, c1, dv, d, ck_hsum_pd(a21));
            o2[2] = ck_soft_tail(x2, c2, dv, d, ck_hsum_pd(a22));
            o2[3] = ck_soft_tail(x2, c3, dv, d, ck_hsum_pd(a23));
        }
        for (; j < k; j++) {
            const double *c0 = C + j * d;
            __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0;
            for (int64_t f = 0; f < dv; f += 4) {
                const __m256d c = _mm256_loadu_pd(c0 + f);
                __m256d t = _mm256_sub_pd(_mm256_loadu_pd(x0 + f), c); a0 = _mm256_fmadd_pd(t, t, a0);
                t = _mm256_sub_pd(_mm256_loadu_pd(x1 + f), c); a1 = _mm256_fmadd_pd(t, t, a1);
                t = _mm256_sub_pd(_mm256_loadu_pd(x2 + f), c); a2 = _mm256_fmadd_pd(t, t, a2);
            }
            out[r * k + j] = ck_soft_tail(x0, c0, dv, d, ck_hsum_pd(a0));
            out[(r + 1) * k + j] = ck_soft_tail(x1, c0, dv, d, ck_hsum_pd(a1));
            out[(r + 2) * k + j] = ck_soft_tail(x2, c0, dv, d, ck_hsum_pd(a2));
        }
    }
    for (; r < nr; r++) {
        const double *x0 = X + r * d;
        for (int64_t j = 0; j < k; j++) {
            const double *c0 = C + j * d;
            __m256d a0 = _mm256_setzero_pd();
            for (int64_t f = 0; f < dv; f += 4) {
                const __m256d t = _mm256_sub_pd(_mm256_loadu_pd(x0 + f), _mm256_loadu_pd(c0 + f));
                a0 = _mm256_fmadd_pd(t, t, a0);
            }
            out[r * k + j] = ck_soft_tail(x0, c0, dv, d, ck_hsum_pd(a0));
        }
    }
}
#endif

static void ck_soft_sqdist(const double *X, int64_t nr, int64_t d, const double *C, int64_t k, double *out)
{
#if CK_HAVE_X86_SIMD
    if (ck_simd_avx2()) { ck_soft_sqdist_avx2(X, nr, d, C, k, out); return; }
#endif
    ck_soft_sqdist_scalar(X, nr, d, C, k, out);
}

/* sums[j] += sum_r rw[r * k + j] x_r over the nb rows of a block: the block's partial sum of every
 * element is formed from 0 in row order, then added to sums (a fixed association: blocks depend on
 * n_features only, never on threads or dtype). Portable path; the AVX2 one below keeps the same
 * order but fuses each multiply-add. */
static void ck_soft_accumulate_scalar(const double *X, int64_t nb, int64_t d, const double *rw, int64_t k,
                                      double *sums)
{
    for (int64_t j = 0; j < k; j++)
        for (int64_t f0 = 0; f0 < d; f0 += 8) {
            const int64_t nf = d - f0 < 8 ? d - f0 : 8;
            double acc[8] = {0};
            for (int64_t r = 0; r < nb; r++) {
                const double rj = rw[r * k + j];
                for (int64_t l = 0; l < nf; l++) acc[l] += rj * X[r * d + f0 + l];
            }
            for (int64_t l = 0; l < nf; l++) sums[j * d + f0 + l] += acc[l];
        }
}

#if CK_HAVE_X86_SIMD
/* R^T X as a small matrix product: 4 clusters x 8 features stay in 8 registers for all the rows of
 * the block, so each row costs 2 widened loads, 4 broadcasts and 8 FMAs. */
static __attribute__((target("avx2,fma"))) void ck_soft_accumulate_avx2(
    const double *X, int64_t nb, int64_t d, const double *rw, int64_t k, double *sums)
{
    const int64_t d8 = d - d % 8;
    for (int64_t f = 0; f < d8; f += 8) {
        int64_t j = 0;
        for (; j + 4 <= k; j += 4) {
            __m256d a0 = _mm256_setzero_pd(), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
            for (int64_t r = 0; r < nb; r++) {
                const double *x = X + r * d + f;
                const __m256d x0 = _mm256_loadu_pd(x), x1 = _mm256_loadu_pd(x + 4);
                const double *q = rw + r * k + j;
                __m256d t = _mm256_broadcast_sd(q);
                a0 = _mm256_fmadd_pd(t, x0, a0); a1 = _mm256_fmadd_pd(t, x1, a1);
                t = _mm256_broadcast_sd(q + 1);
                b0 = _mm256_fmadd_pd(t, x0, b0); b1 = _mm256_fmadd_pd(t, x1, b1);
                t = _mm256_broadcast_sd(q + 2);
                c0 = _mm256_fmadd_pd(t, x0, c0); c1 = _mm256_fmadd_pd(t, x1, c1);
                t = _mm256_broadcast_sd(q + 3);
                e0 = _mm256_fmadd_pd(t, x0, e0); e1 = _mm256_fmadd_pd(t, x1, e1);
            }
            double *s = sums + j * d + f;
#define CK_SOFT_ADD(p, v) _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), v))
            CK_SOFT_ADD(s, a0); CK_SOFT_ADD(s + 4, a1);
            CK_SOFT_ADD(s + d, b0); CK_SOFT_ADD(s + d + 4, b1);
            CK_SOFT_ADD(s + 2 * d, c0); CK_SOFT_ADD(s + 2 * d + 4, c1);
            CK_SOFT_ADD(s + 3 * d, e0); CK_SOFT_ADD(s + 3 * d + 4, e1);
        }
        for (; j < k; j++) {
            __m256d a0 = _mm256_setzero_pd(), a1 = a0;
            for (int64_t r = 0; r < nb; r++) {
                const double *x = X + r * d + f;
                const __m256d t = _mm256_broadcast_sd(rw + r * k + j);
                a0 = _mm256_fmadd_pd(t, _mm256_loadu_pd(x), a0);
                a1 = _mm256_fmadd_pd(t, _mm256_loadu_pd(x + 4), a1);
            }
            double *s = sums + j * d + f;
            CK_SOFT_ADD(s, a0); CK_SOFT_ADD(s + 4, a1);
#undef CK_SOFT_ADD
        }
    }
    if (d8 < d)
        for (int64_t j = 0; j < k; j++)
            for (int64_t f = d8; f < d; f++) {
                double acc = 0.0;
                for (int64_t r = 0; r < nb; r++) acc += rw[r * k + j] * X[r * d + f];
                sums[j * d + f] += acc;
            }
}
#endif

static void ck_soft_accumulate(const double *X, int64_t nb, int64_t d, const double *rw, int64_t k,
                               double *sums)
{
#if CK_HAVE_X86_SIMD
    if (ck_simd_avx2()) { ck_soft_accumulate_avx2(X, nb, d, rw, k, sums); return; }
#endif
    ck_soft_accumulate_scalar(X, nb, d, rw, k, sums);
}
