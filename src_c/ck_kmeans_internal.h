/* Building blocks shared by the k-means kernel files (assignment, Lloyd, init). Private header.
 * Per-dtype functions are suffixed _f32 (float X, float centroids), _f64 (double, double) and
 * _u8 (uint8_t X, double centroids); see ck_dtypes.h. */
#ifndef CK_KMEANS_INTERNAL_H
#define CK_KMEANS_INTERNAL_H

#include <stdint.h>
#include "ck_chunks.h"
#include "ckmeans.h"

/* Centroids per block of the distance tile: a block of centroids is kept hot in L1/L2 while the
 * rows of a chunk stream past it. */
#ifndef CK_CBLOCK
#define CK_CBLOCK 16
#endif

/* 1 if the CPU runs AVX2+FMA code (checked once per process). The scalar path gives the same
 * labels except for near-ties of the distance (FMA rounds once where the scalar code rounds twice);
 * centroid sums and reported inertias never go through the vector path. */
int ck_simd_avx2(void);
/* 1 if the CPU also runs AVX-512F code (and CKMEANS_NO_AVX512 is not set). The packed kernel gives
 * the same bits with or without it (every lane is one fused chain), so it only changes speed. */
int ck_simd_avx512(void);
/* 1 if the CPU also has AVX512-VNNI and -BW (and CKMEANS_NO_VNNI is not set): uint8 rows are then screened
 * with exact integer dot products instead of float32 ones (labels are the same either way). */
int ck_simd_vnni(void);
/* The instruction set soft k-means runs, for ck_kernel_isa (soft_kmeans.c holds the choice). */
const char *ck_soft_isa(void);

/* Per-thread scratch of the nearest-centroid search; set up by ck_argmin_ws_init_<dtype> inside a
 * parallel region for one set of centroids, released by ck_argmin_ws_free. With AVX2 the centroids
 * are packed once per ws (on the first call) into panels of CK_NR: feature-major blocks of
 * 2 vectors' worth of centroids, zero-padded (ceil(k / NR) * NR * d values). */
typedef struct {
    void *tile; /* CK_CHUNK_ROWS x max(CK_CBLOCK, 2 CK_NR) dot products (centroid type) */
    void *score; /* CK_CHUNK_ROWS best scores (centroid type) */
    void *panel; /* AVX2: packed centroids (centroid type; uint8 X: float64 for the redo) */
    /* uint8 X only, AVX2 only (without AVX512-VNNI): float32 screening, see ck_screen_f32 */
    float *panel32, *c32_sqnorm, *wide32, *tile32, *best32, *second32;
    int32_t *groups; /* k <= CK_ROWWISE_K: a row's nonzero groups of 8 features (ck_screen_rowwise) */
    int8_t *panel8; /* uint8 X with AVX512-VNNI: the integer screen's panels (ck_pack_vnni) */
    int8_t *last8; /* k x (d rounded up to 64) last digits of the integer centroids */
    int32_t *tile8; /* CK_CHUNK_ROWS x 32 integer dot products (2 digits x 16 centroids) */
    double *second64; /* CK_CHUNK_ROWS second-best screened scores */
    double vnni_scale, c_maxabs;
    double *wide64; /* CK_MR widened rows redone in float64 */
    int32_t *redo; /* indices of the rows of a chunk the screening could not settle */
    double c_maxnorm;
    int prepared, panel_packed;
} ck_argmin_ws;

/* Rows per register block of the packed kernel: 6 rows x 2 vectors = 12 accumulators, leaving
 * room for the 2 centroid vectors and the broadcast row value in the 16 ymm registers. */
#define CK_MR 6
/* Rows per block when a panel's last lanes are shared by 4 rows (CK_PANEL_QUAD): 8 first vectors,
 * 2 shared ones, the 2 centroid vectors, the broadcast and the blend. */
#define CK_QUAD_MR 8
/* How much of a panel the packed kernel computes (kmeans_assign_tpl.h, panel_block). */
enum { CK_PANEL_FULL, CK_PANEL_HALF, CK_PANEL_QUAD };
/* Centroids per panel: 2 AVX2 vectors of the centroid type (expands inside a dtype instantiation,
 * where CK_VW is defined; the float32 screening of uint8 uses CK_NR_F32). */
