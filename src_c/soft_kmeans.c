/* Soft k-means (MacKay's soft k-means with stiffness beta): the fused E+M pass, the E-step alone and
 * the whole fit loop, for float32, float64 and uint8 X. No Python, no GIL.
 *
 * Reuses the engine's machinery instead of copying it: fixed row chunks and the group plan with
 * fixed-order merges (ck_chunks.h), the dtype matrix (ck_dtypes.h) and the run-time SIMD switch
 * (ck_simd_avx2, which honours CKMEANS_NO_SIMD). Centres are held in double during a fit whatever the
 * dtype of X, so float32 X gets float64 responsibilities and sums; they are rounded to float only
 * when handed back. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckmeans.h"
#include "ck_omp.h"
#include "ck_chunks.h"
#include "ck_kmeans_internal.h"
#include "ck_cancel.h"

/* Rows of one block. Blocks of mostly nonzero rows (dense data) go through register tiles: the
 * distance tile by differences and R^T X, whose sums cost no store per (x, c) pair, while the rows
 * stay in L2 between the two; the rows of sparse blocks (images) go one by one through their
 * nonzero lists. The block size is part of the summation order (a dense block's partial sums are
 * formed, then added), so it depends on n_features only: the same for every thread count and for
 * uint8 and float64 X (sized as if X were double), a multiple of the distance kernel's 3 rows. */
#define CK_SOFT_BLOCK_BYTES (256 * 1024)

static int64_t ck_soft_block_rows(int64_t n_features)
{
    int64_t rows = CK_SOFT_BLOCK_BYTES / (n_features * (int64_t)sizeof(double));
    rows -= rows % 3;
    if (rows < 3) rows = 3;
    if (rows > CK_CHUNK_ROWS - CK_CHUNK_ROWS % 3) rows = CK_CHUNK_ROWS - CK_CHUNK_ROWS % 3;
    return rows;
}

static int ck_soft_check_beta(double beta) { return isfinite(beta) && beta > 0; }

static int ck_soft_check_args(int64_t n, int64_t d, int64_t k, int distance)
{
    if (n < 1 || d < 1 || k < 1 || k > INT32_MAX || d > INT64_MAX / 8 / (k + 4)) return CK_ERR_ARG;
    if (distance != CK_SOFT_EUCLIDEAN && distance != CK_SOFT_SQEUCLIDEAN) return CK_ERR_SOFT_DISTANCE;
    return CK_OK;
}

/* Centres are padded to kp = k rounded up to an even count: the row kernels take them 4 (ymm) and 2
 * (xmm) at a time. Not to a multiple of 4: those loops are bound by the bytes of CT and of the sums
 * per nonzero (k = 10: 80, not 96), and zmm vectors at an 80-byte stride mostly split a cache line. */
static int64_t ck_soft_kpad(int64_t k) { return (k + 1) / 2 * 2; }

/* The centres as the row kernels read them: C itself (n_clusters x n_features), C transposed and
 * zero-padded (CT[f * kp + j] = c_jf, so the k values one feature meets are contiguous), and the
 * squared norms cc[j] = ||c_j||^2. Built once per step, read by every thread. */
typedef struct {
    const double *C;
    double *CT, *cc;
    /* group kernels: C in panels of 8 features, Cg[(g * k + j) * 8 + l] = c_j,8g+l (0 past the last
     * feature), so the k vectors one group meets are contiguous */
    double *Cg;
    int64_t k, kp, d, dg;
} ck_soft_centres;

/* Sparse rows go through the 8-feature group kernels (AVX-512) or the nonzero lists (AVX2, portable). */
static int ck_soft_use_groups(void) { return ck_simd_avx512(); }

const char *ck_soft_isa(void)
{ return ck_soft_use_groups() ? "avx512" : ck_simd_avx2() ? "avx2" : "portable"; }

static int64_t ck_soft_dgroup(int64_t d) { return (d + 7) / 8 * 8; }

/* Where element (j, f) of a k x n_features matrix lies in the group kernels' panels of 8 features
 * (the centres and the sums). */
static inline int64_t ck_soft_gidx(int64_t k, int64_t j, int64_t f) { return (f / 8 * k + j) * 8 + f % 8; }

static int ck_soft_centres_init(ck_soft_centres *cs, const double *C, int64_t k, int64_t d, int groups)
{
    const int64_t kp = ck_soft_kpad(k), dg = ck_soft_dgroup(d);
    cs->C = C;
    cs->k = k;
    cs->kp = kp;
    cs->d = d;
    cs->dg = dg;
    cs->CT = groups ? NULL : calloc((size_t)(d * kp), sizeof(double));
    /* (64-byte aligned: a vector that straddles two cache lines costs two loads) */
    cs->Cg = groups ? aligned_alloc(64, (size_t)(k * dg) * sizeof(double)) : NULL;
    if (cs->Cg) memset(cs->Cg, 0, (size_t)(k * dg) * sizeof(double));
    cs->cc = malloc((size_t)k * sizeof(double));
    if (!(groups ? cs->Cg : cs->CT) || !cs->cc) return CK_ERR_NOMEM;
    for (int64_t j = 0; j < k; j++) {
        double s = 0.0;
        for (int64_t f = 0; f < d; f++) {
            const double c = C[j * d + f];
            if (groups) cs->Cg[ck_soft_gidx(k, j, f)] = c;
            else cs->CT[f * kp + j] = c;
            s += c * c;
        }
        cs->cc[j] = s;
    }
    return CK_OK;
}

static void ck_soft_centres_free(ck_soft_centres *cs)
{
    free(cs->CT);
    free(cs->Cg);
    free(cs->cc);
    cs->CT = cs->Cg = cs->cc = NULL;
}

/* The nonzero bitmasks of all rows of X (row i's: bits + i * ((d + 63) / 64), laid out as a block's
 * in ck_soft_ws) and their nonzero counts, formed once per fit, by its first step (formed = 1 after):
 * the data does not change between steps, and the later ones then read only what their kernels use
 * (a mask pass reads all of X, over half of a float64 step). */
typedef struct {
    uint64_t *bits;
    int64_t *nnz;
    int formed;
} ck_soft_masks;

/* Allocates the masks of n rows; a fit without them (out of memory) forms them per block, as a single
 * step does, with the same results. */
static int ck_soft_masks_alloc(ck_soft_masks *m, int64_t n, int64_t d)
{
    m->bits = malloc((size_t)(n * ((d + 63) / 64)) * sizeof(uint64_t));
    m->nnz = malloc((size_t)n * sizeof(int64_t));
    m->formed = 0;
    if (m->bits && m->nnz) return 1;
    free(m->bits);
    free(m->nnz);
    m->bits = NULL;
    m->nnz = NULL;
    return 0;
}

/* A fit's copy of the 8-feature groups of X that hold a nonzero, row after row: row i's t-th such
 * group at element row_at[i] + 8 t of vals (of X's type; 64-byte aligned, so a group of doubles is
 * one cache line, not two), a group past d zero-padded. The group kernels then read 40% of X per
 * step for MNIST as floats (39 of 98 groups), where reading X itself bounds a float64 step by
 * memory; forming the copy costs about one step (BENCHMARKS.md, machine notes). Kept only where it is at most half of X and of the free memory (else the fit
 * reads X), and for float X only (a uint8 step is bound by arithmetic). */
