/* Soft k-means on CSR rows, written once per value type and instantiated by soft_kmeans.c through
 * ck_csr_dtypes.h, so that it shares the dense fit's loop (ck_soft_fit_loop), its row kernels
 * (ck_soft_dots) and its E-step arithmetic (ck_soft_block_resp). The contract is in ckmeans.h ("soft
 * k-means on sparse rows"). */

/* Columns per task of the M-step: enough work to amortise a task, enough tasks to balance. */
#define CK_SOFT_CSR_COLS 256

/* What an E-step or a fit on CSR rows keeps. */
typedef struct {
    const CK_CSR *X;
    int64_t k, kp, n_chunks, max_nnz;
    double *x_sqnorm; /* n: ||x_i||^2 in double, once per call */
    double *chunk_energy; /* n_chunks free energies, summed in chunk order */
    /* a fit and a block's sums (ck_soft_partial_csr) only: */
    double *R; /* n x kp: w_i r_ij of the last E-step (padding 0), read by the M-step */
    double *chunk_wsum; /* n_chunks x kp: sum_i w_i r_ij per chunk */
    double *wsum; /* k: their sum over the chunks */
    /* X's columns: column f's stored values at [col_ptr[f], col_ptr[f + 1]), rows ascending, as
     * offsets i * kp into R and values in double (ck_soft_dots' nonzero list of a column) */
    int64_t *col_ptr, *col_off;
    double *col_val;
    int n_threads;
    const volatile int *cancel;
} CK_FN(ck_soft_csr);

static void CK_FN(soft_csr_free)(CK_FN(ck_soft_csr) * s)
{
    free(s->x_sqnorm);
    free(s->chunk_energy);
    free(s->R);
    free(s->chunk_wsum);
    free(s->wsum);
    free(s->col_ptr);
    free(s->col_off);
    free(s->col_val);
}

/* The transposed copy of X (a counting sort by column, rows visited in order, so each column's
 * rows ascend). */
static void CK_FN(soft_csr_transpose)(CK_FN(ck_soft_csr) * s)
{
    const CK_CSR *X = s->X;
    const int64_t n = X->n_samples, d = X->n_features;
    int64_t *ptr = s->col_ptr;
    memset(ptr, 0, (size_t)(d + 1) * sizeof(int64_t));
    for (int64_t p = 0; p < X->indptr[n]; p++) ptr[CK_CSR_COL(X, p) + 1]++;
    for (int64_t f = 0; f < d; f++) ptr[f + 1] += ptr[f];
    /* ptr[f] serves as column f's fill cursor, then is moved back to its start */
    for (int64_t i = 0; i < n; i++)
        for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) {
            const int64_t q = ptr[CK_CSR_COL(X, p)]++;
            s->col_off[q] = i * s->kp;
            s->col_val[q] = (double)X->values[p];
        }
    for (int64_t f = d; f > 0; f--) ptr[f] = ptr[f - 1];
    ptr[0] = 0;
}

/* The checks of the data and parameters every call makes, then the buffers (fit, or a block's sums:
 * the M-step's too). */
static int CK_FN(soft_csr_init)(CK_FN(ck_soft_csr) * s, const CK_CSR *X, int64_t k,
                                const ck_soft_params *params, int fit)
{
    memset(s, 0, sizeof(*s));
    int status = CK_FN(ck_csr_check)(X, k);
    if (status == CK_OK) status = ck_soft_check_args(X->n_samples, X->n_features, k, params->distance);
    if (status != CK_OK) return status;
    const int64_t n = X->n_samples, d = X->n_features, nnz = X->indptr[n];
    s->X = X;
    s->k = k;
    s->kp = ck_soft_kpad(k);
    s->n_chunks = ck_n_chunks(n);
    s->n_threads = ck_omp_clamp_threads(params->n_threads);
    s->cancel = ck_cancel_of(params->cancel);
    for (int64_t i = 0; i < n; i++)
        if (X->indptr[i + 1] - X->indptr[i] > s->max_nnz) s->max_nnz = X->indptr[i + 1] - X->indptr[i];
    s->x_sqnorm = malloc((size_t)n * sizeof(double));
    s->chunk_energy = malloc((size_t)s->n_chunks * sizeof(double));
    if (!s->x_sqnorm || !s->chunk_energy) return CK_ERR_NOMEM;
    if (fit) {
        s->R = malloc((size_t)(n * s->kp) * sizeof(double));
        s->chunk_wsum = malloc((size_t)(s->n_chunks * s->kp) * sizeof(double));
        s->wsum = malloc((size_t)k * sizeof(double));
        s->col_ptr = malloc((size_t)(d + 1) * sizeof(int64_t));
        s->col_off = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof(int64_t));
        s->col_val = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof(double));
        if (!s->R || !s->chunk_wsum || !s->wsum || !s->col_ptr || !s->col_off || !s->col_val)
            return CK_ERR_NOMEM;
        CK_FN(soft_csr_transpose)(s);
    }
    return CK_FN(ck_csr_sqnorms)(X, s->x_sqnorm, s->n_threads) ? CK_ERR_KMEANS_NONFINITE : CK_OK;
}

