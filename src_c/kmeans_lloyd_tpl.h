/* Lloyd iteration and fit loop, written once per dtype (instantiated by kmeans_lloyd.c). */

/* Add row x with weight w (1 when sample_weight is NULL) to a cluster's double sums: the portable
 * path (without AVX2, or with CKMEANS_NO_SIMD), and the reference whose additions the add_cluster
 * kernels repeat. Unweighted uint8 sums are sums of small integers in double: exact, so in any order
 * the same. */
static void CK_FN(add_row)(const CK_XT *x, int64_t d, const double *w, int64_t i, double *sum)
{
    if (w) {
        const double wi = w[i];
        for (int64_t f = 0; f < d; f++) sum[f] += wi * (double)x[f];
    } else {
        for (int64_t f = 0; f < d; f++) sum[f] += (double)x[f];
    }
}

#if CK_HAVE_X86_SIMD
/* add_cluster_avx2_<sfx> and add_cluster_avx512_<sfx>: add_row over one cluster's rows with the sums
 * in registers (same bits). */
#define CK_ANAME(name) CK_CAT(CK_CAT(name, avx2), CK_SFX)
#define CK_ATARGET "avx2,fma"
#define CK_AV __m256d
#define CK_AW 4
#define CK_ALOADX(p) CK_LOAD4D(p)
#define CK_ALOAD(p) _mm256_loadu_pd(p)
#define CK_ASTORE(p, v) _mm256_storeu_pd(p, v)
#define CK_AADD(a, b) _mm256_add_pd(a, b)
#define CK_AMUL(a, b) _mm256_mul_pd(a, b)
#define CK_ASET1(v) _mm256_set1_pd(v)
#include "kmeans_addc_tpl.h"
#define CK_ANAME(name) CK_CAT(CK_CAT(name, avx512), CK_SFX)
#define CK_ATARGET "avx512f"
#define CK_AV __m512d
#define CK_AW 8
#define CK_ALOADX(p) CK_LOAD8D(p)
#define CK_ALOAD(p) _mm512_loadu_pd(p)
#define CK_ASTORE(p, v) _mm512_storeu_pd(p, v)
#define CK_AADD(a, b) _mm512_add_pd(a, b)
#define CK_AMUL(a, b) _mm512_mul_pd(a, b)
#define CK_ASET1(v) _mm512_set1_pd(v)
#include "kmeans_addc_tpl.h"
#endif

/* Rows [start, end) of X, labelled lab (chunk-relative), added to their clusters' sums cluster by
 * cluster (ck_by_cluster: same additions in the same order as row by row, so the same bits). With
 * acc16 (unweighted uint8, d uint16 lanes) a cluster's rows are summed exactly in integers first and
 * flushed into its double sums once. */
static void CK_FN(add_chunk)(const CK_XT *X, int64_t start, int64_t end, int64_t d, const double *w,
                             const int32_t *lab, ck_by_cluster *bc, uint16_t *acc16, double *sums)
{
    ck_by_cluster_fill(bc, lab, end - start);
    for (int64_t t = 0; t < bc->n_touched; t++) {
        const int64_t l = bc->touched[t], m = bc->off[t + 1] - bc->off[t];
        const int32_t *rows = bc->order + bc->off[t];
#if CK_X_IS_U8
        if (acc16) {
            for (int64_t q = 0; q < m; q++) ck_add_row_u16(X + (start + rows[q]) * d, d, acc16);
            ck_flush_u16(acc16, d, sums + l * d);
            continue;
        }
#else
        (void)acc16;
#endif
#if CK_HAVE_X86_SIMD
        if (ck_simd_avx512()) {
            CK_FN(add_cluster_avx512)(X, start, rows, m, d, w, sums + l * d);
            continue;
        }
        if (ck_simd_avx2()) {
            CK_FN(add_cluster_avx2)(X, start, rows, m, d, w, sums + l * d);
            continue;
        }
#endif
        for (int64_t q = 0; q < m; q++)
            CK_FN(add_row)(X + (start + rows[q]) * d, d, w, start + rows[q], sums + l * d);
    }
    ck_by_cluster_clear(bc);
}

/* Centroid = weighted sum / weight for non-empty clusters; a cluster still empty after relocation
 * takes the centre of the heaviest cluster (scikit-learn's rule, so the next iteration matches). */