typedef struct {
    void *vals;
    int64_t *row_at;
} ck_soft_packed;

/* Whether an optional copy of bytes leaves most of the memory now free: at most half of it (where
 * the system does not say, the copy's other bound, half of X, holds alone). */
static int ck_soft_room_for(size_t bytes)
{
#ifdef _SC_AVPHYS_PAGES
    const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) return bytes <= (size_t)pages / 2 * (size_t)page;
#endif
    (void)bytes;
    return 1;
}

static void ck_soft_packed_free(ck_soft_packed *pk)
{
    free(pk->vals);
    free(pk->row_at);
    pk->vals = NULL;
    pk->row_at = NULL;
}

/* What the group kernels fetch ahead while they compute when they read X itself: the next block's
 * rows, [line, end), two cache lines per unit of work (a row's group in the E-step, a group's row in
 * the M-step); empty (NULL, NULL) when they read packed rows. Fetched a row at a time instead (98
 * prefetches in a burst for an MNIST row of doubles), the lines wait for free miss buffers and the
 * read of X hardly overlaps the arithmetic. */
typedef struct {
    const char *line, *end;
} ck_soft_ahead;

/* Packed rows are read in the order they lie (in the E-step), so each group read fetches the line
 * this many bytes on: hardware prefetchers need not keep a stream ahead of the arithmetic (some read
 * memory at a third of its speed under 16 FMAs per line without software prefetch 4-16 KB ahead). */
#define CK_SOFT_PACKED_AHEAD 4096

/* Per-thread scratch for one row: its nonzero features (as offsets f * kp into CT and the sums,
 * ascending) and their values widened to double (both with room for 8 entries written past the
 * end), the nonzero bitmasks of a block's rows (row r: words r * ((d + 63) / 64) on, bit f % 64 of
 * word f / 64), the 8-feature groups
 * that hold a nonzero (their numbers, with room for 8 past the end), the distances (kp: the dot
 * products first), the row's responsibilities (kp, the padding stays 0), and lut[b]: the positions
 * of the set bits of the byte b, ascending, packed one per byte (the unused bytes 0). */
typedef struct {
    int64_t *off;
    double *val, *dist, *resp;
    uint64_t *mask;
    int32_t *groups;
    uint64_t lut[256];
    /* group kernels: the 8-feature groups where one row is nonzero (bit g % 64 of word g / 64), and
     * for each group the rows of a (<= 64-row) block that are nonzero there (bit r) */
    uint64_t *gmask, *rows_of;
    /* dense blocks: the rows widened to double (uint8 and float32 X), their distances and weighted
     * responsibilities (block_rows x k), the block's partial sums (k x n_features) */
    double *wide, *bdist, *bresp, *bsums;
    ck_soft_ahead ahead;
} ck_soft_ws;

static int ck_soft_ws_init(ck_soft_ws *ws, int64_t k, int64_t d, int widen)
{
    const int64_t kp = ck_soft_kpad(k), brows = ck_soft_block_rows(d);
    ws->wide = widen ? malloc((size_t)(brows * d) * sizeof(double)) : NULL;
    ws->bdist = malloc((size_t)(brows * k) * sizeof(double));
    ws->bresp = malloc((size_t)(brows * k) * sizeof(double));
    ws->bsums = malloc((size_t)(k * d) * sizeof(double));
    ws->off = malloc((size_t)(d + 8) * sizeof(int64_t));
    ws->val = malloc((size_t)(d + 8) * sizeof(double));
    ws->dist = malloc((size_t)(kp + 8) * sizeof(double));
    ws->resp = calloc((size_t)kp, sizeof(double));
    ws->mask = malloc((size_t)(brows * ((d + 63) / 64)) * sizeof(uint64_t));
    ws->groups = malloc((size_t)(d / 8 + 8) * sizeof(int32_t));
    ws->gmask = malloc((size_t)((d + 511) / 512) * sizeof(uint64_t));
    ws->rows_of = malloc((size_t)((d + 7) / 8) * sizeof(uint64_t));
    ws->ahead.line = ws->ahead.end = NULL;
    for (unsigned b = 0; b < 256; b++) {
        uint64_t packed = 0;
        for (unsigned i = 0, n = 0; i < 8; i++)
            if (b >> i & 1) packed |= (uint64_t)i << (8 * n++);
        ws->lut[b] = packed;
    }
    return ws->off && ws->val && ws->dist && ws->resp && ws->mask && ws->groups && ws->gmask && ws->rows_of &&
            (ws->wide || !widen) && ws->bdist && ws->bresp && ws->bsums
        ? CK_OK
        : CK_ERR_NOMEM;
}

static void ck_soft_ws_free(ck_soft_ws *ws)
{
    free(ws->off);
    free(ws->val);
    free(ws->dist);
    free(ws->resp);
    free(ws->mask);
    free(ws->groups);
    free(ws->gmask);
    free(ws->rows_of);
    free(ws->wide);
    free(ws->bdist);
    free(ws->bresp);
    free(ws->bsums);
    memset(ws, 0, sizeof(*ws));
}

/* Responsibilities (and their products with the sample weights) below the smallest normal double
 * are 0. Subnormal operands make each FMA of the M-step take a microcoded assist on some CPUs
 * (MNIST, beta 1: 2% of all responsibilities are subnormal). What they would add is below 2.2e-308
 * times the row's values, beside clusters of normal total weight; a cluster whose every
 * responsibility is that small has total weight 0 and keeps its centre. */
#define CK_SOFT_RESP_MIN DBL_MIN

static inline double ck_soft_flush(double r) { return r < CK_SOFT_RESP_MIN ? 0.0 : r; }

/* a[j] = exp(a[j]) for a[j] <= 0 (j < n), 0 where the result would not be normal (below
 * CK_SOFT_EXP_MIN); defined after ck_dtypes.h (its SIMD helpers). */
static void ck_soft_exp_nonpositive(double *a, int64_t n);

/* Responsibilities of one row from its squared distances D (k, overwritten): r_j = exp(-beta D_j) /
 * sum_l exp(-beta D_l), D = sqrt(d2) (euclidean) or d2. Log-sum-exp shifted by the nearest centre:
 * exp(-beta (D_j - D_min)) lies in [0, 1] and is exactly 1 at the minimum, so the sum is >= 1 and
 * nothing overflows, for any finite beta > 0 and any distances. Returns the row's free energy
 * -(1/beta) log sum_j exp(-beta D_j) = D_min - log(s) / beta, times wi. resp (OUT, may be NULL): r_j,
 * times wi when scale_by_weight, each flushed to 0 below CK_SOFT_RESP_MIN. label (OUT, may be NULL):
 * the nearest centre (lowest index on ties).
 * The loops carry no branch on the data (a minimum taken by branches mispredicts on every row). */
