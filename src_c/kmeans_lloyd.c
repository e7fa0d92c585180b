/* Lloyd's algorithm: the fused assignment + weighted-sum pass, empty-cluster relocation, the
 * centroid update and the whole fit loop, for float32, float64 and uint8 X. No Python, no GIL. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ckmeans.h"
#include "ck_omp.h"
#include "ck_kmeans_internal.h"
#include "ck_cancel.h"

/* Buffers of one fit, allocated once and reused by every iteration. */
typedef struct {
    int64_t n_chunks, n_groups, stride; /* stride = k*d + k: a group's sums then its weights */
    double *gbuf; /* n_groups * stride: per-group partial sums */
    double *sums; /* stride: merged sums and weights */
    double *chunk_inertia; /* n_chunks */
    int64_t *group_changed; /* n_groups: labels that changed */
    void *c_sqnorm; /* n_clusters centroid squared norms (float or double) */
    double *x_sqnorm; /* n_samples row squared norms, or NULL */
    /* n_aw per-thread nearest-centroid scratches, set up by their thread on first use and kept for
     * the whole fit: at large k each holds k x d packed centroids, and allocating them afresh
     * every step costs page faults and zeroing. */
    ck_argmin_ws *aw;
    int n_aw;
    int spherical; /* ck_kmeans_params.spherical: centres scaled to unit norm after each update */
} ck_lloyd_ws;

static void ck_lloyd_ws_free(ck_lloyd_ws *ws)
{
    free(ws->gbuf);
    free(ws->sums);
    free(ws->chunk_inertia);
    free(ws->group_changed);
    free(ws->c_sqnorm);
    free(ws->x_sqnorm);
    for (int i = 0; ws->aw && i < ws->n_aw; i++) ck_argmin_ws_free(ws->aw + i);
    free(ws->aw);
    memset(ws, 0, sizeof(*ws));
}

static int ck_lloyd_ws_init(ck_lloyd_ws *ws, int64_t n, int64_t d, int64_t k, int with_x_sqnorm,
                            int n_threads)
{
    memset(ws, 0, sizeof(*ws));
    ws->stride = k * d + k;
    ws->n_chunks = ck_n_chunks(n);
    ws->n_groups = ck_groups_plan(ws->n_chunks, ws->stride);
    ws->gbuf = malloc((size_t)(ws->n_groups * ws->stride) * sizeof(double));
    ws->sums = malloc((size_t)ws->stride * sizeof(double));
    ws->chunk_inertia = malloc((size_t)(ws->n_chunks > 0 ? ws->n_chunks : 1) * sizeof(double));
    ws->group_changed = malloc((size_t)ws->n_groups * sizeof(int64_t));
    ws->c_sqnorm = malloc((size_t)k * sizeof(double));
    if (with_x_sqnorm) ws->x_sqnorm = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    ws->aw = calloc((size_t)n_threads, sizeof(ck_argmin_ws));
    ws->n_aw = n_threads;
    if (!ws->gbuf || !ws->sums || !ws->chunk_inertia || !ws->group_changed || !ws->c_sqnorm ||
        (with_x_sqnorm && !ws->x_sqnorm) || !ws->aw) {
        ck_lloyd_ws_free(ws);
        return CK_ERR_NOMEM;
    }
    return CK_OK;
}

/* A chunk's rows listed cluster by cluster, each cluster's rows in row order. Adding rows to their
 * clusters' sums in this order performs, for every sum, exactly the additions of the row-by-row loop
 * in the same order (the same bits), but one cluster's sums stay in L1 (or in registers) while its
 * rows go in, where the row-by-row loop sweeps all k of them (62 KB for MNIST at k=10, more than
 * L1D) and pays an L2 round trip per sum. Cluster touched[t] holds the chunk rows
 * order[off[t] .. off[t + 1]), clusters in order of first row. count: k entries, 0 between chunks
 * (a cluster's row count, then its next free place in order while filling). */
typedef struct {
    int32_t *count, *order, *touched, *off;
    int64_t n_touched;
} ck_by_cluster;

static void ck_by_cluster_free(ck_by_cluster *b)
{
    free(b->count);
    free(b->order);
    free(b->touched);
    free(b->off);
    memset(b, 0, sizeof(*b));
}

static int ck_by_cluster_init(ck_by_cluster *b, int64_t k)
{
    memset(b, 0, sizeof(*b));
    b->count = calloc((size_t)k, sizeof(int32_t));
    b->order = malloc((size_t)CK_CHUNK_ROWS * sizeof(int32_t));
    b->touched = malloc((size_t)CK_CHUNK_ROWS * sizeof(int32_t));
    b->off = malloc((size_t)(CK_CHUNK_ROWS + 1) * sizeof(int32_t));
    if (!b->count || !b->order || !b->touched || !b->off) {
        ck_by_cluster_free(b);
        return CK_ERR_NOMEM;
    }
    return CK_OK;
}

