/* Distance kernels, written once per dtype (instantiated by kmeans_assign.c through ck_dtypes.h). */

/* Tail of a dot product past the last full vector: plain scalar, same in every path. */
static inline CK_CT CK_FN(dot_tail)(const CK_XT *x, const CK_CT *c, int64_t f, int64_t d, CK_CT s)
{
    for (; f < d; f++) s += (CK_CT)x[f] * c[f];
    return s;
}

static void CK_FN(dots_scalar)(const CK_XT *X, const int64_t *rows, int64_t nr, int64_t d, const CK_CT *C,
                               int64_t nc, CK_CT *out)
{
    for (int64_t r = 0; r < nr; r++)
        for (int64_t j = 0; j < nc; j++)
            out[r * nc + j] = CK_FN(dot_tail)(X + (rows ? rows[r] : r) * d, C + j * d, 0, d, (CK_CT)0);
}

#if CK_HAVE_X86_SIMD
/* The row-major dot kernels: dots_avx2_<sfx> and dots_avx512_<sfx>. */
#define CK_DNAME(name) CK_CAT(CK_CAT(name, avx2), CK_SFX)
#define CK_DTARGET "avx2,fma"
#define CK_DV CK_V
#define CK_DW CK_VW
#define CK_DMR 3
#define CK_DZERO CK_VZERO
#define CK_DLOADX CK_VLOADX
#define CK_DLOADC CK_VLOADC
#define CK_DFMA CK_VFMA
#define CK_DHSUM CK_VHSUM
#include "kmeans_dots_tpl.h"
#define CK_DNAME(name) CK_CAT(CK_CAT(name, avx512), CK_SFX)
#define CK_DTARGET "avx512f"
#define CK_DV CK_W
#define CK_DW CK_WW
#define CK_DMR 4
#define CK_DZERO CK_WZERO
#define CK_DLOADX CK_WLOADX
#define CK_DLOADC CK_WLOAD
#define CK_DFMA CK_WFMA
#define CK_DHSUM CK_WHSUM
#include "kmeans_dots_tpl.h"

#if !CK_X_IS_U8
/* The packed (broadcast) kernel behind the nearest-centroid search. For mr rows and one panel of
 * CK_NR centroids, out[i * CK_NR + jj] = sum_f x[i, f] * P[f, jj] as ONE fused multiply-add chain
 * in feature order, starting from 0. Each lane of an accumulator holds one (row, centroid) pair, so
 * that chain is the same whatever the row's neighbours in the block, the block size, the vector
 * width or the padding: a row's label cannot depend on the other rows of the call (the bound-based
 * algorithms recompute gathered subsets and need exactly Lloyd's labels). Per feature: 2 centroid
 * loads and mr broadcasts feed 2 * mr FMAs, where the row-major dot products loaded a row vector
 * or a centroid vector for every 3 or 4 FMAs.
 * mode (a constant in each inlined copy) fits the panel's centroids: CK_PANEL_FULL computes both
 * vectors; CK_PANEL_HALF, for at most CK_VW centroids, only the first (half the FMAs: float64
 * k=10, whose second panel holds 2 centroids); CK_PANEL_QUAD, for CK_VW + CK_VW / 4 (float32
 * k=10), blocks of 8 rows whose last CK_VW / 4 lanes share one vector per 4 rows (x of row i in
 * quarter i % 4, blended from the broadcasts): 10 FMAs per 8 rows and feature instead of 16.
 * Lanes no centroid uses are stored as 0. */
static inline __attribute__((always_inline, target("avx2,fma"))) void
CK_FN(panel_block)(const CK_CT *x, int64_t d, const CK_CT *P, CK_CT *out, const int mr, const int mode,
                   const char *pf, int64_t pf_bytes)
{
    CK_V a[CK_QUAD_MR][2];
    for (int i = 0; i < CK_QUAD_MR; i++) a[i][0] = a[i][1] = CK_VZERO();
    /* The npf lines at pf (at most one per feature) are asked for evenly over the d features,
     * Bresenham-style: one per feature from the block's start would leave the rest of the block
     * with no request in flight. */
    const int64_t npf = pf ? (pf_bytes + 63) / 64 < d ? (pf_bytes + 63) / 64 : d : 0;
    int64_t due = 0, line = 0;
    for (int64_t f = 0; f < d; f++) {
        due += npf;
        if (due >= d) {
            due -= d;
            _mm_prefetch(pf + 64 * line++, _MM_HINT_T0);
        }
        const CK_V w0 = CK_VLOADC(P + f * CK_NR);
        const CK_V w1 = mode == CK_PANEL_FULL ? CK_VLOADC(P + f * CK_NR + CK_VW)
            : mode == CK_PANEL_QUAD           ? CK_VBCAST8B(P + f * CK_NR + CK_VW)
                                              : w0;
        CK_V quad = CK_VZERO(); /* (each quad's first row sets it whole) */
        for (int i = 0; i < CK_QUAD_MR; i++)
            if (i < mr) {
                const CK_V xi = CK_VSET1(x[i * d + f]);
                a[i][0] = CK_VFMA(xi, w0, a[i][0]);
                if (mode == CK_PANEL_FULL) a[i][1] = CK_VFMA(xi, w1, a[i][1]);
                if (mode == CK_PANEL_QUAD) {
                    quad = i % 4 == 0 ? xi
                        : i % 4 == 1  ? CK_VQUAD1(quad, xi)
                        : i % 4 == 2  ? CK_VQUAD2(quad, xi)
                                      : CK_VQUAD3(quad, xi);
                    if (i % 4 == 3 || i == mr - 1) a[i - i % 4][1] = CK_VFMA(quad, w1, a[i - i % 4][1]);
                }
            }
    }
    for (int i = 0; i < mr; i++) {
        CK_VSTORE(out + i * CK_NR, a[i][0]);
        CK_VSTORE(out + i * CK_NR + CK_VW, mode == CK_PANEL_QUAD ? CK_VZERO() : a[i][1]);
        if (mode == CK_PANEL_QUAD) {
            CK_CT q[CK_VW];
            CK_VSTORE(q, a[i - i % 4][1]);
            for (int e = 0; e < CK_VW / 4; e++) out[i * CK_NR + CK_VW + e] = q[i % 4 * (CK_VW / 4) + e];
        }
    }
}

/* panel_block over nr rows: full blocks of CK_MR rows (CK_QUAD_MR for CK_PANEL_QUAD), then one
 * block of the rest. With pf (the first panel of a chunk, whose rows come from memory), each block
 * also prefetches the next block's rows: many row streams at once are more than the hardware
 * prefetcher follows. The other panels, whose rows are in cache, run a loop of their own without
 * the prefetch's per-feature test, which would cost them a fifth of a large-k search.
 * The last block prefetches as many bytes past the nr rows: where X goes on they are the next
 * chunk's first rows, which would otherwise come cold; elsewhere (past the end of X or of a
 * scratch buffer) a prefetch never faults and is only a wasted hint. */
