/* `make test`: the static library alone, from plain C, against brute-force loops written here.
 * The numerics are tested in depth from Python (tests/); this checks that libckmeans.a is complete,
 * links without Python, and honours the contracts of ckmeans.h that a C caller relies on. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckmeans.h"

static int failures = 0;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                      \
        }                                                                    \
    } while (0)

enum { N = 500, D = 5, K = 4 };

/* Integer-valued rows, so the same data is exact as uint8, float and double. */
static void make_data(uint8_t *xu, float *xf, double *xd)
{
    uint32_t s = 12345u;
    for (int i = 0; i < N * D; i++) {
        s = s * 1664525u + 1013904223u;
        int centre = (i / D) % K * 60;
        xu[i] = (uint8_t)(centre + (s >> 24) % 40);
        xf[i] = xu[i];
        xd[i] = xu[i];
    }
}

static void test_strerror(void)
{
    const int codes[] = {CK_OK, CK_ERR_NOMEM, CK_ERR_ARG, CK_ERR_IDX_TRUNCATED_HEADER, CK_ERR_IDX_MAGIC,
                         CK_ERR_IDX_TYPE, CK_ERR_IDX_NDIM, CK_ERR_IDX_OVERFLOW, CK_ERR_IDX_SHORT_PAYLOAD,
                         CK_ERR_IDX_LONG_PAYLOAD, CK_ERR_IDX_DIM_RANGE, CK_ERR_LABEL_RANGE,
                         CK_ERR_KMEANS_LABEL, CK_ERR_KMEANS_NONFINITE, CK_ERR_SOFT_BETA,
                         CK_ERR_SOFT_DISTANCE};
    const char *unknown = ck_strerror(-12345);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        CHECK(ck_strerror(codes[i]) != NULL && strcmp(ck_strerror(codes[i]), unknown) != 0);
}

static void test_assign(const uint8_t *xu, const float *xf, const double *xd)
{
    double cd[K * D], *sq = malloc(N * sizeof *sq);
    float cf[K * D];
    int32_t *lab = malloc(N * sizeof *lab), *lab_f = malloc(N * sizeof *lab_f), *lab_u = malloc(N * sizeof *lab_u);
    for (int j = 0; j < K * D; j++) cd[j] = cf[j] = (float)(j / D * 60 + 20 + j % D);
    CHECK(ck_assign_f64(xd, N, D, cd, K, lab, sq, 2) == CK_OK);
    CHECK(ck_assign_f32(xf, N, D, cf, K, lab_f, NULL, 2) == CK_OK);
    CHECK(ck_assign_u8(xu, N, D, cd, K, lab_u, NULL, 2) == CK_OK);
    for (int i = 0; i < N; i++) {
        int best = 0;
        double best_d = INFINITY;
        for (int j = 0; j < K; j++) {
            double dist = 0;
            for (int f = 0; f < D; f++) dist += (xd[i * D + f] - cd[j * D + f]) * (xd[i * D + f] - cd[j * D + f]);
            if (dist < best_d) best_d = dist, best = j;
        }
        CHECK(lab[i] == best && lab_f[i] == best && lab_u[i] == best);
        CHECK(fabs(sq[i] - best_d) <= 1e-9 * (1 + best_d));
    }
    CHECK(ck_assign_f64(xd, N, 0, cd, K, lab, sq, 1) == CK_ERR_ARG);
    free(sq), free(lab), free(lab_f), free(lab_u);
}

static void test_fit_thread_invariance(const double *xd)
{
    double c1[K * D], c2[K * D], in1, in2;
    int32_t *l1 = malloc(N * sizeof *l1), *l2 = malloc(N * sizeof *l2);
    int it1, it2, cv1, cv2;
    CHECK(ck_kmeans_plusplus_f64(xd, N, D, NULL, K, 7, 0, c1, NULL, 1) == CK_OK);
    memcpy(c2, c1, sizeof c1);
    CHECK(ck_kmeans_fit_f64(xd, N, D, NULL, K, c1, l1, 100, 0.0, 1, &it1, &in1, NULL, &cv1) == CK_OK);
    CHECK(ck_kmeans_fit_f64(xd, N, D, NULL, K, c2, l2, 100, 0.0, 2, &it2, &in2, NULL, &cv2) == CK_OK);
    CHECK(memcmp(c1, c2, sizeof c1) == 0 && memcmp(l1, l2, N * sizeof *l1) == 0);
    CHECK(it1 == it2 && in1 == in2 && cv1 == 1);
    /* the data has K well-separated groups of 40-wide boxes: every row ends nearest its own group */
    int32_t seen[K] = {0};
    for (int i = 0; i < N; i++) seen[l1[i]]++;
    for (int j = 0; j < K; j++) CHECK(seen[j] == N / K);
    free(l1), free(l2);
}

