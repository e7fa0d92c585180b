/* `make test`: the static library alone, from plain C, against brute-force loops written here.
 * The numerics are tested in depth from Python (tests/); this checks that libckmeans.a is complete,
 * links without Python, and honours the contracts of ckmeans.h that a C caller relies on. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckmeans.h"

static int failures = 0;

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);                               \
            failures++;                                                                                      \
        }                                                                                                    \
    } while (0)

/* N spans several 128-row chunks, so two threads really split the rows. */
enum { N = 5000, D = 5, K = 4 };

/* Integer-valued rows, so the same data is exact as uint8, float and double; xr is the same data
 * divided by 3, whose cluster sums round, so their order of addition shows in the last bits. */
static void make_data(uint8_t *xu, float *xf, double *xd, double *xr)
{
    uint32_t s = 12345u;
    for (int i = 0; i < N * D; i++) {
        s = s * 1664525u + 1013904223u;
        int centre = (i / D) % K * 60;
        xu[i] = (uint8_t)(centre + (s >> 24) % 40);
        xf[i] = xu[i];
        xd[i] = xu[i];
        xr[i] = xu[i] / 3.0 + (double)(s & 0xffff) * 1e-7;
    }
}

static void test_strerror(void)
{
    const int codes[] = { CK_OK,
                          CK_ERR_NOMEM,
                          CK_ERR_ARG,
                          CK_ERR_IDX_TRUNCATED_HEADER,
                          CK_ERR_IDX_MAGIC,
                          CK_ERR_IDX_TYPE,
                          CK_ERR_IDX_NDIM,
                          CK_ERR_IDX_OVERFLOW,
                          CK_ERR_IDX_SHORT_PAYLOAD,
                          CK_ERR_IDX_LONG_PAYLOAD,
                          CK_ERR_IDX_DIM_RANGE,
                          CK_ERR_LABEL_RANGE,
                          CK_ERR_KMEANS_LABEL,
                          CK_ERR_KMEANS_NONFINITE,
                          CK_ERR_SOFT_BETA,
                          CK_ERR_SOFT_DISTANCE,
                          CK_ERR_CANCELLED };
    const char *unknown = ck_strerror(-12345);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        CHECK(ck_strerror(codes[i]) != NULL && strcmp(ck_strerror(codes[i]), unknown) != 0);
}

static void test_assign(const uint8_t *xu, const float *xf, const double *xd)
{
    double cd[K * D], *sq = malloc(N * sizeof *sq);
    float cf[K * D];
    int32_t *lab = malloc(N * sizeof *lab), *lab_f = malloc(N * sizeof *lab_f),
            *lab_u = malloc(N * sizeof *lab_u);
    for (int j = 0; j < K * D; j++) cd[j] = cf[j] = (float)(j / D * 60 + 20 + j % D);
    const ck_data_f64 dd = { xd, N, D, NULL };
    const ck_data_f32 df = { xf, N, D, NULL };
    const ck_data_u8 du = { xu, N, D, NULL };
    CHECK(ck_assign_f64(&dd, K, cd, lab, sq, 2) == CK_OK);
    CHECK(ck_assign_f32(&df, K, cf, lab_f, NULL, 2) == CK_OK);
    CHECK(ck_assign_u8(&du, K, cd, lab_u, NULL, 2) == CK_OK);
    for (int i = 0; i < N; i++) {
        int best = 0;
        double best_d = INFINITY;
        for (int j = 0; j < K; j++) {
            double dist = 0;
            for (int f = 0; f < D; f++)
                dist += (xd[i * D + f] - cd[j * D + f]) * (xd[i * D + f] - cd[j * D + f]);
            if (dist < best_d) best_d = dist, best = j;
        }
        CHECK(lab[i] == best && lab_f[i] == best && lab_u[i] == best);
        CHECK(fabs(sq[i] - best_d) <= 1e-9 * (1 + best_d));
    }
    const ck_data_f64 no_features = { xd, N, 0, NULL };
    CHECK(ck_assign_f64(&no_features, K, cd, lab, sq, 1) == CK_ERR_ARG);
    free(sq), free(lab), free(lab_f), free(lab_u);
}

