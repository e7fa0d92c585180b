/* k-means++ and random initial centres on CSR rows, written once per dtype (instantiated by
 * kmeans_init.c through ck_csr_dtypes.h, beside the dense ones, to share their generator and
 * draws). The contract is in ckmeans.h. */

/* Dense centre = CSR row i (zeros elsewhere). */
static void CK_FN(csr_copy_row)(const CK_CSR *X, int64_t i, CK_CT *out)
{
    memset(out, 0, (size_t)X->n_features * sizeof(CK_CT));
    for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) out[CK_CSR_COL(X, p)] = (CK_CT)X->values[p];
}

/* Candidate t's row scattered into (or, with clear, wiped from) ct, the transposed candidates, and
 * its columns marked in (or cleared from) the bitmap cols: O(its nonzeros) either way, so a round
 * never touches all of ct. ct holds the candidates in blocks of CK_PP_BLOCK, each block a
 * (d + 1) x CK_PP_BLOCK table whose last row stays zero. */
static void CK_FN(csr_scatter)(const CK_CSR *X, int64_t i, int64_t t, int clear, CK_CT *ct, uint64_t *cols)
{
    CK_CT *blk = ct + (t / CK_PP_BLOCK) * (X->n_features + 1) * CK_PP_BLOCK + t % CK_PP_BLOCK;
    for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) {
        const int64_t j = CK_CSR_COL(X, p);
        blk[j * CK_PP_BLOCK] = clear ? 0 : (CK_CT)X->values[p];
        if (clear) cols[j >> 6] &= ~(UINT64_C(1) << (j & 63));
        else cols[j >> 6] |= UINT64_C(1) << (j & 63);
    }
}

/* x_i . candidate t for every t of n_blocks blocks. A block's sums live in a local array, kept in
 * registers over the row's nonzeros (summed through dots, which may alias ct, they would be stored and
 * reloaded at every nonzero). A nonzero outside the candidates' columns (bitmap cols, d / 8 bytes,
 * stays in cache) reads a block's row d, all zeros, instead of its own row: the rows read are then
 * few and cached, the choice is branch-free, and v * 0 leaves the sum unchanged, so the dots equal
 * ck_csr_dots'. */
static CK_CSR_CLONES void CK_FN(csr_cand_dots)(const CK_CSR *X, int64_t i, const CK_CT *ct,
                                               const uint64_t *cols, int64_t n_blocks, CK_CT *dots)
{
    const int64_t d = X->n_features;
    for (int64_t b = 0; b < n_blocks; b++) {
        const CK_CT *blk = ct + b * (d + 1) * CK_PP_BLOCK;
        CK_CT acc[CK_PP_BLOCK] = { 0 };
        for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) {
            const int64_t j = CK_CSR_COL(X, p);
            const int64_t row = ((cols[j >> 6] >> (j & 63)) & 1) ? j : d;
            const CK_CT v = X->values[p];
            const CK_CT *col = blk + row * CK_PP_BLOCK;
            for (int u = 0; u < CK_PP_BLOCK; u++) acc[u] += v * col[u];
        }
        for (int u = 0; u < CK_PP_BLOCK; u++) dots[b * CK_PP_BLOCK + u] = acc[u];
    }
}

/* The dense kmeans_plusplus' greedy rounds on sparse rows: every candidate is a row of X, so its
 * squared norm is that row's and the rows' dot products with it come from the transposed
 * candidates (one contiguous vector of CK_PP_BLOCK values per nonzero and block). */
