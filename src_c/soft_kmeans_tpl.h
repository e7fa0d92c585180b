/* Soft k-means drivers, written once per dtype (instantiated by soft_kmeans.c through ck_dtypes.h).
 * The numeric kernels they call work on a row's nonzero list in double and live in soft_kmeans.c. */

/* The nonzero bitmask of a row: bit i of mask[w] is x[64 w + i] != 0. Returns the number of nonzeros. */
static int64_t CK_FN(soft_nzmask_scalar)(const CK_XT *x, int64_t d, uint64_t *mask)
{
    int64_t nnz = 0;
    for (int64_t f0 = 0; f0 < d; f0 += 64) {
        const int64_t nf = d - f0 < 64 ? d - f0 : 64;
        uint64_t bits = 0;
        for (int64_t i = 0; i < nf; i++) bits |= (uint64_t)(x[f0 + i] != 0) << i;
        mask[f0 / 64] = bits;
        nnz += __builtin_popcountll(bits);
    }
    return nnz;
}

#if CK_HAVE_X86_SIMD
/* (every AVX2 processor has POPCNT; without the target the builtin is a library call) */
static __attribute__((target("avx2,popcnt"))) int64_t CK_FN(soft_nzmask_avx2)(const CK_XT *x, int64_t d,
                                                                              uint64_t *mask)
{
    int64_t f0 = 0, nnz = 0;
    for (; f0 + 64 <= d; f0 += 64) {
        uint64_t bits = 0;
#if CK_X_IS_U8
        for (int q = 0; q < 2; q++) {
            const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(x + f0 + 32 * q));
            const uint32_t zero =
                (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_setzero_si256()));
            bits |= (uint64_t)~zero << (32 * q);
        }
#else
        for (int q = 0; q < 64 / CK_VW; q++) {
            /* != 0 unordered: a NaN counts as nonzero (the caller rejects NaN anyway) */
            const CK_V v = CK_VLOADX(x + f0 + q * CK_VW);
            const uint64_t part = sizeof(CK_XT) == sizeof(float)
                ? (uint64_t)_mm256_movemask_ps(_mm256_cmp_ps((__m256)v, _mm256_setzero_ps(), _CMP_NEQ_UQ))
                : (uint64_t)_mm256_movemask_pd(_mm256_cmp_pd((__m256d)v, _mm256_setzero_pd(), _CMP_NEQ_UQ));
            bits |= part << (q * CK_VW);
        }
#endif
        mask[f0 / 64] = bits;
        nnz += __builtin_popcountll(bits);
    }
    if (f0 < d) nnz += CK_FN(soft_nzmask_scalar)(x + f0, d - f0, mask + f0 / 64);
    return nnz;
}

/* The row's nonzero list (ws->off, ws->val) from its bitmask without a branch per feature (a branch
 * per set bit mispredicts at the end of every word). ws->lut turns a byte of flags into the
 * positions of its set bits, which are then stored 4 or 8 at a time; the entries past the byte's
 * popcount are overwritten by the next step. First the 8-feature groups that hold a nonzero (MNIST:
 * 40% of them), then 8 features of each of those; the last d % 8 features go one by one. Returns
 * the list's length. */
static __attribute__((target("avx2,popcnt"))) int64_t CK_FN(soft_compact_avx2)(const CK_XT *x,
                                                                               const uint64_t *mask,
                                                                               int64_t d, int64_t kp,
                                                                               ck_soft_ws *ws)
{
    const uint64_t *lut = ws->lut;
    const uint8_t *mask_bytes = (const uint8_t *)(const void *)mask; /* x86: little-endian */
    int64_t *restrict off = ws->off;
    double *restrict val = ws->val;
    int32_t *restrict groups = ws->groups;
    const int64_t n_full = d / 8;
    int64_t n_groups = 0;
    for (int64_t w = 0; w * 8 < n_full; w++) {
        unsigned flags = ck_soft_byte_flags(mask[w]);
        if (n_full - w * 8 < 8) flags &= (1u << (n_full - w * 8)) - 1;
        const __m256i pos = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)lut[flags]));
        _mm256_storeu_si256((__m256i *)(void *)(groups + n_groups),
                            _mm256_add_epi32(pos, _mm256_set1_epi32((int32_t)(w * 8))));
        n_groups += __builtin_popcount(flags);
    }
    const __m256i kpv = _mm256_set1_epi64x(kp);
    int64_t m = 0;
    for (int64_t q = 0; q < n_groups; q++) {
        const int64_t f0 = (int64_t)groups[q] * 8;
        const unsigned b = mask_bytes[groups[q]];
        const __m128i packed = _mm_cvtsi64_si128((long long)lut[b]);
#if CK_X_IS_U8
        uint64_t eight;
        __builtin_memcpy(&eight, x + f0, 8);
        const __m128i bytes = _mm_shuffle_epi8(_mm_cvtsi64_si128((long long)eight), packed);
#endif
        for (int h = 0; h < 2; h++) {
            const __m256i pos = _mm256_cvtepu8_epi64(h ? _mm_srli_si128(packed, 4) : packed);
            const __m256i f = _mm256_add_epi64(pos, _mm256_set1_epi64x(f0));
            _mm256_storeu_si256((__m256i *)(void *)(off + m + 4 * h), _mm256_mul_epu32(f, kpv));
#if CK_X_IS_U8
            const __m256d v = _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(h ? _mm_srli_si128(bytes, 4) : bytes));
#else
            const __m256d v = sizeof(CK_XT) == sizeof(float)
                ? _mm256_cvtps_pd(_mm256_i64gather_ps((const float *)(const void *)(x + f0), pos, 4))
                : _mm256_i64gather_pd((const double *)(const void *)(x + f0), pos, 8);
#endif
            _mm256_storeu_pd(val + m + 4 * h, v);
        }
        m += __builtin_popcount(b);
    }
    for (int64_t f = n_full * 8; f < d; f++)
        if (x[f] != 0) {
            off[m] = f * kp;
            val[m++] = (double)x[f];
        }
    return m;
}
#endif

