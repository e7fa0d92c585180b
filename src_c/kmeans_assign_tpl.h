/* Distance kernels, written once per dtype (instantiated by kmeans_assign.c through ck_dtypes.h). */

/* Tail of a dot product past the last full vector: plain scalar, same in every path. */
static inline CK_CT CK_FN(dot_tail)(const CK_XT *x, const CK_CT *c, int64_t f, int64_t d, CK_CT s)
{
    for (; f < d; f++) s += (CK_CT)x[f] * c[f];
    return s;
}

static void CK_FN(dots_scalar)(const CK_XT *X, int64_t nr, int64_t d, const CK_CT *C, int64_t nc,
                               CK_CT *out)
{
    for (int64_t r = 0; r < nr; r++)
        for (int64_t j = 0; j < nc; j++)
            out[r * nc + j] = CK_FN(dot_tail)(X + r * d, C + j * d, 0, d, (CK_CT)0);
}

#if CK_HAVE_X86_SIMD
/* A 3-row x 4-centroid register block: 12 accumulators + 3 row vectors + 1 centroid vector fill
 * the 16 ymm registers, and each centroid load feeds 3 FMAs, each row load 4. */
static __attribute__((target("avx2,fma"))) void CK_FN(dots_avx2)(
    const CK_XT *X, int64_t nr, int64_t d, const CK_CT *C, int64_t nc, CK_CT *out)
{
    const int64_t dv = d - d % CK_VW;
    int64_t r = 0;
    for (; r + 3 <= nr; r += 3) {
        const CK_XT *x0 = X + r * d, *x1 = x0 + d, *x2 = x1 + d;
        int64_t j = 0;
        for (; j + 4 <= nc; j += 4) {
            const CK_CT *c0 = C + j * d, *c1 = c0 + d, *c2 = c1 + d, *c3 = c2 + d;
            CK_V a00 = CK_VZERO(), a01 = CK_VZERO(), a02 = CK_VZERO(), a03 = CK_VZERO();
            CK_V a10 = CK_VZERO(), a11 = CK_VZERO(), a12 = CK_VZERO(), a13 = CK_VZERO();
            CK_V a20 = CK_VZERO(), a21 = CK_VZERO(), a22 = CK_VZERO(), a23 = CK_VZERO();
            for (int64_t f = 0; f < dv; f += CK_VW) {
                CK_V v0 = CK_VLOADX(x0 + f), v1 = CK_VLOADX(x1 + f), v2 = CK_VLOADX(x2 + f), w;
                w = CK_VLOADC(c0 + f); a00 = CK_VFMA(v0, w, a00); a10 = CK_VFMA(v1, w, a10); a20 = CK_VFMA(v2, w, a20);
                w = CK_VLOADC(c1 + f); a01 = CK_VFMA(v0, w, a01); a11 = CK_VFMA(v1, w, a11); a21 = CK_VFMA(v2, w, a21);
                w = CK_VLOADC(c2 + f); a02 = CK_VFMA(v0, w, a02); a12 = CK_VFMA(v1, w, a12); a22 = CK_VFMA(v2, w, a22);
                w = CK_VLOADC(c3 + f); a03 = CK_VFMA(v0, w, a03); a13 = CK_VFMA(v1, w, a13); a23 = CK_VFMA(v2, w, a23);
            }
            CK_CT *o0 = out + r * nc + j, *o1 = o0 + nc, *o2 = o1 + nc;
            o0[0] = CK_FN(dot_tail)(x0, c0, dv, d, CK_VHSUM(a00));
            o0[1] = CK_FN(dot_tail)(x0, c1, dv, d, CK_VHSUM(a01));
            o0[2] = CK_FN(dot_tail)(x0, c2, dv, d, CK_VHSUM(a02));
            o0[3] = CK_FN(dot_tail)(x0, c3, dv, d, CK_VHSUM(a03));
            o1[0] = CK_FN(dot_tail)(x1, c0, dv, d, CK_VHSUM(a10));
            o1[1] = CK_FN(dot_tail)(x1, c1, dv, d, CK_VHSUM(a11));
            o1[2] = CK_FN(dot_tail)(x1, c2, dv, d, CK_VHSUM(a12));
            o1[3] = CK_FN(dot_tail)(x1, c3, dv, d, CK_VHSUM(a13));
            o2[0] = CK_FN(dot_tail)(x2, c0, dv, d, CK_VHSUM(a20));
            o2[1] = CK_FN(dot_tail)(x2, c1, dv, d, CK_VHSUM(a21));
            o2[2] = CK_FN(dot_tail)(x2, c2, dv, d, CK_VHSUM(a22));
            o2[3] = CK_FN(dot_tail)(x2, c3, dv, d, CK_VHSUM(a23));
        }
        for (; j < nc; j++) { /* 3 rows x 1 centroid */
            const CK_CT *c0 = C + j * d;
            CK_V a0 = CK_VZERO(), a1 = CK_VZERO(), a2 = CK_VZERO();
            for (int64_t f = 0; f < dv; f += CK_VW) {
                CK_V w = CK_VLOADC(c0 + f);
                a0 = CK_VFMA(CK_VLOADX(x0 + f), w, a0);
                a1 = CK_VFMA(CK_VLOADX(x1 + f), w, a1);
                a2 = CK_VFMA(CK_VLOADX(x2 + f), w, a2);
            }
            out[r * nc + j] = CK_FN(dot_tail)(x0, c0, dv, d, CK_VHSUM(a0));
            out[(r + 1) * nc + j] = CK_FN(dot_tail)(x1, c0, dv, d, CK_VHSUM(a1));
            out[(r + 2) * nc + j] = CK_FN(dot_tail)(x2, c0, dv, d, CK_VHSUM(a2));
        }
    }
    for (; r < nr; r++) { /* leftover rows: 1 row x 1 centroid */
        const CK_XT *x0 = X + r * d;
        for (int64_t j = 0; j < nc; j++) {
            const CK_CT *c0 = C + j * d;
            CK_V a0 = CK_VZERO();
            for (int64_t f = 0; f < dv; f += CK_VW) a0 = CK_VFMA(CK_VLOADX(x0 + f), CK_VLOADC(c0 + f), a0);
            out[r * nc + j] = CK_FN(dot_tail)(x0, c0, dv, d, CK_VHSUM(a0));
        }
    }
}
#endif

