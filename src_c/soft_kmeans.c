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

/* Rows of one fused block: the block's rows (<= ~128 KB of X) stay in L2 between the distance tile
 * and the weighted sums that reuse them. The block size never changes a bit of the result: rows are
 * accumulated one after the other in row order whatever the blocking. */
#define CK_SOFT_BLOCK_BYTES (128 * 1024)
/* Features per slice of the weighted sums: four rows and k centre slices stay in L1. */
#define CK_SOFT_FBLOCK 256

static int64_t ck_soft_block_rows(int64_t n_features, int64_t x_size)
{
    int64_t rows = CK_SOFT_BLOCK_BYTES / (n_features * x_size);
    if (rows < 4) rows = 4;
    if (rows > CK_CHUNK_ROWS) rows = CK_CHUNK_ROWS;
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
 * block, and the row list of the sparse accumulation. */
typedef struct {
    double *dist, *resp;
    int64_t *rows;
} ck_soft_ws;

static int ck_soft_ws_init(ck_soft_ws *ws, int64_t block_rows, int64_t k)
{
    ws->dist = malloc((size_t)(block_rows * k) * sizeof(double));
    ws->resp = malloc((size_t)(block_rows * k) * sizeof(double));
    ws->rows = malloc((size_t)block_rows * sizeof(int64_t));
    return ws->dist && ws->resp && ws->rows ? CK_OK : CK_ERR_NOMEM;
}

static void ck_soft_ws_free(ck_soft_ws *ws)
{
    free(ws->dist); free(ws->resp); free(ws->rows);
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

#define CK_TPL "soft_kmeans_tpl.h"
#include "ck_dtypes.h"

