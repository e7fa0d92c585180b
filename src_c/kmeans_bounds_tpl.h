/* Yinyang bounds for the exact accelerated fit, written once per dtype (included by
 * kmeans_lloyd_tpl.h; the fit loop and the fused step are Lloyd's own, see step()).
 *
 * Exact means: the labels are the ones Lloyd's search (ck_argmin_rows) COMPUTES, not merely the
 * nearest centres in real arithmetic. That search ranks s_j = ||c_j||^2 - 2 x.c_j evaluated in the
 * centroid type (float32 for float32 X), ties to the lowest index. Whatever order a kernel sums the
 * d products in, |s_j - S_j| <= E(x), S_j the exact value, with
 *     E(x) = 2 (u (d + 3) + (d + 8) 2^-53) (||x|| + max_j ||c_j||)^2,
 * u the unit roundoff of the centroid type (2^-24 or 2^-53): the classic gamma_d bound of any dot
 * product (d u ||x|| ||c||, times 2 for the factor -2), u (d + 3) ||c||^2 for the rounded ||c||^2 and the
 * subtraction, (d + 8) 2^-53 for the float64 ||x||^2 and sums met below, doubled for margin. So if
 * the true distances satisfy D_a^2 + 2 E < D_j^2 for every j != a, the computed s_a is strictly the
 * smallest and Lloyd's label is a. A row is skipped only when
 *     ub^2 + 2 E < lb^2,  ub >= D_a (by differences, in double),  lb <= min_{j != a} D_j,
 * strictly, so exact ties are never skipped. Searched rows get their scores from ck_dots_tile; a row
 * whose two best scores are within 4 E of each other (a near tie that another kernel might break
 * differently) is handed to ck_argmin_rows itself, so labels never depend on which dot kernel runs.
 * Lower bounds are rounded down into float32 (4 bytes per row and group) and decayed by the largest
 * centre drift of their group each step, drifts rounded up. */

/* _Generic picks the Lloyd fit of the centroid type, used to group the centres. */
#define CK_FIT_CT(...) _Generic((CK_CT)0, float: ck_kmeans_fit_f32, default: ck_kmeans_fit_f64)(__VA_ARGS__)

/* Groups of centres: a few Lloyd iterations on the initial centres themselves (Ding et al.), from
 * evenly spaced ones, so centres that start close share a group. Bounds start empty (every row is
 * searched in the first step, where all labels are -1). */
static int CK_FN(yy_init)(ck_yy *yy, int64_t n, int64_t d, const CK_CT *C, int64_t k, int64_t t,
                          int64_t n_chunks, int n_threads)
{
    memset(yy, 0, sizeof(*yy));
    yy->t = t;
    yy->n_chunks = n_chunks;
    yy->group_of = malloc((size_t)k * sizeof(int32_t));
    yy->lb = malloc((size_t)(n * t) * sizeof(float));
    yy->gdrift = calloc((size_t)t, sizeof(double));
    yy->chunk_searched = calloc((size_t)n_chunks, sizeof(int64_t));
    CK_CT *gc = malloc((size_t)(t * d) * sizeof(CK_CT));
    int status = yy->group_of && yy->lb && yy->gdrift && yy->chunk_searched && gc ? CK_OK
                                                                                               : CK_ERR_NOMEM;
    if (status == CK_OK && t > 1) {
        for (int64_t g = 0; g < t; g++) memcpy(gc + g * d, C + (g * k / t) * d, (size_t)d * sizeof(CK_CT));
        int n_iter, conv;
        double inert;
        status = CK_FIT_CT(C, k, d, NULL, t, gc, yy->group_of, 5, 0.0, n_threads, &n_iter, &inert, NULL, &conv);
    } else if (status == CK_OK) {
        memset(yy->group_of, 0, (size_t)k * sizeof(int32_t));
    }
    free(gc);
    if (status != CK_OK) ck_yy_free(yy);
    return status;
}

/* Once per step, before the chunks: the norm bound behind E(x). */
static void CK_FN(yy_prepare)(ck_yy *yy, const CK_CT *c_sqnorm, int64_t k)
{
    double m = 0;
    for (int64_t j = 0; j < k; j++) if ((double)c_sqnorm[j] > m) m = c_sqnorm[j];
    /* c_sqnorm is ||c||^2 rounded to the centroid type: far less than 0.1% off. */
    yy->c_maxnorm = sqrt(m) * 1.001;
}

/* Once per step, after the new centres: how far each centre moved (relocations included), rounded
 * up, and the largest move per group. A centre that did not move has drift exactly 0. */
static void CK_FN(yy_drifts)(ck_yy *yy, const CK_CT *C_old, const CK_CT *C_new, int64_t k, int64_t d)
{
    const double up = 1 + (double)(d + 8) * 0x1p-52;
    for (int64_t g = 0; g < yy->t; g++) yy->gdrift[g] = 0;
    for (int64_t j = 0; j < k; j++) {
        const double s = CK_FN(shift)(C_new + j * d, C_old + j * d, d);
        const double dr = s > 0 ? sqrt(s) * up : 0;
        if (dr > yy->gdrift[yy->group_of[j]]) yy->gdrift[yy->group_of[j]] = dr;
    }
}

static inline double CK_FN(yy_slack)(double x_sqnorm, double c_maxnorm, int64_t d)
{
    const double u = sizeof(CK_CT) == sizeof(float) ? 0x1p-24 : 0x1p-53;
    const double r = sqrt(x_sqnorm) + c_maxnorm;
    return 2 * (u * (double)(d + 3) + (double)(d + 8) * 0x1p-53) * r * r;
}