/* Fits on 1 and 2 threads give the same bits, for every method, on data whose sums round. */
static void test_fit_thread_invariance(const double *xr)
{
    const ck_data_f64 data = { xr, N, D, NULL };
    const int algorithms[] = { CK_ALGO_LLOYD, CK_ALGO_YINYANG, CK_ALGO_HAMERLY, CK_ALGO_AUTO };
    /* what ran: Yinyang's default groups for K=4 is one group (Hamerly); auto drops the bounds after
     * the first iteration because these sums round */
    const int ran[] = { CK_ALGO_LLOYD, CK_ALGO_HAMERLY, CK_ALGO_HAMERLY, CK_ALGO_LLOYD };
    double c0[K * D], c1[K * D], c2[K * D];
    int32_t *l1 = malloc(N * sizeof *l1), *l2 = malloc(N * sizeof *l2);
    CHECK(ck_kmeans_plusplus_f64(&data, K, 7, 0, c0, NULL, 1) == CK_OK);
    for (size_t a = 0; a < sizeof algorithms / sizeof algorithms[0]; a++) {
        ck_kmeans_params params;
        ck_kmeans_params_init(&params);
        params.algorithm = algorithms[a];
        params.max_iter = 100;
        ck_kmeans_result r1 = { .labels = l1 }, r2 = { .labels = l2 };
        memcpy(c1, c0, sizeof c0);
        memcpy(c2, c0, sizeof c0);
        CHECK(ck_kmeans_fit_f64(&data, K, c1, &params, &r1) == CK_OK);
        params.n_threads = 2;
        CHECK(ck_kmeans_fit_f64(&data, K, c2, &params, &r2) == CK_OK);
        CHECK(memcmp(c1, c2, sizeof c1) == 0 && memcmp(l1, l2, N * sizeof *l1) == 0);
        CHECK(r1.n_iter == r2.n_iter && r1.inertia == r2.inertia && r1.converged == 1);
        CHECK(r1.algorithm == ran[a] && r2.algorithm == ran[a]);
        /* K well-separated groups of 40-wide boxes: every row ends nearest its own group */
        int32_t seen[K] = { 0 };
        for (int i = 0; i < N; i++) seen[l1[i]]++;
        for (int j = 0; j < K; j++) CHECK(seen[j] == N / K);
    }
    free(l1), free(l2);
}

/* The parameters' defaults, the version, a fit stopped by its callback or its cancel flag, and the
 * steps and k-means++ stopped by the thread's flag. */
static int stop_after_two(void *data, const ck_iter_info *info)
{
    *(int *)data += 1;
    return info->iteration == 1;
}

