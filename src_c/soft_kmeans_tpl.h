/* Soft k-means kernels, written once per dtype (instantiated by soft_kmeans.c through ck_dtypes.h). */

/* out[r * k + j] = ||x_r - c_j||^2 by differences in double (the notebook's cdist, not the
 * ||x||^2 - 2 x.c + ||c||^2 expansion: that cancels when x is near c, and exp(-beta D) would turn
 * the cancellation error into a wrong responsibility at large beta). */
static void CK_FN(soft_sqdist_scalar)(const CK_XT *X, int64_t nr, int64_t d, const double *C, int64_t k,
                                      double *out)
{
    for (int64_t r = 0; r < nr; r++)
        for (int64_t j = 0; j < k; j++) {
            const CK_XT *x = X + r * d;
            const double *c = C + j * d;
            double s = 0.0;
            for (int64_t f = 0; f < d; f++) { const double t = (double)x[f] - c[f]; s += t * t; }
            out[r * k + j] = s;
        }
}

#if CK_HAVE_X86_SIMD
static inline __attribute__((target("avx2,fma"))) __m256d CK_FN(soft_load4)(const CK_XT *p)
{
#if CK_X_IS_U8
    return ck_load_u8_pd((const uint8_t *)p);
#else
    if (sizeof(CK_XT) == sizeof(float)) return _mm256_cvtps_pd(_mm_loadu_ps((const float *)(const void *)p));
    return _mm256_loadu_pd((const double *)(const void *)p);
#endif
}

static inline double CK_FN(soft_tail)(const CK_XT *x, const double *c, int64_t f, int64_t d, double s)
{
    for (; f < d; f++) { const double t = (double)x[f] - c[f]; s += t * t; }
    return s;
}

/* 3 rows x 4 centres per register block (12 accumulators), each row vector widened to double once
 * per 4 centres. FMA rounds once where the scalar loop rounds twice, so the last bits of a distance
 * may differ between the two paths (never between thread counts, nor between uint8 and float64 X,
 * which meet here as the same doubles). */