static inline __attribute__((always_inline, target("avx2,fma"))) void
CK_FN(panel_rows)(const CK_CT *X, int64_t nr, int64_t d, const CK_CT *P, CK_CT *out, int pf, const int mode)
{
    const int mb = mode == CK_PANEL_QUAD ? CK_QUAD_MR : CK_MR;
    int64_t r = 0;
    if (pf)
        for (; r + mb <= nr; r += mb)
            CK_FN(panel_block)(X + r * d, d, P, out + r * CK_NR, mb, mode, (const char *)(X + (r + mb) * d),
                               (int64_t)(mb * d * sizeof(CK_CT)));
    else
        for (; r + mb <= nr; r += mb) CK_FN(panel_block)(X + r * d, d, P, out + r * CK_NR, mb, mode, NULL, 0);
    const CK_CT *x = X + r * d;
    CK_CT *o = out + r * CK_NR;
    /* (Rests of 6 and 7 rows exist only with CK_QUAD_MR blocks: the test keeps the compiler from
     * building them for the other modes.) */
    switch (nr - r) {
    case 7:
        if (mode == CK_PANEL_QUAD) CK_FN(panel_block)(x, d, P, o, 7, mode, NULL, 0);
        break;
    case 6:
        if (mode == CK_PANEL_QUAD) CK_FN(panel_block)(x, d, P, o, 6, mode, NULL, 0);
        break;
    case 5: CK_FN(panel_block)(x, d, P, o, 5, mode, NULL, 0); break;
    case 4: CK_FN(panel_block)(x, d, P, o, 4, mode, NULL, 0); break;
    case 3: CK_FN(panel_block)(x, d, P, o, 3, mode, NULL, 0); break;
    case 2: CK_FN(panel_block)(x, d, P, o, 2, mode, NULL, 0); break;
    case 1: CK_FN(panel_block)(x, d, P, o, 1, mode, NULL, 0); break;
    default: break;
    }
}

/* panel_rows for a panel whose first nc lanes are centroids (the rest zero padding). */
static __attribute__((target("avx2,fma"))) void
CK_FN(panel_dots)(const CK_CT *X, int64_t nr, int64_t d, const CK_CT *P, CK_CT *out, int pf, int64_t nc)
{
    if (nc > CK_VW + CK_VW / 4) CK_FN(panel_rows)(X, nr, d, P, out, pf, CK_PANEL_FULL);
    else if (nc > CK_VW) CK_FN(panel_rows)(X, nr, d, P, out, pf, CK_PANEL_QUAD);
    else CK_FN(panel_rows)(X, nr, d, P, out, pf, CK_PANEL_HALF);
}

/* The AVX-512 form of panel_block for np (1 or 2) panels: a panel is one 512-bit vector, so each
 * lane still holds one (row, centroid) pair and runs the very same fused chain: the bits equal the
 * AVX2 kernel's. Two panels x 12 rows (24 accumulators) or one panel x 16 rows (for k <= 16) keep
 * enough chains in flight to hide the FMA latency. */
static inline __attribute__((always_inline, target("avx512f"))) void
CK_FN(panel512_block)(const CK_CT *x, int64_t d, const CK_CT *P0, const CK_CT *P1, CK_CT *out0, CK_CT *out1,
                      const int np, const int mr, const char *pf, int64_t pf_bytes)
{
    CK_W a[16][2];
    for (int i = 0; i < 16; i++) a[i][0] = a[i][1] = CK_WZERO();
    /* Row i lives at base[ck_row_base[i]] + ck_row_mul[i] rows: 16 rows from 4 base pointers and
     * the multiples 1, 2, 3, 4 and 6 of the row stride, which x86 addressing takes as base + index.
     * With one pointer per row GCC runs out of registers and reloads 6 of the 16 from the stack
     * for every 16 FMAs, in a loop bound by its loads. */
    static const int ck_row_base[16] = { 0, 0, 0, 1, 0, 1, 1, 1, 2, 1, 2, 3, 2, 3, 3, 3 };
    static const int ck_row_mul[16] = { 0, 1, 2, 0, 4, 2, 3, 4, 0, 6, 2, 0, 4, 2, 3, 4 };
    const CK_CT *base[4] = { x, mr > 3 ? x + 3 * d : x, mr > 8 ? x + 8 * d : x, mr > 11 ? x + 11 * d : x };
    for (int64_t f = 0; f < d; f++) {
        if (pf && f * 64 < pf_bytes) _mm_prefetch(pf + f * 64, _MM_HINT_T0);
        const CK_W w0 = CK_WLOAD(P0 + f * CK_NR), w1 = np == 2 ? CK_WLOAD(P1 + f * CK_NR) : w0;
        for (int i = 0; i < 16; i++)
            if (i < mr) {
                const CK_W xi = CK_WSET1(base[ck_row_base[i]][ck_row_mul[i] * d + f]);
                a[i][0] = CK_WFMA(xi, w0, a[i][0]);
                if (np == 2) a[i][1] = CK_WFMA(xi, w1, a[i][1]);
            }
    }
    for (int i = 0; i < mr; i++) {
        CK_WSTORE(out0 + i * CK_NR, a[i][0]);
        if (np == 2) CK_WSTORE(out1 + i * CK_NR, a[i][1]);
    }
}

#define CK_P512(NP, MR)                                                                                      \
    CK_FN(panel512_block)(X + r * d, d, P, P + CK_NR * d, tile + r * CK_NR, tile + (nr + r) * CK_NR, NP, MR, \
                          pf ? (const char *)(X + (r + MR) * d) : NULL, (int64_t)(MR * d * sizeof(CK_CT)))
/* Blocks of 12 rows for two panels: 12 broadcasts and 2 panel loads feed 24 FMAs, where 8 rows
 * take 10 loads for 16. */
static __attribute__((target("avx512f"))) void
CK_FN(panels512_dots)(const CK_CT *X, int64_t nr, int64_t d, const CK_CT *P, int np, CK_CT *tile, int pf)
{
    int64_t r = 0;
    if (np == 2)
        for (; r + 12 <= nr; r += 12) CK_P512(2, 12);
    else
        for (; r + 16 <= nr; r += 16) CK_P512(1, 16);
    for (; r + 4 <= nr; r += 4) {
        if (np == 2) CK_P512(2, 4);
        else CK_P512(1, 4);
    }
    for (; r < nr; r++) {
        if (np == 2) CK_P512(2, 1);
        else CK_P512(1, 1);
    }
}
#undef CK_P512