/* Labels of chunk rows [start, end) against C (centres of this step), exactly as Lloyd's search
 * would give them: lab[r] and dist[r] = ||x - c_label||^2 by differences (the inertia history).
 * labels: the previous step's labels (read only). Returns the number of rows searched. */
static int64_t CK_FN(yy_chunk)(const CK_XT *X, int64_t start, int64_t end, int64_t d, const double *x_sqnorm,
                               const CK_CT *C, const CK_CT *c_sqnorm, int64_t k, const int32_t *labels,
                               ck_yy *yy, ck_yy_scratch *s, ck_argmin_ws *aw, int32_t *lab, double *dist)
{
    const int64_t t = yy->t;
    const double up = 1 + (double)(d + 8) * 0x1p-52, down = 1 - 0x1p-50;
    CK_XT *xg = s->xg;
    int64_t ng = 0;
    for (int64_t i = start; i < end; i++) {
        const int64_t r = i - start;
        const int32_t a = labels[i];
        if (a >= 0) {
            float *lb = yy->lb + i * t;
            double lbmin = INFINITY;
            for (int64_t g = 0; g < t; g++) {
                if (yy->gdrift[g] > 0) lb[g] = ck_round_down((double)lb[g] - yy->gdrift[g]);
                if (lb[g] < lbmin) lbmin = lb[g];
            }
            const double dd = CK_FN(ck_sqdist)(X + i * d, C + (int64_t)a * d, d);
            const double E = CK_FN(yy_slack)(x_sqnorm[i], yy->c_maxnorm, d);
            if (lbmin > 0 && dd * up + 2 * E < lbmin * lbmin * down) {
                lab[r] = a;
                dist[r] = dd;
                continue;
            }
        }
        s->rows[ng] = r;
        memcpy(xg + ng * d, X + i * d, (size_t)d * sizeof(CK_XT));
        ng++;
    }
    if (ng == 0) return 0;

    /* Every score of the gathered rows, block by block of centres as ck_argmin_rows goes; per row
     * and group only the best two (and where the best is) are kept. */
    CK_CT *g1 = s->g1, *g2 = s->g2, *tile = s->tile;
    int32_t *gi = s->gi;
    for (int64_t e = 0; e < ng * t; e++) { g1[e] = g2[e] = (CK_CT)INFINITY; gi[e] = -1; }
    for (int64_t cb = 0; cb < k; cb += CK_CBLOCK) {
        const int64_t nc = k - cb < CK_CBLOCK ? k - cb : CK_CBLOCK;
        CK_FN(ck_dots_tile)(xg, ng, d, C + cb * d, nc, tile);
        for (int64_t q = 0; q < ng; q++)
            for (int64_t j = 0; j < nc; j++) {
                const CK_CT sc = c_sqnorm[cb + j] - 2 * tile[q * nc + j];
                const int64_t e = q * t + yy->group_of[cb + j];
                if (sc < g1[e]) { g2[e] = g1[e]; g1[e] = sc; gi[e] = (int32_t)(cb + j); }
                else if (sc < g2[e]) g2[e] = sc;
            }
    }
    int64_t nt = 0;
    for (int64_t q = 0; q < ng; q++) {
        CK_CT best = (CK_CT)INFINITY, second = (CK_CT)INFINITY;
        int32_t b = INT32_MAX;
        for (int64_t g = 0; g < t; g++) {
            const int64_t e = q * t + g;
            if (gi[e] < 0) continue; /* a group with no centre */
            if (g1[e] < best || (g1[e] == best && gi[e] < b)) { second = best; best = g1[e]; b = gi[e]; }
            else if (g1[e] < second) second = g1[e];
            if (g2[e] < second) second = g2[e];
        }
        const int64_t i = start + s->rows[q];
        lab[s->rows[q]] = b;
        if (!((double)second - (double)best > 4 * CK_FN(yy_slack)(x_sqnorm[i], yy->c_maxnorm, d)))
            s->ties[nt++] = q;
    }
    if (nt) {
        /* Near ties: Lloyd's own search decides. Ties are in increasing order, so compacting them to
         * the front of the gather buffer never overwrites a row still to be moved. */
        for (int64_t m = 0; m < nt; m++)
            if (s->ties[m] != m) memcpy(xg + m * d, xg + s->ties[m] * d, (size_t)d * sizeof(CK_XT));
        CK_FN(ck_argmin_rows)(xg, nt, d, C, c_sqnorm, k, s->tie_lab, aw);
        for (int64_t m = 0; m < nt; m++) lab[s->rows[s->ties[m]]] = s->tie_lab[m];
    }
    for (int64_t q = 0; q < ng; q++) {
        const int64_t r = s->rows[q], i = start + r;
        const int32_t l = lab[r];
        const double E = CK_FN(yy_slack)(x_sqnorm[i], yy->c_maxnorm, d);
        float *lb = yy->lb + i * t;
        for (int64_t g = 0; g < t; g++) {
            const int64_t e = q * t + g;
            const CK_CT v = gi[e] == l ? g2[e] : g1[e];
            if (v == (CK_CT)INFINITY) { lb[g] = INFINITY; continue; }
            const double sq = x_sqnorm[i] + (double)v - E;
            lb[g] = sq > 0 ? ck_round_down(sqrt(sq) * down) : 0.0f;
        }
        dist[r] = CK_FN(ck_sqdist)(X + i * d, C + (int64_t)l * d, d);
    }
    return ng;
}

#undef CK_FIT_CT