#define CK_NR (2 * CK_VW)
#define CK_NR_F32 16
/* Up to this many centroids, uint8 rows are screened row by row over their nonzero groups of 8
 * features (ck_screen_rowwise) instead of by the panels: faster up to about k=32, even at k=64
 * (BENCHMARKS.md, machine notes). */
#define CK_ROWWISE_K 32

/* Largest ||x||^2 a hard fit takes: squared distances (up to 4 max ||x||^2), their sums over up to
 * 2^62 rows and, for float32 X, the float scores ||c||^2 - 2 x.c all stay finite below it. Above,
 * rows are refused with CK_ERR_KMEANS_OVERFLOW rather than partitioned by infinities. */
#define CK_SQNORM_MAX (sizeof(CK_XT) == sizeof(float) ? 0x1p120 : 0x1p956)

void ck_argmin_ws_free(ck_argmin_ws *ws);

/* A row and its distance to its centre, for the empty-cluster rule (relocation). */
typedef struct {
    double dist;
    int64_t index;
} ck_far_t;

/* Farthest first; equal distances by increasing row index, so the choice is unique. */
static inline int ck_far_cmp(const void *a, const void *b)
{
    const ck_far_t *x = a, *y = b;
    if (x->dist != y->dist) return x->dist > y->dist ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* A memory layout's side of the empty-cluster rule (ck_relocate): farthest lists its n_far rows
 * farthest from their centre, farthest first, ties to the lowest row (as ck_farthest_*); move takes
 * row i's weighted values out of cluster from's sums (n_features doubles a cluster) into cluster to's,
 * which it overwrites, and returns the row's weight. */
typedef struct {
    int (*farthest)(const void *ctx, int64_t n_far, double *far_sqdist, int64_t *far_index);
    double (*move)(const void *ctx, int64_t i, int64_t from, int64_t to, double *sums);
    const void *ctx;
} ck_relocator;

/* scikit-learn's empty-cluster rule: the empty clusters (zero weight), in index order, take the rows
 * r->farthest lists, farthest first, each with its weight. Nothing moves when every row sits on its
 * centre (more clusters than distinct rows). CK_OK or CK_ERR_NOMEM. */
int ck_relocate(const ck_relocator *r, int64_t k, const int32_t *labels, double *sums, double *wsum);

/* Forget the centroids a ws was prepared for (its buffers stay), before a call with new ones. */
void ck_argmin_ws_reset(ck_argmin_ws *ws);

#define CK_DECLARE_KMEANS_INTERNAL(SFX, XT, CT)                                                              \
    /* out[r * n_c + j] = <X[rows[r]], C[j]> (X[r] if rows is NULL) for r < n_rows, j < n_c,        \
     * accumulated in CT; uint8 rows are widened in registers, giving the float64 bits. The same    \
     * bits on every x86-64 CPU with AVX2 unless widest is set: then AVX-512 where there is one,    \
     * faster and different in the last bits (for callers that only need bounded errors). */        \
    void ck_dots_tile_##SFX(const XT *X, const int64_t *rows, int64_t n_rows, int64_t n_features,            \
                            const CT *C, int64_t n_c, int widest, CT *out);                                  \
    /* CK_OK or CK_ERR_NOMEM (then ws holds nothing to free). */                                             \
    int ck_argmin_ws_init_##SFX(ck_argmin_ws *ws, int64_t n_clusters, int64_t n_features);                   \
    /* Nearest centroid of n_rows <= CK_CHUNK_ROWS rows: labels[r] and ws->score[r] =              \
     * ||c||^2 - 2 x.c (the squared distance minus ||x||^2). C and c_sqnorm must stay the same for  \
     * every call with one ws until ck_argmin_ws_reset. */         \
    void ck_argmin_rows_##SFX(const XT *X, int64_t n_rows, int64_t n_features, const CT *C,                  \
                              const CT *c_sqnorm, int64_t n_clusters, int32_t *labels, ck_argmin_ws *ws);    \
    /* ck_argmin_rows by the packed kernel, with second[r] the second-best score too (NULL: not    \
     * wanted); returns 0 (and does nothing) where that kernel does not run: uint8 X, no AVX2. */         \
    int ck_argmin_rows_packed_##SFX(const XT *X, int64_t n_rows, int64_t n_features, const CT *C,            \
                                    const CT *c_sqnorm, int64_t n_clusters, int32_t *labels, CT *second,     \
                                    ck_argmin_ws *ws);                                                       \
    /* ||x - c||^2 by differences, in double: exact enough to report, never negative. */                     \
    double ck_sqdist_##SFX(const XT *x, const CT *c, int64_t n_features);                                    \
    /* ||x||^2 in double. */                                                                                 \
    double ck_sqnorm_x_##SFX(const XT *x, int64_t n_features);                                               \
    /* 0, CK_ERR_KMEANS_NONFINITE or CK_ERR_KMEANS_OVERFLOW (see CK_SQNORM_MAX) for row x. */                \
    int ck_nonfinite_row_##SFX(const XT *x, int64_t n_features, double sqnorm);                              \
    /* One pass over X: with assign, labels = the nearest centroids (ck_assign's); then, if not      \
     * NULL, sqdist[i] = ||x_i - c_labels[i]||^2 (ck_sqdist's bits) and *inertia = their weighted     \
     * sum in chunk order (ck_inertia's value). CK_ERR_KMEANS_LABEL for a label out of range. */       \
    int ck_assign_inertia_##SFX(const XT *X, int64_t n_samples, int64_t n_features,                          \
                                const double *sample_weight, const CT *centroids, int64_t n_clusters,        \
                                int32_t *labels, int assign, double *sqdist, int n_threads,                  \
                                double *inertia);                                                            \
    /* Centroid = sums / wsum for the clusters of positive weight; the others take the heaviest     \
     * cluster's centre (scikit-learn's rule). */        \
    void ck_average_##SFX(const double *sums, const double *wsum, int64_t k, int64_t d, CT *C);              \
    /* sum over len values of (a - b)^2 in double: the squared centre shift. */                              \
    double ck_shift_##SFX(const CT *a, const CT *b, int64_t len);                                            \
    /* Every row of C (k x d) scaled to unit L2 norm; zero rows stay zero (spherical k-means). */            \
    void ck_unit_rows_##SFX(CT *C, int64_t k, int64_t d);                                                    \
    /* out[j] = ||C[j]||^2 (computed in double, stored in CT). */                                            \
    void ck_sqnorms_c_##SFX(const CT *C, int64_t n_clusters, int64_t n_features, CT *out);