/* Lists the nr <= CK_CHUNK_ROWS rows of a chunk with labels lab (all in [0, k)): a stable counting
 * sort over the clusters present, O(nr) whatever k. */
static void ck_by_cluster_fill(ck_by_cluster *b, const int32_t *lab, int64_t nr)
{
    for (int64_t r = 0; r < nr; r++)
        if (b->count[lab[r]]++ == 0) b->touched[b->n_touched++] = lab[r];
    b->off[0] = 0;
    for (int64_t t = 0; t < b->n_touched; t++) {
        b->off[t + 1] = b->off[t] + b->count[b->touched[t]];
        b->count[b->touched[t]] = b->off[t];
    }
    for (int64_t r = 0; r < nr; r++) b->order[b->count[lab[r]]++] = (int32_t)r;
}

/* Empty again for the next chunk (O(clusters touched), not O(k)). */
static void ck_by_cluster_clear(ck_by_cluster *b)
{
    for (int64_t t = 0; t < b->n_touched; t++) b->count[b->touched[t]] = 0;
    b->n_touched = 0;
}

#if defined(__x86_64__) && defined(__GNUC__)
#define CK_INT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CK_INT_CLONES
#endif

/* Integer accumulation of unweighted uint8 rows (see step_u8): acc += x, exact. */
CK_INT_CLONES static void ck_add_row_u16(const uint8_t *x, int64_t d, uint16_t *acc)
{
    for (int64_t f = 0; f < d; f++) acc[f] = (uint16_t)(acc[f] + x[f]);
}

/* sums += acc (exact: integers far below 2^53), then acc = 0 for the next chunk. */
CK_INT_CLONES static void ck_flush_u16(uint16_t *acc, int64_t d, double *sums)
{
    for (int64_t f = 0; f < d; f++) {
        sums[f] += acc[f];
        acc[f] = 0;
    }
}

/* ck_row_lsb_f32 / _f64: see kmeans_lsb_tpl.h. 2^23 and 2^53 have even biased exponents. */
#define CK_LSB_FN ck_row_lsb_f32
#define CK_LSB_FT float
#define CK_LSB_UT uint32_t
#define CK_LSB_ST int32_t
#define CK_LSB_MANT 23
#define CK_LSB_BIAS 127
#define CK_LSB_SHIFT 0
#include "kmeans_lsb_tpl.h"
#define CK_LSB_FN ck_row_lsb_f64
#define CK_LSB_FT double
#define CK_LSB_UT uint64_t
#define CK_LSB_ST int64_t
#define CK_LSB_MANT 52
#define CK_LSB_BIAS 1023
#define CK_LSB_SHIFT 1
#include "kmeans_lsb_tpl.h"

/* The same facts for uint8 rows: integers, multiples of 2^0. */
CK_INT_CLONES static int32_t ck_row_lsb_u8(const uint8_t *x, int64_t d, double *absmax)
{
    uint8_t top = 0;
    for (int64_t f = 0; f < d; f++) top = x[f] > top ? x[f] : top;
    *absmax = top;
    return 0;
}

/* Per-thread scratch of the Yinyang search of one chunk (sizes in bytes of X's and the centroids'
 * element types). */
typedef struct {
    void *xt; /* CK_CHUNK_ROWS rows of near ties (X's type) */
    void *tile; /* CK_CHUNK_ROWS x CK_CBLOCK dot products (centroid type) */
    void *g1, *g2; /* CK_CHUNK_ROWS x t best and second-best score per group (centroid type) */
    int32_t *gi; /* CK_CHUNK_ROWS x t: the group-order position (yy->perm) holding g1 */
    void *best, *second; /* CK_CHUNK_ROWS: best and second-best score over the searched groups */
    int32_t *bestj; /* CK_CHUNK_ROWS: the centre holding best */
    double *slack; /* CK_CHUNK_ROWS: E(x) of the searched rows */
    int32_t *tie_lab; /* CK_CHUNK_ROWS */
    int64_t *ties; /* CK_CHUNK_ROWS: chunk rows of near ties */
    int64_t *bucket; /* t x CK_CHUNK_ROWS: per group, the chunk rows that search it */
    int64_t *bcount; /* t: rows in each bucket (0 between chunks) */
    unsigned char *searched; /* CK_CHUNK_ROWS: 1 for the chunk rows being searched */
    int64_t *need; /* CK_CHUNK_ROWS: chunk rows whose bounds alone do not settle them */
    double *lim; /* CK_CHUNK_ROWS: the squared distance below which such a row is settled */
} ck_yy_scratch;

