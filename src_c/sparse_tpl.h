/* Hard k-means on CSR rows, written once per dtype (instantiated by sparse.c through
 * ck_csr_dtypes.h). The contract is in ckmeans.h ("hard k-means on sparse rows"). */

/* out[i] = ||x_i||^2 in double for every row; returns 1 if a value is NaN or infinite (the sum of
 * squares is then NaN or infinite, or overflowed: the check looks at the values themselves). */
int CK_FN(ck_csr_sqnorms)(const CK_CSR *X, double *out, int n_threads)
{
    const int64_t n_chunks = ck_n_chunks(X->n_samples);
    int bad = 0;
#pragma omp parallel for schedule(static) num_threads(ck_omp_team(n_threads, n_chunks)) reduction(| : bad)
    for (int64_t c = 0; c < n_chunks; c++) {
        int64_t start, end;
        ck_chunk_rows(c, X->n_samples, &start, &end);
        for (int64_t i = start; i < end; i++) {
            double s = 0;
            for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) {
                const double v = X->values[p];
                bad |= !isfinite(v);
                s += v * v;
            }
            out[i] = s;
        }
    }
    return bad;
}

/* out[j] = ||C_j||^2 in double. */
static void CK_FN(csr_c_sqnorms)(const CK_CT *C, int64_t k, int64_t d, double *out)
{
    for (int64_t j = 0; j < k; j++) {
        double s = 0;
        for (int64_t f = 0; f < d; f++) s += (double)C[j * d + f] * (double)C[j * d + f];
        out[j] = s;
    }
}

/* ct (d x k) = C transposed, so a nonzero's column meets every centre in one contiguous vector;
 * c_sqnorm[j] = ||C_j||^2 in double. */
static void CK_FN(csr_prepare)(const CK_CT *C, int64_t k, int64_t d, CK_CT *ct, double *c_sqnorm)
{
    for (int64_t j = 0; j < k; j++)
        for (int64_t f = 0; f < d; f++) ct[f * k + j] = C[j * d + f];
    CK_FN(csr_c_sqnorms)(C, k, d, c_sqnorm);
}

/* Nonzeros ahead whose centre vectors are prefetched: the columns are known in advance but random,
 * so each k-vector of ct is a cache miss the prefetch overlaps with the work in between. */
#define CK_CSR_PREFETCH 8

/* dots[j] = x_i . C_j for j < k over the row's stored values, in the centroid type. */
CK_CSR_CLONES void CK_FN(ck_csr_dots)(const CK_CSR *X, int64_t i, const CK_CT *ct, int64_t k, CK_CT *dots)
{
    const int64_t nnz = X->indptr[X->n_samples], vec_bytes = k * (int64_t)sizeof(CK_CT);
    for (int64_t j = 0; j < k; j++) dots[j] = 0;
    for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) {
        if (p + CK_CSR_PREFETCH < nnz) {
            const char *ahead = (const char *)(ct + CK_CSR_COL(X, p + CK_CSR_PREFETCH) * k);
            for (int64_t b = 0; b < vec_bytes; b += 64) __builtin_prefetch(ahead + b);
        }
        const CK_CT v = X->values[p];
        const CK_CT *col = ct + CK_CSR_COL(X, p) * k;
        for (int64_t j = 0; j < k; j++) dots[j] += v * col[j];
    }
}

/* x_i . c in double against one dense centre c. */
static inline double CK_FN(csr_dot1)(const CK_CSR *X, int64_t i, const CK_CT *c)
{
    double s = 0;
    for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++)
        s += (double)X->values[p] * (double)c[CK_CSR_COL(X, p)];
    return s;
}

/* ||x_i - c||^2 = ||x||^2 + ||c||^2 - 2 x.c: both norms are at hand, but when x is close to c they
 * nearly cancel and rounding can leave a tiny negative number; a squared distance is >= 0. */
static inline double CK_FN(csr_sqdist)(double x_sqnorm, double c_sqnorm, double dot)
{
    const double e = x_sqnorm + c_sqnorm - 2.0 * dot;
    return e < 0 ? 0 : e;
}

