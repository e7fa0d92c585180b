/* Lloyd's algorithm: the fused assignment + weighted-sum pass, empty-cluster relocation, the
 * centroid update and the whole fit loop, for float32, float64 and uint8 X. No Python, no GIL. */
#include <stdlib.h>
#include <string.h>

#include "ckmeans.h"
#include "ck_omp.h"
#include "ck_kmeans_internal.h"

/* Buffers of one fit, allocated once and reused by every iteration. */
typedef struct {
    int64_t n_chunks, n_groups, stride; /* stride = k*d + k: a group's sums then its weights */
    double *gbuf;                       /* n_groups * stride: per-group partial sums */
    double *sums;                       /* stride: merged sums and weights */
    double *chunk_inertia;              /* n_chunks */
    int64_t *group_changed;             /* n_groups: labels that changed */
    void *c_sqnorm;                     /* n_clusters centroid squared norms (float or double) */
    double *x_sqnorm;                   /* n_samples row squared norms, or NULL */
} ck_lloyd_ws;

static void ck_lloyd_ws_free(ck_lloyd_ws *ws)
{
    free(ws->gbuf); free(ws->sums); free(ws->chunk_inertia); free(ws->group_changed);
    free(ws->c_sqnorm); free(ws->x_sqnorm);
    memset(ws, 0, sizeof(*ws));
}

static int ck_lloyd_ws_init(ck_lloyd_ws *ws, int64_t n, int64_t d, int64_t k, int with_x_sqnorm)
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
    if (!ws->gbuf || !ws->sums || !ws->chunk_inertia || !ws->group_changed || !ws->c_sqnorm ||
        (with_x_sqnorm && !ws->x_sqnorm)) {
        ck_lloyd_ws_free(ws);
        return CK_ERR_NOMEM;
    }
    return CK_OK;
}

typedef struct { double dist; int64_t index; } ck_far_t;

/* Farthest first; equal distances by increasing row index, so the choice is unique. */
static int ck_far_cmp(const void *a, const void *b)
{
    const ck_far_t *x = a, *y = b;
    if (x->dist != y->dist) return x->dist > y->dist ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

#define CK_TPL "kmeans_lloyd_tpl.h"
#include "ck_dtypes.h"