void CK_FN(ck_average)(const double *sums, const double *wsum, int64_t k, int64_t d, CK_CT *C)
{
    int64_t heaviest = 0;
    for (int64_t j = 1; j < k; j++)
        if (wsum[j] > wsum[heaviest]) heaviest = j;
    for (int64_t j = 0; j < k; j++)
        if (wsum[j] > 0)
            for (int64_t f = 0; f < d; f++) C[j * d + f] = (CK_CT)(sums[j * d + f] / wsum[j]);
    for (int64_t j = 0; j < k; j++)
        if (!(wsum[j] > 0) && wsum[heaviest] > 0)
            memcpy(C + j * d, C + heaviest * d, (size_t)d * sizeof(CK_CT));
}

/* The n_far rows farthest (unweighted ||x - c_old[label]||^2) from their current centre, farthest
 * first, ties to the lowest row index: scikit-learn's candidates for empty clusters. n_far <= n. */
static int CK_FN(farthest)(const CK_XT *X, int64_t n, int64_t d, const CK_CT *C_old, const int32_t *labels,
                           int64_t n_far, double *far_sqdist, int64_t *far_index, int n_threads)
{
    ck_far_t *far = malloc((size_t)(n > 0 ? n : 1) * sizeof(ck_far_t));
    if (!far) return CK_ERR_NOMEM;
#pragma omp parallel for schedule(static) num_threads(ck_omp_team(n_threads, ck_n_chunks(n)))
    for (int64_t i = 0; i < n; i++) {
        far[i].dist = CK_FN(ck_sqdist)(X + i * d, C_old + (int64_t)labels[i] * d, d);
        far[i].index = i;
    }
    qsort(far, (size_t)n, sizeof(ck_far_t), ck_far_cmp);
    for (int64_t q = 0; q < n_far; q++) {
        far_sqdist[q] = far[q].dist;
        far_index[q] = far[q].index;
    }
    free(far);
    return CK_OK;
}

/* The dense rows' side of the empty-cluster rule (ck_relocator). */
typedef struct {
    const CK_XT *X;
    int64_t n, d;
    const double *w;
    const CK_CT *C_old;
    const int32_t *labels;
    int n_threads;
} CK_FN(ck_dense_rows);

static int CK_FN(dense_farthest)(const void *ctx, int64_t n_far, double *far_sqdist, int64_t *far_index)
{
    const CK_FN(ck_dense_rows) *r = ctx;
    return CK_FN(farthest)(r->X, r->n, r->d, r->C_old, r->labels, n_far, far_sqdist, far_index, r->n_threads);
}

static double CK_FN(dense_move)(const void *ctx, int64_t i, int64_t from, int64_t to, double *sums)
{
    const CK_FN(ck_dense_rows) *r = ctx;
    const int64_t d = r->d;
    const double wi = r->w ? r->w[i] : 1.0;
    for (int64_t f = 0; f < d; f++) {
        const double v = wi * (double)r->X[i * d + f];
        sums[from * d + f] -= v;
        sums[to * d + f] = v;
    }
    return wi;
}

/* ck_relocate on dense rows, candidates by their distance to C_old. */
static int CK_FN(relocate)(const CK_XT *X, int64_t n, int64_t d, const double *w, const CK_CT *C_old,
                           int64_t k, const int32_t *labels, double *sums, double *wsum, int n_threads)
{
    const CK_FN(ck_dense_rows) rows = { X, n, d, w, C_old, labels, n_threads };
    const ck_relocator r = { CK_FN(dense_farthest), CK_FN(dense_move), &rows };
    return ck_relocate(&r, k, labels, sums, wsum);
}

double CK_FN(ck_shift)(const CK_CT *a, const CK_CT *b, int64_t len)
{
    double s = 0;
    for (int64_t e = 0; e < len; e++) {
        double t = (double)a[e] - (double)b[e];
        s += t * t;
    }
    return s;
}

/* Spherical k-means' centres: each row of C scaled to unit L2 norm (norm in double; a zero row, whose
 * members cancel exactly, stays zero). */
void CK_FN(ck_unit_rows)(CK_CT *C, int64_t k, int64_t d)
{
    for (int64_t j = 0; j < k; j++) {
        double s = 0;
        for (int64_t f = 0; f < d; f++) s += (double)C[j * d + f] * (double)C[j * d + f];
        if (!(s > 0)) continue;
        const double inv = 1.0 / sqrt(s);
        for (int64_t f = 0; f < d; f++) C[j * d + f] = (CK_CT)((double)C[j * d + f] * inv);
    }
}

/* out[i] = ||x_i||^2 for rows [start, end): the first step fills them chunk by chunk, while the rows
 * are in cache. Returns ck_nonfinite_row's status of the last bad row, or 0 (the fit's only check of
 * X). */