static double ck_soft_row_resp(double *D, int64_t k, double beta, int distance, double wi, double *resp,
                               int scale_by_weight, int32_t *label)
{
    if (distance == CK_SOFT_EUCLIDEAN)
        for (int64_t j = 0; j < k; j++) D[j] = sqrt(D[j]);
    int64_t best = 0;
    double dmin = D[0];
    for (int64_t j = 1; j < k; j++) {
        const int closer = D[j] < dmin;
        dmin = closer ? D[j] : dmin;
        best = closer ? j : best;
    }
    for (int64_t j = 0; j < k; j++) D[j] = -beta * (D[j] - dmin);
    ck_soft_exp_nonpositive(D, k);
    double s = 0.0;
    for (int64_t j = 0; j < k; j++) s += D[j];
    if (resp) {
        const double scale = scale_by_weight ? wi : 1.0; /* x 1.0 is exact */
        for (int64_t j = 0; j < k; j++) {
            const double r = ck_soft_flush(D[j] / s) * scale;
            resp[j] = ck_soft_flush(r);
        }
    }
    if (label) *label = (int32_t)best;
    return wi * (dmin - log(s) / beta);
}

/* The sums of a fused step: element (j, f) of the k x n_features weighted sums lies at
 * f * kp + j (laid out like CT, for the nonzero lists) or ck_soft_gidx(k, j, f) (like Cg, for the
 * group kernels); the kp cluster weights follow, at ck_soft_sums_len. That offset is the same for both
 * layouts, so the chunk groups (and the summation order) do not depend on which one is used. */
static int64_t ck_soft_sums_len(int64_t d, int64_t k)
{
    const int64_t by_feature = d * ck_soft_kpad(k), by_cluster = k * ck_soft_dgroup(d);
    return by_feature > by_cluster ? by_feature : by_cluster;
}

/* Where element (j, f) of a step's sums lies (ck_soft_sums_len). */
static inline int64_t ck_soft_sum_at(int groups, int64_t k, int64_t kp, int64_t j, int64_t f)
{ return groups ? ck_soft_gidx(k, j, f) : f * kp + j; }

/* The responsibilities of a block's rows at once; defined after ck_dtypes.h (its SIMD helpers).
 * DT[j * ld + r] (j < k, r < nr): the squared distances of row r (overwritten). As ck_soft_row_resp
 * on each row, with the same operations in the same order per row, so the same bits: w (the
 * block's weights, NULL = 1), respT (OUT, may be NULL) r_rj (times w_r when scale_by_weight) at
 * respT[j * ld + r] (may be DT), labels (OUT, may be NULL); returns the rows' free energy summed in row order.
 * scratch: k doubles (the portable path). Vectors run across rows, where one row's k values were a
 * chain of latencies (sqrt, exp, divide) nothing else overlapped. */
static double ck_soft_block_resp(double *DT, int64_t ld, int64_t nr, int64_t k, double beta, int distance,
                                 const double *w, double *respT, int scale_by_weight, int32_t *labels,
                                 double *scratch);

/* out[r * k + j] = T[j * ld + r] (r < nr, j < k): a block's responsibilities by row, as the M-step and
 * the caller read them. Also adds them to wsum[j] (when not NULL) in row order. */
static void ck_soft_by_row(const double *T, int64_t ld, int64_t nr, int64_t k, double *out, double *wsum)
{
    for (int64_t r = 0; r < nr; r++)
        for (int64_t j = 0; j < k; j++) {
            out[r * k + j] = T[j * ld + r];
            if (wsum) wsum[j] += T[j * ld + r];
        }
}

/* Buffers of a fused step: group sums (ck_soft_sums_len, then kp weights), the merged sums and
 * per-chunk energies. */
static int ck_soft_bufs(int64_t n, int64_t d, int64_t k, double **gbuf, int64_t *n_groups, double **merged,
                        double **chunk_energy)
{
    const int64_t kp = ck_soft_kpad(k), stride = ck_soft_sums_len(d, k) + kp, n_chunks = ck_n_chunks(n);
    *n_groups = ck_groups_plan(n_chunks, stride);
    *gbuf = malloc((size_t)(*n_groups * stride) * sizeof(double));
    *merged = malloc((size_t)stride * sizeof(double));
    *chunk_energy = malloc((size_t)n_chunks * sizeof(double));
    if (*gbuf && *merged && *chunk_energy) return CK_OK;
    free(*gbuf);
    free(*merged);
    free(*chunk_energy);
    *gbuf = *merged = *chunk_energy = NULL;
    return CK_ERR_NOMEM;
}

/* Appends the set bits of mask (features f0 + bit, ascending) to the row's nonzero list. Returns the
 * new length. */
static inline int64_t ck_soft_mask_features(uint64_t mask, int64_t f0, int64_t *feat, int64_t m)
{
    while (mask) {
        feat[m++] = f0 + __builtin_ctzll(mask);
        mask &= mask - 1;
    }
    return m;
}

/* The kernels every dtype runs on a row's nonzero list; defined after ck_dtypes.h (its SIMD helpers). */
static void ck_soft_dots(const int64_t *off, const double *val, int64_t m, const double *CT, int64_t kp,
                         double *out, double *xx);
static void ck_soft_scatter(const int64_t *off, const double *val, int64_t m, const double *r, int64_t kp,
                            double *sums);

/* The dense-block kernels, on rows widened to double; defined after ck_dtypes.h (its SIMD helpers). */
static void ck_soft_sqdist(const double *X, int64_t nr, int64_t d, const double *C, int64_t k, double *out,
                           int64_t ld);