static int64_t CK_FN(soft_compact_scalar)(const CK_XT *x, const uint64_t *mask, int64_t d, int64_t kp,
                                          ck_soft_ws *ws)
{
    int64_t m = 0;
    for (int64_t f0 = 0; f0 < d; f0 += 64) m = ck_soft_mask_features(mask[f0 / 64], f0, ws->off, m);
    for (int64_t t = 0; t < m; t++) {
        ws->val[t] = (double)x[ws->off[t]];
        ws->off[t] *= kp;
    }
    return m;
}

/* ||x - c||^2 by differences, in feature order: the exact fallback of soft_row_sqdist. */
static double CK_FN(soft_sqdist_pair)(const CK_XT *x, const double *c, int64_t d)
{
    double s = 0.0;
    for (int64_t f = 0; f < d; f++) {
        const double t = (double)x[f] - c[f];
        s += t * t;
    }
    return s;
}

/* Squared distances from row x (its nonzero bitmask: mask) to every centre into ws->dist (k), and
 * the row's nonzero list in ws->off / ws->val (its length is returned) for the M-step.
 *
 * ||x - c||^2 = ||x||^2 + ||c||^2 - 2 x.c, with x.c over the nonzero features only (image rows are
 * mostly zeros: MNIST 81%). Rounding: the expansion's error is at most a few d eps (||x||^2 + ||c||^2
 * + 2 sum |x_f c_f|) <= 2 d eps (||x||^2 + ||c||^2), against d eps ||x - c||^2 for differences (the
 * notebook's cdist). Where the expansion cancels, ||x - c||^2 < (||x||^2 + ||c||^2) / CK_SOFT_GUARD,
 * the pair is recomputed by differences; every other pair is within 2 CK_SOFT_GUARD = 16 times the
 * error bound of differences (4 of 53 bits), and so are the responsibilities, whose relative error
 * is beta times the error of D whatever D is computed by. On MNIST 0.03-0.2% of pairs are
 * recomputed (all pairs where a centre is a data point). uint8 and float64 X give the same doubles,
 * nonzero lists and decisions, so the same bits. */
#define CK_SOFT_GUARD 8.0
static void CK_FN(soft_guard)(const CK_XT *x, double xx, const ck_soft_centres *cs, double *dist)
{
    for (int64_t j = 0; j < cs->k; j++) {
        const double norms = xx + cs->cc[j], d2 = norms - 2.0 * dist[j];
        dist[j] = d2 * CK_SOFT_GUARD >= norms ? d2 : CK_FN(soft_sqdist_pair)(x, cs->C + j * cs->d, cs->d);
    }
}

static int64_t CK_FN(soft_row_sqdist)(const CK_XT *x, const uint64_t *mask, const ck_soft_centres *cs,
                                      ck_soft_ws *ws, int simd)
{
    const int64_t d = cs->d, kp = cs->kp;
#if CK_HAVE_X86_SIMD
    /* the offsets are formed by 32-bit multiplies */
    const int64_t m = simd && d <= (int64_t)UINT32_MAX ? CK_FN(soft_compact_avx2)(x, mask, d, kp, ws)
                                                       : CK_FN(soft_compact_scalar)(x, mask, d, kp, ws);
#else
    const int64_t m = CK_FN(soft_compact_scalar)(x, mask, d, kp, ws);
#endif
    double xx;
    ck_soft_dots(ws->off, ws->val, m, cs->CT, kp, ws->dist, &xx);
    CK_FN(soft_guard)(x, xx, cs, ws->dist);
    return m;
}

#if CK_HAVE_X86_SIMD
/* ---- sparse rows by 8-feature groups (AVX-512) ----
 * A row is read as its 8-feature groups that hold a nonzero (MNIST: 39 of 98 groups, its 150
 * nonzeros fill 48% of their lanes), one 8-lane FMA per group and centre: where a nonzero list
 * pays a load per centre and nonzero in the E-step and a load and a store in the M-step, the group
 * kernels keep the M-step's sums in registers over the rows of a block (R^T X restricted to the
 * groups each row fills). A zero lane adds an exact 0, as a zero left out of a list does. */
#define CK_SOFT_AVX512 target("avx512f,avx2,fma")
#define CK_SOFT_GROUP_J 16

/* x[f0 .. f0 + 8) as doubles; lanes at or past d are 0 */
static inline __attribute__((always_inline, CK_SOFT_AVX512)) __m512d CK_FN(soft_load8)(const CK_XT *x,
                                                                                       int64_t f0, int64_t d)
{
    if (f0 + 8 <= d) {
#if CK_X_IS_U8
        return _mm512_cvtepi32_pd(
            _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(x + f0))));
#else
        if (sizeof(CK_XT) == sizeof(float))
            return _mm512_cvtps_pd(_mm256_loadu_ps((const float *)(const void *)(x + f0)));
        return _mm512_loadu_pd((const double *)(const void *)(x + f0));
#endif
    }
    double tail[8] = { 0 };
    for (int64_t f = f0; f < d; f++) tail[f - f0] = (double)x[f];
    return _mm512_loadu_pd(tail);
}

/* out[j] = x . c_j (j < J) and *xx = ||x||^2 over the groups set in gmask, each an 8-lane sum in
 * group order, then the lanes added (a fixed tree); rows_of[g] |= row_bit for every group g visited
 * (when rows_of is not NULL). The groups are read from xp, the row's packed groups (ck_soft_packed),
 * when it is not NULL, else from x. J is a compile-time constant at every call (always_inline). */