static void test_idx_roundtrip(void)
{
    const int64_t dims[2] = {3, 2};
    const int32_t values[6] = {1, -2, 300000, -400000, 0, 2147483647};
    uint8_t file[8 + 4 + 6 * 4];
    int32_t back[6];
    ck_idx_header h;
    CHECK(ck_idx_encode_header(CK_IDX_INT32, 2, dims, file) == CK_OK);
    CHECK(ck_idx_encode(values, CK_IDX_INT32, 6, file + 12, 1) == CK_OK);
    CHECK(file[12 + 3] == 1 && file[12] == 0); /* big-endian on disk */
    CHECK(ck_idx_parse_header(file, sizeof file, sizeof file, &h) == CK_OK);
    CHECK(h.ndim == 2 && h.dims[0] == 3 && h.dims[1] == 2 && h.header_bytes == 12 && h.payload_bytes == 24);
    CHECK(ck_idx_decode(file + h.header_bytes, h.type_code, h.n_elems, back, 1) == CK_OK);
    CHECK(memcmp(back, values, sizeof values) == 0);
    CHECK(ck_idx_parse_header(file, sizeof file, sizeof file - 1, &h) == CK_ERR_IDX_SHORT_PAYLOAD);
    file[0] = 1;
    CHECK(ck_idx_parse_header(file, sizeof file, sizeof file, &h) == CK_ERR_IDX_MAGIC);
}

static void test_contingency(void)
{
    int32_t rows[N], cols[N];
    double table[3 * K];
    double expect[3 * K] = {0};
    for (int i = 0; i < N; i++) {
        rows[i] = i % 3, cols[i] = (i / 7) % K;
        expect[rows[i] * K + cols[i]] += 1;
    }
    CHECK(ck_contingency(rows, cols, N, 3, K, NULL, table, 2) == CK_OK);
    CHECK(memcmp(table, expect, sizeof table) == 0);
    cols[N / 2] = K;
    CHECK(ck_contingency(rows, cols, N, 3, K, NULL, table, 2) == CK_ERR_LABEL_RANGE);
}

/* The NaN/inf scan from C: the first bad index past a block edge, -1 when clean, CK_ERR_ARG for n < 0. */
static void test_find_nonfinite(void)
{
    enum { M = 200000 };
    float *x = calloc(M, sizeof *x);
    int64_t first = 0;
    CHECK(ck_find_nonfinite_f32(x, M, 2, &first) == CK_OK && first == -1);
    x[150000] = INFINITY;
    x[70000] = NAN;
    CHECK(ck_find_nonfinite_f32(x, M, 2, &first) == CK_OK && first == 70000);
    CHECK(ck_find_nonfinite_f32(x, -1, 1, &first) == CK_ERR_ARG);
    CHECK(ck_find_nonfinite_f64(NULL, 0, 1, &first) == CK_OK && first == -1);
    free(x);
}

int main(void)
{
    uint8_t *xu = malloc(N * D);
    float *xf = malloc(N * D * sizeof *xf);
    double *xd = malloc(N * D * sizeof *xd);
    make_data(xu, xf, xd);
    test_strerror();
    test_assign(xu, xf, xd);
    test_fit_thread_invariance(xd);
    test_idx_roundtrip();
    test_contingency();
    test_find_nonfinite();
    free(xu), free(xf), free(xd);
    printf("libckmeans (openmp %d): %s\n", ck_openmp_enabled(), failures ? "FAILED" : "all checks passed");
    return failures != 0;
}