static void ck_yy_scratch_free(ck_yy_scratch *s)
{
    free(s->xt);
    free(s->searched);
    free(s->tile);
    free(s->g1);
    free(s->g2);
    free(s->gi);
    free(s->tie_lab);
    free(s->ties);
    free(s->bucket);
    free(s->bcount);
    free(s->best);
    free(s->second);
    free(s->bestj);
    free(s->slack);
    free(s->need);
    free(s->lim);
    memset(s, 0, sizeof(*s));
}

static int ck_yy_scratch_init(ck_yy_scratch *s, int64_t d, int64_t t, size_t xsize, size_t csize)
{
    const size_t r = CK_CHUNK_ROWS;
    s->xt = malloc(r * (size_t)d * xsize);
    s->searched = malloc(r);
    s->tile = malloc(r * CK_CBLOCK * csize);
    s->g1 = malloc(r * (size_t)t * csize);
    s->g2 = malloc(r * (size_t)t * csize);
    s->gi = malloc(r * (size_t)t * sizeof(int32_t));
    s->tie_lab = malloc(r * sizeof(int32_t));
    s->ties = malloc(r * sizeof(int64_t));
    s->bucket = malloc(r * (size_t)t * sizeof(int64_t));
    s->bcount = calloc((size_t)t, sizeof(int64_t));
    s->best = malloc(r * csize);
    s->second = malloc(r * csize);
    s->bestj = malloc(r * sizeof(int32_t));
    s->slack = malloc(r * sizeof(double));
    s->need = malloc(r * sizeof(int64_t));
    s->lim = malloc(r * sizeof(double));
    if (!s->need || !s->lim || !s->xt || !s->searched || !s->tile || !s->g1 || !s->g2 || !s->gi ||
        !s->tie_lab || !s->ties || !s->bucket || !s->bcount || !s->best || !s->second || !s->bestj ||
        !s->slack) {
        ck_yy_scratch_free(s);
        return CK_ERR_NOMEM;
    }
    return CK_OK;
}

/* State of a Yinyang fit (Ding et al. 2015, "Yinyang K-Means"): the centres are split once into t
 * groups, and every row keeps one lower bound per group on its distance to that group's centres
 * (its own centre excluded). Extra memory: 4 t bytes per row (the float lower bounds) plus O(k d)
 * and the per-thread scratch. */
typedef struct {
    int64_t t; /* groups of centres */
    int32_t *group_of; /* n_clusters: the group of each centre */
    float *lb; /* n_samples x t: lower bounds, rounded down (see kmeans_bounds_tpl.h) */
    float *ub; /* n_samples: upper bound on the distance to the own centre, rounded up */
    double *drift; /* n_clusters: ||c_new - c_old|| in the last step, rounded up */
    float *gdrift; /* t: the largest drift in each group, rounded up to float (0: none moved) */
    double wx_sqnorm; /* sum_i w_i ||x_i||^2, for the inertia history */
    int32_t *perm; /* n_clusters: the centres ordered by group... */
    int64_t *goff; /* t + 1: ...group g at perm[goff[g]..goff[g+1]) */
    void *cp, *cp_sqnorm; /* the centres (and squared norms) in that order, centroid type */
    double c_maxnorm; /* max ||c|| of the centres being assigned to, rounded up */
    int64_t n_chunks;
    int64_t *chunk_searched; /* n_chunks: rows whose nearest centre was searched this step */
    /* Exact sums: when no sum of the values of a column can round in float64 (see yy_exact_sums),
     * the cluster sums by the current labels are kept in tally and each step only moves the rows
     * whose label changed (the bits do not depend on the order of additions that are all exact);
     * the other rows, settled by their bounds, are not read at all. */
    int exact;
    double *tally; /* k d + k: sums then weights of the clusters, by the current labels */
    int32_t *chunk_lsb; /* n_chunks: the chunk's values are multiples of 2^chunk_lsb (first step) */
    double *chunk_absmax; /* n_chunks: sum over the chunk's rows of max |x| (first step) */
    ck_yy_scratch *scratch; /* one per thread */
    int n_scratch;
} ck_yy;

/* Groups when the caller asks for the default: k/4, capped so the bounds stay at most 260 bytes per
 * row; k/4 beat k/10 (Ding et al.'s), k/2 and k/32 on MNIST at k=256 (BENCHMARKS.md, machine notes). */
#define CK_YY_MAX_DEFAULT_GROUPS 64
static int64_t ck_yy_default_groups(int64_t k)
{
    const int64_t t = (k + 3) / 4;
    return t > CK_YY_MAX_DEFAULT_GROUPS ? CK_YY_MAX_DEFAULT_GROUPS : t;
}