static int CK_FN(sqnorms_rows)(const CK_XT *X, int64_t start, int64_t end, int64_t d, double *out)
{
    int bad = 0;
    for (int64_t i = start; i < end; i++) {
        out[i] = CK_FN(ck_sqnorm_x)(X + i * d, d);
        const int row = CK_FN(ck_nonfinite_row)(X + i * d, d, out[i]);
        if (row) bad = row;
    }
    return bad;
}

/* The first bounded step's facts for yy_exact_sums over rows [start, end) (in cache after
 * sqnorms_rows): the smallest exponent of their lowest set bits, and the sum of their max |x|. */
static void CK_FN(lsb_rows)(const CK_XT *X, int64_t start, int64_t end, int64_t d, int32_t *lsb,
                            double *absmax)
{
    int32_t lo = INT32_MAX;
    double a = 0;
    for (int64_t i = start; i < end; i++) {
        double m;
        const int32_t q = CK_FN(ck_row_lsb)(X + i * d, d, &m);
        lo = q < lo ? q : lo;
        a += m;
    }
    *lsb = lo;
    *absmax = a;
}

/* Moves row x (unit weight) out of the sums `from` (NULL: it had no cluster) into `to`: exact
 * sums only (yy_exact_sums), where the order of additions cannot matter. */
CK_ACCUM_CLONES static void CK_FN(move_row)(const CK_XT *x, int64_t d, double *from, double *to)
{
    if (from)
        for (int64_t f = 0; f < d; f++) from[f] -= (double)x[f];
    for (int64_t f = 0; f < d; f++) to[f] += (double)x[f];
}

#include "kmeans_bounds_tpl.h"

/* One fused pass: every chunk assigns its rows to C_old and adds them to its group's sums while they
 * are still in cache; then the groups merge in order into ws->sums (k x d sums, then k weights).
 * labels: IN the previous labels (or -1), OUT the new ones. yy: NULL for Lloyd (every row searched);
 * else the bounds of the Yinyang fit (kmeans_bounds_tpl.h), which search only the rows whose label
 * might change and give the same labels. Everything after a chunk's labels (counting changes, the
 * sums) is the same code for both, so their sums are the same bits. A step over a block of rows of
 * a larger fit (ck_lloyd_partial) stops here; step goes on to relocate and average. */
