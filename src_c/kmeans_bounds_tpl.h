/* Yinyang bounds for the exact accelerated fit, written once per dtype (included by
 * kmeans_lloyd_tpl.h; the fit loop and the fused step are Lloyd's own, see step()).
 *
 * Exact means: the labels are the ones Lloyd's search (ck_argmin_rows) COMPUTES, not merely the
 * nearest centres in real arithmetic. That search ranks s_j = ||c_j||^2 - 2 x.c_j evaluated in the
 * centroid type (float32 for float32 X), ties to the lowest index. Whatever order a kernel sums the
 * d products in, |s_j - S_j| <= E(x), S_j the exact value, with
 *     E(x) = 1.25 * 2 u ((d + 1) ||x|| M + M^2) + 2 (d + 8) 2^-53 (||x|| + M)^2,  M = max_j ||c_j||,
 * u the unit roundoff of the centroid type (2^-24 or 2^-53). The first term: any order of summing
 * the d products of x.c_j, with or without FMA, is off by at most gamma_d sum_f |x_f c_jf| <=
 * gamma_d ||x|| M (Cauchy-Schwarz; gamma_d = d u / (1 - d u)), doubled by the factor -2; ||c_j||^2
 * rounded to the centroid type adds u M^2 and the subtraction u |s_j| <= u (M^2 + 2 ||x|| M); the
 * factor 1.25 covers 1 / (1 - d u) and the other second-order terms many times over. The second term
 * is the float64 ||x||^2 and sums met below, doubled. So if
 * the true distances satisfy D_a^2 + 2 E < D_j^2 for every j != a, the computed s_a is strictly the
 * smallest and Lloyd's label is a. A row is skipped only when
 *     ub^2 + 2 E < lb^2,  ub >= D_a,  lb <= min_{j != a} D_j,
 * strictly, so exact ties are never skipped; ub is an upper bound on the distance when last computed
 * (yy_sqdist_up) plus the centre's drifts since, and is recomputed before a row is searched. Searched
 * rows get their scores from ck_dots_tile (its widest kernel, whose bits may differ from Lloyd's); a
 * row whose two best scores are within 4 E of each other (a near tie that another kernel might break
 * differently) is handed to ck_argmin_rows itself, so labels never depend on which dot kernel runs.
 * Lower bounds are rounded down into float32 (4 bytes per row and group) and decayed by the largest
 * centre drift of their group each step, drifts rounded up. */

/* _Generic picks the Lloyd fit of the centroid type, used to group the centres. */
#define CK_FIT_CT(C, k, d, t, gc, params, result)                                                            \
    _Generic((CK_CT)0,                                                                                       \
        float: ck_kmeans_fit_f32(&(ck_data_f32){ (const float *)(C), k, d, NULL }, t, (float *)(gc), params, \
                                 result),                                                                    \
        default: ck_kmeans_fit_f64(&(ck_data_f64){ (const double *)(C), k, d, NULL }, t, (double *)(gc),     \
                                   params, result))

/* Groups of centres: a few Lloyd iterations on the initial centres themselves (Ding et al.), from
 * evenly spaced ones, so centres that start close share a group. Bounds start empty (every row is
 * searched in the first step, where all labels are -1). */
