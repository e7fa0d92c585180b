/* Initial centres, written once per dtype (instantiated by kmeans_init.c). */

/* Row index i such that the running sum of v (v = weights or weights x D^2) first reaches target:
 * scikit-learn's searchsorted(cumsum(v), target), clipped to the last row. The running sum is the
 * chunk-ordered prefix of part[] (chunk sums) continued row by row inside the chunk, a fixed order. */
static int64_t CK_FN(search_cum)(const double *v, const double *w, int64_t n, const double *part,
                                 int64_t n_chunks, double target)
{
    double acc = 0.0;
    for (int64_t c = 0; c < n_chunks; c++) {
        if (acc + part[c] < target && c + 1 < n_chunks) {
            acc += part[c];
            continue;
        }
        int64_t start, end;
        ck_chunk_rows(c, n, &start, &end);
        for (int64_t i = start; i < end; i++) {
            acc += w ? w[i] * v[i] : v[i];
            if (acc >= target) return i;
        }
    }
    return n - 1;
}

static void CK_FN(copy_row)(const CK_XT *x, int64_t d, CK_CT *out)
{
    for (int64_t f = 0; f < d; f++) out[f] = (CK_CT)x[f];
}

static int CK_FN(kmeans_plusplus)(const CK_XT *X, int64_t n_samples, int64_t n_features,
                                  const double *sample_weight, int64_t n_clusters, uint64_t seed,
                                  int n_local_trials, CK_CT *centroids, int64_t *indices, int n_threads,
                                  const volatile int *cancel)
{
    const int64_t n = n_samples, d = n_features, k = n_clusters;
    if (n < 1 || d < 1 || k < 1 || k > n) return CK_ERR_ARG;
    n_threads = ck_omp_clamp_threads(n_threads);
    /* scikit-learn's greedy k-means++: 2 + floor(ln k) candidates per new centre. */
    const int64_t nt = n_local_trials > 0 ? n_local_trials : 2 + (int64_t)log((double)k);
    const int64_t n_chunks = ck_n_chunks(n);
    ck_rng rng;
    ck_rng_seed(&rng, seed);
    double *x_sqnorm = malloc((size_t)n * sizeof(double));
    double *closest = malloc((size_t)n * sizeof(double));
    double *cand_dist = malloc((size_t)(nt * n) * sizeof(double));
    double *part = malloc((size_t)(nt * n_chunks) * sizeof(double));
    double *cur_part = malloc((size_t)n_chunks * sizeof(double));
    CK_CT *cand = malloc((size_t)(nt * d) * sizeof(CK_CT));
    CK_CT *cand_sqnorm = malloc((size_t)nt * sizeof(CK_CT));
    int64_t *cand_idx = malloc((size_t)nt * sizeof(int64_t));
    int status = CK_OK;
    if (!x_sqnorm || !closest || !cand_dist || !part || !cur_part || !cand || !cand_sqnorm || !cand_idx) {
        status = CK_ERR_NOMEM;
        goto done;
    }
    /* First centre: one row drawn with probability proportional to its weight. The row norms are
     * also the check that X is finite (ck_nonfinite_row). */
    int bad = 0;
#pragma omp parallel for schedule(static) num_threads(ck_omp_team(n_threads, n_chunks)) reduction(max : bad)
    for (int64_t c = 0; c < n_chunks; c++) {
        int64_t start, end;
        ck_chunk_rows(c, n, &start, &end);
        double s = 0.0;
        for (int64_t i = start; i < end; i++) {
            x_sqnorm[i] = CK_FN(ck_sqnorm_x)(X + i * d, d);
            const int row = CK_FN(ck_nonfinite_row)(X + i * d, d, x_sqnorm[i]);
            if (row > bad) bad = row;
            closest[i] = 1.0;
            s += sample_weight ? sample_weight[i] : 1.0;
        }
        cur_part[c] = s;
    }
    if (bad) {
        status = bad;
        goto done;
    }
    {
        const double total = ck_sum_ordered(cur_part, n_chunks);
        const int64_t first =
            CK_FN(search_cum)(closest, sample_weight, n, cur_part, n_chunks, ck_rng_uniform(&rng) * total);
        CK_FN(copy_row)(X + first * d, d, centroids);
        if (indices) indices[0] = first;
        cand_idx[0] = first;
    }
    int64_t n_cand = 1; /* the first round scores the first centre alone, as a 1-candidate round */
    memcpy(cand, centroids, (size_t)d * sizeof(CK_CT));
    for (int64_t c_new = 0; c_new < k; c_new++) {
        if (ck_cancelled(cancel)) {
            status = CK_ERR_CANCELLED;
            goto done;
        }
        /* Distances of every row to each candidate, kept as min(closest, D^2) per candidate, and
         * the potential sum w * that per chunk. For c_new == 0 the only candidate is the first
         * centre and closest is +inf. */
        CK_FN(ck_sqnorms_c)(cand, n_cand, d, cand_sqnorm);
        if (c_new == 0)
            for (int64_t i = 0; i < n; i++) closest[i] = INFINITY;
#pragma omp parallel num_threads(ck_omp_team(n_threads, n_chunks))
        {
            CK_CT *tile = malloc((size_t)CK_CHUNK_ROWS * nt * sizeof(CK_CT));
            if (!tile) {
#pragma omp atomic write
                status = CK_ERR_NOMEM;
            }
#pragma omp for schedule(dynamic, 1)
            for (int64_t c = 0; c < n_chunks; c++) {
                if (!tile || ck_cancelled(cancel)) continue;
                int64_t start, end;
                ck_chunk_rows(c, n, &start, &end);
                CK_FN(ck_dots_tile)(X + start * d, NULL, end - start, d, cand, n_cand, 0, tile);
                for (int64_t t = 0; t < n_cand; t++) {
                    double s = 0.0;
                    for (int64_t i = start; i < end; i++) {
                        /* ||x||^2 + ||c||^2 - 2 x.c can round below zero when x ~ c: clamp. */
                        double e = x_sqnorm[i] + (double)cand_sqnorm[t] -
                            2.0 * (double)tile[(i - start) * n_cand + t];
                        if (e < 0) e = 0;
                        if (closest[i] < e) e = closest[i];
                        cand_dist[t * n + i] = e;
                        s += sample_weight ? sample_weight[i] * e : e;
                    }
                    part[t * n_chunks + c] = s;
                }
            }
            free(tile);
        }
        if (status == CK_OK && ck_cancelled(cancel)) status = CK_ERR_CANCELLED;
        if (status != CK_OK) goto done;
        /* Keep the candidate that lowers the potential most (first on ties). */
        double best_pot;
        const int64_t best =
            ck_pp_keep_best(part, cand_dist, n_cand, n, n_chunks, closest, cur_part, &best_pot);
        if (c_new > 0) {
            memcpy(centroids + c_new * d, cand + best * d, (size_t)d * sizeof(CK_CT));
            if (indices) indices[c_new] = cand_idx[best];
        }
        if (c_new + 1 == k) break;
        /* Next candidates: rows drawn with probability proportional to w x D^2. */
        n_cand = nt;
        for (int64_t t = 0; t < nt; t++) {
            cand_idx[t] = CK_FN(search_cum)(closest, sample_weight, n, cur_part, n_chunks,
                                            ck_rng_uniform(&rng) * best_pot);
            CK_FN(copy_row)(X + cand_idx[t] * d, d, cand + t * d);
        }
    }
done:
    free(x_sqnorm);
    free(closest);
    free(cand_dist);
    free(part);
    free(cur_part);
    free(cand);
    free(cand_sqnorm);
    free(cand_idx);
    return status;
}