static int CK_FN(step_sums)(const CK_XT *X, int64_t n, int64_t d, const double *w, double *x_sqnorm,
                            int fill_sqnorm, const CK_CT *C_old, int64_t k, int32_t *labels, ck_lloyd_ws *ws,
                            ck_yy *yy, int n_threads, const volatile int *cancel, int64_t *n_changed,
                            double *inertia)
{
    CK_CT *c_sqnorm = (CK_CT *)ws->c_sqnorm;
    CK_FN(ck_sqnorms_c)(C_old, k, d, c_sqnorm);
    if (yy) CK_FN(yy_prepare)(yy, C_old, c_sqnorm, k, d);
    const int64_t kd = k * d, stride = ws->stride;
    int status = CK_OK;
#pragma omp parallel num_threads(ck_omp_team(n_threads, ws->n_groups))
    {
        ck_argmin_ws *aw = ws->aw + ck_omp_thread_num();
        ck_yy_scratch *ys = yy ? yy->scratch + ck_omp_thread_num() : NULL;
        int32_t *lab = malloc((size_t)CK_CHUNK_ROWS * sizeof(int32_t));
        double *dist = malloc((size_t)CK_CHUNK_ROWS * sizeof(double));
        if (aw->tile) ck_argmin_ws_reset(aw);
        ck_by_cluster bc;
        int ok = ck_by_cluster_init(&bc, k) == CK_OK;
        ok = ok && (aw->tile || CK_FN(ck_argmin_ws_init)(aw, k, d) == CK_OK) && lab && dist;
        /* Unweighted uint8: a cluster's rows in a chunk (<= 128 x 255 < 2^16) add up exactly in
         * uint16, 16 lanes per AVX2 add instead of 4 doubles, then go into its double sums at once.
         * Integer sums are exact, so the bits equal the direct path's. Worth it while the flushes
         * (one per cluster the chunk touches, <= k) stay few next to the chunk's rows. */
        uint16_t *acc16 = NULL;
#if CK_X_IS_U8
        if (ok && !w && k <= CK_CHUNK_ROWS / 2) {
            acc16 = calloc((size_t)d, sizeof(uint16_t));
            ok = acc16 != NULL;
        }
#endif
        const CK_CT *score = aw->score;
        if (!ok) {
#pragma omp atomic write
            status = CK_ERR_NOMEM;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t g = 0; g < ws->n_groups; g++) {
            if (!ok) continue;
            double *sums = ws->gbuf + g * stride, *wsum = sums + kd;
            memset(sums, 0, (size_t)stride * sizeof(double));
            int64_t changed = 0, c0, c1;
            ck_group_chunks(g, ws->n_groups, ws->n_chunks, &c0, &c1);
            for (int64_t c = c0; c < c1; c++) {
                if (ck_cancelled(cancel)) break; /* the step's results are dropped below */
                int64_t start, end;
                ck_chunk_rows(c, n, &start, &end);
                int bad = 0;
                if (yy) {
                    if (fill_sqnorm) {
                        bad = CK_FN(sqnorms_rows)(X, start, end, d, x_sqnorm);
                        /* (weighted sums are never exact: yy_exact_sums) */
                        if (!w) CK_FN(lsb_rows)(X, start, end, d, yy->chunk_lsb + c, yy->chunk_absmax + c);
                    }
                    /* (Bounds made of NaN prove nothing: such a chunk is not searched.) */
                    if (bad) memset(lab, 0, (size_t)(end - start) * sizeof(int32_t));
                    else
                        yy->chunk_searched[c] = CK_FN(yy_chunk)(X, start, end, d, x_sqnorm, C_old, c_sqnorm,
                                                                k, labels, yy, ys, aw, lab);
                } else {
                    CK_FN(ck_argmin_rows)(X + start * d, end - start, d, C_old, c_sqnorm, k, lab, aw);
                    /* After the search, which streamed the rows into cache (a pass of its own
                     * would read X from memory once more). */
                    if (fill_sqnorm) bad = CK_FN(sqnorms_rows)(X, start, end, d, x_sqnorm);
                    /* ||x - c||^2 = ||x||^2 + (||c||^2 - 2 x.c): cheap because both terms are at
                     * hand, but when x is close to c the two nearly cancel and rounding can leave a
                     * tiny negative number; a squared distance is >= 0, so clamp. This only feeds
                     * the per-iteration history; reported final inertias are computed by
                     * differences. */
                    for (int64_t i = start; i < end; i++) {
                        const double e = x_sqnorm[i] + (double)score[i - start];
                        dist[i - start] = e < 0 ? 0 : e;
                    }
                }
                double part = 0.0;
                /* Exact sums: only the rows that change cluster move (see yy_exact_sums); the
                 * group's buffer then holds the step's changes to the sums, not the sums. */
                const int moves = yy && yy->exact;
                for (int64_t i = start; i < end; i++) {
                    const int32_t l = lab[i - start], o = labels[i];
                    changed += o != l;
                    labels[i] = l;
                    const double wi = w ? w[i] : 1.0;
                    if (!yy) part += wi * dist[i - start];
                    if (!moves) {
                        wsum[l] += wi;
                    } else if (o != l) {
                        CK_FN(move_row)(X + i * d, d, o >= 0 ? sums + (int64_t)o * d : NULL,
                                        sums + (int64_t)l * d);
                        wsum[l] += 1;
                        if (o >= 0) wsum[o] -= 1;
                    }
                }
                if (!moves) CK_FN(add_chunk)(X, start, end, d, w, lab, &bc, acc16, sums);
                ws->chunk_inertia[c] = part;
                if (bad) {
#pragma omp atomic write
                    status = bad;
                }
            }
            ws->group_changed[g] = changed;
        }
        free(lab);
        free(dist);
        free(acc16);
        ck_by_cluster_free(&bc);
    }
    if (status == CK_OK && ck_cancelled(cancel)) status = CK_ERR_CANCELLED;
    if (status != CK_OK) return status;
    if (yy && fill_sqnorm) {
        yy->wx_sqnorm = 0;
        for (int64_t i = 0; i < n; i++) yy->wx_sqnorm += (w ? w[i] : 1.0) * x_sqnorm[i];
    }
    ck_merge_groups(ws->gbuf, ws->n_groups, stride, stride, ws->sums, n_threads);
    double *sums = ws->sums, *wsum = ws->sums + kd;
    if (yy && yy->exact) {
        /* The merged changes applied to the sums by the previous labels: exact, so the bits of
         * sums formed afresh. Relocation below works on the copy in sums. */
        for (int64_t e = 0; e < stride; e++) yy->tally[e] += sums[e];
        memcpy(sums, yy->tally, (size_t)stride * sizeof(double));
    } else if (yy && fill_sqnorm) {
        CK_FN(yy_exact_sums)(yy, sums, stride, w);
    }
    *inertia =
        yy ? CK_FN(yy_inertia)(yy, sums, wsum, C_old, k, d) : ck_sum_ordered(ws->chunk_inertia, ws->n_chunks);
    int64_t ch = 0;
    for (int64_t g = 0; g < ws->n_groups; g++) ch += ws->group_changed[g];
    *n_changed = ch;
    return CK_OK;
}

