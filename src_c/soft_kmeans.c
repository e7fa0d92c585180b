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
/* Centres are taken in groups of at most CK_SOFT_MAXJ, the groups as even as possible (k = 10: 5 + 5),
 * so no centre is left to a narrow tile: a tile of fewer than 8 independent FMA chains waits on the
 * FMA latency instead of filling both FMA pipes. Group g covers centres [j0, j0 + jn). */
#define CK_SOFT_MAXJ 5
static inline void ck_soft_jgroup(int64_t k, int64_t g, int64_t *j0, int64_t *jn)
{
    const int64_t n_groups = (k + CK_SOFT_MAXJ - 1) / CK_SOFT_MAXJ, q = k / n_groups, extra = k % n_groups;
    *jn = q + (g < extra);
    *j0 = g * q + (g < extra ? g : extra);
}

static inline double ck_soft_tail(const double *x, const double *c, int64_t f, int64_t d, double s)
{
    for (; f < d; f++) { const double t = x[f] - c[f]; s += t * t; }
    return s;
}

/* R rows x J centres of squared distances by differences, 4 features per vector: R + J loads, R * J
 * subtractions and FMAs per step (the subtractions go to the FP add pipes, beside the FMAs). R and J
 * are compile-time constants at every call (always_inline), so acc lives in registers. Each distance
 * is its own 4 lane sums added by ck_hsum_pd, then the tail: the tile shape never changes a value. */
static inline __attribute__((always_inline, target("avx2,fma"))) void ck_soft_dist_tile(
    const double *X, int64_t d, const double *C, int64_t k, double *out, const int R, const int J)
{
    const int64_t dv = d - d % 4;
    __m256d acc[8][CK_SOFT_MAXJ];
    for (int r = 0; r < R; r++)
        for (int j = 0; j < J; j++) acc[r][j] = _mm256_setzero_pd();
    for (int64_t f = 0; f < dv; f += 4) {
        __m256d c[CK_SOFT_MAXJ];
        for (int j = 0; j < J; j++) c[j] = _mm256_loadu_pd(C + j * d + f);
        for (int r = 0; r < R; r++) {
            const __m256d x = _mm256_loadu_pd(X + r * d + f);
            for (int j = 0; j < J; j++) {
                const __m256d t = _mm256_sub_pd(x, c[j]);
                acc[r][j] = _mm256_fmadd_pd(t, t, acc[r][j]);
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int j = 0; j < J; j++)
            out[r * k + j] = ck_soft_tail(X + r * d, C + j * d, dv, d, ck_hsum_pd(acc[r][j]));
}

/* Rows per distance tile for J centres: R * J in 8..10 accumulators (of the 16 vector registers). */
#define CK_SOFT_DIST_CASE(J, R)                                                                  \
    case J:                                                                           \
        for (; r + R <= nr; r += R, x += R * d, o += R * k) ck_soft_dist_tile(x, d, Cg, k, o, R, J); \
        for (; r < nr; r++, x += d, o += k) ck_soft_dist_tile(x, d, Cg, k, o, 1, J);       \
        break;

static __attribute__((target("avx2,fma"))) void ck_soft_sqdist_avx2(
    const double *X, int64_t nr, int64_t d, const double *C, int64_t k, double *out)
{
    const int64_t n_groups = (k + CK_SOFT_MAXJ - 1) / CK_SOFT_MAXJ;
    for (int64_t g = 0; g < n_groups; g++) {
        int64_t j0, jn, r = 0;
        ck_soft_jgroup(k, g, &j0, &jn);
        const double *Cg = C + j0 * d, *x = X;
        double *o = out + j0;
        switch (jn) {
            CK_SOFT_DIST_CASE(1, 8)
            CK_SOFT_DIST_CASE(2, 4)
            CK_SOFT_DIST_CASE(3, 3)
            CK_SOFT_DIST_CASE(4, 2)
            CK_SOFT_DIST_CASE(5, 2)
        }
    }
}
#undef CK_SOFT_DIST_CASE
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
/* R^T X as a small matrix product: J clusters x 4V features stay in registers for all the rows of the
 * block; each row costs V loads, J broadcasts and J * V FMAs. Every element is still summed from 0 in
 * row order with one FMA per row, so the tile shape never changes a value. */
static inline __attribute__((always_inline, target("avx2,fma"))) void ck_soft_acc_tile(
    const double *X, int64_t nb, int64_t d, const double *rw, int64_t k, double *sums, const int J, const int V)
{
    __m256d acc[CK_SOFT_MAXJ][8];
    for (int j = 0; j < J; j++)
        for (int v = 0; v < V; v++) acc[j][v] = _mm256_setzero_pd();
    for (int64_t r = 0; r < nb; r++) {
        __m256d x[8];
        for (int v = 0; v < V; v++) x[v] = _mm256_loadu_pd(X + r * d + 4 * v);
        for (int j = 0; j < J; j++) {
            const __m256d t = _mm256_broadcast_sd(rw + r * k + j);
            for (int v = 0; v < V; v++) acc[j][v] = _mm256_fmadd_pd(t, x[v], acc[j][v]);
        }
    }
    for (int j = 0; j < J; j++)
        for (int v = 0; v < V; v++) {
            double *p = sums + j * d + 4 * v;
            _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), acc[j][v]));
        }
}

/* Feature vectors per tile for J clusters: J * V in 8..10 accumulators; the last features of a row
 * go 4 at a time (V = 1), then the scalar tail. */
#define CK_SOFT_ACC_CASE(J, V)                                                                  \
    case J:                                                                                     \
        for (; f + 4 * V <= d; f += 4 * V) ck_soft_acc_tile(X + f, nb, d, rwg, k, sg + f, J, V); \
        for (; f + 4 <= d; f += 4) ck_soft_acc_tile(X + f, nb, d, rwg, k, sg + f, J, 1);         \
        break;

static __attribute__((target("avx2,fma"))) void ck_soft_accumulate_avx2(
    const double *X, int64_t nb, int64_t d, const double *rw, int64_t k, double *sums)
{
    const int64_t n_groups = (k + CK_SOFT_MAXJ - 1) / CK_SOFT_MAXJ, d4 = d - d % 4;
    for (int64_t g = 0; g < n_groups; g++) {
        int64_t j0, jn, f = 0;
        ck_soft_jgroup(k, g, &j0, &jn);
        const double *rwg = rw + j0;
        double *sg = sums + j0 * d;
        switch (jn) {
            CK_SOFT_ACC_CASE(1, 8)
            CK_SOFT_ACC_CASE(2, 4)
            CK_SOFT_ACC_CASE(3, 3)
            CK_SOFT_ACC_CASE(4, 2)
            CK_SOFT_ACC_CASE(5, 2)
        }
    }
    if (d4 < d)
        for (int64_t j = 0; j < k; j++)
            for (int64_t f = d4; f < d; f++) {
                double acc = 0.0;
                for (int64_t r = 0; r < nb; r++) acc += rw[r * k + j] * X[r * d + f];
                sums[j * d + f] += acc;
            }
}
#undef CK_SOFT_ACC_CASE
#endif

static void ck_soft_accumulate(const double *X, int64_t nb, int64_t d, const double *rw, int64_t k,
                               double *sums)
{
#if CK_HAVE_X86_SIMD
    if (ck_simd_avx2()) { ck_soft_accumulate_avx2(X, nb, d, rw, k, sums); return; }
#endif
    ck_soft_accumulate_scalar(X, nb, d, rw, k, sums);
}