/* Rows one at a time against np <= CK_FEW_PANELS panels at once, for calls with very few rows
 * (Yinyang's near ties come one or two per chunk): one accumulator per panel keeps np chains in
 * flight where the blocks above keep two per row and wait on the FMA latency. Same chains, same bits. */
#define CK_FEW_PANELS 8
static __attribute__((target("avx512f"))) void CK_FN(panels512_rows)(const CK_CT *X, int64_t nr, int64_t d,
                                                                     const CK_CT *P, int np, CK_CT *tile)
{
    for (int64_t r = 0; r < nr; r++) {
        CK_W a[CK_FEW_PANELS];
        for (int p = 0; p < CK_FEW_PANELS; p++) a[p] = CK_WZERO();
        for (int64_t f = 0; f < d; f++) {
            const CK_W xi = CK_WSET1(X[r * d + f]);
            for (int p = 0; p < CK_FEW_PANELS; p++)
                if (p < np) a[p] = CK_WFMA(xi, CK_WLOAD(P + (p * d + f) * CK_NR), a[p]);
        }
        for (int p = 0; p < np; p++) CK_WSTORE(tile + (p * nr + r) * CK_NR, a[p]);
    }
}

/* tile[(p * nr + r) * CK_NR + jj] = x_r . c_(p * CK_NR + jj) for the np panels at P (np <= 2, or
 * np <= CK_FEW_PANELS for nr <= 2), which hold the next `left` centroids (lanes past them may be
 * left 0). */
static void CK_FN(panels_dots)(const CK_CT *X, int64_t nr, int64_t d, const CK_CT *P, int np, CK_CT *tile,
                               int pf, int64_t left)
{
    if (ck_simd_avx512()) {
        if (np > 2) CK_FN(panels512_rows)(X, nr, d, P, np, tile);
        else CK_FN(panels512_dots)(X, nr, d, P, np, tile, pf);
        return;
    }
    for (int p = 0; p < np; p++)
        CK_FN(panel_dots)(X, nr, d, P + p * CK_NR * d, tile + p * nr * CK_NR, pf && p == 0,
                          left - p * CK_NR < CK_NR ? left - p * CK_NR : CK_NR);
}

/* One panel's scores folded into each row's best, second best (if second is not NULL) and label,
 * t[r * CK_NR + jj] = x_r . c_(c0 + jj) for nc valid lanes; c0 == 0 starts each row afresh. Exactly
 * the values of a scalar loop over the lanes with s = ||c||^2 - scale x.c, rounded once per lane
 * when scale x.c is exact (scale 2 in argmin_packed; the uint8 screen's power of two), and
 * "if (s < b) { b2 = b; b = s; lab = j; } else if (s < b2) b2 = s": the running best two of the
 * lanes taken in order are their minimum (its first lane on ties) and the minimum of all the rest.
 * One vector per row where the loop took nc branches. */
static __attribute__((target("avx512f"))) void CK_FN(fold512)(const CK_CT *t, int64_t nr,
                                                              const CK_CT *c_sqnorm, int64_t c0, int64_t nc,
                                                              CK_CT scale, CK_CT *best, CK_CT *second,
                                                              int32_t *labels)
{
    const CK_WMASK valid = (CK_WMASK)(nc >= CK_WW ? ~0u : (1u << nc) - 1);
    const CK_W inf = CK_WSET1((CK_CT)INFINITY), csq = CK_WMASKZLOAD(valid, c_sqnorm + c0),
               vs = CK_WSET1(scale);
    for (int64_t r = 0; r < nr; r++) {
        const CK_W dot = CK_WLOAD(t + r * CK_NR);
        CK_W s = CK_WMASKMOV(inf, valid, CK_WSUB(csq, CK_WMUL(vs, dot)));
        const CK_CT m = CK_WREDMIN(s);
        CK_CT b = c0 ? best[r] : (CK_CT)INFINITY, b2 = c0 && second ? second[r] : (CK_CT)INFINITY;
        if (!c0) labels[r] = 0; /* (the loop's start, kept when every score is infinite) */
        if (m < b) {
            const int first = __builtin_ctz((unsigned)CK_WEQ(s, CK_WSET1(m)));
            if (second) {
                const CK_CT rest = CK_WREDMIN(CK_WMASKMOV(s, (CK_WMASK)(1u << first), inf));
                b2 = b < rest ? b : rest;
            }
            b = m;
            labels[r] = (int32_t)(c0 + first);
        } else if (second) {
            b2 = m < b2 ? m : b2;
        }
        best[r] = b;
        if (second) second[r] = b2;
    }
}

/* fold512 with AVX2, where a panel is two vectors: the same values (lanes past nc score +inf, the
 * minimum, its first lane, and the minimum of the other lanes, which is the minimum itself when two
 * lanes hold it). The scalar loop it replaced took a branch per lane. */
static __attribute__((target("avx2,fma"))) void CK_FN(fold256)(const CK_CT *t, int64_t nr,
                                                               const CK_CT *c_sqnorm, int64_t c0, int64_t nc,
                                                               CK_CT scale, CK_CT *best, CK_CT *second,
                                                               int32_t *labels)
{
    CK_CT csq[CK_NR] = { 0 }, pad[CK_NR];
    for (int j = 0; j < CK_NR; j++) {
        if (j < nc) csq[j] = c_sqnorm[c0 + j];
        pad[j] = j < nc ? 0 : (CK_CT)-1; /* (a set sign bit: blendv takes +inf there) */
    }
    const CK_V inf = CK_VSET1((CK_CT)INFINITY), vs = CK_VSET1(scale);
    const CK_V csq0 = CK_VLOADC(csq), csq1 = CK_VLOADC(csq + CK_VW);
    const CK_V pad0 = CK_VLOADC(pad), pad1 = CK_VLOADC(pad + CK_VW);
    for (int64_t r = 0; r < nr; r++) {
        const CK_V s0 = CK_VBLEND(CK_VSUB(csq0, CK_VMUL(vs, CK_VLOADC(t + r * CK_NR))), inf, pad0);
        const CK_V s1 = CK_VBLEND(CK_VSUB(csq1, CK_VMUL(vs, CK_VLOADC(t + r * CK_NR + CK_VW))), inf, pad1);
        const CK_CT m = CK_VHMIN(CK_VMIN(s0, s1));
        CK_CT b = c0 ? best[r] : (CK_CT)INFINITY, b2 = c0 && second ? second[r] : (CK_CT)INFINITY;
        if (!c0) labels[r] = 0;
        if (m < b) {
            const CK_V vm = CK_VSET1(m), eq0 = CK_VEQ(s0, vm), eq1 = CK_VEQ(s1, vm);
            const unsigned bits = (unsigned)CK_VMASKBITS(eq0) | (unsigned)CK_VMASKBITS(eq1) << CK_VW;
            if (second) {
                const CK_CT rest = __builtin_popcount(bits) > 1
                    ? m
                    : CK_VHMIN(CK_VMIN(CK_VBLEND(s0, inf, eq0), CK_VBLEND(s1, inf, eq1)));
                b2 = b < rest ? b : rest;
            }
            b = m;
            labels[r] = (int32_t)(c0 + __builtin_ctz(bits));
        } else if (second) {
            b2 = m < b2 ? m : b2;
        }
        best[r] = b;
        if (second) second[r] = b2;
    }
}