/* One iteration: step_sums, then empty clusters relocated and the new centres averaged, so Lloyd's
 * and the bounded fits' centres are the same bits. */
static int CK_FN(step)(const CK_XT *X, int64_t n, int64_t d, const double *w, double *x_sqnorm,
                       int fill_sqnorm, const CK_CT *C_old, int64_t k, CK_CT *C_new, int32_t *labels,
                       ck_lloyd_ws *ws, ck_yy *yy, int n_threads, const volatile int *cancel,
                       int64_t *n_changed, double *inertia, double *shift)
{
    int status = CK_FN(step_sums)(X, n, d, w, x_sqnorm, fill_sqnorm, C_old, k, labels, ws, yy, n_threads,
                                  cancel, n_changed, inertia);
    if (status != CK_OK) return status;
    const int64_t kd = k * d;
    double *sums = ws->sums, *wsum = ws->sums + kd;
    status = CK_FN(relocate)(X, n, d, w, C_old, k, labels, sums, wsum, n_threads);
    if (status != CK_OK) return status;
    if (C_new != C_old) memcpy(C_new, C_old, (size_t)kd * sizeof(CK_CT));
    CK_FN(ck_average)(sums, wsum, k, d, C_new);
    if (ws->spherical) CK_FN(ck_unit_rows)(C_new, k, d);
    *shift = CK_FN(ck_shift)(C_new, C_old, kd);
    /* Relocated and re-averaged centres alike: every move is in the drifts, so the bounds hold. */
    if (yy) CK_FN(yy_drifts)(yy, C_old, C_new, k, d);
    return CK_OK;
}

int CK_FN(ck_lloyd_step)(const CK_DATA *data, int64_t n_clusters, const CK_CT *centroids_old,
                         CK_CT *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads)
{
    const int64_t n_samples = data->n_samples, n_features = data->n_features;
    if (n_samples < 1 || n_features < 1 || n_clusters < 1 || n_clusters > INT32_MAX) return CK_ERR_ARG;
    n_threads = ck_omp_clamp_threads(n_threads);
    ck_lloyd_ws ws;
    int status = ck_lloyd_ws_init(&ws, n_samples, n_features, n_clusters, 1, n_threads);
    if (status == CK_OK)
        status = CK_FN(step)(data->X, n_samples, n_features, data->sample_weight, ws.x_sqnorm, 1,
                             centroids_old, n_clusters, centroids_new, labels, &ws, NULL, n_threads,
                             ck_cancel_flag(), &stats->n_changed, &stats->inertia, &stats->center_shift);
    ck_lloyd_ws_free(&ws);
    return status;
}

int CK_FN(ck_lloyd_partial)(const CK_DATA *data, int64_t n_clusters, const CK_CT *centroids, int32_t *labels,
                            double *sums, double *weight_in_clusters, ck_step_stats *stats, int n_threads)
{
    const int64_t n_samples = data->n_samples, n_features = data->n_features;
    if (n_samples < 1 || n_features < 1 || n_clusters < 1 || n_clusters > INT32_MAX) return CK_ERR_ARG;
    n_threads = ck_omp_clamp_threads(n_threads);
    ck_lloyd_ws ws;
    int status = ck_lloyd_ws_init(&ws, n_samples, n_features, n_clusters, 1, n_threads);
    if (status == CK_OK)
        status = CK_FN(step_sums)(data->X, n_samples, n_features, data->sample_weight, ws.x_sqnorm, 1,
                                  centroids, n_clusters, labels, &ws, NULL, n_threads, ck_cancel_flag(),
                                  &stats->n_changed, &stats->inertia);
    if (status == CK_OK) {
        const int64_t kd = n_clusters * n_features;
        memcpy(sums, ws.sums, (size_t)kd * sizeof(double));
        memcpy(weight_in_clusters, ws.sums + kd, (size_t)n_clusters * sizeof(double));
        stats->center_shift = 0.0;
    }
    ck_lloyd_ws_free(&ws);
    return status;
}