static void ck_soft_accumulate(const double *X, int64_t nb, int64_t d, const double *rw, int64_t k,
                               double *sums);

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
static void ck_soft_widen_f32(const float *x, int64_t len, double *out)
{
    for (int64_t e = 0; e < len; e++) out[e] = x[e];
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
static void ck_soft_widen_u8(const uint8_t *x, int64_t len, double *out)
{
    for (int64_t e = 0; e < len; e++) out[e] = x[e];
}

/* Centres in blocks of at most maxj, the blocks as even as possible (k = 10, maxj = 5: 5 + 5): a
 * narrow block is bound by the FMA latency, not throughput. Block g covers centres [j0, j0 + jn). */
static inline int64_t ck_soft_n_jblocks(int64_t k, int64_t maxj) { return (k + maxj - 1) / maxj; }

static inline void ck_soft_jblock(int64_t k, int64_t maxj, int64_t g, int64_t *j0, int64_t *jn)
{
    const int64_t n_blocks = ck_soft_n_jblocks(k, maxj), q = k / n_blocks, extra = k % n_blocks;
    *jn = q + (g < extra);
    *j0 = g * q + (g < extra ? g : extra);
}

/* Bit q of the result: byte q of mask is nonzero (the 8-feature group q of a 64-feature word holds
 * a nonzero). */
static inline unsigned ck_soft_byte_flags(uint64_t mask)
{
    mask |= mask >> 4;
    mask |= mask >> 2;
    mask |= mask >> 1;
    return (unsigned)(((mask & 0x0101010101010101u) * 0x0102040810204080u) >> 56);
}

#if defined(__x86_64__) && defined(__GNUC__) /* (CK_HAVE_X86_SIMD, defined by ck_dtypes.h below) */
#include <immintrin.h>
/* One unit of the group kernels' work done: fetch the next two lines of what is ahead towards L1. */
static inline __attribute__((always_inline)) void ck_soft_fetch_ahead(ck_soft_ahead *a)
{
    if (a->line < a->end) {
        _mm_prefetch(a->line, _MM_HINT_T0);
        _mm_prefetch(a->line + 64, _MM_HINT_T0);
        a->line += 128;
    }
}

/* Lane i of the result: the sum of the 8 lanes of a[i] (a fixed tree: pairs, then 128-bit halves,
 * then 256-bit halves). */
static inline __attribute__((always_inline, target("avx512f"))) __m512d ck_soft_hsum8(const __m512d a[8])
{
    __m512d b[4], e[2];
    for (int i = 0; i < 4; i++)
        b[i] = _mm512_add_pd(_mm512_unpacklo_pd(a[2 * i], a[2 * i + 1]),
                             _mm512_unpackhi_pd(a[2 * i], a[2 * i + 1]));
    for (int i = 0; i < 2; i++)
        e[i] = _mm512_add_pd(_mm512_shuffle_f64x2(b[2 * i], b[2 * i + 1], 0x88),
                             _mm512_shuffle_f64x2(b[2 * i], b[2 * i + 1], 0xdd));
    return _mm512_add_pd(_mm512_shuffle_f64x2(e[0], e[1], 0x88), _mm512_shuffle_f64x2(e[0], e[1], 0xdd));
}

/* The 8-feature groups that hold a nonzero (bit g % 64 of gmask[g / 64]) from a row's nonzero
 * bitmask (words 64-bit words): group g is byte g of the bitmask. 16 bytes per compare; each word of
 * gmask is formed in a register (or-ing into memory chained every step on store forwarding). */
static inline __attribute__((always_inline, target("avx2"))) void
ck_soft_group_mask(const uint64_t *mask, int64_t words, uint64_t *gmask, int64_t gwords)
{
    for (int64_t wo = 0; wo < gwords; wo++) {
        uint64_t bits = 0;
        for (int64_t w = 8 * wo; w < words && w < 8 * wo + 8; w += 2) {
            const __m128i v = w + 2 <= words ? _mm_loadu_si128((const __m128i *)(const void *)(mask + w))
                                             : _mm_loadl_epi64((const __m128i *)(const void *)(mask + w));
            const uint64_t flags =
                ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())) & 0xffffu;
            bits |= flags << (8 * (w % 8));
        }
        gmask[wo] = bits;
    }
}
#endif

/* ---- what every soft fit shares, whatever the layout of X (dense rows or CSR) ---- */

/* The kernels run one convention, exp(-beta D) with D a Euclidean or squared Euclidean distance.
 * Spherical soft k-means (unit rows and centres) wants exp(beta cos(x, c)): D = 1 - cos =
 * ||x - c||^2 / 2, that is the squared distance at beta / 2, whose free energy is twice F. Halving
 * beta and then the energy is exact in binary, so these are D = ||x - c||^2 / 2's bits. */
static double ck_soft_kernel_beta(const ck_soft_params *p, double beta, int *distance)
{
    *distance = p->spherical ? CK_SOFT_SQEUCLIDEAN : p->distance;
    return p->spherical ? 0.5 * beta : beta;
}

static double ck_soft_energy_scale(const ck_soft_params *p) { return p->spherical ? 0.5 : 1.0; }

/* Spherical: new centres scaled to unit norm (ck_unit_rows); returns ||C_new - C_old||_F. */
static double ck_soft_unit_centres(double *C_new, const double *C_old, int64_t k, int64_t d)
{
    ck_unit_rows_f64(C_new, k, d);
    return sqrt(ck_shift_f64(C_new, C_old, k * d));
}

/* The parameters every call reads (the steps: betas[0]; the data's checks are the caller's). */
static int ck_soft_check_step(const ck_soft_params *p)
{ return !p || p->n_betas < 1 || !p->betas || (p->spherical != 0 && p->spherical != 1) ? CK_ERR_ARG : CK_OK; }

/* ...and those only a fit reads: the schedule's betas it will use, max_iter, tol. */
static int ck_soft_check_fit(const ck_soft_params *p)
{
    if (ck_soft_check_step(p) != CK_OK || p->max_iter < 1 || !(p->tol >= 0) || isinf(p->tol))
        return CK_ERR_ARG;
    const int64_t n_used = p->n_betas < p->max_iter ? p->n_betas : p->max_iter;
    for (int64_t t = 0; t < n_used; t++)
        if (!ck_soft_check_beta(p->betas[t])) return CK_ERR_SOFT_BETA;
    return CK_OK;
}

/* A fit's layout-specific parts, on centres held in double: step() runs one fused iteration from
 * C_old (C_new, the free energy of C_old, ||C_new - C_old||_F), estep() fills a result's
 * responsibilities, labels and objective; both take the kernels' beta and distance
 * (ck_soft_kernel_beta). */
typedef struct {
    int (*step)(void *ctx, const double *C_old, double beta, int distance, double *C_new, double *energy,
                double *shift);
    int (*estep)(void *ctx, const double *C, double beta, int distance, ck_soft_result *result);
    void *ctx;
    int float_centres; /* the caller's centres are float: the final E-step sees them rounded */
} ck_soft_driver;

/* The iterations of every soft fit (ck_soft_kmeans_fit_*'s contract): *cur holds the initial centres
 * and, on return, the final ones (on CK_ERR_CANCELLED, those of the last finished iteration); *other
 * is scratch of the same size (the two are swapped after every step). */
static int ck_soft_fit_loop(const ck_soft_driver *drv, int64_t k, int64_t d, const ck_soft_params *params,
                            double **cur, double **other, ck_soft_result *result)
{
    const int64_t n_betas = params->n_betas;
    const int max_iter = params->max_iter;
    const double scale = ck_soft_energy_scale(params);
    const volatile int *cancel = ck_cancel_of(params->cancel);
    int status = CK_OK, it = 0, on_tol = 0, distance;
    double beta = params->betas[0];
    for (; it < max_iter; it++) {
        if (ck_cancelled(cancel)) {
            status = CK_ERR_CANCELLED;
            break;
        }
        /* Past the end of the schedule the last beta holds. */
        beta = params->betas[it < n_betas ? it : n_betas - 1];
        double energy, shift;
        const double kbeta = ck_soft_kernel_beta(params, beta, &distance);
        status = drv->step(drv->ctx, *cur, kbeta, distance, *other, &energy, &shift);
        if (status != CK_OK) break;
        energy *= scale;
        if (params->spherical) shift = ck_soft_unit_centres(*other, *cur, k, d);
        if (result->objective_history) result->objective_history[it] = energy;
        double *t = *cur;
        *cur = *other;
        *other = t;
        if (params->callback) {
            const ck_iter_info info = { it, energy, shift, -1, beta };
            if (params->callback(params->callback_data, &info)) {
                status = CK_ERR_CANCELLED;
                it++;
                break;
            }
        }
        /* The notebook's rule: the Frobenius norm of the centre change below tol (never for tol 0). */
        if (shift < params->tol) {
            on_tol = 1;
            it++;
            break;
        }
    }
    /* One more E-step so responsibilities, labels and the free energy belong to the returned centres
     * (and to the last beta used): rounded to the centroid type first, as the caller will see them. */
    if (status == CK_OK) {
        if (drv->float_centres)
            for (int64_t e = 0; e < k * d; e++) (*cur)[e] = (double)(float)(*cur)[e];
        const double kbeta = ck_soft_kernel_beta(params, beta, &distance);
        status = drv->estep(drv->ctx, *cur, kbeta, distance, result);
        result->objective *= scale;
    }
    if (status == CK_OK || status == CK_ERR_CANCELLED) {
        result->n_iter = it;
        result->converged = on_tol;
    }
    return status;
}