static int CK_FN(yy_init)(ck_yy *yy, int64_t n, int64_t d, const CK_CT *C, int64_t k, int64_t t,
                          int64_t n_chunks, int n_threads)
{
    memset(yy, 0, sizeof(*yy));
    yy->ub = malloc((size_t)n * sizeof(float));
    yy->drift = calloc((size_t)k, sizeof(double));
    yy->t = t;
    yy->n_chunks = n_chunks;
    yy->group_of = malloc((size_t)k * sizeof(int32_t));
    yy->lb = malloc((size_t)(n * t) * sizeof(float));
    yy->gdrift = calloc((size_t)t, sizeof(float));
    yy->chunk_searched = calloc((size_t)n_chunks, sizeof(int64_t));
    yy->perm = malloc((size_t)k * sizeof(int32_t));
    yy->goff = calloc((size_t)t + 1, sizeof(int64_t));
    yy->cp = malloc((size_t)(k * d) * sizeof(CK_CT));
    yy->cp_sqnorm = malloc((size_t)k * sizeof(CK_CT));
    yy->chunk_lsb = malloc((size_t)n_chunks * sizeof(int32_t));
    yy->chunk_absmax = malloc((size_t)n_chunks * sizeof(double));
    CK_CT *gc = malloc((size_t)(t * d) * sizeof(CK_CT));
    int status = yy->ub && yy->drift && yy->group_of && yy->lb && yy->gdrift && yy->chunk_searched &&
            yy->perm && yy->goff && yy->cp && yy->cp_sqnorm && yy->chunk_lsb && yy->chunk_absmax && gc
        ? CK_OK
        : CK_ERR_NOMEM;
    if (status == CK_OK && t > 1) {
        for (int64_t g = 0; g < t; g++) memcpy(gc + g * d, C + (g * k / t) * d, (size_t)d * sizeof(CK_CT));
        ck_kmeans_params params;
        ck_kmeans_params_init(&params);
        params.algorithm = CK_ALGO_LLOYD;
        params.max_iter = 5;
        params.n_threads = n_threads;
        ck_kmeans_result res = { .labels = yy->group_of };
        status = CK_FIT_CT(C, k, d, t, gc, &params, &res);
    } else if (status == CK_OK) {
        memset(yy->group_of, 0, (size_t)k * sizeof(int32_t));
    }
    free(gc);
    if (status != CK_OK) {
        ck_yy_free(yy);
        return status;
    }
    /* A stable counting sort by group: each group's centres contiguous, in increasing index. */
    for (int64_t j = 0; j < k; j++) yy->goff[yy->group_of[j] + 1]++;
    for (int64_t g = 0; g < t; g++) yy->goff[g + 1] += yy->goff[g];
    int64_t *next = malloc((size_t)t * sizeof(int64_t));
    if (!next) {
        ck_yy_free(yy);
        return CK_ERR_NOMEM;
    }
    memcpy(next, yy->goff, (size_t)t * sizeof(int64_t));
    for (int64_t j = 0; j < k; j++) yy->perm[next[yy->group_of[j]]++] = (int32_t)j;
    free(next);
    yy->scratch = calloc((size_t)n_threads, sizeof(ck_yy_scratch));
    if (!yy->scratch) {
        ck_yy_free(yy);
        return CK_ERR_NOMEM;
    }
    yy->n_scratch = n_threads;
    for (int i = 0; i < n_threads; i++)
        if (ck_yy_scratch_init(yy->scratch + i, d, t, sizeof(CK_XT), sizeof(CK_CT)) != CK_OK) {
            ck_yy_free(yy);
            return CK_ERR_NOMEM;
        }
    return CK_OK;
}

/* Once per step, before the chunks: the norm bound behind E(x), and the centres in group order. */
static void CK_FN(yy_prepare)(ck_yy *yy, const CK_CT *C, const CK_CT *c_sqnorm, int64_t k, int64_t d)
{
    double m = 0;
    for (int64_t j = 0; j < k; j++)
        if ((double)c_sqnorm[j] > m) m = c_sqnorm[j];
    /* c_sqnorm is ||c||^2 rounded to the centroid type: far less than 0.1% off. */
    yy->c_maxnorm = sqrt(m) * 1.001;
    CK_CT *cp = yy->cp, *cpsq = yy->cp_sqnorm;
    for (int64_t p = 0; p < k; p++) {
        memcpy(cp + p * d, C + (int64_t)yy->perm[p] * d, (size_t)d * sizeof(CK_CT));
        cpsq[p] = c_sqnorm[yy->perm[p]];
    }
}

/* After the first step (which read every row): are the cluster sums exact? Unweighted sums of
 * values that are all integer multiples of 2^q, with sum |x| <= A over a column, are integer
 * multiples of 2^q of magnitude <= A, and so is every partial sum, difference of such sums and
 * merge of them: when A < 2^(q + 53) each of those float64 additions is exact, the result is the
 * same whatever their order, and moving one row from a cluster to another (its value subtracted
 * from one sum, added to the other) gives the bits that summing the clusters afresh would.
 * A is bounded by sum_i max_f |x_if| (summed in chunk order, so the same for any thread count),
 * with a factor 4 of margin for that sum's own rounding. uint8 and integer-valued float data
 * (MNIST as float, raw or divided by a power of two) qualify; sample weights never do (w x is
 * rounded). Then tally takes the step's sums, and later steps only move the rows that change. */