static inline __attribute__((always_inline, CK_SOFT_AVX512)) void
CK_FN(soft_gdots_tile)(const CK_XT *x, const CK_XT *xp, int64_t d, const uint64_t *gmask, int64_t gwords,
                       const double *Cg, int64_t k, double *out, double *xx, uint64_t *rows_of,
                       uint64_t row_bit, ck_soft_ahead *ahead, const int J)
{
    ck_soft_ahead ah = *ahead; /* (a local copy: the stores to rows_of could alias its fields) */
    __m512d acc[CK_SOFT_GROUP_J], q = _mm512_setzero_pd();
    for (int j = 0; j < J; j++) acc[j] = _mm512_setzero_pd();
    for (int64_t w = 0; w < gwords; w++)
        for (uint64_t m = gmask[w]; m; m &= m - 1) {
            ck_soft_fetch_ahead(&ah);
            const int64_t g = 64 * w + __builtin_ctzll(m);
            if (xp) _mm_prefetch((const char *)(const void *)xp + CK_SOFT_PACKED_AHEAD, _MM_HINT_T0);
            const __m512d v = xp ? CK_FN(soft_load8)(xp, 0, 8) : CK_FN(soft_load8)(x, 8 * g, d);
            if (xp) xp += 8;
            if (rows_of) rows_of[g] |= row_bit;
            const double *cg = Cg + g * k * 8;
            /* opaque to the compiler, so the J loads are cg + constant: left alone, GCC keeps J
             * running pointers, more than the registers, and spills them in the loop */
            __asm__("" : "+r"(cg));
            for (int j = 0; j < J; j++) acc[j] = _mm512_fmadd_pd(v, _mm512_loadu_pd(cg + 8 * j), acc[j]);
            q = _mm512_fmadd_pd(v, v, q);
        }
    for (int j0 = 0; j0 < J; j0 += 8) {
        __m512d t[8];
        for (int j = 0; j < 8; j++) t[j] = j0 + j < J ? acc[j0 + j] : _mm512_setzero_pd();
        _mm512_storeu_pd(out + j0, ck_soft_hsum8(t));
    }
    *xx = _mm512_reduce_add_pd(q);
    *ahead = ah;
}

/* sums[8 j + l] += sum over the rows r set in rows (ascending) of resp[r * k + j] x_r[f0 + l], the
 * block's part formed from 0 in registers, then added. x_r[f0 ..] is read at cur[r] (row r's packed
 * group) when cur is not NULL, else in xb. */
static inline __attribute__((always_inline, CK_SOFT_AVX512)) void
CK_FN(soft_gacc_tile)(const CK_XT *xb, const CK_XT *const *cur, int64_t d, int64_t f0, uint64_t rows,
                      const double *resp, int64_t k, double *sums, ck_soft_ahead *ahead, const int J)
{
    ck_soft_ahead ah = *ahead;
    __m512d acc[CK_SOFT_GROUP_J];
    for (int j = 0; j < J; j++) acc[j] = _mm512_setzero_pd();
    for (; rows; rows &= rows - 1) {
        ck_soft_fetch_ahead(&ah);
        const int64_t r = __builtin_ctzll(rows);
        const __m512d v = cur ? CK_FN(soft_load8)(cur[r], 0, 8) : CK_FN(soft_load8)(xb + r * d, f0, d);
        const double *rr = resp + r * k;
        __asm__("" : "+r"(rr)); /* as in soft_gdots_tile: rr + constant, not J running offsets */
        for (int j = 0; j < J; j++) acc[j] = _mm512_fmadd_pd(_mm512_set1_pd(rr[j]), v, acc[j]);
    }
    for (int j = 0; j < J; j++) {
        double *p = sums + 8 * j;
        _mm512_storeu_pd(p, _mm512_add_pd(_mm512_loadu_pd(p), acc[j]));
    }
    *ahead = ah;
}

#define CK_SOFT_BY_J(call)                                                                                   \
    switch (jn) {                                                                                            \
    case 1: call(1); break;                                                                                  \
    case 2: call(2); break;                                                                                  \
    case 3: call(3); break;                                                                                  \
    case 4: call(4); break;                                                                                  \
    case 5: call(5); break;                                                                                  \
    case 6: call(6); break;                                                                                  \
    case 7: call(7); break;                                                                                  \
    case 8: call(8); break;                                                                                  \
    case 9: call(9); break;                                                                                  \
    case 10: call(10); break;                                                                                \
    case 11: call(11); break;                                                                                \
    case 12: call(12); break;                                                                                \
    case 13: call(13); break;                                                                                \
    case 14: call(14); break;                                                                                \
    case 15: call(15); break;                                                                                \
    default: call(16); break;                                                                                \
    }

/* Squared distances from row x (its nonzero bitmask: mask; its packed groups: xp, or NULL) to every
 * centre into ws->dist, as soft_row_sqdist does from a nonzero list; the row's groups are marked with
 * row_bit in ws->rows_of when rows_of is set. (ws->dist has room for 8 values past the last centre.) */
static __attribute__((CK_SOFT_AVX512)) void
CK_FN(soft_group_sqdist)(const CK_XT *x, const CK_XT *xp, const uint64_t *mask, const ck_soft_centres *cs,
                         ck_soft_ws *ws, int rows_of, uint64_t row_bit)
{
    const int64_t d = cs->d, k = cs->k, gwords = (cs->dg / 8 + 63) / 64;
    ck_soft_group_mask(mask, (d + 63) / 64, ws->gmask, gwords);
    double xx = 0.0, xx_block;
    for (int64_t b = 0; b < ck_soft_n_jblocks(k, CK_SOFT_GROUP_J); b++) {
        int64_t j0, jn;
        ck_soft_jblock(k, CK_SOFT_GROUP_J, b, &j0, &jn);
#define CK_SOFT_GDOTS(J)                                                                                     \
    CK_FN(soft_gdots_tile)(x, xp, d, ws->gmask, gwords, cs->Cg + j0 * 8, k, ws->dist + j0,                   \
                           b ? &xx_block : &xx, rows_of && !b ? ws->rows_of : NULL, row_bit, &ws->ahead, J)
        CK_SOFT_BY_J(CK_SOFT_GDOTS)
#undef CK_SOFT_GDOTS
    }
    /* soft_guard, 8 centres at a time (2 dot is exact, so the same values whether fused or not) */
    const __m512d xxv = _mm512_set1_pd(xx);
    for (int64_t j0 = 0; j0 < k; j0 += 8) {
        const __mmask8 lanes = k - j0 >= 8 ? 0xff : (__mmask8)((1u << (k - j0)) - 1);
        const __m512d norms = _mm512_add_pd(xxv, _mm512_maskz_loadu_pd(lanes, cs->cc + j0));
        const __m512d dot = _mm512_loadu_pd(ws->dist + j0);
        const __m512d d2 = _mm512_sub_pd(norms, _mm512_add_pd(dot, dot));
        _mm512_storeu_pd(ws->dist + j0, d2);
        __mmask8 redo = _mm512_mask_cmp_pd_mask(lanes, _mm512_mul_pd(d2, _mm512_set1_pd(CK_SOFT_GUARD)),
                                                norms, _CMP_NGE_UQ);
        for (; redo; redo &= (__mmask8)(redo - 1)) {
            const int64_t j = j0 + __builtin_ctz(redo);
            ws->dist[j] = CK_FN(soft_sqdist_pair)(x, cs->C + j * d, d);
        }
    }
}