#define CK_TPL "soft_kmeans_tpl.h"
#include "ck_dtypes.h"

/* Soft k-means on CSR rows: the same loop, E-step arithmetic and row kernels. */
#undef CK_TPL
#define CK_TPL "soft_sparse_tpl.h"
#include "ck_csr_dtypes.h"

/* Calls name_avx2 where AVX2/FMA are usable (ck_simd_avx2), else the portable name_scalar. */
#if CK_HAVE_X86_SIMD
#define CK_SOFT_DISPATCH(name, ...)                                                                          \
    do {                                                                                                     \
        if (ck_simd_avx2()) name##_avx2(__VA_ARGS__);                                                        \
        else name##_scalar(__VA_ARGS__);                                                                     \
    } while (0)
#else
#define CK_SOFT_DISPATCH(name, ...) name##_scalar(__VA_ARGS__)
#endif

/* ---- dense blocks: rows widened to double, then register tiles ----
 * out[j * ld + r] = ||x_r - c_j||^2 by differences in double (the notebook's cdist): on dense rows the
 * expansion would save no pass over the features, so it is not worth its guard. */
static void ck_soft_sqdist_scalar(const double *X, int64_t nr, int64_t d, const double *C, int64_t k,
                                  double *out, int64_t ld)
{
    for (int64_t r = 0; r < nr; r++)
        for (int64_t j = 0; j < k; j++) {
            const double *x = X + r * d;
            const double *c = C + j * d;
            double s = 0.0;
            for (int64_t f = 0; f < d; f++) {
                const double t = x[f] - c[f];
                s += t * t;
            }
            out[j * ld + r] = s;
        }
}

#if CK_HAVE_X86_SIMD
/* Centres are taken in blocks of at most CK_SOFT_MAXJ (ck_soft_jblock), so no centre is left to a
 * narrow tile: a tile of fewer than 8 independent FMA chains waits on the FMA latency instead of
 * filling both FMA pipes. */
#define CK_SOFT_MAXJ 5

static inline double ck_soft_tail(const double *x, const double *c, int64_t f, int64_t d, double s)
{
    for (; f < d; f++) {
        const double t = x[f] - c[f];
        s += t * t;
    }
    return s;
}

/* R rows x J centres of squared distances by differences, 4 features per vector: R + J loads, R * J
 * subtractions and FMAs per step (the subtractions go to the FP add pipes, beside the FMAs). R and J
 * are compile-time constants at every call (always_inline), so acc lives in registers. Each distance
 * is its own 4 lane sums added by ck_hsum_pd, then the tail: the tile shape never changes a value. */
static inline __attribute__((always_inline, target("avx2,fma"))) void
ck_soft_dist_tile(const double *X, int64_t d, const double *C, int64_t ld, double *out, const int R,
                  const int J)
{
    const int64_t dv = d - d % 4;
    __m256d acc[8][CK_SOFT_MAXJ];
    for (int r = 0; r < R; r++)
        for (int j = 0; j < J; j++) acc[r][j] = _mm256_setzero_pd();
    for (int64_t f = 0; f < dv; f += 4) {
        __m256d c[CK_SOFT_MAXJ];
        for (int j = 0; j < J; j++) c[j] = _mm256_loadu_pd(C + j * d + f);
        for (int r = 0; r < R; r++) {
            const __m256d x = _mm256_loadu_pd(X + r * d + f);
            for (int j = 0; j < J; j++) {
                const __m256d t = _mm256_sub_pd(x, c[j]);
                acc[r][j] = _mm256_fmadd_pd(t, t, acc[r][j]);
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int j = 0; j < J; j++)
            out[j * ld + r] = ck_soft_tail(X + r * d, C + j * d, dv, d, ck_hsum_pd(acc[r][j]));
}

/* Rows per distance tile for J centres: R * J in 8..10 accumulators (of the 16 vector registers). */
#define CK_SOFT_DIST_CASE(J, R)                                                                              \
    case J:                                                                                                  \
        for (; r + R <= nr; r += R, x += R * d, o += R) ck_soft_dist_tile(x, d, Cg, ld, o, R, J);            \
        for (; r < nr; r++, x += d, o++) ck_soft_dist_tile(x, d, Cg, ld, o, 1, J);                           \
        break;

static __attribute__((target("avx2,fma"))) void ck_soft_sqdist_avx2(const double *X, int64_t nr, int64_t d,
                                                                    const double *C, int64_t k, double *out,
                                                                    int64_t ld)
{
    const int64_t n_groups = ck_soft_n_jblocks(k, CK_SOFT_MAXJ);
    for (int64_t g = 0; g < n_groups; g++) {
        int64_t j0, jn, r = 0;
        ck_soft_jblock(k, CK_SOFT_MAXJ, g, &j0, &jn);
        const double *Cg = C + j0 * d, *x = X;
        double *o = out + j0 * ld;
        switch (jn) {
            CK_SOFT_DIST_CASE(1, 8)
            CK_SOFT_DIST_CASE(2, 4)
            CK_SOFT_DIST_CASE(3, 3)
            CK_SOFT_DIST_CASE(4, 2)
            CK_SOFT_DIST_CASE(5, 2)
        }
    }
}
#undef CK_SOFT_DIST_CASE
#endif

static void ck_soft_sqdist(const double *X, int64_t nr, int64_t d, const double *C, int64_t k, double *out,
                           int64_t ld)
{ CK_SOFT_DISPATCH(ck_soft_sqdist, X, nr, d, C, k, out, ld); }

/* sums[j] += sum_r rw[r * k + j] x_r over the nb rows of a block: the block's partial sum of every
 * element is formed from 0 in row order, then added to sums (a fixed association: blocks depend on
 * n_features only, never on threads or dtype). Portable path; the AVX2 one below keeps the same
 * order but fuses each multiply-add. */
static void ck_soft_accumulate_scalar(const double *X, int64_t nb, int64_t d, const double *rw, int64_t k,
                                      double *sums)
{
    for (int64_t j = 0; j < k; j++)
        for (int64_t f0 = 0; f0 < d; f0 += 8) {
            const int64_t nf = d - f0 < 8 ? d - f0 : 8;
            double acc[8] = { 0 };
            for (int64_t r = 0; r < nb; r++) {
                const double rj = rw[r * k + j];
                for (int64_t l = 0; l < nf; l++) acc[l] += rj * X[r * d + f0 + l];
            }
            for (int64_t l = 0; l < nf; l++) sums[j * d + f0 + l] += acc[l];
        }
}

#if CK_HAVE_X86_SIMD
/* R^T X as a small matrix product: J clusters x 4V features stay in registers for all the rows of the
 * block; each row costs V loads, J broadcasts and J * V FMAs. Every element is still summed from 0 in
 * row order with one FMA per row, so the tile shape never changes a value. */
static inline __attribute__((always_inline, target("avx2,fma"))) void
ck_soft_acc_tile(const double *X, int64_t nb, int64_t d, const double *rw, int64_t k, double *sums,
                 const int J, const int V)
{
    __m256d acc[CK_SOFT_MAXJ][8];
    for (int j = 0; j < J; j++)
        for (int v = 0; v < V; v++) acc[j][v] = _mm256_setzero_pd();
    for (int64_t r = 0; r < nb; r++) {
        __m256d x[8];
        for (int v = 0; v < V; v++) x[v] = _mm256_loadu_pd(X + r * d + 4 * v);
        for (int j = 0; j < J; j++) {
            const __m256d t = _mm256_broadcast_sd(rw + r * k + j);
            for (int v = 0; v < V; v++) acc[j][v] = _mm256_fmadd_pd(t, x[v], acc[j][v]);
        }
    }
    for (int j = 0; j < J; j++)
        for (int v = 0; v < V; v++) {
            double *p = sums + j * d + 4 * v;
            _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), acc[j][v]));
        }
}