static __attribute__((target("avx2,fma"))) void CK_FN(soft_sqdist_avx2)(
    const CK_XT *X, int64_t nr, int64_t d, const double *C, int64_t k, double *out)
{
    const int64_t dv = d - d % 4;
    int64_t r = 0;
    for (; r + 3 <= nr; r += 3) {
        const CK_XT *x0 = X + r * d, *x1 = x0 + d, *x2 = x1 + d;
        int64_t j = 0;
        for (; j + 4 <= k; j += 4) {
            const double *c0 = C + j * d, *c1 = c0 + d, *c2 = c1 + d, *c3 = c2 + d;
            __m256d a00 = _mm256_setzero_pd(), a01 = a00, a02 = a00, a03 = a00;
            __m256d a10 = a00, a11 = a00, a12 = a00, a13 = a00, a20 = a00, a21 = a00, a22 = a00, a23 = a00;
            for (int64_t f = 0; f < dv; f += 4) {
                const __m256d v0 = CK_FN(soft_load4)(x0 + f), v1 = CK_FN(soft_load4)(x1 + f),
                              v2 = CK_FN(soft_load4)(x2 + f);
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
            o0[0] = CK_FN(soft_tail)(x0, c0, dv, d, ck_hsum_pd(a00));
            o0[1] = CK_FN(soft_tail)(x0, c1, dv, d, ck_hsum_pd(a01));
            o0[2] = CK_FN(soft_tail)(x0, c2, dv, d, ck_hsum_pd(a02));
            o0[3] = CK_FN(soft_tail)(x0, c3, dv, d, ck_hsum_pd(a03));
            o1[0] = CK_FN(soft_tail)(x1, c0, dv, d, ck_hsum_pd(a10));
            o1[1] = CK_FN(soft_tail)(x1, c1, dv, d, ck_hsum_pd(a11));
            o1[2] = CK_FN(soft_tail)(x1, c2, dv, d, ck_hsum_pd(a12));
            o1[3] = CK_FN(soft_tail)(x1, c3, dv, d, ck_hsum_pd(a13));
            o2[0] = CK_FN(soft_tail)(x2, c0, dv, d, ck_hsum_pd(a20));
            o2[1] = CK_FN(soft_tail)(x2, c1, dv, d, ck_hsum_pd(a21));
            o2[2] = CK_FN(soft_tail)(x2, c2, dv, d, ck_hsum_pd(a22));
            o2[3] = CK_FN(soft_tail)(x2, c3, dv, d, ck_hsum_pd(a23));
        }
        for (; j < k; j++) {
            const double *c0 = C + j * d;
            __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0;
            for (int64_t f = 0; f < dv; f += 4) {
                const __m256d c = _mm256_loadu_pd(c0 + f);
                __m256d t = _mm256_sub_pd(CK_FN(soft_load4)(x0 + f), c); a0 = _mm256_fmadd_pd(t, t, a0);
                t = _mm256_sub_pd(CK_FN(soft_load4)(x1 + f), c); a1 = _mm256_fmadd_pd(t, t, a1);
                t = _mm256_sub_pd(CK_FN(soft_load4)(x2 + f), c); a2 = _mm256_fmadd_pd(t, t, a2);
            }
            out[r * k + j] = CK_FN(soft_tail)(x0, c0, dv, d, ck_hsum_pd(a0));
            out[(r + 1) * k + j] = CK_FN(soft_tail)(x1, c0, dv, d, ck_hsum_pd(a1));
            out[(r + 2) * k + j] = CK_FN(soft_tail)(x2, c0, dv, d, ck_hsum_pd(a2));
        }
    }
    for (; r < nr; r++) {
        const CK_XT *x0 = X + r * d;
        for (int64_t j = 0; j < k; j++) {
            const double *c0 = C + j * d;
            __m256d a0 = _mm256_setzero_pd();
            for (int64_t f = 0; f < dv; f += 4) {
                const __m256d t = _mm256_sub_pd(CK_FN(soft_load4)(x0 + f), _mm256_loadu_pd(c0 + f));
                a0 = _mm256_fmadd_pd(t, t, a0);
            }
            out[r * k + j] = CK_FN(soft_tail)(x0, c0, dv, d, ck_hsum_pd(a0));
        }
    }
}
#endif

static void CK_FN(soft_sqdist)(const CK_XT *X, int64_t nr, int64_t d, const double *C, int64_t k, double *out)
{
#if CK_HAVE_X86_SIMD
    if (ck_simd_avx2()) { CK_FN(soft_sqdist_avx2)(X, nr, d, C, k, out); return; }
#endif
    CK_FN(soft_sqdist_scalar)(X, nr, d, C, k, out);
}

/* sums[j] += rw[r * k + j] * x_r for the rows r of the block, in row order for every element (rows
 * whose weight is exactly 0 are skipped: adding 0 * x changes no sum). Four rows per sweep so each
 * sum element is loaded and stored once per four rows; element-wise, so the AVX2 clone gives the
 * baseline's bits. */
CK_ACCUM_CLONES static void CK_FN(soft_accumulate)(const CK_XT *X, int64_t nb, int64_t d, const double *rw,
                                                   int64_t k, double *sums, int64_t *rows)
{
    for (int64_t j = 0; j < k; j++) {
        int64_t m = 0;
        for (int64_t r = 0; r < nb; r++) if (rw[r * k + j] != 0.0) rows[m++] = r;
        for (int64_t f0 = 0; f0 < d; f0 += CK_SOFT_FBLOCK) {
            const int64_t f1 = d - f0 < CK_SOFT_FBLOCK ? d : f0 + CK_SOFT_FBLOCK;
            double *restrict s = sums + j * d;
            int64_t q = 0;
            for (; q + 4 <= m; q += 4) {
                const CK_XT *restrict x0 = X + rows[q] * d, *restrict x1 = X + rows[q + 1] * d;
                const CK_XT *restrict x2 = X + rows[q + 2] * d, *restrict x3 = X + rows[q + 3] * d;
                const double r0 = rw[rows[q] * k + j], r1 = rw[rows[q + 1] * k + j];
                const double r2 = rw[rows[q + 2] * k + j], r3 = rw[rows[q + 3] * k + j];
                for (int64_t f = f0; f < f1; f++) {
                    double v = s[f];
                    v += r0 * (double)x0[f];
                    v += r1 * (double)x1[f];
                    v += r2 * (double)x2[f];
                    v += r3 * (double)x3[f];
                    s[f] = v;
                }
            }
            for (; q < m; q++) {
                const CK_XT *restrict x0 = X + rows[q] * d;
                const double r0 = rw[rows[q] * k + j];
                for (int64_t f = f0; f < f1; f++) s[f] += r0 * (double)x0[f];
            }
        }
    }
}

/* E-step on every row: responsibilities (OUT or NULL, n x k), labels (OUT or NULL), the free energy
 * summed per chunk then over chunks in order. */
static int CK_FN(soft_estep_run)(const CK_XT *X, int64_t n, int64_t d, const double *w, const double *C,
                                 int64_t k, double beta, int distance, double *resp, int32_t *labels,
                                 double *objective, int n_threads)
{
    const int64_t n_chunks = ck_n_chunks(n), brows = ck_soft_block_rows(d, (int64_t)sizeof(CK_XT));
    double *chunk_energy = malloc((size_t)n_chunks * sizeof(double));
    if (!chunk_energy) return CK_ERR_NOMEM;
    int status = CK_OK;
    #pragma omp parallel num_threads(n_threads)
    {
        ck_soft_ws ws = {0};
        const int ok = ck_soft_ws_init(&ws, brows, k) == CK_OK;
        if (!ok) {
            #pragma omp atomic write
            status = CK_ERR_NOMEM;
        }
        #pragma omp for schedule(dynamic, 1)
        for (int64_t c = 0; c < n_chunks; c++) {
            if (!ok) continue;
            int64_t start, end;
            ck_chunk_rows(c, n, &start, &end);
            double energy = 0.0;
            for (int64_t b = start; b < end; b += brows) {
                const int64_t nb = end - b < brows ? end - b : brows;
                CK_FN(soft_sqdist)(X + b * d, nb, d, C, k, ws.dist);
                energy += ck_soft_responsibilities(ws.dist, nb, k, beta, distance, w, b,
                                                   resp ? resp + b * k : NULL, 0, labels ? labels + b : NULL);
            }
            chunk_energy[c] = energy;
        }
        ck_soft_ws_free(&ws);
    }
    if (status == CK_OK && objective) *objective = ck_sum_ordered(chunk_energy, n_chunks);
    free(chunk_energy);
    return status;
}

/* One fused iteration from C_old (double): per group of chunks, every block's distances,
 * responsibilities and weighted sums while the rows are in cache; then the groups merge in order and
 * C_new (double) = sums / weights, or C_old where a cluster's total weight is 0 (underflow: it keeps
 * its previous centre). energy (OUT) is the free energy of C_old, shift (OUT) ||C_new - C_old||_F. */
static int CK_FN(soft_step_run)(const CK_XT *X, int64_t n, int64_t d, const double *w, const double *C_old,
                                int64_t k, double beta, int distance, double *C_new, double *weight_in_clusters,
                                double *gbuf, int64_t n_groups, double *merged, double *chunk_energy,
                                int n_threads, double *energy, double *shift)
{
    const int64_t kd = k * d, stride = kd + k, n_chunks = ck_n_chunks(n);
    const int64_t brows = ck_soft_block_rows(d, (int64_t)sizeof(CK_XT));
    int status = CK_OK;
    #pragma omp parallel num_threads(n_threads)
    {
        ck_soft_ws ws = {0};
        const int ok = ck_soft_ws_init(&ws, brows, k) == CK_OK;
        if (!ok) {
            #pragma omp atomic write
            status = CK_ERR_NOMEM;
        }
        #pragma omp for schedule(dynamic, 1)
        for (int64_t g = 0; g < n_groups; g++) {
            if (!ok) continue;
            double *sums = gbuf + g * stride, *wsum = sums + kd;
            memset(sums, 0, (size_t)stride * sizeof(double));
            int64_t c0, c1;
            ck_group_chunks(g, n_groups, n_chunks, &c0, &c1);
            for (int64_t c = c0; c < c1; c++) {
                int64_t start, end;
                ck_chunk_rows(c, n, &start, &end);
                double e = 0.0;
                for (int64_t b = start; b < end; b += brows) {
                    const int64_t nb = end - b < brows ? end - b : brows;
                    CK_FN(soft_sqdist)(X + b * d, nb, d, C_old, k, ws.dist);
                    e += ck_soft_responsibilities(ws.dist, nb, k, beta, distance, w, b, ws.resp, 1, NULL);
                    for (int64_t r = 0; r < nb; r++)
                        for (int64_t j = 0; j < k; j++) wsum[j] += ws.resp[r * k + j];
                    CK_FN(soft_accumulate)(X + b * d, nb, d, ws.resp, k, sums, ws.rows);
                }
                chunk_energy[c] = e;
            }
        }
        ck_soft_ws_free(&ws);
    }
    if (status != CK_OK) return status;
    ck_merge_groups(gbuf, n_groups, stride, stride, merged, n_threads);
    const double *sums = merged, *wsum = merged + kd;
    double sq = 0.0;
    for (int64_t j = 0; j < k; j++) {
        for (int64_t f = 0; f < d; f++) {
            const double c = wsum[j] > 0 ? sums[j * d + f] / wsum[j] : C_old[j * d + f];
            const double t = c - C_old[j * d + f];
            sq += t * t;
            C_new[j * d + f] = c;
        }
        if (weight_in_clusters) weight_in_clusters[j] = wsum[j];
    }
    *energy = ck_sum_ordered(chunk_energy, n_chunks);
    *shift = sqrt(sq);
    return CK_OK;
}

/* Buffers of a fused step: group sums, the merged sums and per-chunk energies. */
static int CK_FN(soft_bufs)(int64_t n, int64_t d, int64_t k, double **gbuf, int64_t *n_groups,
                            double **merged, double **chunk_energy)
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

static double *CK_FN(soft_centres_in)(const CK_CT *C, int64_t kd)
{
    double *out = malloc((size_t)kd * sizeof(double));
    if (out) for (int64_t e = 0; e < kd; e++) out[e] = (double)C[e];
    return out;
}

int CK_FN(ck_soft_estep)(const CK_XT *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                         const CK_CT *centroids, int64_t n_clusters, double beta, int distance,
                         double *responsibilities, int32_t *labels, double *objective, int n_threads)
{
    int status = ck_soft_check_args(n_samples, n_features, n_clusters, distance);
    if (status != CK_OK) return status;
    if (!ck_soft_check_beta(beta)) return CK_ERR_SOFT_BETA;
    double *C = CK_FN(soft_centres_in)(centroids, n_clusters * n_features);
    if (!C) return CK_ERR_NOMEM;
    status = CK_FN(soft_estep_run)(X, n_samples, n_features, sample_weight, C, n_clusters, beta, distance,
                                   responsibilities, labels, objective, ck_omp_clamp_threads(n_threads));
    free(C);
    return status;
}

int CK_FN(ck_soft_step)(const CK_XT *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                        const CK_CT *centroids_old, int64_t n_clusters, double beta, int distance,
                        CK_CT *centroids_new, double *weight_in_clusters, int n_threads, double *objective,
                        double *center_shift)
{
    int status = ck_soft_check_args(n_samples, n_features, n_clusters, distance);
    if (status != CK_OK) return status;
    if (!ck_soft_check_beta(beta)) return CK_ERR_SOFT_BETA;
    const int64_t kd = n_clusters * n_features;
    double *gbuf = NULL, *merged = NULL, *energies = NULL, *C_new = malloc((size_t)kd * sizeof(double));
    double *C_old = CK_FN(soft_centres_in)(centroids_old, kd);
    int64_t n_groups = 0;
    status = C_old && C_new ? CK_FN(soft_bufs)(n_samples, n_features, n_clusters, &gbuf, &n_groups, &merged, &energies)
                            : CK_ERR_NOMEM;
    double energy = 0.0, shift = 0.0;
    if (status == CK_OK)
        status = CK_FN(soft_step_run)(X, n_samples, n_features, sample_weight, C_old, n_clusters, beta, distance,
                                      C_new, weight_in_clusters, gbuf, n_groups, merged, energies,
                                      ck_omp_clamp_threads(n_threads), &energy, &shift);
    if (status == CK_OK) {
        for (int64_t e = 0; e < kd; e++) centroids_new[e] = (CK_CT)C_new[e];
        if (objective) *objective = energy;
        if (center_shift) *center_shift = shift;
    }
    free(gbuf); free(merged); free(energies); free(C_new); free(C_old);
    return status;
}

int CK_FN(ck_soft_kmeans_fit)(const CK_XT *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                              int64_t n_clusters, const double *betas, int64_t n_betas, int distance,
                              CK_CT *centroids, int max_iter, double tol, int n_threads,
                              double *responsibilities, int32_t *labels, int *n_iter, double *objective,
                              double *objective_history, int *converged)
{
    int status = ck_soft_check_args(n_samples, n_features, n_clusters, distance);
    if (status != CK_OK) return status;
    if (max_iter < 1 || n_betas < 1 || !betas || !(tol >= 0) || isinf(tol)) return CK_ERR_ARG;
    const int64_t n_used = n_betas < max_iter ? n_betas : max_iter;
    for (int64_t t = 0; t < n_used; t++)
        if (!ck_soft_check_beta(betas[t])) return CK_ERR_SOFT_BETA;
    n_threads = ck_omp_clamp_threads(n_threads);
    const int64_t kd = n_clusters * n_features;
    double *gbuf = NULL, *merged = NULL, *energies = NULL, *other = malloc((size_t)kd * sizeof(double));
    double *cur = CK_FN(soft_centres_in)(centroids, kd);
    int64_t n_groups = 0;
    status = cur && other ? CK_FN(soft_bufs)(n_samples, n_features, n_clusters, &gbuf, &n_groups, &merged, &energies)
                          : CK_ERR_NOMEM;
    int it = 0, on_tol = 0;
    double beta = betas[0];
    for (; status == CK_OK && it < max_iter; it++) {
        /* Past the end of the schedule the last beta holds. */
        beta = betas[it < n_betas ? it : n_betas - 1];
        double energy, shift;
        status = CK_FN(soft_step_run)(X, n_samples, n_features, sample_weight, cur, n_clusters, beta, distance,
                                      other, NULL, gbuf, n_groups, merged, energies, n_threads, &energy, &shift);
        if (status != CK_OK) break;
        if (objective_history) objective_history[it] = energy;
        double *t = cur; cur = other; other = t;
        /* The notebook's rule: the Frobenius norm of the centre change below tol (never for tol 0). */
        if (shift < tol) { on_tol = 1; it++; break; }
    }
    /* One more E-step so responsibilities, labels and the free energy belong to the returned centres
     * (and to the last beta used). */
    if (status == CK_OK)
        status = CK_FN(soft_estep_run)(X, n_samples, n_features, sample_weight, cur, n_clusters, beta, distance,
                                       responsibilities, labels, objective, n_threads);
    if (status == CK_OK) {
        for (int64_t e = 0; e < kd; e++) centroids[e] = (CK_CT)cur[e];
        *n_iter = it;
        *converged = on_tol;
    }
    free(gbuf); free(merged); free(energies); free(other); free(cur);
    return status;
}