CK_DECLARE_KMEANS_INTERNAL(f32, float, float)
CK_DECLARE_KMEANS_INTERNAL(f64, double, double)
CK_DECLARE_KMEANS_INTERNAL(u8, uint8_t, double)

/* Shared by the sparse kernels (sparse_tpl.h), the sparse k-means++ (kmeans_init.c) and the sparse
 * soft k-means (soft_kmeans.c). */
#define CK_DECLARE_CSR_INTERNAL(SFX, CT)                                                                     \
    /* CK_ERR_ARG unless X's sizes, pointers and n_clusters are in range (not its structure). */             \
    int ck_csr_check_##SFX(const ck_csr_##SFX *X, int64_t n_clusters);                                       \
    /* out[i] = ||x_i||^2 in double; 1 if a value is NaN or infinite. */                                     \
    int ck_csr_sqnorms_##SFX(const ck_csr_##SFX *X, double *out, int n_threads);                             \
    /* dots[j] = x_i . C_j (j < k) in CT, from ct = C transposed (d x k). */                                 \
    void ck_csr_dots_##SFX(const ck_csr_##SFX *X, int64_t i, const CT *ct, int64_t k, CT *dots);

CK_DECLARE_CSR_INTERNAL(f32, float)
CK_DECLARE_CSR_INTERNAL(f64, double)

#endif