/* Feature vectors per tile for J clusters: J * V in 8..10 accumulators; the last features of a row
 * go 4 at a time (V = 1), then the scalar tail. */
#define CK_SOFT_ACC_CASE(J, V)                                                                               \
    case J:                                                                                                  \
        for (; f + 4 * V <= d; f += 4 * V) ck_soft_acc_tile(X + f, nb, d, rwg, k, sg + f, J, V);             \
        for (; f + 4 <= d; f += 4) ck_soft_acc_tile(X + f, nb, d, rwg, k, sg + f, J, 1);                     \
        break;

static __attribute__((target("avx2,fma"))) void
ck_soft_accumulate_avx2(const double *X, int64_t nb, int64_t d, const double *rw, int64_t k, double *sums)
{
    const int64_t n_groups = ck_soft_n_jblocks(k, CK_SOFT_MAXJ), d4 = d - d % 4;
    for (int64_t g = 0; g < n_groups; g++) {
        int64_t j0, jn, f = 0;
        ck_soft_jblock(k, CK_SOFT_MAXJ, g, &j0, &jn);
        const double *rwg = rw + j0;
        double *sg = sums + j0 * d;
        switch (jn) {
            CK_SOFT_ACC_CASE(1, 8)
            CK_SOFT_ACC_CASE(2, 4)
            CK_SOFT_ACC_CASE(3, 3)
            CK_SOFT_ACC_CASE(4, 2)
            CK_SOFT_ACC_CASE(5, 2)
        }
    }
    if (d4 < d)
        for (int64_t j = 0; j < k; j++)
            for (int64_t f = d4; f < d; f++) {
                double acc = 0.0;
                for (int64_t r = 0; r < nb; r++) acc += rw[r * k + j] * X[r * d + f];
                sums[j * d + f] += acc;
            }
}
#undef CK_SOFT_ACC_CASE
#endif

static void ck_soft_accumulate(const double *X, int64_t nb, int64_t d, const double *rw, int64_t k,
                               double *sums)
{ CK_SOFT_DISPATCH(ck_soft_accumulate, X, nb, d, rw, k, sums); }

/* ---- sparse rows: a row's nonzero list ---- */
/* out[j] = x . c_j (j < kp) over the row's nonzero features only: a zero feature would add an exact
 * 0 (x_f c_f = +-0), so skipping it changes no bit of a sum kept in feature order. Two partial sums
 * per centre (even and odd positions in the list), added at the end; *xx = ||x||^2 the same way
 * (computed beside the dots, where the loads are already paid). The AVX2 path keeps this order,
 * with each multiply-add fused. */
static void ck_soft_dots_scalar(const int64_t *off, const double *val, int64_t m, const double *CT,
                                int64_t kp, double *out, double *xx)
{
    for (int64_t j = 0; j <= kp; j++) {
        /* j = kp: ||x||^2 */
        double a = 0.0, b = 0.0;
        int64_t t = 0;
        for (; t + 2 <= m; t += 2) {
            a += val[t] * (j < kp ? CT[off[t] + j] : val[t]);
            b += val[t + 1] * (j < kp ? CT[off[t + 1] + j] : val[t + 1]);
        }
        if (t < m) a += val[t] * (j < kp ? CT[off[t] + j] : val[t]);
        *(j < kp ? out + j : xx) = a + b;
    }
}

/* sums[f * kp + j] += r_j x_f for the row's nonzero features (a zero feature would add an exact 0). */
static void ck_soft_scatter_scalar(const int64_t *off, const double *val, int64_t m, const double *r,
                                   int64_t kp, double *sums)
{
    for (int64_t t = 0; t < m; t++)
        for (int64_t j = 0; j < kp; j++) sums[off[t] + j] += r[j] * val[t];
}

#if CK_HAVE_X86_SIMD
/* Centres V ymm vectors (4V <= 16) then H (0 or 1) xmm vectors at a time; the two partial sums give
 * 2 (V + H) independent FMA chains. */
static inline __attribute__((always_inline, target("avx2,fma"))) void
ck_soft_dots_tile(const int64_t *off, const double *val, int64_t m, const double *CT, double *out, double *xx,
                  const int V, const int H)
{
    __m256d a[4], b[4], qa = _mm256_setzero_pd(), qb = _mm256_setzero_pd();
    __m128d ah = _mm_setzero_pd(), bh = _mm_setzero_pd();
    for (int v = 0; v < V; v++) a[v] = b[v] = _mm256_setzero_pd();
    int64_t t = 0;
    for (; t + 2 <= m; t += 2) {
        const double *p = CT + off[t], *q = CT + off[t + 1];
        const __m256d x = _mm256_broadcast_sd(val + t), y = _mm256_broadcast_sd(val + t + 1);
        for (int v = 0; v < V; v++) {
            a[v] = _mm256_fmadd_pd(x, _mm256_loadu_pd(p + 4 * v), a[v]);
            b[v] = _mm256_fmadd_pd(y, _mm256_loadu_pd(q + 4 * v), b[v]);
        }
        if (H) {
            ah = _mm_fmadd_pd(_mm256_castpd256_pd128(x), _mm_loadu_pd(p + 4 * V), ah);
            bh = _mm_fmadd_pd(_mm256_castpd256_pd128(y), _mm_loadu_pd(q + 4 * V), bh);
        }
        qa = _mm256_fmadd_pd(x, x, qa);
        qb = _mm256_fmadd_pd(y, y, qb);
    }
    if (t < m) {
        const __m256d x = _mm256_broadcast_sd(val + t);
        for (int v = 0; v < V; v++) a[v] = _mm256_fmadd_pd(x, _mm256_loadu_pd(CT + off[t] + 4 * v), a[v]);
        if (H) ah = _mm_fmadd_pd(_mm256_castpd256_pd128(x), _mm_loadu_pd(CT + off[t] + 4 * V), ah);
        qa = _mm256_fmadd_pd(x, x, qa);
    }
    for (int v = 0; v < V; v++) _mm256_storeu_pd(out + 4 * v, _mm256_add_pd(a[v], b[v]));
    if (H) _mm_storeu_pd(out + 4 * V, _mm_add_pd(ah, bh));
    *xx = _mm256_cvtsd_f64(_mm256_add_pd(qa, qb));
}