/* The M-step of a block of rows xb (<= 64 of them) by groups: ws->rows_of[g] the rows nonzero in group
 * g, ws->bresp their weighted responsibilities (row r: bresp[r * k ..]); sums laid out like Cg. With
 * cur (not NULL: row r's packed groups start at cur[r], overwritten) the rows are read there, each
 * row's cursor moved on past a group once every centre has had it (the groups go in ascending order,
 * as they were packed). */
static __attribute__((CK_SOFT_AVX512)) void CK_FN(soft_group_accumulate)(const CK_XT *xb, const CK_XT **cur,
                                                                         int64_t d, int64_t k, ck_soft_ws *ws,
                                                                         double *sums)
{
    const int64_t dg = ck_soft_dgroup(d);
    const uint64_t *rows_of = ws->rows_of;
    const double *resp = ws->bresp;
    for (int64_t g = 0; g < dg / 8; g++) {
        if (!rows_of[g]) continue;
        for (int64_t b = 0; b < ck_soft_n_jblocks(k, CK_SOFT_GROUP_J); b++) {
            int64_t j0, jn;
            ck_soft_jblock(k, CK_SOFT_GROUP_J, b, &j0, &jn);
#define CK_SOFT_GACC(J)                                                                                      \
    CK_FN(soft_gacc_tile)(xb, cur, d, 8 * g, rows_of[g], resp + j0, k, sums + (g * k + j0) * 8, &ws->ahead, J)
            CK_SOFT_BY_J(CK_SOFT_GACC)
#undef CK_SOFT_GACC
        }
        if (cur)
            for (uint64_t rows = rows_of[g]; rows; rows &= rows - 1) cur[__builtin_ctzll(rows)] += 8;
    }
}
#undef CK_SOFT_BY_J
#undef CK_SOFT_GROUP_J
#undef CK_SOFT_AVX512
#endif

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

/* Fetches rows [from, min(from + count, hi)) towards L1 ahead of use. A block's first read (its mask
 * pass) otherwise waits on memory while the arithmetic of the blocks leaves the memory bus idle:
 * each sparse row computed fetches the row one block ahead. [.., hi): rows this thread reads next. */
static inline void CK_FN(soft_prefetch_rows)(const CK_XT *X, int64_t from, int64_t count, int64_t hi,
                                             int64_t d)
{
#if CK_HAVE_X86_SIMD
    const int64_t to = from + count < hi ? from + count : hi;
    if (from >= to) return;
    const char *p = (const char *)(const void *)(X + from * d),
               *end = (const char *)(const void *)(X + to * d);
    for (; p < end; p += 64) _mm_prefetch(p, _MM_HINT_T0);
#else
    (void)X;
    (void)from;
    (void)count;
    (void)hi;
    (void)d;
#endif
}

/* The rows [from, min(from + count, hi)) of X as what the group kernels fetch ahead next (ws->ahead).
 * (Not called where the rows are read packed: soft_gdots_tile fetches those at a fixed distance.) */
static inline void CK_FN(soft_ahead)(const CK_XT *X, int64_t from, int64_t count, int64_t hi, int64_t d,
                                     ck_soft_ws *ws)
{
    const int64_t to = from + count < hi ? from + count : hi;
    const char *start = (const char *)(const void *)(X + from * d);
    const uintptr_t bytes = from < to ? (uintptr_t)((to - from) * d) * sizeof(CK_XT) : 0;
    ws->ahead.line = (const char *)((uintptr_t)start & ~(uintptr_t)63);
    ws->ahead.end = start + bytes;
}

/* The nonzero bitmasks of rows [b, b + nb) (row r's at the returned pointer + r * words): the fit's
 * masks of all rows when it keeps them (masks, not NULL), formed there by its first step, else
 * formed into ws->mask; either way in the same pass as the first read of the block. *dense: over 40%
 * of the block's values are nonzero, where the register tiles beat the nonzero lists (measured: a
 * list entry costs about twice a tile's feature on dense rows). */
static const uint64_t *CK_FN(soft_block_masks)(const CK_XT *X, int64_t b, int64_t nb, int64_t d,
                                               ck_soft_masks *masks, ck_soft_ws *ws, int simd, int *dense)
{
    const int64_t words = (d + 63) / 64;
    uint64_t *out = masks ? masks->bits + b * words : ws->mask;
    int64_t nnz = 0;
    for (int64_t r = 0; r < nb; r++) {
        int64_t row_nnz;
        if (masks && masks->formed) row_nnz = masks->nnz[b + r];
        else {
            const CK_XT *x = X + (b + r) * d;
#if CK_HAVE_X86_SIMD
            if (simd) row_nnz = CK_FN(soft_nzmask_avx2)(x, d, out + r * words);
            else
#endif
                row_nnz = CK_FN(soft_nzmask_scalar)(x, d, out + r * words);
            if (masks) masks->nnz[b + r] = row_nnz;
        }
        nnz += row_nnz;
    }
    *dense = nnz * 5 > nb * d * 2;
    return out;
}

/* Packs the nonzero groups of all n rows (ck_soft_packed) from their masks. Returns 0, with nothing
 * kept, where the copy would exceed half of X or of the free memory, or cannot be allocated (the fit
 * then reads X itself, with the same results). */