/* E-step over the rows for centres C (double), a chunk at a time: each row's x.c by the dense fit's
 * nonzero-list kernel against C transposed, the squared distances ||x||^2 + ||c||^2 - 2 x.c clamped
 * at 0 (rounding can leave a tiny negative number when x ~ c), then the chunk's responsibilities by
 * the dense E-step. weighted (a fit's step): w_i r_ij into s->R and their chunk sums; else resp (n x k,
 * or NULL) and labels (or NULL). *energy: the free energy, summed in chunk order. */
static int CK_FN(soft_csr_epass)(CK_FN(ck_soft_csr) * s, const double *C, double beta, int distance,
                                 int weighted, double *resp, int32_t *labels, double *energy)
{
    const CK_CSR *X = s->X;
    const int64_t n = X->n_samples, d = X->n_features, k = s->k, kp = s->kp, ld = CK_CHUNK_ROWS;
    const double *w = X->sample_weight;
    ck_soft_centres cs;
    int status = ck_soft_centres_init(&cs, C, k, d, 0);
    if (status != CK_OK) {
        ck_soft_centres_free(&cs);
        return status;
    }
#pragma omp parallel num_threads(ck_omp_team(s->n_threads, s->n_chunks))
    {
        int64_t *off = malloc((size_t)(s->max_nnz + 1) * sizeof(int64_t));
        double *val = malloc((size_t)(s->max_nnz + 1) * sizeof(double));
        double *dots = malloc((size_t)(kp + 1) * sizeof(double)),
               *scratch = malloc((size_t)kp * sizeof(double));
        /* (kp rows: the padding row stays 0, so a fit's rows of R come out padded with 0) */
        double *DT = calloc((size_t)(kp * ld), sizeof(double));
        const int ok = off && val && dots && scratch && DT;
        if (!ok) {
#pragma omp atomic write
            status = CK_ERR_NOMEM;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t c = 0; c < s->n_chunks; c++) {
            if (!ok || ck_cancelled(s->cancel)) continue;
            int64_t start, end;
            ck_chunk_rows(c, n, &start, &end);
            for (int64_t i = start; i < end; i++) {
                int64_t m = 0;
                for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++, m++) {
                    off[m] = CK_CSR_COL(X, p) * kp;
                    val[m] = (double)X->values[p];
                }
                double xx; /* (the kernel's own ||x||^2; the call's, s->x_sqnorm, is used) */
                ck_soft_dots(off, val, m, cs.CT, kp, dots, &xx);
                for (int64_t j = 0; j < k; j++) {
                    const double e = s->x_sqnorm[i] + cs.cc[j] - 2.0 * dots[j];
                    DT[j * ld + (i - start)] = e < 0 ? 0 : e;
                }
            }
            const int64_t nr = end - start;
            s->chunk_energy[c] = ck_soft_block_resp(DT, ld, nr, k, beta, distance, w ? w + start : NULL,
                                                    weighted || resp ? DT : NULL, weighted,
                                                    labels ? labels + start : NULL, scratch);
            if (weighted) {
                double *wsum = s->chunk_wsum + c * kp;
                memset(wsum, 0, (size_t)kp * sizeof(double));
                ck_soft_by_row(DT, ld, nr, kp, s->R + start * kp, wsum);
            } else if (resp) {
                ck_soft_by_row(DT, ld, nr, k, resp + start * k, NULL);
            }
        }
        free(off);
        free(val);
        free(dots);
        free(scratch);
        free(DT);
    }
    ck_soft_centres_free(&cs);
    if (status == CK_OK && ck_cancelled(s->cancel)) status = CK_ERR_CANCELLED;
    if (status == CK_OK) *energy = ck_sum_ordered(s->chunk_energy, s->n_chunks);
    return status;
}

