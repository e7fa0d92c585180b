/* ck_row_lsb_<sfx> for one float type, included twice by kmeans_lloyd.c with
 *   CK_LSB_FN name, CK_LSB_FT the float type, CK_LSB_UT / CK_LSB_ST its unsigned / signed integer twin,
 *   CK_LSB_MANT mantissa bits, CK_LSB_BIAS exponent bias,
 *   CK_LSB_BASE the power of two 2^(CK_LSB_MANT + CK_LSB_SHIFT) whose mantissa takes m & -m, its
 *   biased exponent even (so the or-ed bit m & -m = 2^CK_LSB_MANT, the implicit one, is not lost).
 *
 * Every value of a row is an integer multiple of 2^(returned exponent) (INT32_MAX for a row of
 * zeros), and *absmax is its largest |value|: the facts behind ck_yy's exact sums. The lowest set
 * bit of a float's integer mantissa m is m & -m; or-ed into the mantissa of CK_LSB_BASE and that
 * subtracted again, it becomes the float 2^(ctz m + CK_LSB_SHIFT), whose exponent bits give ctz m.
 * Masks instead of branches, so that the loop vectorises. Rows holding an infinity or NaN give a
 * meaningless answer, but such a fit stops with CK_ERR_KMEANS_NONFINITE anyway. */
CK_INT_CLONES static int32_t CK_LSB_FN(const CK_LSB_FT *x, int64_t d, double *absmax)
{
    const CK_LSB_UT one = 1, mant = (one << CK_LSB_MANT) - 1,
                    base_bits = (CK_LSB_UT)(CK_LSB_BIAS + CK_LSB_MANT + CK_LSB_SHIFT) << CK_LSB_MANT;
    /* lsb = e - (bias + mant) + ctz m, ctz m = (exponent bits of the difference) - bias - shift */
    const CK_LSB_UT off = 2 * CK_LSB_BIAS + CK_LSB_MANT + CK_LSB_SHIFT;
    CK_LSB_FT base;
    memcpy(&base, &base_bits, sizeof(base));
    CK_LSB_ST lo = INT32_MAX;
    CK_LSB_UT top = 0;
    for (int64_t f = 0; f < d; f++) {
        CK_LSB_UT b, pb;
        memcpy(&b, x + f, sizeof(b));
        b &= ~(one << (8 * sizeof(b) - 1));
        top = b > top ? b : top;
        const CK_LSB_UT e = b >> CK_LSB_MANT, normal = 0 - (CK_LSB_UT)(e != 0),
                        nonzero = 0 - (CK_LSB_UT)(b != 0);
        const CK_LSB_UT m = (b & mant) | (normal & (one << CK_LSB_MANT)), low = base_bits | (m & (0 - m));
        CK_LSB_FT p;
        memcpy(&p, &low, sizeof(p));
        p -= base;
        memcpy(&pb, &p, sizeof(pb));
        /* e + 1 + normal: e for normal numbers, 1 for subnormal ones */
        const CK_LSB_UT lsb = (e + 1 + normal) + (pb >> CK_LSB_MANT) - off;
        const CK_LSB_ST v = (CK_LSB_ST)((lsb & nonzero) | ((CK_LSB_UT)INT32_MAX & ~nonzero));
        lo = v < lo ? v : lo;
    }
    CK_LSB_FT t;
    memcpy(&t, &top, sizeof(t));
    *absmax = t;
    return (int32_t)lo;
}

#undef CK_LSB_FN
#undef CK_LSB_FT
#undef CK_LSB_UT
#undef CK_LSB_ST
#undef CK_LSB_MANT
#undef CK_LSB_BIAS
#undef CK_LSB_SHIFT