/* Nearest of k packed centroids for nr <= CK_CHUNK_ROWS rows of centroid-type values: labels[r],
 * best[r] = the smallest ||c||^2 - 2 x.c and, if second is not NULL, second[r] = the next smallest.
 * Two panels stay in L1/L2 while all the rows pass them. Ties go to the lowest index (as
 * scikit-learn's argmin): panels and lanes are visited in increasing order and only a strictly
 * smaller score replaces the best. tile: 2 * CK_CHUNK_ROWS * CK_NR values. */
static void CK_FN(argmin_packed)(const CK_CT *X, int64_t nr, int64_t d, const CK_CT *P, const CK_CT *c_sqnorm,
                                 int64_t k, int32_t *labels, CK_CT *best, CK_CT *second, CK_CT *tile)
{
    const int step = nr <= 2 ? CK_FEW_PANELS : 2;
    for (int64_t cb = 0; cb < k; cb += step * CK_NR) {
        const int np = (int)((k - cb + CK_NR - 1) / CK_NR < step ? (k - cb + CK_NR - 1) / CK_NR : step);
        CK_FN(panels_dots)(X, nr, d, P + cb * d, np, tile, cb == 0, k - cb);
        for (int p = 0; p < np; p++) {
            const int64_t c0 = cb + p * CK_NR, nc = k - c0 < CK_NR ? k - c0 : CK_NR;
            if (ck_simd_avx512())
                CK_FN(fold512)(tile + p * nr * CK_NR, nr, c_sqnorm, c0, nc, 2, best, second, labels);
            else CK_FN(fold256)(tile + p * nr * CK_NR, nr, c_sqnorm, c0, nc, 2, best, second, labels);
        }
    }
}
#endif
#endif

void CK_FN(ck_dots_tile)(const CK_XT *X, const int64_t *rows, int64_t n_rows, int64_t n_features,
                         const CK_CT *C, int64_t n_c, int widest, CK_CT *out)
{
#if CK_HAVE_X86_SIMD
    if (widest && ck_simd_avx512()) {
        CK_FN(dots_avx512)(X, rows, n_rows, n_features, C, n_c, out);
        return;
    }
    if (ck_simd_avx2()) {
        CK_FN(dots_avx2)(X, rows, n_rows, n_features, C, n_c, out);
        return;
    }
#else
    (void)widest;
#endif
    CK_FN(dots_scalar)(X, rows, n_rows, n_features, C, n_c, out);
}

int CK_FN(ck_argmin_ws_init)(ck_argmin_ws *ws, int64_t n_clusters, int64_t n_features)
{
    memset(ws, 0, sizeof(*ws));
    ws->tile =
        malloc((size_t)CK_CHUNK_ROWS * (CK_CBLOCK > 2 * CK_NR ? CK_CBLOCK : 2 * CK_NR) * sizeof(CK_CT));
    ws->score = malloc((size_t)CK_CHUNK_ROWS * sizeof(CK_CT));
    int ok = ws->tile && ws->score;
#if CK_HAVE_X86_SIMD
    const size_t n_panels = (size_t)((n_clusters + CK_NR - 1) / CK_NR);
    if (ok && ck_simd_avx2()) {
        ws->panel = ck_alloc_panel(n_panels * CK_NR * (size_t)n_features * sizeof(CK_CT));
        ok = ws->panel != NULL;
    }
#if CK_X_IS_U8
    if (ok && ck_simd_avx2() && n_clusters > 1) {
        ws->wide64 = malloc((size_t)(CK_MR * n_features) * sizeof(double));
        ws->redo = malloc((size_t)CK_CHUNK_ROWS * sizeof(int32_t));
        ok = ws->wide64 && ws->redo;
    }
    /* The integer screen's int32 lanes hold sums of d products |x h| <= 255 * 125 < 2^15. */
    if (ok && ws->redo && ck_simd_vnni() && n_features <= 60000) {
        const size_t n_panels8 = (size_t)((n_clusters + 15) / 16);
        ws->panel8 = ck_alloc_panel(n_panels8 * 128 * (size_t)((n_features + 3) / 4));
        ws->last8 = malloc((size_t)(n_clusters * ((n_features + 63) / 64 * 64)));
        ws->tile8 = malloc((size_t)CK_CHUNK_ROWS * 32 * sizeof(int32_t));
        ws->second64 = malloc((size_t)CK_CHUNK_ROWS * sizeof(double));
        ok = ws->panel8 && ws->last8 && ws->tile8 && ws->second64;
    } else if (ok && ws->redo) {
        const size_t n_panels32 = (size_t)((n_clusters + CK_NR_F32 - 1) / CK_NR_F32);
        ws->c32_sqnorm = malloc((size_t)n_clusters * sizeof(float));
        ws->best32 = malloc((size_t)CK_CHUNK_ROWS * sizeof(float));
        ws->second32 = malloc((size_t)CK_CHUNK_ROWS * sizeof(float));
        ok = ws->c32_sqnorm && ws->best32 && ws->second32;
        if (ok && n_clusters <= CK_ROWWISE_K) {
            const size_t n_groups = (size_t)((n_features + 7) / 8);
            ws->panel32 = ck_alloc_panel(n_groups * 8 * (size_t)n_clusters * sizeof(float));
            ws->groups = malloc((n_groups + 4) * sizeof(int32_t));
            ok = ws->panel32 && ws->groups;
        } else if (ok) {
            ws->panel32 = ck_alloc_panel(n_panels32 * CK_NR_F32 * (size_t)n_features * sizeof(float));
            ws->wide32 = malloc((size_t)(CK_CHUNK_ROWS * n_features) * sizeof(float));
            ws->tile32 = malloc((size_t)CK_CHUNK_ROWS * 2 * CK_NR_F32 * sizeof(float));
            ok = ws->panel32 && ws->wide32 && ws->tile32;
        }
    }
#endif
#else
    (void)n_clusters;
    (void)n_features;
#endif
    if (!ok) {
        ck_argmin_ws_free(ws);
        return CK_ERR_NOMEM;
    }
    return CK_OK;
}

