/* The register-blocked dot products of rows against centroids (row-major operands), written once
 * and included by kmeans_assign_tpl.h for each dtype twice: with the AVX2 vocabulary (CK_D* = the
 * CK_V* macros, 3-row blocks for the 16 ymm registers) and the AVX-512 one (CK_W*, 4-row blocks for
 * the 32 zmm registers). The includer defines CK_DNAME(name), CK_DTARGET, CK_DV, CK_DW (lanes),
 * CK_DMR (rows per block), CK_DZERO, CK_DLOADX, CK_DLOADC, CK_DFMA and CK_DHSUM; they are
 * undefined at the end, ready for the next instantiation.
 *
 * A dot product's order depends only on the vector width (one accumulator lane per feature residue,
 * the lanes summed, then the scalar tail), never on its block or neighbours; the two widths differ in
 * the last bits. X[rows[q]] is row q (X[q] when rows is NULL). */

/* An mr x nc block (mr <= CK_DMR rows, nc <= 4 centroids): each centroid load feeds mr FMAs, each
 * row load nc. mr and nc are constants where it is inlined, so the block unrolls into registers.
 * pf: the next block's rows (or NULL), prefetched as this block streams its own: many row streams at
 * once are more than the hardware prefetcher follows (profiles showed half the time stalled on the
 * row loads). */
static inline __attribute__((always_inline, target(CK_DTARGET))) void
CK_DNAME(dots_block)(const CK_XT *const *x, int64_t d, const CK_CT *c, const int mr, const int nc, CK_CT *out,
                     int64_t ldo, const CK_XT *const *pf)
{
    const int64_t dv = d - d % CK_DW;
    CK_DV a[CK_DMR][4];
    for (int i = 0; i < CK_DMR; i++)
        for (int j = 0; j < 4; j++) a[i][j] = CK_DZERO();
    for (int64_t f = 0; f < dv; f += CK_DW) {
        if (pf)
            for (int i = 0; i < CK_DMR; i++) _mm_prefetch((const char *)(pf[i] + f), _MM_HINT_T0);
        CK_DV v[CK_DMR];
        for (int i = 0; i < mr; i++) v[i] = CK_DLOADX(x[i] + f);
        for (int j = 0; j < nc; j++) {
            const CK_DV w = CK_DLOADC(c + j * d + f);
            for (int i = 0; i < mr; i++) a[i][j] = CK_DFMA(v[i], w, a[i][j]);
        }
    }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nc; j++)
            out[i * ldo + j] = CK_FN(dot_tail)(x[i], c + j * d, dv, d, CK_DHSUM(a[i][j]));
}

/* Every row against every centroid, in blocks of CK_DMR rows x 4 centroids and the smaller blocks
 * of the edges. */
static __attribute__((target(CK_DTARGET))) void CK_DNAME(dots)(const CK_XT *X, const int64_t *rows,
                                                               int64_t nr, int64_t d, const CK_CT *C,
                                                               int64_t nc, CK_CT *out)
{
    for (int64_t r = 0; r < nr; r += CK_DMR) {
        const int mr = nr - r < CK_DMR ? (int)(nr - r) : CK_DMR;
        const CK_XT *x[CK_DMR], *next[CK_DMR];
        for (int i = 0; i < CK_DMR; i++) {
            x[i] = X + (rows ? rows[r + (i < mr ? i : 0)] : r + (i < mr ? i : 0)) * d;
            /* The rows of the next block (the last row again past the end: already in cache). */
            const int64_t q = r + CK_DMR + i < nr ? r + CK_DMR + i : nr - 1;
            next[i] = X + (rows ? rows[q] : q) * d;
        }
        for (int64_t j = 0; j < nc; j += 4) {
            const int n4 = nc - j < 4 ? (int)(nc - j) : 4;
            const CK_XT *const *pf = j == 0 && r + CK_DMR < nr ? next : NULL;
            const CK_CT *c = C + j * d;
            CK_CT *o = out + r * nc + j;
#define CK_DB(MR, NC)                                                                                        \
    case (MR) * 4 + (NC): CK_DNAME(dots_block)(x, d, c, MR, NC, o, nc, pf); break
            switch (mr * 4 + n4) {
#if CK_DMR > 3
                CK_DB(4, 4);
                CK_DB(4, 3);
                CK_DB(4, 2);
                CK_DB(4, 1);
#endif
                CK_DB(3, 4);
                CK_DB(3, 3);
                CK_DB(3, 2);
                CK_DB(3, 1);
                CK_DB(2, 4);
                CK_DB(2, 3);
                CK_DB(2, 2);
                CK_DB(2, 1);
                CK_DB(1, 4);
                CK_DB(1, 3);
                CK_DB(1, 2);
                CK_DB(1, 1);
            default: break;
            }
#undef CK_DB
        }
    }
}

#undef CK_DNAME
#undef CK_DTARGET
#undef CK_DV
#undef CK_DW
#undef CK_DMR
#undef CK_DZERO
#undef CK_DLOADX
#undef CK_DLOADC
#undef CK_DFMA
#undef CK_DHSUM