static int CK_FN(soft_pack)(const CK_XT *X, int64_t n, int64_t d, const ck_soft_masks *masks,
                            ck_soft_packed *pk, int n_threads)
{
    const int64_t n_chunks = ck_n_chunks(n), words = (d + 63) / 64;
    pk->vals = NULL;
    pk->row_at = malloc((size_t)(n + 1) * sizeof(int64_t));
    if (!pk->row_at) return 0;
    pk->row_at[0] = 0;
#pragma omp parallel for num_threads(ck_omp_team(n_threads, n_chunks)) schedule(static)
    for (int64_t c = 0; c < n_chunks; c++) {
        int64_t start, end;
        ck_chunk_rows(c, n, &start, &end);
        for (int64_t i = start; i < end; i++) {
            int64_t groups = 0;
            for (int64_t w = 0; w < words; w++)
                groups += __builtin_popcount(ck_soft_byte_flags(masks->bits[i * words + w]));
            pk->row_at[i + 1] = 8 * groups;
        }
    }
    for (int64_t i = 0; i < n; i++) pk->row_at[i + 1] += pk->row_at[i];
    const size_t bytes = (size_t)pk->row_at[n] * sizeof(CK_XT);
    if (pk->row_at[n] > n * d / 2 || !ck_soft_room_for(bytes) ||
        !(pk->vals = aligned_alloc(64, (bytes + 63) / 64 * 64))) {
        ck_soft_packed_free(pk);
        return 0;
    }
#pragma omp parallel for num_threads(ck_omp_team(n_threads, n_chunks)) schedule(static)
    for (int64_t c = 0; c < n_chunks; c++) {
        int64_t start, end;
        ck_chunk_rows(c, n, &start, &end);
        for (int64_t i = start; i < end; i++) {
            const CK_XT *x = X + i * d;
            CK_XT *out = (CK_XT *)pk->vals + pk->row_at[i];
            for (int64_t w = 0; w < words; w++)
                for (unsigned q = ck_soft_byte_flags(masks->bits[i * words + w]); q; q &= q - 1) {
                    const int64_t f0 = 64 * w + 8 * __builtin_ctz(q);
                    if (f0 + 8 <= d) memcpy(out, x + f0, 8 * sizeof(CK_XT));
                    else
                        for (int64_t l = 0; l < 8; l++) out[l] = f0 + l < d ? x[f0 + l] : (CK_XT)0;
                    out += 8;
                }
        }
    }
    return 1;
}

/* Squared distances of a sparse row (its nonzero bitmask: mask; its packed groups: xp, or NULL) into
 * ws->dist, by its groups or its nonzero list; returns the list's length (0 with groups). */
static int64_t CK_FN(soft_sparse_sqdist)(const CK_XT *x, const CK_XT *xp, const uint64_t *mask,
                                         const ck_soft_centres *cs, ck_soft_ws *ws, int simd, int groups,
                                         int64_t block_row)
{
#if CK_HAVE_X86_SIMD
    if (groups) {
        CK_FN(soft_group_sqdist)(x, xp, mask, cs, ws, block_row >= 0,
                                 block_row >= 0 ? (uint64_t)1 << block_row : 0);
        return 0;
    }
#endif
    return CK_FN(soft_row_sqdist)(x, mask, cs, ws, simd);
}

/* E-step on every row: responsibilities (OUT or NULL, n x k), labels (OUT or NULL), the free energy
 * summed per chunk then over chunks in order. masks and pk: what a fit formed once (or NULL). */
static int CK_FN(soft_estep_run)(const CK_XT *X, int64_t n, int64_t d, const double *w, const double *C,
                                 int64_t k, double beta, int distance, ck_soft_masks *masks,
                                 const ck_soft_packed *pk, double *resp, int32_t *labels, double *objective,
                                 int n_threads, const volatile int *cancel)
{
    const int64_t n_chunks = ck_n_chunks(n), brows = ck_soft_block_rows(d), words = (d + 63) / 64;
    const int simd = ck_simd_avx2(), groups = ck_soft_use_groups();
    double *chunk_energy = malloc((size_t)n_chunks * sizeof(double));
    ck_soft_centres cs;
    int status = chunk_energy ? ck_soft_centres_init(&cs, C, k, d, groups) : CK_ERR_NOMEM;
    if (status != CK_OK) {
        free(chunk_energy);
        if (chunk_energy) ck_soft_centres_free(&cs);
        return status;
    }
#pragma omp parallel num_threads(ck_omp_team(n_threads, n_chunks))
    {
        ck_soft_ws ws = { 0 };
        const int ok = ck_soft_ws_init(&ws, k, d, sizeof(CK_XT) != sizeof(double)) == CK_OK;
        if (!ok) {
#pragma omp atomic write
            status = CK_ERR_NOMEM;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t c = 0; c < n_chunks; c++) {
            if (!ok || ck_cancelled(cancel)) continue;
            int64_t start, end;
            ck_chunk_rows(c, n, &start, &end);
            double energy = 0.0;
            for (int64_t b = start; b < end; b += brows) {
                const int64_t nb = end - b < brows ? end - b : brows;
                int dense;
                const uint64_t *mask = CK_FN(soft_block_masks)(X, b, nb, d, masks, &ws, simd, &dense);
                if (dense) {
                    CK_FN(soft_prefetch_rows)(X, b + nb, brows, end, d);
                    ck_soft_sqdist(CK_FN(soft_rows)(X, b, nb, d, &ws), nb, d, C, k, ws.bdist, brows);
                } else {
                    if (groups && !pk) CK_FN(soft_ahead)(X, b + nb, nb, end, d, &ws);
                    for (int64_t r = 0; r < nb; r++) {
                        if (!groups) CK_FN(soft_prefetch_rows)(X, b + nb + r, 1, end, d);
                        const CK_XT *xp = pk ? (const CK_XT *)pk->vals + pk->row_at[b + r] : NULL;
                        CK_FN(soft_sparse_sqdist)(X + (b + r) * d, xp, mask + r * words, &cs, &ws, simd,
                                                  groups, -1);
                        for (int64_t j = 0; j < k; j++) ws.bdist[j * brows + r] = ws.dist[j];
                    }
                }
                energy += ck_soft_block_resp(ws.bdist, brows, nb, k, beta, distance, w ? w + b : NULL,
                                             resp ? ws.bdist : NULL, 0, labels ? labels + b : NULL, ws.dist);
                if (resp) ck_soft_by_row(ws.bdist, brows, nb, k, resp + b * k, NULL);
            }
            chunk_energy[c] = energy;
        }
        ck_soft_ws_free(&ws);
    }
    if (status == CK_OK && ck_cancelled(cancel)) status = CK_ERR_CANCELLED;
    if (status == CK_OK && objective) *objective = ck_sum_ordered(chunk_energy, n_chunks);
    free(chunk_energy);
    ck_soft_centres_free(&cs);
    return status;
}