#if CK_X_IS_U8 && CK_HAVE_X86_SIMD
/* Centroids for the row-wise screen: P[(g * k + j) * 8 + l] = C[j, 8 g + l] in float32, zero past d:
 * the k centroids' values of one group of 8 features side by side. */
static void ck_pack_groups_u8(const double *C, int64_t k, int64_t d, float *P)
{
    for (int64_t g = 0; g * 8 < d; g++)
        for (int64_t j = 0; j < k; j++)
            for (int64_t l = 0; l < 8; l++)
                P[(g * k + j) * 8 + l] = g * 8 + l < d ? (float)C[j * d + g * 8 + l] : 0.0f;
}

/* The positions of the set bits of a 4-bit mask, one per byte from the lowest. */
static const uint32_t ck_nonzero_at[16] = { 0x00000000, 0x00000000, 0x00000001, 0x00000100,
                                            0x00000002, 0x00000200, 0x00000201, 0x00020100,
                                            0x00000003, 0x00000300, 0x00000301, 0x00030100,
                                            0x00000302, 0x00030200, 0x00030201, 0x03020100 };

/* out[j] = x . c_(j0 + j) in float32 for nb <= 12 centroids, over the n groups of 8 features in
 * grp (full groups of x, or the last, partial one, whose bytes are `last`): 8 lane sums per centroid
 * in registers, then added across. */
static inline __attribute__((always_inline, target("avx2,fma"))) void
ck_rowwise_block(const uint8_t *x, uint64_t last, int64_t full, const int32_t *grp, int64_t n, const float *P,
                 int64_t k, const int nb, float *out)
{
    __m256 a[12];
    for (int j = 0; j < 12; j++) a[j] = _mm256_setzero_ps();
    for (int64_t q = 0; q < n; q++) {
        const int64_t g = grp[q];
        uint64_t e = last;
        if (g < full) memcpy(&e, x + 8 * g, 8);
        const __m256 xv = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)e)));
        const float *p = P + g * k * 8;
        for (int j = 0; j < 12; j++)
            if (j < nb) a[j] = _mm256_fmadd_ps(xv, _mm256_loadu_ps(p + 8 * j), a[j]);
    }
    for (int j = 0; j < nb; j++) out[j] = ck_hsum_ps(a[j]);
}

/* The float32 screen's search for k <= CK_ROWWISE_K centroids, one row at a time over the row's
 * nonzero groups of 8 features only (MNIST: 39 of 98). The panels run ceil(k / 16) * 16 lanes over
 * every feature: at k = 10, 1568 FMAs per row against 10 per nonzero group here (~390), and the rows
 * need no widened copy. At k = 64 on MNIST both take the same time (the centroids no longer stay
 * in L1), and on dense rows the panels load less per FMA. labels, best and second as
 * argmin_packed's. */
static __attribute__((target("avx2,fma"))) void ck_screen_rowwise(const uint8_t *X, int64_t nr, int64_t d,
                                                                  int64_t k, const float *P, const float *csq,
                                                                  int32_t *grp, int32_t *labels, float *best,
                                                                  float *second)
{
    const int64_t full = d / 8, blocks = (k + 11) / 12;
    for (int64_t r = 0; r < nr; r++) {
        const uint8_t *x = X + r * d;
        /* The scan below is where X comes from memory, in short reads between long stretches of
         * arithmetic that the hardware prefetcher does not run ahead of: ask for the row 32 KB on. */
        for (int64_t o = 0; o < d; o += 64) _mm_prefetch((const char *)x + 32768 + o, _MM_HINT_T0);
        /* Four groups per step: a 4-bit mask of the nonzero ones, their indices stored at once (up
         * to 3 stale entries past the last, overwritten next or ignored). A scalar scan waited on
         * its running count, a quarter of the search. */
        int64_t n = 0, g = 0;
        for (; g + 4 <= full; g += 4) {
            const __m256i v = _mm256_loadu_si256((const __m256i *)(x + 8 * g));
            const int nz =
                ~_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(v, _mm256_setzero_si256()))) & 15;
            const __m128i at = _mm_cvtepu8_epi32(_mm_cvtsi32_si128((int)ck_nonzero_at[nz]));
            _mm_storeu_si128((__m128i *)(grp + n), _mm_add_epi32(at, _mm_set1_epi32((int)g)));
            n += __builtin_popcount((unsigned)nz);
        }
        for (; g < full; g++) {
            uint64_t e;
            memcpy(&e, x + 8 * g, 8);
            grp[n] = (int32_t)g;
            n += e != 0;
        }
        uint64_t last = 0;
        if (full * 8 < d) {
            memcpy(&last, x + 8 * full, (size_t)(d - 8 * full));
            grp[n] = (int32_t)full;
            n += last != 0;
        }
        float dot[CK_ROWWISE_K];
        for (int64_t b = 0, j0 = 0; b < blocks; b++) {
            const int nb = (int)((k - j0) / (blocks - b) + ((k - j0) % (blocks - b) != 0));
            const float *p = P + j0 * 8;
#define CK_RB(NB)                                                                                            \
    case NB: ck_rowwise_block(x, last, full, grp, n, p, k, NB, dot + j0); break
            switch (nb) {
                CK_RB(1);
                CK_RB(2);
                CK_RB(3);
                CK_RB(4);
                CK_RB(5);
                CK_RB(6);
                CK_RB(7);
                CK_RB(8);
                CK_RB(9);
                CK_RB(10);
                CK_RB(11);
                CK_RB(12);
            default: break;
            }
#undef CK_RB
            j0 += nb;
        }
        float b = INFINITY, b2 = INFINITY;
        int32_t lab = 0;
        for (int64_t j = 0; j < k; j++) {
            const float sc = csq[j] - 2 * dot[j];
            if (sc < b) {
                b2 = b;
                b = sc;
                lab = (int32_t)j;
            } else if (sc < b2) b2 = sc;
        }
        labels[r] = lab;
        best[r] = b;
        second[r] = b2;
    }
}

/* Float32 screen: uint8 values are exact in float32, centroids rounded once. The bound is the worst
 * case of the float32 error of ||c||^2 - 2 x.c:
 *   |err| <= u * ((2m + 8) ||x|| max||c|| + 4 max||c||^2),  u = 2^-24,
 * with m = d + 3, at least the additions any product goes through: d in the panels' single fused
 * chain per (row, centroid), ceil(d / 8) + 3 in the row-wise kernel's lane sums added across; doubled for
 * margin (and to cover the float64 path's own, far smaller, rounding). Fills labels, score (best)
 * and settled (gap above twice the bound) per row. */
