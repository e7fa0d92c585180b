/* Centroid sums added cluster by cluster with the sums held in registers, written once and included
 * by kmeans_lloyd_tpl.h for each dtype twice: with AVX2 (4 doubles per vector) and AVX-512 (8). The
 * includer defines CK_ANAME(name), CK_ATARGET, CK_AV (the double vector), CK_AW (its lanes),
 * CK_ALOADX (CK_AW values of X as doubles), CK_ALOAD, CK_ASTORE, CK_AADD, CK_AMUL and CK_ASET1; they
 * are undefined at the end, ready for the next instantiation.
 *
 * Every sum takes its rows one by one in row order, each weighted product rounded before the add:
 * the very additions of add_row, so the same bits in every instantiation. */

/* CK_AW values of a row as doubles, times its weight w if w is not NULL. The empty asm keeps the
 * compiler from fusing the product and the sum's add into an FMA. */
static inline __attribute__((always_inline, target(CK_ATARGET))) CK_AV CK_ANAME(term)(const CK_XT *x,
                                                                                      const double *w)
{
    CK_AV p = CK_ALOADX(x);
    if (w) {
        p = CK_AMUL(CK_ASET1(*w), p);
        __asm__("" : "+v"(p));
    }
    return p;
}

/* add_row for the m rows start + rows[q] of one cluster, 8 vectors of features at a time (then one
 * vector, then one feature): the 8 vectors of sums stay in registers over all m rows instead of a
 * load and a store per row (row by row, each row sweeps all k clusters' sums: 62 KB for MNIST at k=10). */
static __attribute__((target(CK_ATARGET))) void CK_ANAME(add_cluster)(const CK_XT *X, int64_t start,
                                                                      const int32_t *rows, int64_t m,
                                                                      int64_t d, const double *w, double *sum)
{
    int64_t f = 0;
    for (; f + 8 * CK_AW <= d; f += 8 * CK_AW) {
        CK_AV a[8];
        for (int v = 0; v < 8; v++) a[v] = CK_ALOAD(sum + f + CK_AW * v);
        for (int64_t q = 0; q < m; q++) {
            const int64_t i = start + rows[q];
            const CK_XT *x = X + i * d + f;
            for (int v = 0; v < 8; v++) a[v] = CK_AADD(a[v], CK_ANAME(term)(x + CK_AW * v, w ? w + i : NULL));
        }
        for (int v = 0; v < 8; v++) CK_ASTORE(sum + f + CK_AW * v, a[v]);
    }
    for (; f + CK_AW <= d; f += CK_AW) {
        CK_AV a = CK_ALOAD(sum + f);
        for (int64_t q = 0; q < m; q++) {
            const int64_t i = start + rows[q];
            a = CK_AADD(a, CK_ANAME(term)(X + i * d + f, w ? w + i : NULL));
        }
        CK_ASTORE(sum + f, a);
    }
    for (; f < d; f++) {
        double s = sum[f];
        for (int64_t q = 0; q < m; q++) {
            const int64_t i = start + rows[q];
            double p = (double)X[i * d + f];
            if (w) {
                p *= w[i];
                __asm__("" : "+x"(p));
            }
            s += p;
        }
        sum[f] = s;
    }
}

#undef CK_ANAME
#undef CK_ATARGET
#undef CK_AV
#undef CK_AW
#undef CK_ALOADX
#undef CK_ALOAD
#undef CK_ASTORE
#undef CK_AADD
#undef CK_AMUL
#undef CK_ASET1