/* The sparse rows [b, b + nb) of a step (their nonzero bitmasks: mask; the fit's packed groups: pk,
 * or NULL): distances, responsibilities and weighted sums. With groups, in pieces of up to 64 rows:
 * the piece's distances, then its weighted responsibilities (ws->bresp, column r - b), then its sums
 * group by group; with nonzero lists, row by row while the list is in L1. Either way each sum is
 * added to in row order. Returns the rows' free energy. */
static double CK_FN(soft_sparse_block)(const CK_XT *X, int64_t b, int64_t nb, int64_t hi, const double *w,
                                       const uint64_t *mask, const ck_soft_packed *pk,
                                       const ck_soft_centres *cs, double beta, int distance, ck_soft_ws *ws,
                                       int simd, int groups, double *sums, double *wsum)
{
    const int64_t d = cs->d, k = cs->k, words = (d + 63) / 64, brows = ck_soft_block_rows(d);
    double e = 0.0;
    if (!groups) {
        for (int64_t i = b; i < b + nb; i++) {
            CK_FN(soft_prefetch_rows)(X, i + nb, 1, hi, d);
            const int64_t m = CK_FN(soft_row_sqdist)(X + i * d, mask + (i - b) * words, cs, ws, simd);
            e += ck_soft_row_resp(ws->dist, k, beta, distance, w ? w[i] : 1.0, ws->resp, 1, NULL);
            for (int64_t j = 0; j < k; j++) wsum[j] += ws->resp[j];
            ck_soft_scatter(ws->off, ws->val, m, ws->resp, cs->kp, sums);
        }
        return e;
    }
#if CK_HAVE_X86_SIMD
    if (!pk) CK_FN(soft_ahead)(X, b + nb, nb, hi, d, ws);
    const CK_XT *cur[64]; /* the piece's rows in pk */
    for (int64_t p = b; p < b + nb; p += 64) {
        const int64_t np = b + nb - p < 64 ? b + nb - p : 64;
        double *dist = ws->bdist + (p - b);
        memset(ws->rows_of, 0, (size_t)(cs->dg / 8) * sizeof(uint64_t));
        for (int64_t r = 0; r < np; r++) {
            if (pk) cur[r] = (const CK_XT *)pk->vals + pk->row_at[p + r];
            CK_FN(soft_sparse_sqdist)(X + (p + r) * d, pk ? cur[r] : NULL, mask + (p + r - b) * words, cs, ws,
                                      simd, groups, r);
            for (int64_t j = 0; j < k; j++) dist[j * brows + r] = ws->dist[j];
        }
        e +=
            ck_soft_block_resp(dist, brows, np, k, beta, distance, w ? w + p : NULL, dist, 1, NULL, ws->dist);
        ck_soft_by_row(dist, brows, np, k, ws->bresp, wsum);
        CK_FN(soft_group_accumulate)(X + p * d, pk ? cur : NULL, d, k, ws, sums);
    }
#endif
    return e;
}

/* The E-step and the weighted sums of one fused iteration from C_old (double): per group of chunks,
 * the distances, responsibilities and weighted sums of each block of rows while it is in cache (a
 * zero feature would add an exact 0 to a sum, so the sums are those of the dense rows, in row
 * order); then the groups merge in order into merged (element (j, f) of the sums at
 * ck_soft_sum_at, the kp cluster weights from ck_soft_sums_len on). energy (OUT) is the free
 * energy of C_old. */
static int CK_FN(soft_step_sums)(const CK_XT *X, int64_t n, int64_t d, const double *w, const double *C_old,
                                 int64_t k, double beta, int distance, ck_soft_masks *masks,
                                 const ck_soft_packed *pk, double *gbuf, int64_t n_groups, double *merged,
                                 double *chunk_energy, int n_threads, const volatile int *cancel,
                                 double *energy)
{
    const int64_t kp = ck_soft_kpad(k), len = ck_soft_sums_len(d, k), stride = len + kp,
                  n_chunks = ck_n_chunks(n);
    const int64_t brows = ck_soft_block_rows(d);
    const int simd = ck_simd_avx2(), groups = ck_soft_use_groups();
    ck_soft_centres cs;
    int status = ck_soft_centres_init(&cs, C_old, k, d, groups);
    if (status != CK_OK) {
        ck_soft_centres_free(&cs);
        return status;
    }
#pragma omp parallel num_threads(ck_omp_team(n_threads, n_groups))
    {
        ck_soft_ws ws = { 0 };
        const int ok = ck_soft_ws_init(&ws, k, d, sizeof(CK_XT) != sizeof(double)) == CK_OK;
        if (!ok) {
#pragma omp atomic write
            status = CK_ERR_NOMEM;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t g = 0; g < n_groups; g++) {
            if (!ok) continue;
            double *sums = gbuf + g * stride, *wsum = sums + len;
            memset(sums, 0, (size_t)stride * sizeof(double));
            int64_t c0, c1;
            ck_group_chunks(g, n_groups, n_chunks, &c0, &c1);
            int64_t first, hi; /* the group's rows: [start of chunk c0, hi) */
            ck_chunk_rows(c1 - 1, n, &first, &hi);
            for (int64_t c = c0; c < c1; c++) {
                if (ck_cancelled(cancel)) break; /* the step's results are dropped below */
                int64_t start, end;
                ck_chunk_rows(c, n, &start, &end);
                double e = 0.0;
                for (int64_t b = start; b < end; b += brows) {
                    const int64_t nb = end - b < brows ? end - b : brows;
                    int dense;
                    const uint64_t *mask = CK_FN(soft_block_masks)(X, b, nb, d, masks, &ws, simd, &dense);
                    if (!dense) {
                        e += CK_FN(soft_sparse_block)(X, b, nb, hi, w, mask, pk, &cs, beta, distance, &ws,
                                                      simd, groups, sums, wsum);
                        continue;
                    }
                    /* the block's partial sums from 0 in row order, then added to the group's */
                    CK_FN(soft_prefetch_rows)(X, b + nb, brows, hi, d);
                    const double *xb = CK_FN(soft_rows)(X, b, nb, d, &ws);
                    ck_soft_sqdist(xb, nb, d, C_old, k, ws.bdist, brows);
                    e += ck_soft_block_resp(ws.bdist, brows, nb, k, beta, distance, w ? w + b : NULL,
                                            ws.bdist, 1, NULL, ws.dist);
                    ck_soft_by_row(ws.bdist, brows, nb, k, ws.bresp, wsum);
                    memset(ws.bsums, 0, (size_t)(k * d) * sizeof(double));
                    ck_soft_accumulate(xb, nb, d, ws.bresp, k, ws.bsums);
                    for (int64_t f = 0; f < d; f++)
                        for (int64_t j = 0; j < k; j++)
                            sums[ck_soft_sum_at(groups, k, kp, j, f)] += ws.bsums[j * d + f];
                }
                chunk_energy[c] = e;
            }
        }
        ck_soft_ws_free(&ws);
    }
    ck_soft_centres_free(&cs);
    if (status == CK_OK && ck_cancelled(cancel)) status = CK_ERR_CANCELLED;
    if (status != CK_OK) return status;
    ck_merge_groups(gbuf, n_groups, stride, stride, merged, n_threads);
    *energy = ck_sum_ordered(chunk_energy, n_chunks);
    return CK_OK;
}