static void ck_screen_f32(const uint8_t *X, int64_t nr, int64_t d, const double *C, const double *c_sqnorm,
                          int64_t k, int32_t *labels, unsigned char *settled, ck_argmin_ws *ws)
{
    if (!ws->prepared) {
        if (ws->groups) ck_pack_groups_u8(C, k, d, ws->panel32);
        else ck_pack_u8(C, k, d, CK_NR_F32, ws->panel32);
        for (int64_t j = 0; j < k; j++) ws->c32_sqnorm[j] = (float)c_sqnorm[j];
        ws->prepared = 1;
    }
    if (ws->groups)
        ck_screen_rowwise(X, nr, d, k, ws->panel32, ws->c32_sqnorm, ws->groups, labels, ws->best32,
                          ws->second32);
    else {
        ck_widen_u8_f32(X, nr * d, ws->wide32);
        argmin_packed_f32(ws->wide32, nr, d, ws->panel32, ws->c32_sqnorm, k, labels, ws->best32, ws->second32,
                          ws->tile32);
    }
    double *score = ws->score;
    const double m = (double)d + 3, M = ws->c_maxnorm, u = 0x1.0p-24;
    /* First against ||x|| <= 255 sqrt(d), which settles nearly every row without computing ||x||. */
    const double loose = 2 * u * ((2 * m + 8) * 255.0 * sqrt((double)d) * M + 4 * M * M);
    for (int64_t r = 0; r < nr; r++) {
        const double gap = (double)ws->second32[r] - (double)ws->best32[r];
        score[r] = ws->best32[r];
        settled[r] = gap > 2 * loose ||
            gap > 4 * u * ((2 * m + 8) * sqrt(ck_sqnorm_x_u8(X + r * d, d)) * M + 4 * M * M);
    }
}

#if defined(__GNUC__)
/* Integer screen (AVX512-VNNI), with the digits of ck_pack_vnni: x.q exactly in int32 lanes, and
 * |S c - 128 q| <= 64.5, so the screened score ||c||^2 - 256 (x.q) / S is off by at most
 *   2 sum_f x_f |c_f - 128 q_f / S| <= 129 ||x||_1 / S,
 * plus one rounding of the double score and the float64 path's own rounding (both bounded by the
 * second term below, a generous multiple of d 2^-53 ||x||_1 max|c| + 2^-53 max||c||^2). The winner's
 * reported score then adds x.t, the last digits: off by at most ||x||_1 / S, float32-accurate for the
 * per-iteration inertia. */
static void ck_screen_vnni(const uint8_t *X, int64_t nr, int64_t d, const double *C, const double *c_sqnorm,
                           int64_t k, int32_t *labels, unsigned char *settled, ck_argmin_ws *ws)
{
    const int64_t nq = (d + 3) / 4, dpad = (d + 63) / 64 * 64;
    if (!ws->prepared) {
        double cmax = 0;
        for (int64_t e = 0; e < k * d; e++) cmax = fabs(C[e]) > cmax ? fabs(C[e]) : cmax;
        /* a power of 2 with S max|c| <= 2^21 - 2^16 (so |h| <= 124) */
        ws->vnni_scale = cmax > 0 ? ldexp(1.0, ilogb(2031616.0 / cmax)) : 1.0;
        ws->c_maxabs = cmax;
        ck_pack_vnni(C, k, d, ws->vnni_scale, ws->panel8, ws->last8);
        ws->prepared = 1;
    }
    double *best = ws->score, *second = ws->second64;
    const double inv2 = 2.0 / ws->vnni_scale;
    for (int64_t cb = 0; cb < k; cb += 16) {
        const int64_t nc = k - cb < 16 ? k - cb : 16;
        ck_vnni_dots(X, nr, d, ws->panel8 + (cb / 16) * nq * 128, ws->tile8, cb == 0);
        /* x.q = 16384 x.h + 128 x.l, exact in double (< 2^46), laid out as two float64 panels of 8
         * for fold512_f64, which scores ||c||^2 - inv2 x.q (inv2 a power of two: exact product). */
        double *tile = ws->tile;
        for (int64_t r = 0; r < nr; r++)
            for (int64_t j = 0; j < 16; j++) {
                const int32_t *t = ws->tile8 + r * 32;
                tile[((j / 8) * nr + r) * 8 + j % 8] = 16384.0 * (double)t[j] + 128.0 * (double)t[16 + j];
            }
        for (int64_t h = 0; h * 8 < nc; h++)
            fold512_f64(tile + h * nr * 8, nr, c_sqnorm, cb + 8 * h, nc - 8 * h < 8 ? nc - 8 * h : 8, inv2,
                        best, second, labels);
    }
    const double M = ws->c_maxnorm, u = 0x1.0p-53;
    for (int64_t r = 0; r < nr; r++) {
        const double l1 = (double)ck_l1_u8(X + r * d, d);
        const double bound =
            2 * (129 * l1 / ws->vnni_scale + u * (4 * (double)(d + 4) * l1 * ws->c_maxabs + 8 * M * M));
        settled[r] = second[r] - best[r] > 2 * bound;
        best[r] -= inv2 * (double)ck_last_digit_dot(X + r * d, ws->last8 + (int64_t)labels[r] * dpad, d);
    }
}
#endif

/* uint8 rows meet float64 centroids. Doing that in float64 costs twice the FMAs of float32, so
 * screen cheaply first (exact integer dot products with AVX512-VNNI, float32 otherwise) and redo in
 * float64 only the rows whose best and second-best screened scores are closer than twice the
 * screen's error bound: above that, no other centroid can have the best float64 score. The redo runs
 * the float64 path's own kernel on the widened rows (a row's result does not depend on its
 * neighbours), so labels are those of the float64 path bit for bit. */
static void ck_argmin_rows_u8_screened(const uint8_t *X, int64_t nr, int64_t d, const double *C,
                                       const double *c_sqnorm, int64_t k, int32_t *labels, ck_argmin_ws *ws)
{
    if (!ws->prepared) {
        double maxsq = 0;
        for (int64_t j = 0; j < k; j++) maxsq = c_sqnorm[j] > maxsq ? c_sqnorm[j] : maxsq;
        ws->c_maxnorm = sqrt(maxsq);
    }
    unsigned char settled[CK_CHUNK_ROWS];
#if defined(__GNUC__)
    if (ws->panel8) ck_screen_vnni(X, nr, d, C, c_sqnorm, k, labels, settled, ws);
    else
#endif
        ck_screen_f32(X, nr, d, C, c_sqnorm, k, labels, settled, ws);
    double *score = ws->score;
    int64_t n_redo = 0;
    for (int64_t r = 0; r < nr; r++)
        if (!settled[r]) ws->redo[n_redo++] = (int32_t)r;
    if (n_redo && !ws->panel_packed) {
        ck_pack_f64(C, k, d, CK_NR, ws->panel);
        ws->panel_packed = 1;
    }
    /* The redone rows go through the float64 kernel CK_MR at a time (its full register block). */
    for (int64_t q0 = 0; q0 < n_redo; q0 += CK_MR) {
        const int64_t nq = n_redo - q0 < CK_MR ? n_redo - q0 : CK_MR;
        for (int64_t q = 0; q < nq; q++)
            for (int64_t f = 0; f < d; f++) ws->wide64[q * d + f] = X[(int64_t)ws->redo[q0 + q] * d + f];
        int32_t lab[CK_MR];
        double b[CK_MR];
        argmin_packed_f64(ws->wide64, nq, d, ws->panel, c_sqnorm, k, lab, b, NULL, ws->tile);
        for (int64_t q = 0; q < nq; q++) {
            labels[ws->redo[q0 + q]] = lab[q];
            score[ws->redo[q0 + q]] = b[q];
        }
    }
}
#endif

