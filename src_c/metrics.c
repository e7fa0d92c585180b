/* Clustering metrics: the contingency table of two labelings.
 *
 * Determinism: rows are cut into chunks whose size depends only on the table size (never on the
 * thread count). Each chunk is counted into its own partial table, and partial tables are added to
 * `out` strictly in chunk order, so weighted sums round identically for any n_threads. Threads
 * work on a "wave" of n_threads consecutive chunks at a time, which bounds the scratch memory to
 * n_threads partial tables however many chunks there are. */
#include <stdlib.h>
#include <string.h>

#include "ck_omp.h"
#include "ckmeans.h"

/* Rows per chunk: big enough that zeroing and merging a partial table (n_rows x n_cols cells)
 * costs at most a quarter of counting the chunk, and at least a few thousand rows so that small
 * tables do not drown in per-chunk overhead. */
#define CK_CONTINGENCY_MIN_CHUNK 8192
#define CK_CONTINGENCY_CELLS_PER_ROW 4

/* Count (or weight-sum) rows [begin, end) into `table`; 1 if a code is out of range, else 0. */
static int count_chunk(const int32_t *row_codes, const int32_t *col_codes, const double *weights,
                       int64_t begin, int64_t end, int64_t n_rows, int64_t n_cols, double *table)
{
    for (int64_t i = begin; i < end; i++) {
        const int64_t r = row_codes[i], c = col_codes[i];
        /* Unsigned comparison folds the `< 0` test in; a C caller with bad codes gets an error,
         * not a write outside `table`. */
        if ((uint64_t)r >= (uint64_t)n_rows || (uint64_t)c >= (uint64_t)n_cols)
            return 1;
        table[r * n_cols + c] += weights ? weights[i] : 1.0;
    }
    return 0;
}

int ck_contingency(const int32_t *row_codes, const int32_t *col_codes, int64_t n_samples,
                   int64_t n_rows, int64_t n_cols, const double *weights, double *out,
                   int n_threads)
{
    if (n_samples < 0 || n_rows < 1 || n_cols < 1 || out == NULL)
        return CK_ERR_ARG;
    if (n_samples > 0 && (row_codes == NULL || col_codes == NULL))
        return CK_ERR_ARG;
    if (n_rows > INT64_MAX / n_cols || (uint64_t)(n_rows * n_cols) > SIZE_MAX / sizeof(double))
        return CK_ERR_ARG;
    const int64_t n_cells = n_rows * n_cols;
    memset(out, 0, (size_t)n_cells * sizeof(double));
    if (n_samples == 0)
        return CK_OK;

    int64_t chunk = CK_CONTINGENCY_MIN_CHUNK;
    if (n_cells > INT64_MAX / CK_CONTINGENCY_CELLS_PER_ROW)
        chunk = INT64_MAX;
    else if (n_cells * CK_CONTINGENCY_CELLS_PER_ROW > chunk)
        chunk = n_cells * CK_CONTINGENCY_CELLS_PER_ROW;
    const int64_t n_chunks = n_samples / chunk + (n_samples % chunk != 0);
    n_threads = ck_omp_clamp_threads(n_threads);
    const int64_t wave = n_threads < n_chunks ? n_threads : n_chunks;

    if ((uint64_t)wave > SIZE_MAX / sizeof(double) / (uint64_t)n_cells)
        return CK_ERR_NOMEM;
    double *partial = malloc((size_t)(wave * n_cells) * sizeof(double));
    int *bad = calloc((size_t)wave, sizeof(int));
    if (partial == NULL || bad == NULL) {
        free(partial);
        free(bad);
        return CK_ERR_NOMEM;
    }

    int status = CK_OK;
    for (int64_t first = 0; first < n_chunks && status == CK_OK; first += wave) {
        const int64_t in_wave = n_chunks - first < wave ? n_chunks - first : wave;
        #pragma omp parallel for num_threads((int)wave) schedule(static, 1)
        for (int64_t b = 0; b < in_wave; b++) {
            double *table = partial + b * n_cells;
            const int64_t begin = (first + b) * chunk;
            const int64_t end = n_samples - begin < chunk ? n_samples : begin + chunk;
            memset(table, 0, (size_t)n_cells * sizeof(double));
            bad[b] = count_chunk(row_codes, col_codes, weights, begin, end, n_rows, n_cols, table);
        }
        for (int64_t b = 0; b < in_wave; b++)
            if (bad[b])
                status = CK_ERR_LABEL_RANGE;
        if (status != CK_OK)
            break;
        /* Each cell adds its partial counts in chunk order: the same additions in the same order
         * as a serial chunk-by-chunk merge, so splitting the merge over cells changes nothing. */
        #pragma omp parallel for num_threads((int)wave) schedule(static)
        for (int64_t cell = 0; cell < n_cells; cell++) {
            double sum = out[cell];
            for (int64_t b = 0; b < in_wave; b++)
                sum += partial[b * n_cells + cell];
            out[cell] = sum;
        }
    }
    free(partial);
    free(bad);
    return status;
}
