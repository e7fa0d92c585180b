/* Fixed row chunks and fixed-order reductions: how ckmeans gets results that are bit-identical for
 * any thread count.
 *
 * Rows are cut into chunks of CK_CHUNK_ROWS (a constant: never derived from the thread count).
 * Reductions come in two shapes:
 *   - scalars (inertia, potentials): one partial per chunk, summed in chunk order by ck_sum_ordered;
 *   - large per-cluster sums (centroid numerators, k x d doubles): one partial per chunk would cost
 *     n_chunks * k * d doubles, so chunks are grouped instead. The number of groups depends only on
 *     the problem size (ck_groups_plan), each group is a contiguous run of chunks accumulated in row
 *     order by whichever thread takes it, and group buffers are merged element-wise in group order
 *     (ck_merge_groups). A thread count above the number of groups leaves threads idle; it never
 *     changes a bit of the result.
 * The soft k-means step reuses the same plan with responsibilities as weights.
 * Private header: not part of the public API. */
#ifndef CK_CHUNKS_H
#define CK_CHUNKS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Rows per chunk: 128 rows of 784 float32 (MNIST) are ~400 KB, about one L2 slice, and enough
 * chunks (469 for 60000 rows) to balance any realistic core count. */
#define CK_CHUNK_ROWS 128
/* Cap on per-group accumulation buffers: all groups together stay below this many bytes... */
#define CK_GROUP_BUDGET_BYTES ((int64_t)16 << 20)
/* ...and there are at most this many groups (more only costs zeroing and merging). */
#define CK_MAX_GROUPS 32
/* ...but at least this many (if there are that many chunks), so big models still use threads. */
#define CK_MIN_GROUPS 4

static inline int64_t ck_n_chunks(int64_t n_rows) { return (n_rows + CK_CHUNK_ROWS - 1) / CK_CHUNK_ROWS; }

/* Rows [*start, *end) of chunk c. */
static inline void ck_chunk_rows(int64_t c, int64_t n_rows, int64_t *start, int64_t *end)
{
    *start = c * CK_CHUNK_ROWS;
    *end = *start + CK_CHUNK_ROWS < n_rows ? *start + CK_CHUNK_ROWS : n_rows;
}

/* Number of accumulation groups for n_chunks chunks when one group buffer holds
 * doubles_per_group doubles. Depends on the problem only, never on the thread count. */
static inline int64_t ck_groups_plan(int64_t n_chunks, int64_t doubles_per_group)
{
    int64_t per = doubles_per_group > 0 ? doubles_per_group * (int64_t)sizeof(double) : 1;
    int64_t g = CK_GROUP_BUDGET_BYTES / per;
    if (g > CK_MAX_GROUPS) g = CK_MAX_GROUPS;
    if (g < CK_MIN_GROUPS) g = CK_MIN_GROUPS;
    if (g > n_chunks) g = n_chunks;
    return g < 1 ? 1 : g;
}

/* Chunks [*c0, *c1) of group g among n_groups: an even, contiguous split. */
static inline void ck_group_chunks(int64_t g, int64_t n_groups, int64_t n_chunks, int64_t *c0, int64_t *c1)
{
    *c0 = g * n_chunks / n_groups;
    *c1 = (g + 1) * n_chunks / n_groups;
}

/* Sum of parts[0..n) in index order (the fixed order that makes scalar reductions reproducible). */
static inline double ck_sum_ordered(const double *parts, int64_t n)
{
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += parts[i];
    return s;
}

/* out[e] = bufs[0][e] + bufs[1][e] + ... in group order, for e < len; bufs are n_groups blocks of
 * stride doubles. Element-parallel, so the per-element order is fixed whatever n_threads is. */
static inline void ck_merge_groups(const double *bufs, int64_t n_groups, int64_t stride, int64_t len,
                                   double *out, int n_threads)
{
#pragma omp parallel for schedule(static) num_threads(n_threads) if (len > 65536)
    for (int64_t e = 0; e < len; e++) {
        double s = bufs[e];
        for (int64_t g = 1; g < n_groups; g++) s += bufs[g * stride + e];
        out[e] = s;
    }
}

#endif