void CK_FN(ck_dots_tile)(const CK_XT *X, int64_t n_rows, int64_t n_features, const CK_CT *C,
                         int64_t n_c, CK_CT *out)
{
#if CK_HAVE_X86_SIMD
    if (ck_simd_avx2()) {
        CK_FN(dots_avx2)(X, n_rows, n_features, C, n_c, out);
        return;
    }
#endif
    CK_FN(dots_scalar)(X, n_rows, n_features, C, n_c, out);
}

void CK_FN(ck_argmin_rows)(const CK_XT *X, int64_t n_rows, int64_t n_features, const CK_CT *C,
                           const CK_CT *c_sqnorm, int64_t n_clusters, int32_t *labels, CK_CT *score,
                           CK_CT *tile)
{
    /* argmin_j ||x - c_j||^2 = argmin_j (||c_j||^2 - 2 x.c_j): ||x||^2 is the same for every j,
     * and x.c_j for a block of centroids is a small GEMM. Ties go to the lowest index (as
     * scikit-learn's argmin), because blocks and centroids are visited in increasing order and only
     * a strictly smaller score replaces the best. */
    for (int64_t cb = 0; cb < n_clusters; cb += CK_CBLOCK) {
        const int64_t nc = n_clusters - cb < CK_CBLOCK ? n_clusters - cb : CK_CBLOCK;
        CK_FN(ck_dots_tile)(X, n_rows, n_features, C + cb * n_features, nc, tile);
        for (int64_t r = 0; r < n_rows; r++) {
            const CK_CT *t = tile + r * nc;
            CK_CT best = cb ? score[r] : (CK_CT)INFINITY;
            int32_t lab = cb ? labels[r] : 0;
            for (int64_t j = 0; j < nc; j++) {
                CK_CT s = c_sqnorm[cb + j] - 2 * t[j];
                if (s < best) { best = s; lab = (int32_t)(cb + j); }
            }
            score[r] = best;
            labels[r] = lab;
        }
    }
}

double CK_FN(ck_sqdist)(const CK_XT *x, const CK_CT *c, int64_t d)
{
    /* Four independent partial sums in a fixed pattern: the compiler may map them onto one vector
     * (same operations, same result) but may not reorder them. */
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t f = 0;
    for (; f + 4 <= d; f += 4) {
        double e0 = (double)x[f] - (double)c[f], e1 = (double)x[f + 1] - (double)c[f + 1];
        double e2 = (double)x[f + 2] - (double)c[f + 2], e3 = (double)x[f + 3] - (double)c[f + 3];
        s0 += e0 * e0; s1 += e1 * e1; s2 += e2 * e2; s3 += e3 * e3;
    }
    for (; f < d; f++) { double e = (double)x[f] - (double)c[f]; s0 += e * e; }
    return (s0 + s1) + (s2 + s3);
}