static void CK_FN(yy_exact_sums)(ck_yy *yy, const double *sums, int64_t stride, const double *w)
{
    yy->exact = 0;
    if (w) return;
    int32_t q = INT32_MAX;
    for (int64_t c = 0; c < yy->n_chunks; c++) q = yy->chunk_lsb[c] < q ? yy->chunk_lsb[c] : q;
    const double A = ck_sum_ordered(yy->chunk_absmax, yy->n_chunks);
    if (!(A == 0 || (q != INT32_MAX && A < ldexp(1.0, q + 51)))) return;
    yy->tally = malloc((size_t)stride * sizeof(double));
    if (!yy->tally) return; /* the plain sums still work: only slower */
    memcpy(yy->tally, sums, (size_t)stride * sizeof(double));
    yy->exact = 1;
}

/* Once per step, after the new centres: how far each centre moved (relocations included), rounded
 * up, and the largest move per group. A centre that did not move has drift exactly 0. */
static void CK_FN(yy_drifts)(ck_yy *yy, const CK_CT *C_old, const CK_CT *C_new, int64_t k, int64_t d)
{
    const double up = 1 + (double)(d + 8) * 0x1p-52;
    for (int64_t g = 0; g < yy->t; g++) yy->gdrift[g] = 0;
    for (int64_t j = 0; j < k; j++) {
        const double s = CK_FN(ck_shift)(C_new + j * d, C_old + j * d, d);
        const double dr = s > 0 ? sqrt(s) * up : 0;
        yy->drift[j] = dr;
        const float dr32 = ck_round_up(dr);
        if (dr32 > yy->gdrift[yy->group_of[j]]) yy->gdrift[yy->group_of[j]] = dr32;
    }
}

/* An upper bound on ||x - c||^2 for the bounds (never a reported value): summed in the centroid
 * type, 64 or 32 lanes at a time in whatever order the vector unit likes, then inflated past the
 * worst case of that. The differences e_f are off by at most u relatively, a sum of d squares of them
 * (any order, with or without FMA) by gamma_d; (1 + (d + 4) 2u) covers both to first order with
 * room for the second, and d times the smallest normal number covers squares lost to underflow.
 * In float32 for float32 X, about 4x faster than the reported distance, which sums in double. */
CK_BOUND_CLONES static double CK_FN(yy_sqdist_up)(const CK_XT *x, const CK_CT *c, int64_t d)
{
#define CK_YY_LANES (256 / (int64_t)sizeof(CK_CT))
    CK_CT acc[CK_YY_LANES] = { 0 };
    int64_t f = 0;
    for (; f + CK_YY_LANES <= d; f += CK_YY_LANES)
        for (int64_t j = 0; j < CK_YY_LANES; j++) {
            const CK_CT e = (CK_CT)x[f + j] - c[f + j];
            acc[j] += e * e;
        }
    for (int64_t j = 0; f + j < d; j++) {
        const CK_CT e = (CK_CT)x[f + j] - c[f + j];
        acc[j] += e * e;
    }
    CK_CT s = 0;
    for (int64_t j = 0; j < CK_YY_LANES; j++) s += acc[j];
#undef CK_YY_LANES
    const int single = sizeof(CK_CT) == sizeof(float);
    const double u2 = single ? 0x1p-23 : 0x1p-52, tiny = single ? 0x1p-126 : 0x1p-1022;
    return (double)s * (1 + (double)(d + 4) * u2) + (double)d * tiny;
}

/* The inertia of the step's labels against C from the cluster sums, before relocation:
 * sum_i w_i ||x_i||^2 + sum_j (W_j ||c_j||^2 - 2 c_j . S_j), in double, O(k d) instead of a distance
 * per row (skipped rows have none). Exact in real arithmetic; like Lloyd's own history (which expands
 * ||x||^2 - 2 x.c + ||c||^2 per row) it loses digits when the points sit far from the origin. */
static double CK_FN(yy_inertia)(const ck_yy *yy, const double *sums, const double *wsum, const CK_CT *C,
                                int64_t k, int64_t d)
{
    double s = yy->wx_sqnorm;
    for (int64_t j = 0; j < k; j++) {
        double cc = 0, cs = 0;
        for (int64_t f = 0; f < d; f++) {
            const double c = C[j * d + f];
            cc += c * c;
            cs += c * sums[j * d + f];
        }
        s += wsum[j] * cc - 2 * cs;
    }
    return s > 0 ? s : 0;
}

static inline double CK_FN(yy_slack)(double x_sqnorm, double c_maxnorm, int64_t d)
{
    const double u = sizeof(CK_CT) == sizeof(float) ? 0x1p-24 : 0x1p-53;
    const double xn = sqrt(x_sqnorm), M = c_maxnorm, r = xn + M;
    return 2.5 * u * ((double)(d + 1) * xn * M + M * M) + 2 * (double)(d + 8) * 0x1p-53 * r * r;
}