/* One pass over the rows: labels[i] = the nearest centre (its previous value compared first, for
 * chunk_changed), dist[i] (or NULL) its clamped squared distance, chunk_inertia[c] (or NULL) the
 * weighted sum of those per chunk. */
static int CK_FN(csr_assign_pass)(const CK_CSR *X, const double *x_sqnorm, const CK_CT *ct,
                                  const double *c_sqnorm, int64_t k, int32_t *labels, double *dist,
                                  double *chunk_inertia, int64_t *chunk_changed, int n_threads,
                                  const volatile int *cancel)
{
    const int64_t n_chunks = ck_n_chunks(X->n_samples);
    const double *w = X->sample_weight;
    int status = CK_OK;
#pragma omp parallel num_threads(ck_omp_team(n_threads, n_chunks))
    {
        CK_CT *dots = malloc((size_t)k * sizeof(CK_CT));
        if (!dots) {
#pragma omp atomic write
            status = CK_ERR_NOMEM;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t c = 0; c < n_chunks; c++) {
            if (!dots || ck_cancelled(cancel)) continue;
            int64_t start, end, changed = 0;
            double part = 0;
            ck_chunk_rows(c, X->n_samples, &start, &end);
            for (int64_t i = start; i < end; i++) {
                CK_FN(ck_csr_dots)(X, i, ct, k, dots);
                int32_t best = 0;
                double best_score = c_sqnorm[0] - 2.0 * (double)dots[0];
                for (int64_t j = 1; j < k; j++) {
                    const double s = c_sqnorm[j] - 2.0 * (double)dots[j];
                    if (s < best_score) {
                        best_score = s;
                        best = (int32_t)j;
                    }
                }
                changed += labels[i] != best;
                labels[i] = best;
                const double e = x_sqnorm[i] + best_score;
                const double di = e < 0 ? 0 : e;
                if (dist) dist[i] = di;
                part += (w ? w[i] : 1.0) * di;
            }
            if (chunk_inertia) chunk_inertia[c] = part;
            if (chunk_changed) chunk_changed[c] = changed;
        }
        free(dots);
    }
    if (status == CK_OK && ck_cancelled(cancel)) status = CK_ERR_CANCELLED;
    return status;
}

/* Buffers of a sparse step or fit, O(k d + n), allocated once. */
typedef struct {
    int64_t n_chunks;
    CK_CT *ct; /* d x k transposed centres */
    double *c_sqnorm; /* k */
    double *x_sqnorm; /* n */
    double *sums; /* k d sums, then k weights */
    int64_t *order; /* n: rows listed cluster by cluster */
    int64_t *off; /* k + 1: cluster j's rows are order[off[j] .. off[j + 1]) */
    int64_t *pos; /* k: fill cursors of the counting sort */
    double *chunk_inertia; /* n_chunks */
    int64_t *chunk_changed; /* n_chunks */
} CK_FN(ck_csr_ws);

static void CK_FN(csr_ws_free)(CK_FN(ck_csr_ws) * ws)
{
    free(ws->ct);
    free(ws->c_sqnorm);
    free(ws->x_sqnorm);
    free(ws->sums);
    free(ws->order);
    free(ws->off);
    free(ws->pos);
    free(ws->chunk_inertia);
    free(ws->chunk_changed);
    memset(ws, 0, sizeof(*ws));
}

static int CK_FN(csr_ws_init)(CK_FN(ck_csr_ws) * ws, int64_t n, int64_t d, int64_t k)
{
    memset(ws, 0, sizeof(*ws));
    ws->n_chunks = ck_n_chunks(n);
    ws->ct = malloc((size_t)(k * d) * sizeof(CK_CT));
    ws->c_sqnorm = malloc((size_t)k * sizeof(double));
    ws->x_sqnorm = malloc((size_t)n * sizeof(double));
    ws->sums = malloc((size_t)(k * d + k) * sizeof(double));
    ws->order = malloc((size_t)n * sizeof(int64_t));
    ws->off = malloc((size_t)(k + 1) * sizeof(int64_t));
    ws->pos = malloc((size_t)k * sizeof(int64_t));
    ws->chunk_inertia = malloc((size_t)ws->n_chunks * sizeof(double));
    ws->chunk_changed = malloc((size_t)ws->n_chunks * sizeof(int64_t));
    if (!ws->ct || !ws->c_sqnorm || !ws->x_sqnorm || !ws->sums || !ws->order || !ws->off || !ws->pos ||
        !ws->chunk_inertia || !ws->chunk_changed) {
        CK_FN(csr_ws_free)(ws);
        return CK_ERR_NOMEM;
    }
    return CK_OK;
}