int CK_FN(ck_kmeans_plusplus_csr)(const CK_CSR *X, int64_t n_clusters, uint64_t seed, int n_local_trials,
                                  CK_CT *centroids, int64_t *indices, int n_threads)
{
    const int64_t n = X ? X->n_samples : 0, d = X ? X->n_features : 0, k = n_clusters;
    if (!X || n < 1 || d < 1 || k < 1 || k > n || (!X->indices32 == !X->indices64)) return CK_ERR_ARG;
    n_threads = ck_omp_clamp_threads(n_threads);
    const double *w = X->sample_weight;
    const int64_t nt = n_local_trials > 0 ? n_local_trials : 2 + (int64_t)log((double)k);
    const int64_t n_blocks = (nt + CK_PP_BLOCK - 1) / CK_PP_BLOCK;
    const int64_t n_chunks = ck_n_chunks(n);
    ck_rng rng;
    ck_rng_seed(&rng, seed);
    double *x_sqnorm = malloc((size_t)n * sizeof(double));
    double *closest = malloc((size_t)n * sizeof(double));
    double *cand_dist = malloc((size_t)(nt * n) * sizeof(double));
    double *part = malloc((size_t)(nt * n_chunks) * sizeof(double));
    double *cur_part = malloc((size_t)n_chunks * sizeof(double));
    CK_CT *ct = calloc((size_t)(n_blocks * CK_PP_BLOCK * (d + 1)), sizeof(CK_CT)); /* + zero rows */
    uint64_t *cols = calloc((size_t)((d + 63) / 64), sizeof(uint64_t));
    int64_t *cand_idx = malloc((size_t)nt * sizeof(int64_t));
    int status = CK_OK;
    if (!x_sqnorm || !closest || !cand_dist || !part || !cur_part || !ct || !cols || !cand_idx) {
        status = CK_ERR_NOMEM;
        goto done;
    }
    if (CK_FN(ck_csr_sqnorms)(X, x_sqnorm, n_threads)) {
        status = CK_ERR_KMEANS_NONFINITE;
        goto done;
    }
    for (int64_t c = 0; c < n_chunks; c++) {
        int64_t start, end;
        ck_chunk_rows(c, n, &start, &end);
        double s = 0.0;
        for (int64_t i = start; i < end; i++) {
            closest[i] = 1.0;
            s += w ? w[i] : 1.0;
        }
        cur_part[c] = s;
    }
    cand_idx[0] = CK_FN(search_cum)(closest, w, n, cur_part, n_chunks,
                                    ck_rng_uniform(&rng) * ck_sum_ordered(cur_part, n_chunks));
    CK_FN(csr_copy_row)(X, cand_idx[0], centroids);
    if (indices) indices[0] = cand_idx[0];
    for (int64_t i = 0; i < n; i++) closest[i] = INFINITY;
    int64_t n_cand = 1; /* the first round scores the first centre alone */
    const volatile int *cancel = ck_cancel_flag();
    for (int64_t c_new = 0; c_new < k; c_new++) {
        if (ck_cancelled(cancel)) {
            status = CK_ERR_CANCELLED;
            goto done;
        }
        for (int64_t t = 0; t < n_cand; t++) CK_FN(csr_scatter)(X, cand_idx[t], t, 0, ct, cols);
#pragma omp parallel num_threads(ck_omp_team(n_threads, n_chunks))
        {
            CK_CT *dots = malloc((size_t)(n_blocks * CK_PP_BLOCK) * sizeof(CK_CT));
            double *s = malloc((size_t)nt * sizeof(double)); /* the chunk's potential per candidate */
            if (!dots || !s) {
#pragma omp atomic write
                status = CK_ERR_NOMEM;
            }
#pragma omp for schedule(dynamic, 1)
            for (int64_t c = 0; c < n_chunks; c++) {
                if (!dots || !s || ck_cancelled(cancel)) continue;
                int64_t start, end;
                ck_chunk_rows(c, n, &start, &end);
                for (int64_t t = 0; t < n_cand; t++) s[t] = 0;
                for (int64_t i = start; i < end; i++) {
                    CK_FN(csr_cand_dots)(X, i, ct, cols, n_blocks, dots);
                    for (int64_t t = 0; t < n_cand; t++) {
                        double e = x_sqnorm[i] + x_sqnorm[cand_idx[t]] - 2.0 * (double)dots[t];
                        if (e < 0) e = 0; /* rounding when x ~ the candidate */
                        if (closest[i] < e) e = closest[i];
                        cand_dist[t * n + i] = e;
                        s[t] += w ? w[i] * e : e;
                    }
                }
                for (int64_t t = 0; t < n_cand; t++) part[t * n_chunks + c] = s[t];
            }
            free(dots);
            free(s);
        }
        for (int64_t t = 0; t < n_cand; t++) CK_FN(csr_scatter)(X, cand_idx[t], t, 1, ct, cols);
        if (status == CK_OK && ck_cancelled(cancel)) status = CK_ERR_CANCELLED;
        if (status != CK_OK) goto done;
        /* Keep the candidate that lowers the potential most (first on ties). */
        double best_pot;
        const int64_t best =
            ck_pp_keep_best(part, cand_dist, n_cand, n, n_chunks, closest, cur_part, &best_pot);
        if (c_new > 0) {
            CK_FN(csr_copy_row)(X, cand_idx[best], centroids + c_new * d);
            if (indices) indices[c_new] = cand_idx[best];
        }
        if (c_new + 1 == k) break;
        /* Next candidates: rows drawn with probability proportional to w x D^2. */
        n_cand = nt;
        for (int64_t t = 0; t < nt; t++)
            cand_idx[t] =
                CK_FN(search_cum)(closest, w, n, cur_part, n_chunks, ck_rng_uniform(&rng) * best_pot);
    }
done:
    free(x_sqnorm);
    free(closest);
    free(cand_dist);
    free(part);
    free(cur_part);
    free(ct);
    free(cols);
    free(cand_idx);
    return status;
}

int CK_FN(ck_kmeans_random_init_csr)(const CK_CSR *data, int64_t n_clusters, uint64_t seed, CK_CT *centroids,
                                     int64_t *indices)
{
    if (!data || data->n_features < 1 || (!data->indices32 == !data->indices64)) return CK_ERR_ARG;
    int64_t *chosen = malloc((size_t)(n_clusters > 0 ? n_clusters : 1) * sizeof(int64_t));
    if (!chosen) return CK_ERR_NOMEM;
    int status = ck_sample_rows(data->n_samples, data->sample_weight, n_clusters, seed, chosen);
    if (status == CK_OK)
        for (int64_t j = 0; j < n_clusters; j++) {
            CK_FN(csr_copy_row)(data, chosen[j], centroids + j * data->n_features);
            if (indices) indices[j] = chosen[j];
        }
    free(chosen);
    return status;
}