/* One fused iteration from C_old (double): soft_step_sums, then C_new (double) = sums / weights, or
 * C_old where a cluster's total weight is 0 (underflow: it keeps its previous centre). energy (OUT)
 * is the free energy of C_old, shift (OUT) ||C_new - C_old||_F. */
static int CK_FN(soft_step_run)(const CK_XT *X, int64_t n, int64_t d, const double *w, const double *C_old,
                                int64_t k, double beta, int distance, ck_soft_masks *masks,
                                const ck_soft_packed *pk, double *C_new, double *weight_in_clusters,
                                double *gbuf, int64_t n_groups, double *merged, double *chunk_energy,
                                int n_threads, const volatile int *cancel, double *energy, double *shift)
{
    const int status = CK_FN(soft_step_sums)(X, n, d, w, C_old, k, beta, distance, masks, pk, gbuf, n_groups,
                                             merged, chunk_energy, n_threads, cancel, energy);
    if (status != CK_OK) return status;
    const int64_t kp = ck_soft_kpad(k);
    const int groups = ck_soft_use_groups();
    const double *sums = merged, *wsum = merged + ck_soft_sums_len(d, k);
    double sq = 0.0;
    for (int64_t j = 0; j < k; j++) {
        for (int64_t f = 0; f < d; f++) {
            const double c =
                wsum[j] > 0 ? sums[ck_soft_sum_at(groups, k, kp, j, f)] / wsum[j] : C_old[j * d + f];
            const double t = c - C_old[j * d + f];
            sq += t * t;
            C_new[j * d + f] = c;
        }
        if (weight_in_clusters) weight_in_clusters[j] = wsum[j];
    }
    *shift = sqrt(sq);
    return CK_OK;
}

static double *CK_FN(soft_centres_in)(const CK_CT *C, int64_t kd)
{
    double *out = malloc((size_t)kd * sizeof(double));
    if (out)
        for (int64_t e = 0; e < kd; e++) out[e] = (double)C[e];
    return out;
}

/* The checks of the calls that run one step at params->betas[0] (E-step, step, partial). */
static int CK_FN(soft_check_one_beta)(const CK_DATA *data, int64_t n_clusters, const ck_soft_params *params)
{
    if (!data || ck_soft_check_step(params) != CK_OK) return CK_ERR_ARG;
    const int status = ck_soft_check_args(data->n_samples, data->n_features, n_clusters, params->distance);
    if (status != CK_OK) return status;
    return ck_soft_check_beta(params->betas[0]) ? CK_OK : CK_ERR_SOFT_BETA;
}

int CK_FN(ck_soft_estep)(const CK_DATA *data, int64_t n_clusters, const CK_CT *centroids,
                         double *responsibilities, int32_t *labels, double *objective,
                         const ck_soft_params *params)
{
    int status = CK_FN(soft_check_one_beta)(data, n_clusters, params);
    if (status != CK_OK) return status;
    const int64_t n_samples = data->n_samples, n_features = data->n_features;
    const double beta = params->betas[0];
    double *C = CK_FN(soft_centres_in)(centroids, n_clusters * n_features);
    if (!C) return CK_ERR_NOMEM;
    int distance;
    const double kbeta = ck_soft_kernel_beta(params, beta, &distance);
    status = CK_FN(soft_estep_run)(data->X, n_samples, n_features, data->sample_weight, C, n_clusters, kbeta,
                                   distance, NULL, NULL, responsibilities, labels, objective,
                                   ck_omp_clamp_threads(params->n_threads), ck_cancel_of(params->cancel));
    if (status == CK_OK && objective) *objective *= ck_soft_energy_scale(params);
    free(C);
    return status;
}

int CK_FN(ck_soft_step)(const CK_DATA *data, int64_t n_clusters, const CK_CT *centroids_old,
                        CK_CT *centroids_new, double *weight_in_clusters, ck_soft_stats *stats,
                        const ck_soft_params *params)
{
    int status = CK_FN(soft_check_one_beta)(data, n_clusters, params);
    if (status != CK_OK) return status;
    const int64_t n_samples = data->n_samples, n_features = data->n_features;
    const double beta = params->betas[0];
    const int64_t kd = n_clusters * n_features;
    double *gbuf = NULL, *merged = NULL, *energies = NULL, *C_new = malloc((size_t)kd * sizeof(double));
    double *C_old = CK_FN(soft_centres_in)(centroids_old, kd);
    int64_t n_groups = 0;
    status = C_old && C_new
        ? ck_soft_bufs(n_samples, n_features, n_clusters, &gbuf, &n_groups, &merged, &energies)
        : CK_ERR_NOMEM;
    double energy = 0.0, shift = 0.0;
    int distance;
    const double kbeta = ck_soft_kernel_beta(params, beta, &distance);
    if (status == CK_OK)
        status = CK_FN(soft_step_run)(data->X, n_samples, n_features, data->sample_weight, C_old, n_clusters,
                                      kbeta, distance, NULL, NULL, C_new, weight_in_clusters, gbuf, n_groups,
                                      merged, energies, ck_omp_clamp_threads(params->n_threads),
                                      ck_cancel_of(params->cancel), &energy, &shift);
    if (status == CK_OK) {
        if (params->spherical) shift = ck_soft_unit_centres(C_new, C_old, n_clusters, n_features);
        for (int64_t e = 0; e < kd; e++) centroids_new[e] = (CK_CT)C_new[e];
        if (stats) {
            stats->objective = energy * ck_soft_energy_scale(params);
            stats->center_shift = shift;
        }
    }
    free(gbuf);
    free(merged);
    free(energies);
    free(C_new);
    free(C_old);
    return status;
}