static inline __attribute__((always_inline, target("avx2,fma"))) void
ck_soft_scatter_tile(const int64_t *off, const double *val, int64_t m, const double *r, double *sums,
                     const int V, const int H)
{
    __m256d rv[4];
    for (int v = 0; v < V; v++) rv[v] = _mm256_loadu_pd(r + 4 * v);
    const __m128d rh = H ? _mm_loadu_pd(r + 4 * V) : _mm_setzero_pd();
    for (int64_t t = 0; t < m; t++) {
        const __m256d x = _mm256_broadcast_sd(val + t);
        double *s = sums + off[t];
        for (int v = 0; v < V; v++)
            _mm256_storeu_pd(s + 4 * v, _mm256_fmadd_pd(rv[v], x, _mm256_loadu_pd(s + 4 * v)));
        if (H) _mm_storeu_pd(s + 4 * V, _mm_fmadd_pd(rh, _mm256_castpd256_pd128(x), _mm_loadu_pd(s + 4 * V)));
    }
}

/* Blocks of up to 16 centres (kp even: 4V + 2H of them); V and H are compile-time constants in every
 * case (always_inline). */
#define CK_SOFT_BY_VECTORS(call)                                                                             \
    for (int64_t j0 = 0; j0 < kp; j0 += 16) {                                                                \
        switch (kp - j0 >= 16 ? 8 : (kp - j0) / 2) {                                                         \
        case 1: call(0, 1); break;                                                                           \
        case 2: call(1, 0); break;                                                                           \
        case 3: call(1, 1); break;                                                                           \
        case 4: call(2, 0); break;                                                                           \
        case 5: call(2, 1); break;                                                                           \
        case 6: call(3, 0); break;                                                                           \
        case 7: call(3, 1); break;                                                                           \
        default: call(4, 0); break;                                                                          \
        }                                                                                                    \
    }

/* (||x||^2 comes with every block; the first block's is kept) */
static __attribute__((target("avx2,fma"))) void ck_soft_dots_avx2(const int64_t *off, const double *val,
                                                                  int64_t m, const double *CT, int64_t kp,
                                                                  double *out, double *xx)
{
    double xx_block;
#define CK_SOFT_DOTS(V, H) ck_soft_dots_tile(off, val, m, CT + j0, out + j0, j0 ? &xx_block : xx, V, H)
    CK_SOFT_BY_VECTORS(CK_SOFT_DOTS)
#undef CK_SOFT_DOTS
}

static __attribute__((target("avx2,fma"))) void ck_soft_scatter_avx2(const int64_t *off, const double *val,
                                                                     int64_t m, const double *r, int64_t kp,
                                                                     double *sums){
#define CK_SOFT_SCATTER(V, H) ck_soft_scatter_tile(off, val, m, r + j0, sums + j0, V, H)
    CK_SOFT_BY_VECTORS(CK_SOFT_SCATTER)
#undef CK_SOFT_SCATTER
}
#undef CK_SOFT_BY_VECTORS
#endif

/* ln(DBL_MIN): below it exp is subnormal, so the responsibility it gives (exp / s with s >= 1) is
 * flushed to 0 anyway, and computing it would take slow paths (glibc's, subnormal arithmetic); at
 * beta D in the hundreds (raw pixels) a good share of all arguments (MNIST, beta 1: 14-19% of all
 * pairs). */
#define CK_SOFT_EXP_MIN (-708.3964185322641)

static void ck_soft_exp_scalar(double *a, int64_t n)
{
    for (int64_t j = 0; j < n; j++) a[j] = a[j] < CK_SOFT_EXP_MIN ? 0.0 : exp(a[j]);
}

#if CK_HAVE_X86_SIMD
/* exp(x) for x in [CK_SOFT_EXP_MIN, 0], 4 at a time, within 2 ulp of libm's (tested on 4M points of [-750, 0];
 * the last bit of a responsibility may differ from the portable path): x = n ln2 + r with
 * |r| <= ln2 / 2 (ln2 split in two, the high part with 32 trailing zero bits so n ln2_hi and
 * x - n ln2_hi are exact), exp(r) by its Taylor polynomial of degree 13 (truncation < 1e-17), then
 * times 2^n in two halves so a result just below DBL_MIN (at the cut) is rounded once. exp(0) = 1
 * exactly; below CK_SOFT_EXP_MIN the result is 0. A masked-off lane reads 0 (exp(0), discarded). */
static inline __attribute__((always_inline, target("avx2,fma"))) __m256d ck_soft_exp4(__m256d x_in)
{
    /* the lanes that come out 0 are computed as exp(0) and discarded: a product that underflows takes
     * the slow path (microcode) even in a lane thrown away after */
    const __m256d cut = _mm256_cmp_pd(x_in, _mm256_set1_pd(CK_SOFT_EXP_MIN), _CMP_LT_OQ);
    const __m256d x = _mm256_andnot_pd(cut, x_in);
    const __m256d n = _mm256_round_pd(_mm256_mul_pd(x, _mm256_set1_pd(1.4426950408889634)),
                                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(6.93147180369123816490e-01), x);
    r = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.90821492927058770002e-10), r);
    static const double inv_fact[14] = { 1.0,
                                         1.0,
                                         1.0 / 2,
                                         1.0 / 6,
                                         1.0 / 24,
                                         1.0 / 120,
                                         1.0 / 720,
                                         1.0 / 5040,
                                         1.0 / 40320,
                                         1.0 / 362880,
                                         1.0 / 3628800,
                                         1.0 / 39916800,
                                         1.0 / 479001600,
                                         1.0 / 6227020800.0 };
    /* Estrin's scheme: 4 FMAs deep instead of Horner's 13 (the latency of a row's responsibilities) */
    __m256d pairs[7];
    for (int e = 0; e < 7; e++)
        pairs[e] = _mm256_fmadd_pd(_mm256_set1_pd(inv_fact[2 * e + 1]), r, _mm256_set1_pd(inv_fact[2 * e]));
    const __m256d r2 = _mm256_mul_pd(r, r), r4 = _mm256_mul_pd(r2, r2), r8 = _mm256_mul_pd(r4, r4);
    const __m256d q0 = _mm256_fmadd_pd(pairs[1], r2, pairs[0]), q1 = _mm256_fmadd_pd(pairs[3], r2, pairs[2]);
    const __m256d q2 = _mm256_fmadd_pd(pairs[5], r2, pairs[4]);
    const __m256d p = _mm256_fmadd_pd(_mm256_fmadd_pd(pairs[6], r4, q2), r8, _mm256_fmadd_pd(q1, r4, q0));
    const __m128i ni = _mm256_cvtpd_epi32(n), half = _mm_srai_epi32(ni, 1);
    const __m256i bias = _mm256_set1_epi64x(1023);
    const __m256d s1 =
        _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(_mm256_cvtepi32_epi64(half), bias), 52));
    const __m256d s2 = _mm256_castsi256_pd(
        _mm256_slli_epi64(_mm256_add_epi64(_mm256_cvtepi32_epi64(_mm_sub_epi32(ni, half)), bias), 52));
    const __m256d y = _mm256_mul_pd(_mm256_mul_pd(p, s1), s2);
    return _mm256_andnot_pd(cut, y);
}