/* sums[j] (d doubles) = sum of w_i x_i over the rows labelled j, then wsum[j] = sum of their w_i:
 * each cluster's rows added in row order by one thread, so the bits never depend on n_threads and
 * no thread needs a k x d buffer of its own. */
static void CK_FN(csr_sums)(const CK_CSR *X, const int32_t *labels, int64_t k, CK_FN(ck_csr_ws) * ws,
                            int n_threads)
{
    const int64_t n = X->n_samples, d = X->n_features;
    const double *w = X->sample_weight;
    int64_t *off = ws->off, *order = ws->order;
    double *sums = ws->sums, *wsum = ws->sums + k * d;
    memset(off, 0, (size_t)(k + 1) * sizeof(int64_t));
    for (int64_t i = 0; i < n; i++) off[labels[i] + 1]++;
    for (int64_t j = 0; j < k; j++) off[j + 1] += off[j];
    for (int64_t j = 0; j < k; j++) ws->pos[j] = off[j];
    for (int64_t i = 0; i < n; i++) order[ws->pos[labels[i]]++] = i;
#pragma omp parallel for schedule(dynamic, 1) num_threads(ck_omp_team(n_threads, k))
    for (int64_t j = 0; j < k; j++) {
        double *s = sums + j * d, ws_j = 0;
        memset(s, 0, (size_t)d * sizeof(double));
        for (int64_t q = off[j]; q < off[j + 1]; q++) {
            const int64_t i = order[q];
            const double wi = w ? w[i] : 1.0;
            ws_j += wi;
            for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++)
                s[CK_CSR_COL(X, p)] += wi * (double)X->values[p];
        }
        wsum[j] = ws_j;
    }
}

/* The n_far rows farthest from their centre in C (c_sqnorm its squared norms), unweighted
 * ||x||^2 + ||c||^2 - 2 x.c with x.c in double, clamped at 0, farthest first, ties to the lowest row:
 * the candidates of the empty-cluster rule. n_far <= n. */