int CK_FN(ck_kmeans_plusplus)(const CK_DATA *data, int64_t n_clusters, uint64_t seed, int n_local_trials,
                              CK_CT *centroids, int64_t *indices, int n_threads)
{
    return CK_FN(kmeans_plusplus)(data->X, data->n_samples, data->n_features, data->sample_weight, n_clusters,
                                  seed, n_local_trials, centroids, indices, n_threads, ck_cancel_flag());
}

int CK_FN(ck_kmeans_random_init)(const CK_DATA *data, int64_t n_clusters, uint64_t seed, CK_CT *centroids,
                                 int64_t *indices)
{
    const CK_XT *X = data->X;
    const int64_t n_features = data->n_features;
    int64_t *chosen = malloc((size_t)(n_clusters > 0 ? n_clusters : 1) * sizeof(int64_t));
    if (!chosen) return CK_ERR_NOMEM;
    int status = ck_sample_rows(data->n_samples, data->sample_weight, n_clusters, seed, chosen);
    if (status == CK_OK)
        for (int64_t j = 0; j < n_clusters; j++) {
            CK_FN(copy_row)(X + chosen[j] * n_features, n_features, centroids + j * n_features);
            if (indices) indices[j] = chosen[j];
        }
    free(chosen);
    return status;
}