static void test_params_and_cancel(const double *xd)
{
    const ck_data_f64 data = { xd, N, D, NULL };
    ck_kmeans_params params;
    ck_kmeans_params_init(&params);
    CHECK(params.algorithm == CK_ALGO_AUTO && params.max_iter == 300 && params.tol_abs == 0 &&
          params.n_threads == 1 && !params.cancel && !params.callback);
    CHECK(ck_version() == CKMEANS_VERSION && strchr(ck_version_string(), '.') != NULL);
    double c[K * D];
    int32_t *lab = malloc(N * sizeof *lab);
    CHECK(ck_kmeans_random_init_f64(&data, K, 3, c, NULL) == CK_OK);
    int calls = 0;
    params.algorithm = CK_ALGO_LLOYD;
    params.callback = stop_after_two;
    params.callback_data = &calls;
    ck_kmeans_result res = { .labels = lab };
    CHECK(ck_kmeans_fit_f64(&data, K, c, &params, &res) == CK_ERR_CANCELLED);
    CHECK(calls == 2 && res.n_iter == 2);
    volatile int cancel = 1;
    params.callback = NULL;
    params.cancel = &cancel;
    CHECK(ck_kmeans_fit_f64(&data, K, c, &params, &res) == CK_ERR_CANCELLED && res.n_iter == 0);
    params.cancel = NULL;
    params.algorithm = 99;
    CHECK(ck_kmeans_fit_f64(&data, K, c, &params, &res) == CK_ERR_ARG);
    ck_soft_params soft;
    ck_soft_params_init(&soft);
    const double beta = 0.01;
    soft.betas = &beta;
    soft.n_betas = 1;
    soft.max_iter = 50;
    soft.cancel = &cancel;
    ck_soft_result sres = { .labels = lab };
    CHECK(ck_soft_kmeans_fit_f64(&data, K, c, &soft, &sres) == CK_ERR_CANCELLED && sres.n_iter == 0);
    ck_soft_stats stats;
    double c2[K * D];
    CHECK(ck_soft_step_f64(&data, K, c, c2, NULL, &stats, &soft) == CK_ERR_CANCELLED);
    soft.cancel = NULL;
    CHECK(ck_soft_kmeans_fit_f64(&data, K, c, &soft, &sres) == CK_OK && sres.n_iter >= 1);
    /* The thread's flag reaches the calls without params (the steps, k-means++) and the fits. */
    CHECK(ck_set_cancel_flag(&cancel) == NULL);
    ck_step_stats hstats;
    for (int i = 0; i < N; i++) lab[i] = -1;
    CHECK(ck_lloyd_step_f64(&data, K, c, c2, lab, &hstats, 1) == CK_ERR_CANCELLED);
    CHECK(ck_kmeans_plusplus_f64(&data, K, 5, 0, c2, NULL, 2) == CK_ERR_CANCELLED);
    CHECK(ck_soft_estep_f64(&data, K, c, NULL, lab, NULL, &soft) == CK_ERR_CANCELLED);
    params.algorithm = CK_ALGO_LLOYD;
    CHECK(ck_kmeans_fit_f64(&data, K, c, &params, &res) == CK_ERR_CANCELLED && res.n_iter == 0);
    cancel = 0;
    CHECK(ck_lloyd_step_f64(&data, K, c, c2, lab, &hstats, 1) == CK_OK);
    CHECK(ck_set_cancel_flag(NULL) == &cancel);
    free(lab);
}

static void test_idx_roundtrip(void)
{
    const int64_t dims[2] = { 3, 2 };
    const int32_t values[6] = { 1, -2, 300000, -400000, 0, 2147483647 };
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
    double expect[3 * K] = { 0 };
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
    CHECK(ck_find_nonfinite_f32(x, M, &first, 2) == CK_OK && first == -1);
    x[150000] = INFINITY;
    x[70000] = NAN;
    CHECK(ck_find_nonfinite_f32(x, M, &first, 2) == CK_OK && first == 70000);
    CHECK(ck_find_nonfinite_f32(x, -1, &first, 1) == CK_ERR_ARG);
    CHECK(ck_find_nonfinite_f64(NULL, 0, &first, 1) == CK_OK && first == -1);
    free(x);
}

int main(void)
{
    uint8_t *xu = malloc(N * D);
    float *xf = malloc(N * D * sizeof *xf);
    double *xd = malloc(N * D * sizeof *xd), *xr = malloc(N * D * sizeof *xr);
    make_data(xu, xf, xd, xr);
    test_strerror();
    test_assign(xu, xf, xd);
    test_fit_thread_invariance(xr);
    test_params_and_cancel(xd);
    test_idx_roundtrip();
    test_contingency();
    test_find_nonfinite();
    free(xu), free(xf), free(xd), free(xr);
    printf("libckmeans (openmp %d): %s\n", ck_openmp_enabled(), failures ? "FAILED" : "all checks passed");
    return failures != 0;
}