/* The lower bound on a distance whose score (||c||^2 - 2 x.c, in Lloyd's arithmetic) is v: the true
 * squared distance is at least ||x||^2 + v - E; rounded down into a float, 0 when that is <= 0. */
static inline float CK_FN(yy_lb)(double x_sqnorm, CK_CT v, double E)
{
    if (v == (CK_CT)INFINITY) return INFINITY;
    const double sq = x_sqnorm + (double)v - E;
    return sq > 0 ? ck_round_down(sqrt(sq) * (1 - 0x1p-50)) : 0.0f;
}

/* The upper bound on a distance whose score is v, as yy_lb's lower one: at most ||x||^2 + v + E. */
static inline float CK_FN(yy_ub)(double x_sqnorm, CK_CT v, double E)
{
    const double sq = x_sqnorm + (double)v + E;
    return sq > 0 ? ck_round_up(sqrt(sq) * (1 + 0x1p-50)) : 0.0f;
}

/* Running best two of one group with sc, the score at group-order position p. Positions are
 * visited in increasing order and, within a group, increasing position is increasing centre index,
 * so keeping the first of equal scores keeps the lowest index. */
static inline void CK_FN(yy_take)(CK_CT sc, int32_t p, CK_CT *b1, CK_CT *b2, int32_t *bp)
{
    const int better = sc < *b1;
    *b2 = better ? *b1 : (sc < *b2 ? sc : *b2);
    *bp = better ? p : *bp;
    *b1 = better ? sc : *b1;
}

/* Rows are read only where the bound tests need them, at intervals the hardware prefetcher does
 * not follow: ask for the row CK_YY_AHEAD rows on. With plain sums the step reads every row anyway
 * (its weighted sum): then every row is asked for; with exact sums only the rows to be read. */
#ifndef CK_YY_AHEAD
#define CK_YY_AHEAD 4
#if defined(__GNUC__)
#define CK_YY_PREFETCH_ROW(x, d)                                                                             \
    do {                                                                                                     \
        for (int64_t o_ = 0; o_ < (d) * (int64_t)sizeof(*(x)); o_ += 64)                                     \
            __builtin_prefetch((const char *)(x) + o_);                                                      \
    } while (0)
#else
#define CK_YY_PREFETCH_ROW(x, d) ((void)0)
#endif
#endif

/* Labels lab[r] of chunk rows [start, end) against C (centres of this step), exactly as Lloyd's
 * search would give them.
 * labels: the previous step's labels (read only). Returns the number of rows searched.
 * A row is skipped when its bounds prove its label (see the top of this file): first by the
 * bounds alone (the row is not read), then by its upper bound made tight. Otherwise only the
 * groups whose bound does not exclude them are searched (always the group of the old label a): a
 * group is excluded when lb^2 > ub^2 + 4 E, which makes every centre in it lose, in Lloyd's
 * arithmetic, to whichever centre wins the search (its score is at most a's plus 2 E). */