int CK_FN(ck_farthest)(const CK_DATA *data, int64_t n_clusters, const CK_CT *centroids, const int32_t *labels,
                       int64_t n_far, double *far_sqdist, int64_t *far_index, int n_threads)
{
    const int64_t n_samples = data->n_samples, n_features = data->n_features;
    if (n_samples < 0 || n_features < 1 || n_clusters < 1 || n_far < 0 || n_far > n_samples)
        return CK_ERR_ARG;
    for (int64_t i = 0; i < n_samples; i++)
        if (labels[i] < 0 || labels[i] >= n_clusters) return CK_ERR_KMEANS_LABEL;
    return CK_FN(farthest)(data->X, n_samples, n_features, centroids, labels, n_far, far_sqdist, far_index,
                           ck_omp_clamp_threads(n_threads));
}

int CK_FN(ck_centroids_update)(const CK_DATA *data, int64_t n_clusters, const int32_t *labels,
                               CK_CT *centroids, double *weight_in_clusters, int n_threads)
{
    const CK_XT *X = data->X;
    const int64_t n_samples = data->n_samples, n_features = data->n_features;
    const double *sample_weight = data->sample_weight;
    if (n_samples < 0 || n_features < 1 || n_clusters < 1) return CK_ERR_ARG;
    n_threads = ck_omp_clamp_threads(n_threads);
    ck_lloyd_ws ws;
    int status = ck_lloyd_ws_init(&ws, n_samples, n_features, n_clusters, 0, n_threads);
    if (status != CK_OK) {
        ck_lloyd_ws_free(&ws);
        return status;
    }
    const int64_t kd = n_clusters * n_features, stride = ws.stride;
    int bad_label = 0, nomem = 0;
#pragma omp parallel num_threads(ck_omp_team(n_threads, ws.n_groups)) reduction(| : bad_label, nomem)
    {
        ck_by_cluster bc;
        nomem = ck_by_cluster_init(&bc, n_clusters) != CK_OK;
#pragma omp for schedule(dynamic, 1)
        for (int64_t g = 0; g < ws.n_groups; g++) {
            if (nomem) continue;
            double *sums = ws.gbuf + g * stride, *wsum = sums + kd;
            memset(sums, 0, (size_t)stride * sizeof(double));
            int64_t c0, c1;
            ck_group_chunks(g, ws.n_groups, ws.n_chunks, &c0, &c1);
            for (int64_t c = c0; c < c1 && !bad_label; c++) {
                int64_t start, end;
                ck_chunk_rows(c, n_samples, &start, &end);
                for (int64_t i = start; i < end; i++) {
                    const int32_t l = labels[i];
                    if (l < 0 || l >= n_clusters) {
                        bad_label = 1;
                        break;
                    }
                    wsum[l] += sample_weight ? sample_weight[i] : 1.0;
                }
                if (!bad_label)
                    CK_FN(add_chunk)(X, start, end, n_features, sample_weight, labels + start, &bc, NULL,
                                     sums);
            }
        }
        ck_by_cluster_free(&bc);
    }
    if (nomem) {
        ck_lloyd_ws_free(&ws);
        return CK_ERR_NOMEM;
    }
    if (!bad_label) {
        ck_merge_groups(ws.gbuf, ws.n_groups, stride, stride, ws.sums, n_threads);
        const double *sums = ws.sums, *wsum = ws.sums + kd;
        for (int64_t j = 0; j < n_clusters; j++) {
            weight_in_clusters[j] = wsum[j];
            if (wsum[j] > 0)
                for (int64_t f = 0; f < n_features; f++)
                    centroids[j * n_features + f] = (CK_CT)(sums[j * n_features + f] / wsum[j]);
        }
    }
    ck_lloyd_ws_free(&ws);
    return bad_label ? CK_ERR_KMEANS_LABEL : CK_OK;
}

/* The fit loop of Lloyd (n_bound_groups == 0) and Yinyang (n_bound_groups >= 1 groups of centres).
 * searched_history: NULL, or max_iter counts of the rows searched per iteration (Yinyang only).
 * bounds_if_exact: drop the bounds after the first step unless the sums are exact (yy_exact_sums):
 * with few clusters they pay only when the rows they settle need not be read at all. */