static int CK_FN(csr_farthest)(const CK_CSR *X, const double *x_sqnorm, const CK_CT *C,
                               const double *c_sqnorm, const int32_t *labels, int64_t n_far,
                               double *far_sqdist, int64_t *far_index, int n_threads)
{
    const int64_t n = X->n_samples, d = X->n_features;
    ck_far_t *far = malloc((size_t)n * sizeof(ck_far_t));
    if (!far) return CK_ERR_NOMEM;
#pragma omp parallel for schedule(static) num_threads(ck_omp_team(n_threads, ck_n_chunks(n)))
    for (int64_t i = 0; i < n; i++) {
        const int64_t l = labels[i];
        far[i].dist = CK_FN(csr_sqdist)(x_sqnorm[i], c_sqnorm[l], CK_FN(csr_dot1)(X, i, C + l * d));
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

/* The sparse rows' side of the empty-cluster rule (ck_relocator). */
typedef struct {
    const CK_CSR *X;
    const double *x_sqnorm, *c_sqnorm;
    const CK_CT *C_old;
    const int32_t *labels;
    int n_threads;
} CK_FN(ck_csr_rows);

static int CK_FN(csr_rows_farthest)(const void *ctx, int64_t n_far, double *far_sqdist, int64_t *far_index)
{
    const CK_FN(ck_csr_rows) *r = ctx;
    return CK_FN(csr_farthest)(r->X, r->x_sqnorm, r->C_old, r->c_sqnorm, r->labels, n_far, far_sqdist,
                               far_index, r->n_threads);
}

static double CK_FN(csr_rows_move)(const void *ctx, int64_t i, int64_t from, int64_t to, double *sums)
{
    const CK_CSR *X = ((const CK_FN(ck_csr_rows) *)ctx)->X;
    const int64_t d = X->n_features;
    const double wi = X->sample_weight ? X->sample_weight[i] : 1.0;
    for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) {
        const double v = wi * (double)X->values[p];
        sums[from * d + CK_CSR_COL(X, p)] -= v;
        sums[to * d + CK_CSR_COL(X, p)] = v;
    }
    return wi;
}

/* ck_relocate on sparse rows (the dense kernels' relocate), candidates by csr_farthest for C_old
 * (c_sqnorm its squared norms). */
static int CK_FN(csr_relocate)(const CK_CSR *X, const double *x_sqnorm, const CK_CT *C_old,
                               const double *c_sqnorm, int64_t k, const int32_t *labels, double *sums,
                               double *wsum, int n_threads)
{
    const CK_FN(ck_csr_rows) rows = { X, x_sqnorm, c_sqnorm, C_old, labels, n_threads };
    const ck_relocator r = { CK_FN(csr_rows_farthest), CK_FN(csr_rows_move), &rows };
    return ck_relocate(&r, k, labels, sums, wsum);
}

/* The partials of one Lloyd iteration from C (ws->x_sqnorm filled): labels (IN previous, OUT new),
 * ws->sums (the weighted sums, then the weights), the labels changed and the inertia of the new
 * labels. A block of a larger fit (ck_lloyd_partial_csr) stops here; csr_step goes on to relocate and
 * average. */
static int CK_FN(csr_step_sums)(const CK_CSR *X, CK_FN(ck_csr_ws) * ws, const CK_CT *C, int64_t k,
                                int32_t *labels, int n_threads, const volatile int *cancel,
                                int64_t *n_changed, double *inertia)
{
    CK_FN(csr_prepare)(C, k, X->n_features, ws->ct, ws->c_sqnorm);
    int status = CK_FN(csr_assign_pass)(X, ws->x_sqnorm, ws->ct, ws->c_sqnorm, k, labels, NULL,
                                        ws->chunk_inertia, ws->chunk_changed, n_threads, cancel);
    if (status != CK_OK) return status;
    *inertia = ck_sum_ordered(ws->chunk_inertia, ws->n_chunks);
    int64_t ch = 0;
    for (int64_t c = 0; c < ws->n_chunks; c++) ch += ws->chunk_changed[c];
    *n_changed = ch;
    CK_FN(csr_sums)(X, labels, k, ws, n_threads);
    return CK_OK;
}

/* One Lloyd iteration from C_old (ws->x_sqnorm filled): labels (IN previous, OUT new), C_new (may
 * equal C_old), the labels changed, the inertia of the new labels and the squared shift. */
static int CK_FN(csr_step)(const CK_CSR *X, CK_FN(ck_csr_ws) * ws, const CK_CT *C_old, int64_t k,
                           CK_CT *C_new, int32_t *labels, int spherical, int n_threads,
                           const volatile int *cancel, int64_t *n_changed, double *inertia, double *shift)
{
    const int64_t d = X->n_features, kd = k * d;
    int status = CK_FN(csr_step_sums)(X, ws, C_old, k, labels, n_threads, cancel, n_changed, inertia);
    if (status != CK_OK) return status;
    double *sums = ws->sums, *wsum = ws->sums + kd;
    status = CK_FN(csr_relocate)(X, ws->x_sqnorm, C_old, ws->c_sqnorm, k, labels, sums, wsum, n_threads);
    if (status != CK_OK) return status;
    if (C_new != C_old) memcpy(C_new, C_old, (size_t)kd * sizeof(CK_CT));
    CK_FN(ck_average)(sums, wsum, k, d, C_new);
    if (spherical) CK_FN(ck_unit_rows)(C_new, k, d);
    *shift = CK_FN(ck_shift)(C_new, C_old, kd);
    return CK_OK;
}

int CK_FN(ck_csr_check)(const CK_CSR *X, int64_t k)
{
    if (!X || X->n_samples < 1 || X->n_features < 1 || k < 1 || k > INT32_MAX || !X->indptr ||
        (!X->indices32 == !X->indices64) || (!X->values && X->indptr[X->n_samples] > 0))
        return CK_ERR_ARG;
    return CK_OK;
}

int CK_FN(ck_csr_duplicate_row)(const CK_CSR *data, int64_t *row)
{
    if (!data || !row || data->n_samples < 1 || data->n_features < 1 || !data->indptr ||
        (!data->indices32 == !data->indices64))
        return CK_ERR_ARG;
    const int64_t d = data->n_features;
    int64_t *last = malloc((size_t)d * sizeof(int64_t)); /* the last row seen in each column */
    if (!last) return CK_ERR_NOMEM;
    for (int64_t j = 0; j < d; j++) last[j] = -1;
    int status = CK_OK;
    *row = -1;
    for (int64_t i = 0; i < data->n_samples && *row < 0 && status == CK_OK; i++)
        for (int64_t p = data->indptr[i]; p < data->indptr[i + 1]; p++) {
            const int64_t j = CK_CSR_COL(data, p);
            if (j < 0 || j >= d) {
                status = CK_ERR_ARG;
                break;
            }
            if (last[j] == i) {
                *row = i;
                break;
            }
            last[j] = i;
        }
    free(last);
    return status;
}

int CK_FN(ck_assign_csr)(const CK_CSR *data, int64_t n_clusters, const CK_CT *centroids, int32_t *labels,
                         double *sqdist, int n_threads)
{
    int status = CK_FN(ck_csr_check)(data, n_clusters);
    if (status != CK_OK) return status;
    n_threads = ck_omp_clamp_threads(n_threads);
    CK_FN(ck_csr_ws) ws;
    status = CK_FN(csr_ws_init)(&ws, data->n_samples, data->n_features, n_clusters);
    if (status == CK_OK) {
        CK_FN(ck_csr_sqnorms)(data, ws.x_sqnorm, n_threads);
        CK_FN(csr_prepare)(centroids, n_clusters, data->n_features, ws.ct, ws.c_sqnorm);
        status = CK_FN(csr_assign_pass)(data, ws.x_sqnorm, ws.ct, ws.c_sqnorm, n_clusters, labels, sqdist,
                                        NULL, NULL, n_threads, ck_cancel_flag());
    }
    CK_FN(csr_ws_free)(&ws);
    return status;
}

/* The weighted inertia of given labels from known row norms (chunk-ordered sum). */
static int CK_FN(csr_inertia)(const CK_CSR *X, const double *x_sqnorm, int64_t k, const CK_CT *C,
                              const int32_t *labels, double *inertia, int n_threads)
{
    const int64_t n = X->n_samples, d = X->n_features, n_chunks = ck_n_chunks(n);
    double *part = malloc((size_t)n_chunks * sizeof(double)), *c_sqnorm = malloc((size_t)k * sizeof(double));
    if (!part || !c_sqnorm) {
        free(part);
        free(c_sqnorm);
        return CK_ERR_NOMEM;
    }
    CK_FN(csr_c_sqnorms)(C, k, d, c_sqnorm);
    int bad = 0;
#pragma omp parallel for schedule(static) num_threads(ck_omp_team(n_threads, n_chunks)) reduction(| : bad)
    for (int64_t c = 0; c < n_chunks; c++) {
        int64_t start, end;
        ck_chunk_rows(c, n, &start, &end);
        double s = 0;
        for (int64_t i = start; i < end; i++) {
            const int64_t l = labels[i];
            if (l < 0 || l >= k) {
                bad = 1;
                break;
            }
            s += (X->sample_weight ? X->sample_weight[i] : 1.0) *
                CK_FN(csr_sqdist)(x_sqnorm[i], c_sqnorm[l], CK_FN(csr_dot1)(X, i, C + l * d));
        }
        part[c] = s;
    }
    if (!bad) *inertia = ck_sum_ordered(part, n_chunks);
    free(part);
    free(c_sqnorm);
    return bad ? CK_ERR_KMEANS_LABEL : CK_OK;
}

int CK_FN(ck_inertia_csr)(const CK_CSR *data, int64_t n_clusters, const CK_CT *centroids,
                          const int32_t *labels, double *inertia, int n_threads)
{
    int status = CK_FN(ck_csr_check)(data, n_clusters);
    if (status != CK_OK) return status;
    n_threads = ck_omp_clamp_threads(n_threads);
    double *x_sqnorm = malloc((size_t)data->n_samples * sizeof(double));
    if (!x_sqnorm) return CK_ERR_NOMEM;
    CK_FN(ck_csr_sqnorms)(data, x_sqnorm, n_threads);
    status = CK_FN(csr_inertia)(data, x_sqnorm, n_clusters, centroids, labels, inertia, n_threads);
    free(x_sqnorm);
    return status;
}

/* What a step and a block's partials check and prepare: the data, the previous labels (-1 or a
 * cluster), the buffers (ws, freed by the caller on any status) and the row norms. */
static int CK_FN(csr_step_init)(const CK_CSR *X, int64_t k, const int32_t *labels, CK_FN(ck_csr_ws) * ws,
                                int n_threads)
{
    memset(ws, 0, sizeof(*ws));
    int status = CK_FN(ck_csr_check)(X, k);
    if (status == CK_OK) status = CK_FN(csr_ws_init)(ws, X->n_samples, X->n_features, k);
    if (status == CK_OK && CK_FN(ck_csr_sqnorms)(X, ws->x_sqnorm, n_threads))
        status = CK_ERR_KMEANS_NONFINITE;
    for (int64_t i = 0; status == CK_OK && i < X->n_samples; i++)
        if (labels[i] >= k || labels[i] < -1) status = CK_ERR_KMEANS_LABEL;
    return status;
}

int CK_FN(ck_lloyd_step_csr)(const CK_CSR *data, int64_t n_clusters, const CK_CT *centroids_old,
                             CK_CT *centroids_new, int32_t *labels, ck_step_stats *stats, int n_threads)
{
    n_threads = ck_omp_clamp_threads(n_threads);
    CK_FN(ck_csr_ws) ws;
    int status = CK_FN(csr_step_init)(data, n_clusters, labels, &ws, n_threads);
    if (status == CK_OK)
        status = CK_FN(csr_step)(data, &ws, centroids_old, n_clusters, centroids_new, labels, 0, n_threads,
                                 ck_cancel_flag(), &stats->n_changed, &stats->inertia, &stats->center_shift);
    CK_FN(csr_ws_free)(&ws);
    return status;
}

int CK_FN(ck_lloyd_partial_csr)(const CK_CSR *data, int64_t n_clusters, const CK_CT *centroids,
                                int32_t *labels, double *sums, double *weight_in_clusters,
                                ck_step_stats *stats, int n_threads)
{
    n_threads = ck_omp_clamp_threads(n_threads);
    CK_FN(ck_csr_ws) ws;
    int status = CK_FN(csr_step_init)(data, n_clusters, labels, &ws, n_threads);
    if (status == CK_OK)
        status = CK_FN(csr_step_sums)(data, &ws, centroids, n_clusters, labels, n_threads, ck_cancel_flag(),
                                      &stats->n_changed, &stats->inertia);
    if (status == CK_OK) {
        const int64_t kd = n_clusters * data->n_features;
        memcpy(sums, ws.sums, (size_t)kd * sizeof(double));
        memcpy(weight_in_clusters, ws.sums + kd, (size_t)n_clusters * sizeof(double));
        stats->center_shift = 0.0;
    }
    CK_FN(csr_ws_free)(&ws);
    return status;
}

int CK_FN(ck_farthest_csr)(const CK_CSR *data, int64_t n_clusters, const CK_CT *centroids,
                           const int32_t *labels, int64_t n_far, double *far_sqdist, int64_t *far_index,
                           int n_threads)
{
    int status = CK_FN(ck_csr_check)(data, n_clusters);
    if (status != CK_OK || n_far < 0 || n_far > data->n_samples) return CK_ERR_ARG;
    for (int64_t i = 0; i < data->n_samples; i++)
        if (labels[i] < 0 || labels[i] >= n_clusters) return CK_ERR_KMEANS_LABEL;
    n_threads = ck_omp_clamp_threads(n_threads);
    double *x_sqnorm = malloc((size_t)data->n_samples * sizeof(double)),
           *c_sqnorm = malloc((size_t)n_clusters * sizeof(double));
    status = x_sqnorm && c_sqnorm ? CK_OK : CK_ERR_NOMEM;
    if (status == CK_OK && CK_FN(ck_csr_sqnorms)(data, x_sqnorm, n_threads)) status = CK_ERR_KMEANS_NONFINITE;
    if (status == CK_OK) {
        CK_FN(csr_c_sqnorms)(centroids, n_clusters, data->n_features, c_sqnorm);
        status = CK_FN(csr_farthest)(data, x_sqnorm, centroids, c_sqnorm, labels, n_far, far_sqdist,
                                     far_index, n_threads);
    }
    free(x_sqnorm);
    free(c_sqnorm);
    return status;
}

int CK_FN(ck_kmeans_fit_csr)(const CK_CSR *data, int64_t n_clusters, CK_CT *centroids,
                             const ck_kmeans_params *params, ck_kmeans_result *result)
{
    if (!params || !result) return CK_ERR_ARG;
    int status = CK_FN(ck_csr_check)(data, n_clusters);
    const int max_iter = params->max_iter;
    const double tol_abs = params->tol_abs;
    int32_t *labels = result->labels;
    if (status != CK_OK || n_clusters > data->n_samples || max_iter < 1 || !(tol_abs >= 0) || !labels ||
        params->algorithm < CK_ALGO_AUTO || params->algorithm > CK_ALGO_HAMERLY ||
        (params->spherical != 0 && params->spherical != 1))
        return CK_ERR_ARG;
    const int n_threads = ck_omp_clamp_threads(params->n_threads);
    const volatile int *cancel = ck_cancel_of(params->cancel);
    const int64_t n = data->n_samples, kd = n_clusters * data->n_features;
    CK_FN(ck_csr_ws) ws;
    status = CK_FN(csr_ws_init)(&ws, n, data->n_features, n_clusters);
    CK_CT *other = malloc((size_t)kd * sizeof(CK_CT));
    if (status == CK_OK && !other) status = CK_ERR_NOMEM;
    if (status == CK_OK && CK_FN(ck_csr_sqnorms)(data, ws.x_sqnorm, n_threads))
        status = CK_ERR_KMEANS_NONFINITE;
    result->algorithm = CK_ALGO_LLOYD;
    for (int64_t i = 0; i < n; i++) labels[i] = -1;
    CK_CT *cur = centroids, *nxt = other;
    int it = 0, strict = 0, on_tol = 0;
    for (; status == CK_OK && it < max_iter; it++) {
        if (ck_cancelled(cancel)) {
            status = CK_ERR_CANCELLED;
            break;
        }
        int64_t changed;
        double inert, shift;
        status = CK_FN(csr_step)(data, &ws, cur, n_clusters, nxt, labels, params->spherical, n_threads,
                                 cancel, &changed, &inert, &shift);
        if (status != CK_OK) break;
        if (result->inertia_history) result->inertia_history[it] = inert;
        if (result->searched_history) result->searched_history[it] = n;
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
        /* scikit-learn's order, as the dense fit: unchanged labels first, then the shift. */
        if (changed == 0) {
            strict = 1;
            break;
        }
        if (shift <= tol_abs) {
            on_tol = 1;
            break;
        }
    }
    if (status == CK_OK || status == CK_ERR_CANCELLED) {
        result->n_iter = status == CK_OK && it < max_iter ? it + 1 : it;
        if (cur != centroids) memcpy(centroids, cur, (size_t)kd * sizeof(CK_CT));
    }
    if (status == CK_OK) {
        /* Unless labels stopped changing, the centres moved after the last assignment. */
        if (!strict) {
            CK_FN(csr_prepare)(centroids, n_clusters, data->n_features, ws.ct, ws.c_sqnorm);
            status = CK_FN(csr_assign_pass)(data, ws.x_sqnorm, ws.ct, ws.c_sqnorm, n_clusters, labels, NULL,
                                            NULL, NULL, n_threads, cancel);
        }
        if (status == CK_OK)
            status = CK_FN(csr_inertia)(data, ws.x_sqnorm, n_clusters, centroids, labels, &result->inertia,
                                        n_threads);
        result->converged = strict || on_tol;
    }
    free(other);
    CK_FN(csr_ws_free)(&ws);
    return status;
}