/* What a dense fit keeps between its steps (ck_soft_driver's ctx). */
typedef struct {
    const CK_XT *X;
    int64_t n, d, k;
    const double *w;
    double *gbuf, *merged, *energies;
    int64_t n_groups;
    ck_soft_masks masks;
    ck_soft_packed packed;
    int have_masks, have_packed, n_threads;
    const volatile int *cancel;
} CK_FN(ck_soft_fit_ctx);

static int CK_FN(soft_fit_step)(void *ctx, const double *C_old, double beta, int distance, double *C_new,
                                double *energy, double *shift)
{
    CK_FN(ck_soft_fit_ctx) *f = ctx;
    const int status = CK_FN(soft_step_run)(
        f->X, f->n, f->d, f->w, C_old, f->k, beta, distance, f->have_masks ? &f->masks : NULL,
        f->have_packed ? &f->packed : NULL, C_new, NULL, f->gbuf, f->n_groups, f->merged, f->energies,
        f->n_threads, f->cancel, energy, shift);
    if (status == CK_OK && f->have_masks && !f->masks.formed) {
        f->masks.formed = 1;
        /* (only the group kernels read packed rows; a uint8 step is bound by arithmetic, not by
         * reading X) */
        f->have_packed = ck_soft_use_groups() && !CK_X_IS_U8 &&
            CK_FN(soft_pack)(f->X, f->n, f->d, &f->masks, &f->packed, f->n_threads);
    }
    return status;
}

static int CK_FN(soft_fit_estep)(void *ctx, const double *C, double beta, int distance,
                                 ck_soft_result *result)
{
    CK_FN(ck_soft_fit_ctx) *f = ctx;
    return CK_FN(soft_estep_run)(f->X, f->n, f->d, f->w, C, f->k, beta, distance,
                                 f->have_masks ? &f->masks : NULL, f->have_packed ? &f->packed : NULL,
                                 result->responsibilities, result->labels, &result->objective, f->n_threads,
                                 f->cancel);
}

int CK_FN(ck_soft_partial)(const CK_DATA *data, int64_t n_clusters, const double *centroids, double *sums,
                           double *weight_in_clusters, double *objective, const ck_soft_params *params)
{
    int status = CK_FN(soft_check_one_beta)(data, n_clusters, params);
    if (status != CK_OK) return status;
    const int64_t n = data->n_samples, d = data->n_features, k = n_clusters, kp = ck_soft_kpad(k);
    double *gbuf = NULL, *merged = NULL, *energies = NULL;
    int64_t n_groups = 0;
    status = ck_soft_bufs(n, d, k, &gbuf, &n_groups, &merged, &energies);
    double energy = 0.0;
    int distance;
    const double kbeta = ck_soft_kernel_beta(params, params->betas[0], &distance);
    if (status == CK_OK)
        status = CK_FN(soft_step_sums)(
            data->X, n, d, data->sample_weight, centroids, k, kbeta, distance, NULL, NULL, gbuf, n_groups,
            merged, energies, ck_omp_clamp_threads(params->n_threads), ck_cancel_of(params->cancel), &energy);
    if (status == CK_OK) {
        const int groups = ck_soft_use_groups();
        const double *wsum = merged + ck_soft_sums_len(d, k);
        for (int64_t j = 0; j < k; j++) {
            for (int64_t f = 0; f < d; f++) sums[j * d + f] = merged[ck_soft_sum_at(groups, k, kp, j, f)];
            weight_in_clusters[j] = wsum[j];
        }
        *objective = energy * ck_soft_energy_scale(params);
    }
    free(gbuf);
    free(merged);
    free(energies);
    return status;
}

int CK_FN(ck_soft_kmeans_fit)(const CK_DATA *data, int64_t n_clusters, CK_CT *centroids,
                              const ck_soft_params *params, ck_soft_result *result)
{
    if (!data || !params || !result) return CK_ERR_ARG;
    const int64_t n_samples = data->n_samples, n_features = data->n_features;
    int status = ck_soft_check_args(n_samples, n_features, n_clusters, params->distance);
    if (status == CK_OK) status = ck_soft_check_fit(params);
    if (status != CK_OK) return status;
    CK_FN(ck_soft_fit_ctx)
    f = { .X = data->X,
          .n = n_samples,
          .d = n_features,
          .k = n_clusters,
          .w = data->sample_weight,
          .n_threads = ck_omp_clamp_threads(params->n_threads),
          .cancel = ck_cancel_of(params->cancel) };
    const int64_t kd = n_clusters * n_features;
    double *other = malloc((size_t)kd * sizeof(double)), *cur = CK_FN(soft_centres_in)(centroids, kd);
    status = cur && other
        ? ck_soft_bufs(n_samples, n_features, n_clusters, &f.gbuf, &f.n_groups, &f.merged, &f.energies)
        : CK_ERR_NOMEM;
    f.have_masks = status == CK_OK && ck_soft_masks_alloc(&f.masks, n_samples, n_features);
    if (status == CK_OK) {
        const ck_soft_driver drv = { CK_FN(soft_fit_step), CK_FN(soft_fit_estep), &f,
                                     sizeof(CK_CT) == sizeof(float) };
        status = ck_soft_fit_loop(&drv, n_clusters, n_features, params, &cur, &other, result);
        /* On cancel too: the centres of the last finished iteration are the caller's to keep. */
        if (status == CK_OK || status == CK_ERR_CANCELLED)
            for (int64_t e = 0; e < kd; e++) centroids[e] = (CK_CT)cur[e];
    }
    if (f.have_masks) {
        free(f.masks.bits);
        free(f.masks.nnz);
    }
    ck_soft_packed_free(&f.packed);
    free(f.gbuf);
    free(f.merged);
    free(f.energies);
    free(other);
    free(cur);
    return status;
}