static int CK_FN(fit)(const CK_DATA *data, int64_t n_clusters, CK_CT *centroids,
                      const ck_kmeans_params *params, int64_t n_bound_groups, int bounds_if_exact,
                      ck_kmeans_result *result)
{
    const CK_XT *X = data->X;
    const int64_t n_samples = data->n_samples, n_features = data->n_features;
    const double *sample_weight = data->sample_weight;
    const int max_iter = params->max_iter;
    const double tol_abs = params->tol_abs;
    int32_t *labels = result->labels;
    double *inertia_history = result->inertia_history;
    int64_t *searched_history = result->searched_history;
    if (n_samples < 1 || n_features < 1 || n_clusters < 1 || n_clusters > n_samples ||
        n_clusters > INT32_MAX || max_iter < 1 || !(tol_abs >= 0) || n_bound_groups < 0 || !labels ||
        (params->spherical != 0 && params->spherical != 1))
        return CK_ERR_ARG;
    const int n_threads = ck_omp_clamp_threads(params->n_threads);
    const volatile int *cancel = ck_cancel_of(params->cancel);
    const int64_t kd = n_clusters * n_features;
    ck_lloyd_ws ws;
    ck_yy yy = { 0 }, *bounds = n_bound_groups ? &yy : NULL;
    int status = ck_lloyd_ws_init(&ws, n_samples, n_features, n_clusters, 1, n_threads);
    ws.spherical = params->spherical;
    CK_CT *other = malloc((size_t)kd * sizeof(CK_CT));
    if (status == CK_OK && !other) status = CK_ERR_NOMEM;
    if (status == CK_OK && bounds)
        status = CK_FN(yy_init)(&yy, n_samples, n_features, centroids, n_clusters, n_bound_groups,
                                ws.n_chunks, n_threads);
    if (status != CK_OK) {
        free(other);
        ck_lloyd_ws_free(&ws);
        ck_yy_free(&yy);
        return status;
    }

    for (int64_t i = 0; i < n_samples; i++) labels[i] = -1;
    CK_CT *cur = centroids, *nxt = other;
    int it, strict = 0, on_tol = 0;
    for (it = 0; it < max_iter; it++) {
        if (ck_cancelled(cancel)) {
            status = CK_ERR_CANCELLED;
            break;
        }
        int64_t changed;
        double inert, shift;
        status = CK_FN(step)(X, n_samples, n_features, sample_weight, ws.x_sqnorm, it == 0, cur, n_clusters,
                             nxt, labels, &ws, bounds, n_threads, cancel, &changed, &inert, &shift);
        if (status != CK_OK) break;
        if (inertia_history) inertia_history[it] = inert;
        if (searched_history) searched_history[it] = bounds ? ck_yy_searched(&yy) : n_samples;
        if (bounds && bounds_if_exact && !yy.exact) {
            ck_yy_free(&yy);
            bounds = NULL;
        }
        CK_CT *t = cur;
        cur = nxt;
        nxt = t;
        if (params->callback) {
            const ck_iter_info info = { it, inert, shift, changed, 0.0 };
            if (params->callback(params->callback_data, &info)) {
                status = CK_ERR_CANCELLED;
                it++;
                break;
            }
        }
        /* scikit-learn's order: labels identical to the previous iteration's is strict
         * convergence; otherwise the squared centre shift is compared with tol. */
        if (changed == 0) {
            strict = 1;
            break;
        }
        if (shift <= tol_abs) {
            on_tol = 1;
            break;
        }
    }
    result->algorithm = !bounds ? CK_ALGO_LLOYD : yy.t == 1 ? CK_ALGO_HAMERLY : CK_ALGO_YINYANG;
    if (status == CK_ERR_CANCELLED) {
        /* The centres of the last finished iteration are the caller's to keep. */
        result->n_iter = it;
        if (cur != centroids) memcpy(centroids, cur, (size_t)kd * sizeof(CK_CT));
    }
    if (status == CK_OK) {
        result->n_iter = it < max_iter ? it + 1 : max_iter;
        if (cur != centroids) memcpy(centroids, cur, (size_t)kd * sizeof(CK_CT));
        /* Unless labels stopped changing, the last centres moved after the last assignment:
         * assign once more so labels belong to the returned centres. The bounded fit does that with
         * one more bounded step (its bounds already follow the last move, so it searches only the
         * rows that may change, and gives Lloyd's labels), its new centres thrown away; Lloyd's
         * with a full search. */
        int assign = !strict;
        if (assign && bounds) {
            int64_t changed;
            double inert, shift;
            status =
                CK_FN(step)(X, n_samples, n_features, sample_weight, ws.x_sqnorm, 0, centroids, n_clusters,
                            other, labels, &ws, bounds, n_threads, cancel, &changed, &inert, &shift);
            assign = 0;
        }
        if (status == CK_OK)
            status = CK_FN(ck_assign_inertia)(X, n_samples, n_features, sample_weight, centroids, n_clusters,
                                              labels, assign, NULL, n_threads, &result->inertia);
        result->converged = strict || on_tol;
    }
    free(other);
    ck_lloyd_ws_free(&ws);
    ck_yy_free(&yy);
    return status;
}