/* wsum[j] = sum_i w_i r_ij (j < k) of the last weighted E-step, its chunks' sums in chunk order. */
static void CK_FN(soft_csr_wsum)(const CK_FN(ck_soft_csr) * s, double *wsum)
{
    for (int64_t j = 0; j < s->k; j++) wsum[j] = 0;
    for (int64_t c = 0; c < s->n_chunks; c++)
        for (int64_t j = 0; j < s->k; j++) wsum[j] += s->chunk_wsum[c * s->kp + j];
}

/* The M-step's sums from s->R: sums[j * d + f] = sum_i w_i r_ij x_if, a column of X at a time (its
 * rows in order, by the same nonzero-list kernel with R in place of the centres). */
static int CK_FN(soft_csr_mpass)(CK_FN(ck_soft_csr) * s, double *out)
{
    const int64_t d = s->X->n_features, k = s->k, kp = s->kp;
    const int64_t n_tasks = (d + CK_SOFT_CSR_COLS - 1) / CK_SOFT_CSR_COLS;
    int status = CK_OK;
#pragma omp parallel num_threads(ck_omp_team(s->n_threads, n_tasks))
    {
        double *sums = malloc((size_t)(kp + 1) * sizeof(double));
        if (!sums) {
#pragma omp atomic write
            status = CK_ERR_NOMEM;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t t = 0; t < n_tasks; t++) {
            if (!sums || ck_cancelled(s->cancel)) continue;
            const int64_t f1 = (t + 1) * CK_SOFT_CSR_COLS < d ? (t + 1) * CK_SOFT_CSR_COLS : d;
            for (int64_t f = t * CK_SOFT_CSR_COLS; f < f1; f++) {
                const int64_t p0 = s->col_ptr[f];
                double xx;
                ck_soft_dots(s->col_off + p0, s->col_val + p0, s->col_ptr[f + 1] - p0, s->R, kp, sums, &xx);
                for (int64_t j = 0; j < k; j++) out[j * d + f] = sums[j];
            }
        }
        free(sums);
    }
    if (status == CK_OK && ck_cancelled(s->cancel)) status = CK_ERR_CANCELLED;
    return status;
}

/* One fit iteration: c_jf = sum_i w_i r_ij x_if / sum_i w_i r_ij, or C_old's value where a cluster's
 * total weight is 0 (it keeps its centre, as in the dense fit). */
static int CK_FN(soft_csr_step)(void *ctx, const double *C_old, double beta, int distance, double *C_new,
                                double *energy, double *shift)
{
    CK_FN(ck_soft_csr) *s = ctx;
    const int64_t k = s->k, d = s->X->n_features;
    int status = CK_FN(soft_csr_epass)(s, C_old, beta, distance, 1, NULL, NULL, energy);
    if (status == CK_OK) status = CK_FN(soft_csr_mpass)(s, C_new);
    if (status != CK_OK) return status;
    CK_FN(soft_csr_wsum)(s, s->wsum);
    for (int64_t j = 0; j < k; j++)
        for (int64_t f = 0; f < d; f++)
            C_new[j * d + f] = s->wsum[j] > 0 ? C_new[j * d + f] / s->wsum[j] : C_old[j * d + f];
    *shift = sqrt(ck_shift_f64(C_new, C_old, k * d));
    return CK_OK;
}

static int CK_FN(soft_csr_estep)(void *ctx, const double *C, double beta, int distance,
                                 ck_soft_result *result)
{
    return CK_FN(soft_csr_epass)(ctx, C, beta, distance, 0, result->responsibilities, result->labels,
                                 &result->objective);
}