static int64_t CK_FN(yy_chunk)(const CK_XT *X, int64_t start, int64_t end, int64_t d, const double *x_sqnorm,
                               const CK_CT *C, const CK_CT *c_sqnorm, int64_t k, const int32_t *labels,
                               ck_yy *yy, ck_yy_scratch *s, ck_argmin_ws *aw, int32_t *lab)
{
    const int64_t t = yy->t, nr = end - start;
    const double up = 1 + (double)(d + 8) * 0x1p-52, down = 1 - 0x1p-50;
    const CK_CT *cp = yy->cp, *cpsq = yy->cp_sqnorm;
    CK_CT *g1 = s->g1, *g2 = s->g2, *tile = s->tile;
    int32_t *gi = s->gi;
    int64_t *bucket = s->bucket, *bcount = s->bcount, *need = s->need;
    CK_CT *best = s->best, *second = s->second;
    int32_t *bestj = s->bestj;
    double *slack = s->slack, *lim = s->lim;
    int64_t nsearched = 0, nneed = 0;
    for (int64_t r = 0; r < nr; r++) {
        const int64_t i = start + r;
        const int32_t a = labels[i];
        s->searched[r] = 0;
        if (!yy->exact) CK_YY_PREFETCH_ROW(X + (i + CK_YY_AHEAD < end ? i + CK_YY_AHEAD : i) * d, d);
        const double E = CK_FN(yy_slack)(x_sqnorm[i], yy->c_maxnorm, d);
        slack[r] = E;
        if (a >= 0) {
            /* (one group: inlined, as a call per row to the clones is a visible share of a late step) */
            const double lbmin = t == 1 ? (yy->lb[i] = ck_yy_decayed(yy->lb[i], yy->gdrift[0]))
                                        : ck_yy_decay(yy->lb + i * t, yy->gdrift, t);
            lim[r] = lbmin > 0 ? lbmin * lbmin * down - 2 * E : -1;
            lab[r] = a;
            if (yy->drift[a] > 0) yy->ub[i] = ck_round_up((double)yy->ub[i] + yy->drift[a]);
            if ((double)yy->ub[i] * yy->ub[i] * up < lim[r]) continue;
        }
        need[nneed++] = r;
    }
#if !CK_X_IS_U8
    /* One group (Hamerly's single bound) and most of the chunk to read: the whole chunk goes through
     * Lloyd's own packed search, straight from X, which also gives each row's second-best score,
     * the bound on all the other centres, and a best score that bounds the distance to its own
     * (the first step, and the next few while the centres move a lot, cost what Lloyd's do). */
    if (t == 1 && 2 * nneed > nr &&
        CK_FN(ck_argmin_rows_packed)(X + start * d, nr, d, C, c_sqnorm, k, lab, second, aw)) {
        const CK_CT *score = aw->score;
        for (int64_t r = 0; r < nr; r++) {
            const int64_t i = start + r;
            yy->lb[i] = CK_FN(yy_lb)(x_sqnorm[i], second[r], slack[r]);
            yy->ub[i] = CK_FN(yy_ub)(x_sqnorm[i], score[r], slack[r]);
        }
        return nr;
    }
#endif
    if (yy->exact)
        for (int64_t q = 0; q < nneed && q < CK_YY_AHEAD; q++)
            CK_YY_PREFETCH_ROW(X + (start + need[q]) * d, d);
    for (int64_t q = 0; q < nneed; q++) {
        const int64_t r = need[q], i = start + r;
        const int32_t a = labels[i];
        if (yy->exact && q + CK_YY_AHEAD < nneed)
            CK_YY_PREFETCH_ROW(X + (start + need[q + CK_YY_AHEAD]) * d, d);
        double thr = INFINITY;
        if (a >= 0) {
            /* The bound drifted too far: tighten it to the distance itself (Hamerly's second test). */
            const double dd = CK_FN(yy_sqdist_up)(X + i * d, C + (int64_t)a * d, d);
            yy->ub[i] = ck_round_up(sqrt(dd) * up);
            if (dd * up < lim[r]) continue;
            thr = dd * up + 4 * slack[r];
        }
        s->searched[r] = 1;
        nsearched++;
        best[r] = second[r] = (CK_CT)INFINITY;
        bestj[r] = INT32_MAX;
        /* Only the groups whose bound does not exclude them, and always a's group (a row without a
         * label, a = -1, needs them all); the row joins each such group's bucket. */
        const float *lb = yy->lb + i * t;
        const int64_t ga = a >= 0 ? yy->group_of[a] : -1;
        for (int64_t g = 0; g < t; g++) {
            const int skip = a >= 0 && g != ga && lb[g] > 0 && (double)lb[g] * lb[g] * down > thr;
            bucket[g * CK_CHUNK_ROWS + bcount[g]] = r;
            bcount[g] += !skip;
        }
    }
    if (nsearched == 0) return 0;
#if !CK_X_IS_U8
    /* One group, fewer rows to search: those, gathered into a block, go through the packed search.
     * Its labels are Lloyd's by construction (no near ties to redo). */
    if (t == 1) {
        const int64_t m = bcount[0], *rows = bucket;
        CK_XT *xt = s->xt;
        for (int64_t q = 0; q < m; q++)
            memcpy(xt + q * d, X + (start + rows[q]) * d, (size_t)d * sizeof(CK_XT));
        if (CK_FN(ck_argmin_rows_packed)(xt, m, d, C, c_sqnorm, k, s->tie_lab, second, aw)) {
            const CK_CT *score = aw->score;
            bcount[0] = 0;
            for (int64_t q = 0; q < m; q++) {
                const int64_t r = rows[q], i = start + r;
                const int32_t l = s->tie_lab[q];
                lab[r] = l;
                yy->lb[i] = CK_FN(yy_lb)(x_sqnorm[i], second[q], slack[r]);
                /* A new centre's distance is bounded by its score, as in the whole-chunk path (a
                 * row that kept its centre has the tighter bound of the test above). */
                if (l != labels[i]) yy->ub[i] = CK_FN(yy_ub)(x_sqnorm[i], score[q], slack[r]);
            }
            return nsearched;
        }
    }
#endif

    /* Group by group, the scores of the rows in its bucket, register-blocked over rows and centres,
     * CK_CBLOCK centres at a time: each group's centres are read once per chunk, not once per row.
     * A row's best two of the group (g1, g2, and gi the position of g1) then give its lower bound for
     * the group, as if the winner were elsewhere (fixed below for the winner's group), and join the
     * row's best two overall. Equal scores go to the lowest centre index: within a group positions
     * grow with the index, across groups the index decides. */
    const CK_XT *Xc = X + start * d;
    for (int64_t g = 0; g < t; g++) {
        const int64_t m = bcount[g], *rows = bucket + g * CK_CHUNK_ROWS, g0 = yy->goff[g],
                      gend = yy->goff[g + 1];
        bcount[g] = 0;
        for (int64_t cb = g0; cb < gend; cb += CK_CBLOCK) {
            const int64_t ce = gend - cb < CK_CBLOCK ? gend : cb + CK_CBLOCK, nc = ce - cb;
            if (m) CK_FN(ck_dots_tile)(Xc, rows, m, d, cp + cb * d, nc, 1, tile);
            for (int64_t q = 0; q < m; q++) {
                const int64_t r = rows[q], e = r * t + g;
                const CK_CT *tq = tile + q * nc - cb;
                CK_CT b1 = cb > g0 ? g1[e] : (CK_CT)INFINITY, b2 = cb > g0 ? g2[e] : (CK_CT)INFINITY;
                int32_t bi = cb > g0 ? gi[e] : 0;
                for (int64_t p = cb; p < ce; p++)
                    CK_FN(yy_take)(cpsq[p] - 2 * tq[p], (int32_t)p, &b1, &b2, &bi);
                g1[e] = b1;
                g2[e] = b2;
                gi[e] = bi;
                if (ce < gend) continue;
                yy->lb[(start + r) * t + g] = CK_FN(yy_lb)(x_sqnorm[start + r], b1, slack[r]);
                const int32_t j = yy->perm[bi];
                if (b1 < best[r] || (b1 == best[r] && j < bestj[r])) {
                    second[r] = best[r];
                    best[r] = b1;
                    bestj[r] = j;
                } else if (b1 < second[r]) {
                    second[r] = b1;
                }
                if (b2 < second[r]) second[r] = b2;
            }
        }
        /* A group without centres excludes nothing: no bound from it. */
        for (int64_t q = 0; g0 == gend && q < m; q++) yy->lb[(start + rows[q]) * t + g] = INFINITY;
    }
    /* The winner of every searched row; a near tie (two best within 4 E) goes to Lloyd's search. */
    int64_t nt = 0;
    CK_XT *xt = s->xt;
    for (int64_t r = 0; r < nr; r++) {
        if (!s->searched[r]) continue;
        lab[r] = bestj[r];
        if (!((double)second[r] - (double)best[r] > 4 * slack[r])) {
            s->ties[nt] = r;
            memcpy(xt + nt * d, X + (start + r) * d, (size_t)d * sizeof(CK_XT));
            nt++;
        }
    }
    if (nt) {
        CK_FN(ck_argmin_rows)(xt, nt, d, C, c_sqnorm, k, s->tie_lab, aw);
        for (int64_t m = 0; m < nt; m++) lab[s->ties[m]] = s->tie_lab[m];
    }
    for (int64_t r = 0; r < nr; r++) {
        if (!s->searched[r]) continue;
        const int64_t i = start + r;
        const int32_t l = lab[r];
        /* The winner's group: its bound is on the other centres, the second best if l was its best
         * (l is always in a searched group: the others were excluded for every possible winner). */
        const int64_t e = r * t + yy->group_of[l];
        if (yy->perm[gi[e]] == l)
            yy->lb[i * t + yy->group_of[l]] = CK_FN(yy_lb)(x_sqnorm[i], g2[e], slack[r]);
        /* A row that kept its label has its upper bound from the test above, against these very
         * centres. */
        if (l != labels[i])
            yy->ub[i] = ck_round_up(sqrt(CK_FN(yy_sqdist_up)(X + i * d, C + (int64_t)l * d, d)) * up);
    }
    return nsearched;
}

#undef CK_FIT_CT