int CK_FN(ck_kmeans_fit)(const CK_DATA *data, int64_t n_clusters, CK_CT *centroids,
                         const ck_kmeans_params *params, ck_kmeans_result *result)
{
    if (!data || !params || !result) return CK_ERR_ARG;
    int64_t groups = 0;
    int if_exact = 0;
    switch (params->algorithm) {
    case CK_ALGO_LLOYD: break;
    case CK_ALGO_YINYANG:
        if (params->n_groups < 0) return CK_ERR_ARG;
        groups = params->n_groups ? params->n_groups : ck_yy_default_groups(n_clusters);
        if (groups > n_clusters) groups = n_clusters;
        break;
    case CK_ALGO_HAMERLY: groups = 1; break;
    case CK_ALGO_AUTO:
        if (n_clusters >= CK_AUTO_YINYANG_K && params->max_iter >= CK_AUTO_MIN_ITER) {
            groups = ck_yy_default_groups(n_clusters);
        } else if (params->max_iter >= CK_AUTO_MIN_ITER && !data->sample_weight && !CK_X_IS_U8) {
            /* uint8 stays with Lloyd: its screened search has no second-best score for the bounds. */
            groups = 1;
            if_exact = 1;
        }
        break;
    default: return CK_ERR_ARG;
    }
    return CK_FN(fit)(data, n_clusters, centroids, params, groups, if_exact, result);
}

/* Column sums (pass 1) or sums of squared deviations from mean (pass 2) of rows [start, end). */
CK_ACCUM_CLONES static void CK_FN(column_pass)(const CK_XT *X, int64_t start, int64_t end, int64_t d,
                                               const double *mean, double *acc)
{
    for (int64_t i = start; i < end; i++) {
        const CK_XT *x = X + i * d;
        if (mean)
            for (int64_t f = 0; f < d; f++) {
                const double e = (double)x[f] - mean[f];
                acc[f] += e * e;
            }
        else
            for (int64_t f = 0; f < d; f++) acc[f] += (double)x[f];
    }
}

int CK_FN(ck_mean_feature_variance)(const CK_DATA *data, double *mean_variance, int n_threads)
{
    const CK_XT *X = data->X;
    const int64_t n_samples = data->n_samples, n_features = data->n_features;
    if (n_samples < 1 || n_features < 1) return CK_ERR_ARG;
    n_threads = ck_omp_clamp_threads(n_threads);
    const int64_t d = n_features, n_chunks = ck_n_chunks(n_samples), n_groups = ck_groups_plan(n_chunks, d);
    double *gbuf = malloc((size_t)(n_groups * d) * sizeof(double));
    double *mean = malloc((size_t)d * sizeof(double)), *ss = malloc((size_t)d * sizeof(double));
    if (!gbuf || !mean || !ss) {
        free(gbuf);
        free(mean);
        free(ss);
        return CK_ERR_NOMEM;
    }
    /* Two passes like numpy.var: the mean first, then squared deviations from it (the one-pass
     * E[x^2] - E[x]^2 cancels catastrophically for data far from the origin). */
    for (int pass = 0; pass < 2; pass++) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(ck_omp_team(n_threads, n_groups))
        for (int64_t g = 0; g < n_groups; g++) {
            double *acc = gbuf + g * d;
            memset(acc, 0, (size_t)d * sizeof(double));
            int64_t c0, c1;
            ck_group_chunks(g, n_groups, n_chunks, &c0, &c1);
            const int64_t start = c0 * CK_CHUNK_ROWS;
            const int64_t end = c1 * CK_CHUNK_ROWS < n_samples ? c1 * CK_CHUNK_ROWS : n_samples;
            CK_FN(column_pass)(X, start, end, d, pass ? mean : NULL, acc);
        }
        ck_merge_groups(gbuf, n_groups, d, d, pass ? ss : mean, n_threads);
        if (!pass)
            for (int64_t f = 0; f < d; f++) mean[f] /= (double)n_samples;
    }
    double total = 0.0;
    for (int64_t f = 0; f < d; f++) total += ss[f] / (double)n_samples;
    *mean_variance = total / (double)d;
    free(gbuf);
    free(mean);
    free(ss);
    return CK_OK;
}
