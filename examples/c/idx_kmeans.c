/* Cluster the images of an IDX file (MNIST format) with ckmeans' C library, no Python involved.
 *
 *   idx_kmeans IMAGES.idx K SEED [LABELS.idx]
 *
 * Reads the whole (uncompressed) file into memory, parses and decodes it from that buffer, runs
 * k-means++ then Lloyd on the uint8 pixels as they are (never converted to floats), and prints the
 * rows chosen as initial centres, the fit, the centroids and, given a labels file, the class x
 * cluster contingency table and the purity. */
#include <stdio.h>
#include <stdlib.h>

#include "ckmeans.h"

static int fail(const char *what, int status)
{
    fprintf(stderr, "idx_kmeans: %s: %s\n", what, ck_strerror(status));
    return 1;
}

/* The whole file in a malloc'ed buffer; NULL (and a message) on error. */
static uint8_t *read_file(const char *path, int64_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long size;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
        !(buf = malloc(size ? (size_t)size : 1)) || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        perror(path);
        free(buf);
        buf = NULL;
    }
    *len = size;
    if (f) fclose(f);
    return buf;
}

/* Parse the IDX file in buf and check it holds uint8 values: the header, or a status. */
static int parse_uint8_idx(const uint8_t *buf, int64_t len, ck_idx_header *h)
{
    int status = ck_idx_parse_header(buf, len, len, h);
    if (status == CK_OK && h->type_code != CK_IDX_UINT8) status = CK_ERR_IDX_TYPE;
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s IMAGES.idx K SEED [LABELS.idx]\n", argv[0]);
        return 2;
    }
    if (ck_version() != CKMEANS_VERSION) /* a library of another release than this header */
        fprintf(stderr, "idx_kmeans: warning: built with ckmeans.h %d.%d.%d, running ckmeans %s\n",
                CKMEANS_VERSION_MAJOR, CKMEANS_VERSION_MINOR, CKMEANS_VERSION_PATCH, ck_version_string());
    const int64_t k = atoll(argv[2]);
    const uint64_t seed = strtoull(argv[3], NULL, 10);
    const int n_threads = ck_max_threads();
    int64_t len;
    uint8_t *file = read_file(argv[1], &len);
    if (!file) return 1;
    ck_idx_header h;
    int status = parse_uint8_idx(file, len, &h);
    if (status != CK_OK) return fail(argv[1], status);

    /* one row per image: the first dimension counts images, the others are flattened */
    const int64_t n = h.dims[0], d = h.ndim > 1 ? h.n_elems / n : 1;
    if (k < 1 || k > n) return fail("K must be in [1, number of images]", CK_ERR_ARG);
    uint8_t *X = malloc((size_t)h.payload_bytes);
    double *centroids = malloc((size_t)(k * d) * sizeof *centroids);
    int32_t *labels = malloc((size_t)n * sizeof *labels);
    int64_t *init_rows = malloc((size_t)k * sizeof *init_rows);
    if (!X || !centroids || !labels || !init_rows) return fail("allocating", CK_ERR_NOMEM);
    status = ck_idx_decode(file + h.header_bytes, h.type_code, h.n_elems, X, n_threads);
    free(file);
    if (status != CK_OK) return fail("decoding", status);

    /* ckmeans.kmeans' defaults: k-means++, max_iter 300, tol 1e-4 x mean feature variance */
    const ck_data_u8 data = { X, n, d, NULL };
    double variance;
    ck_kmeans_params params;
    ck_kmeans_params_init(&params);
    ck_kmeans_result result = { .labels = labels };
    if ((status = ck_mean_feature_variance_u8(&data, &variance, n_threads)) != CK_OK ||
        (status = ck_kmeans_plusplus_u8(&data, k, seed, 0, centroids, init_rows, n_threads)) != CK_OK)
        return fail("k-means++", status);
    params.tol_abs = 1e-4 * variance;
    params.n_threads = n_threads;
    if ((status = ck_kmeans_fit_u8(&data, k, centroids, &params, &result)) != CK_OK)
        return fail("k-means", status);

    printf("ckmeans %s: samples %lld features %lld clusters %lld threads %d\n", ck_version_string(),
           (long long)n, (long long)d, (long long)k, n_threads);
    printf("init_rows");
    for (int64_t j = 0; j < k; j++) printf(" %lld", (long long)init_rows[j]);
    printf("\nn_iter %d converged %d inertia %.17g\n", result.n_iter, result.converged, result.inertia);
    for (int64_t j = 0; j < k; j++) {
        printf("centroid %lld", (long long)j);
        for (int64_t f = 0; f < d; f++) printf(" %.17g", centroids[j * d + f]);
        printf("\n");
    }

    if (argc > 4) { /* how the clusters split the classes of a labels file (uint8 codes) */
        uint8_t *lab_file = read_file(argv[4], &len);
        if (!lab_file) return 1;
        if ((status = parse_uint8_idx(lab_file, len, &h)) != CK_OK) return fail(argv[4], status);
        if (h.n_elems != n) return fail("the labels file must have one label per image", CK_ERR_ARG);
        int32_t *classes = malloc((size_t)n * sizeof *classes);
        int64_t n_classes = 0;
        for (int64_t i = 0; i < n; i++) {
            classes[i] = lab_file[h.header_bytes + i];
            if (classes[i] + 1 > n_classes) n_classes = classes[i] + 1;
        }
        double *table = malloc((size_t)(n_classes * k) * sizeof *table);
        if (!table) return fail("allocating", CK_ERR_NOMEM);
        if ((status = ck_contingency(classes, labels, n, n_classes, k, NULL, table, n_threads)) != CK_OK)
            return fail("contingency", status);
        double majority = 0; /* purity: each cluster counted as its largest class */
        for (int64_t j = 0; j < k; j++) {
            double best = 0;
            for (int64_t c = 0; c < n_classes; c++) best = table[c * k + j] > best ? table[c * k + j] : best;
            majority += best;
        }
        for (int64_t c = 0; c < n_classes; c++) {
            printf("class %lld", (long long)c);
            for (int64_t j = 0; j < k; j++) printf(" %.0f", table[c * k + j]);
            printf("\n");
        }
        printf("purity %.17g\n", majority / (double)n);
        free(lab_file), free(classes), free(table);
    }
    free(X), free(centroids), free(labels), free(init_rows);
    return 0;
}