int CK_FN(ck_soft_estep_csr)(const CK_CSR *data, int64_t n_clusters, const CK_CT *centroids,
                             double *responsibilities, int32_t *labels, double *objective,
                             const ck_soft_params *params)
{
    if (ck_soft_check_step(params) != CK_OK) return CK_ERR_ARG;
    if (!ck_soft_check_beta(params->betas[0])) return CK_ERR_SOFT_BETA;
    CK_FN(ck_soft_csr) s;
    int status = CK_FN(soft_csr_init)(&s, data, n_clusters, params, 0);
    double *C = status == CK_OK ? CK_FN(soft_centres_in)(centroids, n_clusters * data->n_features) : NULL;
    if (status == CK_OK && !C) status = CK_ERR_NOMEM;
    int distance;
    const double kbeta = ck_soft_kernel_beta(params, params->betas[0], &distance);
    double energy = 0.0;
    if (status == CK_OK)
        status = CK_FN(soft_csr_epass)(&s, C, kbeta, distance, 0, responsibilities, labels, &energy);
    if (status == CK_OK && objective) *objective = energy * ck_soft_energy_scale(params);
    free(C);
    CK_FN(soft_csr_free)(&s);
    return status;
}

int CK_FN(ck_soft_partial_csr)(const CK_CSR *data, int64_t n_clusters, const double *centroids, double *sums,
                               double *weight_in_clusters, double *objective, const ck_soft_params *params)
{
    if (ck_soft_check_step(params) != CK_OK) return CK_ERR_ARG;
    if (!ck_soft_check_beta(params->betas[0])) return CK_ERR_SOFT_BETA;
    CK_FN(ck_soft_csr) s;
    int status = CK_FN(soft_csr_init)(&s, data, n_clusters, params, 1);
    int distance;
    const double kbeta = ck_soft_kernel_beta(params, params->betas[0], &distance);
    double energy = 0.0;
    if (status == CK_OK)
        status = CK_FN(soft_csr_epass)(&s, centroids, kbeta, distance, 1, NULL, NULL, &energy);
    if (status == CK_OK) status = CK_FN(soft_csr_mpass)(&s, sums);
    if (status == CK_OK) {
        CK_FN(soft_csr_wsum)(&s, weight_in_clusters);
        *objective = energy * ck_soft_energy_scale(params);
    }
    CK_FN(soft_csr_free)(&s);
    return status;
}

int CK_FN(ck_soft_kmeans_fit_csr)(const CK_CSR *data, int64_t n_clusters, CK_CT *centroids,
                                  const ck_soft_params *params, ck_soft_result *result)
{
    if (!params || !result) return CK_ERR_ARG;
    int status = ck_soft_check_fit(params);
    if (status != CK_OK) return status;
    CK_FN(ck_soft_csr) s;
    status = CK_FN(soft_csr_init)(&s, data, n_clusters, params, 1);
    const int64_t kd = status == CK_OK ? n_clusters * data->n_features : 0;
    double *cur = status == CK_OK ? CK_FN(soft_centres_in)(centroids, kd) : NULL;
    double *other = status == CK_OK ? malloc((size_t)kd * sizeof(double)) : NULL;
    if (status == CK_OK && !(cur && other)) status = CK_ERR_NOMEM;
    if (status == CK_OK) {
        const ck_soft_driver drv = { CK_FN(soft_csr_step), CK_FN(soft_csr_estep), &s,
                                     sizeof(CK_CT) == sizeof(float) };
        status = ck_soft_fit_loop(&drv, n_clusters, data->n_features, params, &cur, &other, result);
        /* On cancel too: the centres of the last finished iteration are the caller's to keep. */
        if (status == CK_OK || status == CK_ERR_CANCELLED)
            for (int64_t e = 0; e < kd; e++) centroids[e] = (CK_CT)cur[e];
    }
    free(cur);
    free(other);
    CK_FN(soft_csr_free)(&s);
    return status;
}

#undef CK_SOFT_CSR_COLS