/* CK_ALGO_AUTO's rule (ck_kmeans_fit). From CK_AUTO_YINYANG_K clusters Yinyang bounds, whatever the sums, for
 * runs long enough to pay for their first iterations, which search most rows. Below, single
 * (Hamerly) bounds pay only with exact sums, where the rows they settle are not read; otherwise
 * Lloyd. The measurements behind both cuts are in BENCHMARKS.md, machine notes. */
#define CK_AUTO_YINYANG_K 64
#define CK_AUTO_MIN_ITER 20

static void ck_yy_free(ck_yy *yy)
{
    free(yy->group_of);
    free(yy->lb);
    free(yy->ub);
    free(yy->drift);
    free(yy->gdrift);
    free(yy->perm);
    free(yy->goff);
    free(yy->cp);
    free(yy->cp_sqnorm);
    free(yy->chunk_searched);
    free(yy->tally);
    free(yy->chunk_lsb);
    free(yy->chunk_absmax);
    for (int i = 0; yy->scratch && i < yy->n_scratch; i++) ck_yy_scratch_free(yy->scratch + i);
    free(yy->scratch);
    memset(yy, 0, sizeof(*yy));
}

static int64_t ck_yy_searched(const ck_yy *yy)
{
    int64_t s = 0;
    for (int64_t c = 0; c < yy->n_chunks; c++) s += yy->chunk_searched[c];
    return s;
}

/* The largest float <= v, and the smallest float >= v (v finite or infinite, not NaN): stored lower
 * bounds must never round up, upper bounds never down. */
static inline float ck_round_down(double v)
{
    float f = (float)v;
    if ((double)f > v) f = nextafterf(f, -INFINITY);
    return f;
}

static inline float ck_round_up(double v)
{
    float f = (float)v;
    if ((double)f < v) f = nextafterf(f, INFINITY);
    return f;
}

/* The bound arithmetic's loops (see kmeans_bounds_tpl.h): they only decide which rows to search,
 * never a label or a centre, so they may differ in the last bits between instruction sets. */
#if defined(__x86_64__) && defined(__GNUC__)
#define CK_BOUND_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CK_BOUND_CLONES
#endif

/* Decays a row's t group lower bounds by their group's drift, gd (rounded up to float; 0 = the group
 * did not move) and returns the smallest. A bound becomes fl(lb - gd) (1 - 2^-22) <= lb - gd: the
 * subtraction is off by at most 2^-24 of its result and the factor takes more than that (a result
 * <= 0 just means no bound; a subnormal one is exact). Plain float arithmetic, so it vectorises
 * where nextafterf per bound did not. */
static inline float ck_yy_decayed(float lb, float gd) { return gd > 0 ? (lb - gd) * (1.0f - 0x1p-22f) : lb; }

CK_BOUND_CLONES static float ck_yy_decay(float *lb, const float *gd, int64_t t)
{
    float m = INFINITY;
#pragma omp simd reduction(min : m)
    for (int64_t g = 0; g < t; g++) {
        const float v = ck_yy_decayed(lb[g], gd[g]);
        lb[g] = v;
        m = v < m ? v : m;
    }
    return m;
}

#define CK_TPL "kmeans_lloyd_tpl.h"
#include "ck_dtypes.h"

int ck_relocate(const ck_relocator *r, int64_t k, const int32_t *labels, double *sums, double *wsum)
{
    int64_t n_empty = 0;
    for (int64_t j = 0; j < k; j++) n_empty += wsum[j] == 0;
    if (n_empty == 0) return CK_OK;
    double *far_sqdist = malloc((size_t)n_empty * sizeof(double));
    int64_t *far_index = malloc((size_t)n_empty * sizeof(int64_t));
    int status = far_sqdist && far_index ? CK_OK : CK_ERR_NOMEM;
    if (status == CK_OK) status = r->farthest(r->ctx, n_empty, far_sqdist, far_index);
    if (status == CK_OK && far_sqdist[0] > 0) {
        int64_t taken = 0;
        /* (a cluster emptied by a move, further on, takes a candidate too while any is left) */
        for (int64_t j = 0; j < k && taken < n_empty; j++) {
            if (wsum[j] != 0) continue;
            const int64_t i = far_index[taken++], old = labels[i];
            const double wi = r->move(r->ctx, i, old, j, sums);
            wsum[j] = wi;
            wsum[old] -= wi;
        }
    }
    free(far_sqdist);
    free(far_index);
    return status;
}

void ck_kmeans_params_init(ck_kmeans_params *params)
{
    memset(params, 0, sizeof(*params));
    params->algorithm = CK_ALGO_AUTO;
    params->max_iter = 300;
    params->n_threads = 1;
}