int CK_FN(ck_argmin_rows_packed)(const CK_XT *X, int64_t n_rows, int64_t n_features, const CK_CT *C,
                                 const CK_CT *c_sqnorm, int64_t n_clusters, int32_t *labels, CK_CT *second,
                                 ck_argmin_ws *ws)
{
#if CK_HAVE_X86_SIMD && !CK_X_IS_U8
    if (ws->panel) {
        if (!ws->prepared) {
            CK_FN(ck_pack)(C, n_clusters, n_features, CK_NR, ws->panel);
            ws->prepared = 1;
        }
        CK_FN(argmin_packed)(X, n_rows, n_features, ws->panel, c_sqnorm, n_clusters, labels, ws->score,
                             second, ws->tile);
        return 1;
    }
#else
    (void)X;
    (void)n_rows;
    (void)n_features;
    (void)C;
    (void)c_sqnorm;
    (void)n_clusters;
    (void)labels;
    (void)second;
    (void)ws;
#endif
    return 0;
}

void CK_FN(ck_argmin_rows)(const CK_XT *X, int64_t n_rows, int64_t n_features, const CK_CT *C,
                           const CK_CT *c_sqnorm, int64_t n_clusters, int32_t *labels, ck_argmin_ws *ws)
{
#if CK_X_IS_U8 && CK_HAVE_X86_SIMD
    if (ws->redo) {
        ck_argmin_rows_u8_screened(X, n_rows, n_features, C, c_sqnorm, n_clusters, labels, ws);
        return;
    }
#endif
    /* argmin_j ||x - c_j||^2 = argmin_j (||c_j||^2 - 2 x.c_j): ||x||^2 is the same for every j,
     * and x.c_j for a block of centroids is a small GEMM. */
    if (CK_FN(ck_argmin_rows_packed)(X, n_rows, n_features, C, c_sqnorm, n_clusters, labels, NULL, ws))
        return;
    /* Portable path. Ties go to the lowest index (as scikit-learn's argmin), because blocks and
     * centroids are visited in increasing order and only a strictly smaller score replaces the best. */
    CK_CT *tile = ws->tile, *score = ws->score;
    for (int64_t cb = 0; cb < n_clusters; cb += CK_CBLOCK) {
        const int64_t nc = n_clusters - cb < CK_CBLOCK ? n_clusters - cb : CK_CBLOCK;
        CK_FN(ck_dots_tile)(X, NULL, n_rows, n_features, C + cb * n_features, nc, 0, tile);
        for (int64_t r = 0; r < n_rows; r++) {
            const CK_CT *t = tile + r * nc;
            CK_CT best = cb ? score[r] : (CK_CT)INFINITY;
            int32_t lab = cb ? labels[r] : 0;
            for (int64_t j = 0; j < nc; j++) {
                CK_CT s = c_sqnorm[cb + j] - 2 * t[j];
                if (s < best) {
                    best = s;
                    lab = (int32_t)(cb + j);
                }
            }
            score[r] = best;
            labels[r] = lab;
        }
    }
}

CK_ACCUM_CLONES double CK_FN(ck_sqdist)(const CK_XT *x, const CK_CT *c, int64_t d)
{
    /* Four independent partial sums in a fixed pattern: the compiler may map them onto one vector
     * (same operations, same result) but may not reorder them. */
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t f = 0;
    for (; f + 4 <= d; f += 4) {
        double e0 = (double)x[f] - (double)c[f], e1 = (double)x[f + 1] - (double)c[f + 1];
        double e2 = (double)x[f + 2] - (double)c[f + 2], e3 = (double)x[f + 3] - (double)c[f + 3];
        s0 += e0 * e0;
        s1 += e1 * e1;
        s2 += e2 * e2;
        s3 += e3 * e3;
    }
    for (; f < d; f++) {
        double e = (double)x[f] - (double)c[f];
        s0 += e * e;
    }
    return (s0 + s1) + (s2 + s3);
}

CK_ACCUM_CLONES double CK_FN(ck_sqnorm_x)(const CK_XT *x, int64_t d)
{
#if CK_X_IS_U8
    /* Integer squares add exactly (and vectorise freely): the exact value, whatever the order. */
    /* uint32 partial sums over blocks of 65536 features cannot overflow (65536 * 255^2 < 2^32). */
    uint64_t acc = 0;
    for (int64_t f0 = 0; f0 < d; f0 += 65536) {
        const int64_t f1 = d - f0 < 65536 ? d : f0 + 65536;
        uint32_t part = 0;
        for (int64_t f = f0; f < f1; f++) part += (uint32_t)x[f] * x[f];
        acc += part;
    }
    return (double)acc;
#endif
    /* Sixteen independent partial sums in a fixed pattern, combined in a fixed tree: the compiler
     * maps them onto vectors (same operations, same result on every machine) but may not reorder
     * them. With four, the loop would wait on its additions' latency (~1 cycle per element). */
    double s[16] = { 0 };
    int64_t f = 0;
    for (; f + 16 <= d; f += 16)
        for (int j = 0; j < 16; j++) {
            const double e = x[f + j];
            s[j] += e * e;
        }
    for (int j = 0; f < d; f++, j++) {
        const double e = x[f];
        s[j] += e * e;
    }
    for (int h = 8; h > 0; h /= 2)
        for (int j = 0; j < h; j++) s[j] += s[j + h];
    return s[0];
}

/* CK_ERR_KMEANS_NONFINITE if row x holds a NaN or an infinity, CK_ERR_KMEANS_OVERFLOW if its squared
 * norm is above CK_SQNORM_MAX, else 0, given sqnorm = ck_sqnorm_x(x): a norm within the bound proves
 * every value finite (a NaN or an infinity would have carried into it), so such rows cost one
 * comparison; any other is scanned. */