double CK_FN(ck_sqnorm_x)(const CK_XT *x, int64_t d)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t f = 0;
    for (; f + 4 <= d; f += 4) {
        double e0 = x[f], e1 = x[f + 1], e2 = x[f + 2], e3 = x[f + 3];
        s0 += e0 * e0; s1 += e1 * e1; s2 += e2 * e2; s3 += e3 * e3;
    }
    for (; f < d; f++) { double e = x[f]; s0 += e * e; }
    return (s0 + s1) + (s2 + s3);
}

void CK_FN(ck_sqnorms_c)(const CK_CT *C, int64_t n_clusters, int64_t n_features, CK_CT *out)
{
    for (int64_t j = 0; j < n_clusters; j++) {
        double s = 0;
        for (int64_t f = 0; f < n_features; f++) s += (double)C[j * n_features + f] * C[j * n_features + f];
        out[j] = (CK_CT)s;
    }
}

int CK_FN(ck_assign)(const CK_XT *X, int64_t n_samples, int64_t n_features, const CK_CT *centroids,
                     int64_t n_clusters, int32_t *labels, double *sqdist, int n_threads)
{
    if (n_samples < 0 || n_features < 1 || n_clusters < 1 || n_clusters > INT32_MAX) return CK_ERR_ARG;
    if (n_samples == 0) return CK_OK;
    n_threads = ck_omp_clamp_threads(n_threads);
    CK_CT *c_sqnorm = malloc((size_t)n_clusters * sizeof(CK_CT));
    if (!c_sqnorm) return CK_ERR_NOMEM;
    CK_FN(ck_sqnorms_c)(centroids, n_clusters, n_features, c_sqnorm);
    const int64_t n_chunks = ck_n_chunks(n_samples);
    int status = CK_OK;
    #pragma omp parallel num_threads(n_threads)
    {
        CK_CT *tile = malloc((size_t)CK_CHUNK_ROWS * CK_CBLOCK * sizeof(CK_CT));
        CK_CT *score = malloc((size_t)CK_CHUNK_ROWS * sizeof(CK_CT));
        if (!tile || !score) {
            #pragma omp atomic write
            status = CK_ERR_NOMEM;
        }
        #pragma omp for schedule(dynamic, 1)
        for (int64_t c = 0; c < n_chunks; c++) {
            if (!tile || !score) continue;
            int64_t start, end;
            ck_chunk_rows(c, n_samples, &start, &end);
            const CK_XT *Xc = X + start * n_features;
            CK_FN(ck_argmin_rows)(Xc, end - start, n_features, centroids, c_sqnorm, n_clusters,
                                  labels + start, score, tile);
            if (sqdist)
                for (int64_t i = start; i < end; i++)
                    sqdist[i] = CK_FN(ck_sqdist)(X + i * n_features, centroids + (int64_t)labels[i] * n_features, n_features);
        }
        free(tile);
        free(score);
    }
    free(c_sqnorm);
    return status;
}

int CK_FN(ck_inertia)(const CK_XT *X, int64_t n_samples, int64_t n_features, const double *sample_weight,
                      const CK_CT *centroids, int64_t n_clusters, const int32_t *labels, int n_threads,
                      double *inertia)
{
    if (n_samples < 0 || n_features < 1 || n_clusters < 1) return CK_ERR_ARG;
    *inertia = 0.0;
    if (n_samples == 0) return CK_OK;
    n_threads = ck_omp_clamp_threads(n_threads);
    const int64_t n_chunks = ck_n_chunks(n_samples);
    double *parts = malloc((size_t)n_chunks * sizeof(double));
    if (!parts) return CK_ERR_NOMEM;
    int bad_label = 0;
    #pragma omp parallel for schedule(dynamic, 1) num_threads(n_threads) reduction(|:bad_label)
    for (int64_t c = 0; c < n_chunks; c++) {
        int64_t start, end;
        ck_chunk_rows(c, n_samples, &start, &end);
        double s = 0.0;
        for (int64_t i = start; i < end; i++) {
            int32_t l = labels[i];
            if (l < 0 || l >= n_clusters) { bad_label = 1; continue; }
            double e = CK_FN(ck_sqdist)(X + i * n_features, centroids + (int64_t)l * n_features, n_features);
            s += sample_weight ? sample_weight[i] * e : e;
        }
        parts[c] = s;
    }
    if (!bad_label) *inertia = ck_sum_ordered(parts, n_chunks);
    free(parts);
    return bad_label ? CK_ERR_KMEANS_LABEL : CK_OK;
}
