/* Soft k-means drivers, written once per dtype (instantiated by soft_kmeans.c through ck_dtypes.h).
 * The numeric kernels they call work on double rows and live in soft_kmeans.c. */

/* Rows [b, b + nb) as doubles: X itself for float64, else widened into ws->wide. */
static const double *CK_FN(soft_rows)(const CK_XT *X, int64_t b, int64_t nb, int64_t d, ck_soft_ws *ws)
{
#if CK_X_IS_U8
    ck_soft_widen_u8(X + b * d, nb * d, ws->wide);
    return ws->wide;
#else
    if (sizeof(CK_XT) == sizeof(float)) {
        ck_soft_widen_f32((const float *)(const void *)(X + b * d), nb * d, ws->wide);
        return ws->wide;
    }
    return (const double *)(const void *)(X + b * d);
#endif
}

/* E-step on every row: responsibilities (OUT or NULL, n x k), labels (OUT or NULL), the free energy
 * summed per chunk then over chunks in order. */
static int CK_FN(soft_estep_run)(const CK_XT *X, int64_t n, int64_t d, const double *w, const double *C,
                                 int64_t k, double beta, int distance, double *resp, int32_t *labels,
                                 double *objective, int n_threads)
{
    const int64_t n_chunks = ck_n_chunks(n), brows = ck_soft_block_rows(d);
    double *chunk_energy = malloc((size_t)n_chunks * sizeof(double));
    if (!chunk_energy) return CK_ERR_NOMEM;
    int status = CK_OK;
    #pragma omp parallel num_threads(ck_omp_team(n_threads, n_chunks))
    {
        ck_soft_ws ws = {0};
        const int ok = ck_soft_ws_init(&ws, brows, k, d, sizeof(CK_XT) != sizeof(double)) == CK_OK;
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
                ck_soft_sqdist(CK_FN(soft_rows)(X, b, nb, d, &ws), nb, d, C, k, ws.dist);
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
    const int64_t brows = ck_soft_block_rows(d);
    int status = CK_OK;
    #pragma omp parallel num_threads(ck_omp_team(n_threads, n_groups))
    {
        ck_soft_ws ws = {0};
        const int ok = ck_soft_ws_init(&ws, brows, k, d, sizeof(CK_XT) != sizeof(double)) == CK_OK;
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
                    const double *xb = CK_FN(soft_rows)(X, b, nb, d, &ws);
                    ck_soft_sqdist(xb, nb, d, C_old, k, ws.dist);
                    e += ck_soft_responsibilities(ws.dist, nb, k, beta, distance, w, b, ws.resp, 1, NULL);
                    for (int64_t r = 0; r < nb; r++)
                        for (int64_t j = 0; j < k; j++) wsum[j] += ws.resp[r * k + j];
                    ck_soft_accumulate(xb, nb, d, ws.resp, k, sums);
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
    status = C_old && C_new ? ck_soft_bufs(n_samples, n_features, n_clusters, &gbuf, &n_groups, &merged, &energies)
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
    status = cur && other ? ck_soft_bufs(n_samples, n_features, n_clusters, &gbuf, &n_groups, &merged, &energies)
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
     * (and to the last beta used): rounded to the centroid type first, as the caller will see them. */
    if (status == CK_OK) {
        for (int64_t e = 0; e < kd; e++) cur[e] = (double)(CK_CT)cur[e];
        status = CK_FN(soft_estep_run)(X, n_samples, n_features, sample_weight, cur, n_clusters, beta, distance,
                                       responsibilities, labels, objective, n_threads);
    }
    if (status == CK_OK) {
        for (int64_t e = 0; e < kd; e++) centroids[e] = (CK_CT)cur[e];
        *n_iter = it;
        *converged = on_tol;
    }
    free(gbuf); free(merged); free(energies); free(other); free(cur);
    return status;
}