int CK_FN(ck_nonfinite_row)(const CK_XT *x, int64_t d, double sqnorm)
{
#if CK_X_IS_U8
    (void)x;
    (void)d;
    (void)sqnorm;
    return 0;
#else
    if (sqnorm <= CK_SQNORM_MAX) return 0;
    for (int64_t f = 0; f < d; f++)
        if (!isfinite(x[f])) return CK_ERR_KMEANS_NONFINITE;
    return CK_ERR_KMEANS_OVERFLOW;
#endif
}

void CK_FN(ck_sqnorms_c)(const CK_CT *C, int64_t n_clusters, int64_t n_features, CK_CT *out)
{
    for (int64_t j = 0; j < n_clusters; j++) {
        double s = 0;
        for (int64_t f = 0; f < n_features; f++) s += (double)C[j * n_features + f] * C[j * n_features + f];
        out[j] = (CK_CT)s;
    }
}

/* ck_sqdist of four rows at once (x[q] against c[q]), each with exactly ck_sqdist's operations in its
 * order, so the same bits: ck_sqdist's four partial sums are the four lanes of one vector per row,
 * and four rows' independent chains hide the add latency that one row alone waits on. */
#if CK_HAVE_X86_SIMD
static
    __attribute__((target("avx2,fma"))) void CK_FN(sqdist4_avx2)(const CK_XT *const *x, const CK_CT *const *c,
                                                                 int64_t d, double *out)
{
    __m256d s[4];
    for (int q = 0; q < 4; q++) s[q] = _mm256_setzero_pd();
    int64_t f = 0;
    for (; f + 4 <= d; f += 4)
        for (int q = 0; q < 4; q++) {
            const __m256d e = _mm256_sub_pd(CK_LOAD4D(x[q] + f), CK_LOAD4D(c[q] + f));
            s[q] = _mm256_add_pd(s[q], _mm256_mul_pd(e, e));
        }
    for (int q = 0; q < 4; q++) {
        double l[4];
        _mm256_storeu_pd(l, s[q]);
        for (int64_t g = f; g < d; g++) {
            const double e = (double)x[q][g] - (double)c[q][g];
            l[0] += e * e;
        }
        out[q] = (l[0] + l[1]) + (l[2] + l[3]);
    }
}
#endif

static void CK_FN(sqdist4)(const CK_XT *const *x, const CK_CT *const *c, int64_t d, double *out)
{
#if CK_HAVE_X86_SIMD
    if (ck_simd_avx2()) {
        CK_FN(sqdist4_avx2)(x, c, d, out);
        return;
    }
#endif
    for (int q = 0; q < 4; q++) out[q] = CK_FN(ck_sqdist)(x[q], c[q], d);
}

int CK_FN(ck_assign_inertia)(const CK_XT *X, int64_t n_samples, int64_t n_features,
                             const double *sample_weight, const CK_CT *centroids, int64_t n_clusters,
                             int32_t *labels, int assign, double *sqdist, int n_threads, double *inertia)
{
    if (n_samples < 0 || n_features < 1 || n_clusters < 1 || n_clusters > INT32_MAX) return CK_ERR_ARG;
    if (inertia) *inertia = 0.0;
    if (n_samples == 0) return CK_OK;
    n_threads = ck_omp_clamp_threads(n_threads);
    const int64_t n_chunks = ck_n_chunks(n_samples);
    double *parts = inertia ? malloc((size_t)n_chunks * sizeof(double)) : NULL;
    CK_CT *c_sqnorm = assign ? malloc((size_t)n_clusters * sizeof(CK_CT)) : NULL;
    if ((inertia && !parts) || (assign && !c_sqnorm)) {
        free(parts);
        free(c_sqnorm);
        return CK_ERR_NOMEM;
    }
    if (assign) CK_FN(ck_sqnorms_c)(centroids, n_clusters, n_features, c_sqnorm);
    int bad_label = 0, status = CK_OK;
#pragma omp parallel num_threads(ck_omp_team(n_threads, n_chunks))
    {
        ck_argmin_ws aw;
        const int ok = !assign || CK_FN(ck_argmin_ws_init)(&aw, n_clusters, n_features) == CK_OK;
        if (!ok) {
#pragma omp atomic write
            status = CK_ERR_NOMEM;
        }
#pragma omp for schedule(dynamic, 1) reduction(| : bad_label)
        for (int64_t c = 0; c < n_chunks; c++) {
            if (!ok) continue;
            int64_t start, end;
            ck_chunk_rows(c, n_samples, &start, &end);
            /* The rows are assigned and measured while in cache. */
            if (assign)
                CK_FN(ck_argmin_rows)(X + start * n_features, end - start, n_features, centroids, c_sqnorm,
                                      n_clusters, labels + start, &aw);
            double s = 0.0;
            for (int64_t i = start; (sqdist || inertia) && i < end; i += 4) {
                const int64_t m = end - i < 4 ? end - i : 4;
                const CK_XT *xq[4];
                const CK_CT *cq[4];
                double e[4];
                int ok_q[4];
                for (int64_t q = 0; q < 4; q++) {
                    const int64_t row = i + (q < m ? q : 0);
                    const int32_t l = labels[row];
                    ok_q[q] = l >= 0 && l < n_clusters;
                    xq[q] = X + row * n_features;
                    cq[q] = centroids + (int64_t)(ok_q[q] ? l : 0) * n_features;
                }
                CK_FN(sqdist4)(xq, cq, n_features, e);
                for (int64_t q = 0; q < m; q++) {
                    if (!ok_q[q]) {
                        bad_label = 1;
                        continue;
                    }
                    if (sqdist) sqdist[i + q] = e[q];
                    s += sample_weight ? sample_weight[i + q] * e[q] : e[q];
                }
            }
            if (parts) parts[c] = s;
        }
        if (assign && ok) ck_argmin_ws_free(&aw);
    }
    if (inertia && status == CK_OK && !bad_label) *inertia = ck_sum_ordered(parts, n_chunks);
    free(parts);
    free(c_sqnorm);
    return status != CK_OK ? status : bad_label ? CK_ERR_KMEANS_LABEL : CK_OK;
}

int CK_FN(ck_assign)(const CK_DATA *data, int64_t n_clusters, const CK_CT *centroids, int32_t *labels,
                     double *sqdist, int n_threads)
{
    return CK_FN(ck_assign_inertia)(data->X, data->n_samples, data->n_features, NULL, centroids, n_clusters,
                                    labels, 1, sqdist, n_threads, NULL);
}

int CK_FN(ck_inertia)(const CK_DATA *data, int64_t n_clusters, const CK_CT *centroids, const int32_t *labels,
                      double *inertia, int n_threads)
{
    /* labels are only read when assign is 0. */
    return CK_FN(ck_assign_inertia)(data->X, data->n_samples, data->n_features, data->sample_weight,
                                    centroids, n_clusters, (int32_t *)labels, 0, NULL, n_threads, inertia);
}