static __attribute__((target("avx2,fma"))) void ck_soft_exp_avx2(double *a, int64_t n)
{
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) _mm256_storeu_pd(a + j, ck_soft_exp4(_mm256_loadu_pd(a + j)));
    if (j < n) {
        const __m256i lanes = _mm256_cmpgt_epi64(_mm256_set1_epi64x(n - j), _mm256_setr_epi64x(0, 1, 2, 3));
        _mm256_maskstore_pd(a + j, lanes, ck_soft_exp4(_mm256_maskload_pd(a + j, lanes)));
    }
}
#endif

static double ck_soft_block_resp_scalar(double *DT, int64_t ld, int64_t nr, int64_t k, double beta,
                                        int distance, const double *w, double *respT, int scale_by_weight,
                                        int32_t *labels, double *scratch)
{
    double e = 0.0;
    for (int64_t r = 0; r < nr; r++) {
        for (int64_t j = 0; j < k; j++) scratch[j] = DT[j * ld + r];
        e += ck_soft_row_resp(scratch, k, beta, distance, w ? w[r] : 1.0, respT ? scratch : NULL,
                              scale_by_weight, labels ? labels + r : NULL);
        if (respT)
            for (int64_t j = 0; j < k; j++) respT[j * ld + r] = scratch[j];
    }
    return e;
}

#if CK_HAVE_X86_SIMD
/* 4 rows per vector (lane l: row q + l); a short last quad is masked (its lanes read 0). */
static __attribute__((target("avx2,fma"))) double
ck_soft_block_resp_avx2(double *DT, int64_t ld, int64_t nr, int64_t k, double beta, int distance,
                        const double *w, double *respT, int scale_by_weight, int32_t *labels, double *scratch)
{
    const __m256d neg_beta = _mm256_set1_pd(-beta);
    double e = 0.0;
    for (int64_t q = 0; q < nr; q += 4) {
        const __m256i lanes = _mm256_cmpgt_epi64(_mm256_set1_epi64x(nr - q), _mm256_setr_epi64x(0, 1, 2, 3));
        const int full = q + 4 <= nr; /* masked stores are slow (microcoded on some AMD cores) */
#define CK_SOFT_LOAD4(p) (full ? _mm256_loadu_pd(p) : _mm256_maskload_pd(p, lanes))
#define CK_SOFT_STORE4(p, v)                                                                                 \
    do {                                                                                                     \
        if (full) _mm256_storeu_pd(p, v);                                                                    \
        else _mm256_maskstore_pd(p, lanes, v);                                                               \
    } while (0)
        double *col = DT + q;
        __m256d dmin = _mm256_setzero_pd(), best = _mm256_setzero_pd(), s = _mm256_setzero_pd();
        for (int64_t j = 0; j < k; j++) {
            __m256d D = CK_SOFT_LOAD4(col + j * ld);
            if (distance == CK_SOFT_EUCLIDEAN) D = _mm256_sqrt_pd(D);
            const __m256d closer = j ? _mm256_cmp_pd(D, dmin, _CMP_LT_OQ) : _mm256_castsi256_pd(lanes);
            dmin = _mm256_blendv_pd(dmin, D, closer);
            best = _mm256_blendv_pd(best, _mm256_set1_pd((double)j), closer);
            CK_SOFT_STORE4(col + j * ld, D);
        }
        for (int64_t j = 0; j < k; j++) {
            const __m256d D = CK_SOFT_LOAD4(col + j * ld);
            const __m256d ex = ck_soft_exp4(_mm256_mul_pd(neg_beta, _mm256_sub_pd(D, dmin)));
            CK_SOFT_STORE4(col + j * ld, ex);
            s = _mm256_add_pd(s, ex);
        }
        const __m256d wv = w ? CK_SOFT_LOAD4(w + q) : _mm256_set1_pd(1.0);
        if (respT) {
            const __m256d scale = scale_by_weight ? wv : _mm256_set1_pd(1.0),
                          tiny = _mm256_set1_pd(CK_SOFT_RESP_MIN);
#define CK_SOFT_FLUSH4(v) _mm256_and_pd(v, _mm256_cmp_pd(v, tiny, _CMP_GE_OQ)) /* as ck_soft_flush */
            for (int64_t j = 0; j < k; j++) {
                const __m256d r = CK_SOFT_FLUSH4(_mm256_div_pd(CK_SOFT_LOAD4(col + j * ld), s));
                CK_SOFT_STORE4(respT + j * ld + q, CK_SOFT_FLUSH4(_mm256_mul_pd(r, scale)));
            }
#undef CK_SOFT_FLUSH4
        }
#undef CK_SOFT_LOAD4
#undef CK_SOFT_STORE4
        double dm[4], sv[4], wl[4], bl[4];
        _mm256_storeu_pd(dm, dmin);
        _mm256_storeu_pd(sv, s);
        _mm256_storeu_pd(wl, wv);
        _mm256_storeu_pd(bl, best);
        for (int64_t l = 0; l < 4 && q + l < nr; l++) {
            e += wl[l] * (dm[l] - log(sv[l]) / beta);
            if (labels) labels[q + l] = (int32_t)bl[l];
        }
    }
    return e;
}
#endif

static double ck_soft_block_resp(double *DT, int64_t ld, int64_t nr, int64_t k, double beta, int distance,
                                 const double *w, double *respT, int scale_by_weight, int32_t *labels,
                                 double *scratch)
{
#if CK_HAVE_X86_SIMD
    if (ck_simd_avx2())
        return ck_soft_block_resp_avx2(DT, ld, nr, k, beta, distance, w, respT, scale_by_weight, labels,
                                       scratch);
#endif
    return ck_soft_block_resp_scalar(DT, ld, nr, k, beta, distance, w, respT, scale_by_weight, labels,
                                     scratch);
}

static void ck_soft_exp_nonpositive(double *a, int64_t n) { CK_SOFT_DISPATCH(ck_soft_exp, a, n); }

static void ck_soft_dots(const int64_t *off, const double *val, int64_t m, const double *CT, int64_t kp,
                         double *out, double *xx)
{ CK_SOFT_DISPATCH(ck_soft_dots, off, val, m, CT, kp, out, xx); }

static void ck_soft_scatter(const int64_t *off, const double *val, int64_t m, const double *r, int64_t kp,
                            double *sums)
{ CK_SOFT_DISPATCH(ck_soft_scatter, off, val, m, r, kp, sums); }

void ck_soft_params_init(ck_soft_params *params)
{
    memset(params, 0, sizeof(*params));
    params->distance = CK_SOFT_EUCLIDEAN;
    params->max_iter = 300;
    params->n_threads = 1;
}
