/* Clustering metrics: the contingency table of two labelings.
 *
 * Determinism: rows are cut into chunks whose size depends only on n_samples and the table size
 * (never on the thread count). Each chunk is counted into its own partial table, and partial tables
 * are added to `out` strictly in chunk order, so weighted sums round identically for any n_threads.
 * One parallel region does both steps: on a shared, oversubscribed machine every extra fork/join
 * can cost a whole scheduler time slice. */
#include <stdlib.h>
#include <string.h>

#include "ck_omp.h"
#include "ckmeans.h"

/* Rows per chunk: big enough that zeroing and merging a partial table (n_rows x n_cols cells)
 * costs at most a quarter of counting the chunk, at least a few thousand rows so that small tables
 * do not drown in per-chunk overhead, and few enough chunks (at most CK_CONTINGENCY_MAX_CHUNKS)
 * that the partial tables stay small next to the input: at most 2 bytes per row. */
#define CK_CONTINGENCY_MIN_CHUNK 8192
#define CK_CONTINGENCY_CELLS_PER_ROW 4
#define CK_CONTINGENCY_MAX_CHUNKS 64

/* Count (or weight-sum) rows [begin, end) into `table`; 1 if a code is out of range, else 0.
 * With resp (soft table) row i adds weights[i] * resp[i, c] to every column c of its class row
 * instead (col_codes unused). */
static int count_chunk(const int32_t *row_codes, const int32_t *col_codes, const double *resp,
                       const double *weights, int64_t begin, int64_t end, int64_t n_rows, int64_t n_cols,
                       double *table)
{
    for (int64_t i = begin; i < end; i++) {
        const int64_t r = row_codes[i];
        /* Unsigned comparison folds the `< 0` test in; a C caller with bad codes gets an error,
         * not a write outside `table`. */
        if ((uint64_t)r >= (uint64_t)n_rows) return 1;
        if (resp) {
            const double w = weights ? weights[i] : 1.0;
            for (int64_t c = 0; c < n_cols; c++) table[r * n_cols + c] += w * resp[i * n_cols + c];
            continue;
        }
        const int64_t c = col_codes[i];
        if ((uint64_t)c >= (uint64_t)n_cols) return 1;
        table[r * n_cols + c] += weights ? weights[i] : 1.0;
    }
    return 0;
}

/* The hard table (resp NULL: col_codes) or the soft one (resp: n_samples x n_cols). */
static int tabulate(const int32_t *row_codes, const int32_t *col_codes, const double *resp, int64_t n_samples,
                    int64_t n_rows, int64_t n_cols, const double *weights, double *out, int n_threads)
{
    if (n_samples < 0 || n_rows < 1 || n_cols < 1 || out == NULL) return CK_ERR_ARG;
    if (n_samples > 0 && (row_codes == NULL || (col_codes == NULL && resp == NULL))) return CK_ERR_ARG;
    if (n_rows > INT64_MAX / n_cols || (uint64_t)(n_rows * n_cols) > SIZE_MAX / sizeof(double))
        return CK_ERR_ARG;
    const int64_t n_cells = n_rows * n_cols;
    memset(out, 0, (size_t)n_cells * sizeof(double));
    if (n_samples == 0) return CK_OK;

    int64_t chunk = n_samples / CK_CONTINGENCY_MAX_CHUNKS + 1;
    if (chunk < CK_CONTINGENCY_MIN_CHUNK) chunk = CK_CONTINGENCY_MIN_CHUNK;
    if (n_cells > INT64_MAX / CK_CONTINGENCY_CELLS_PER_ROW) chunk = INT64_MAX;
    else if (n_cells * CK_CONTINGENCY_CELLS_PER_ROW > chunk) chunk = n_cells * CK_CONTINGENCY_CELLS_PER_ROW;
    const int64_t n_chunks = (n_samples - 1) / chunk + 1;

    /* Chunk 0 counts straight into the zeroed `out` (0 + x == x exactly, so this is the same as
     * merging its partial table); chunks 1.. get their own tables. */
    double *partial = NULL;
    if (n_chunks > 1) {
        if ((uint64_t)(n_chunks - 1) > SIZE_MAX / sizeof(double) / (uint64_t)n_cells) return CK_ERR_NOMEM;
        partial = calloc((size_t)((n_chunks - 1) * n_cells), sizeof(double));
    }
    int *bad = calloc((size_t)n_chunks, sizeof(int));
    if ((n_chunks > 1 && partial == NULL) || bad == NULL) {
        free(partial);
        free(bad);
        return CK_ERR_NOMEM;
    }

#pragma omp parallel num_threads(ck_omp_team(n_threads, n_chunks))
    {
#pragma omp for schedule(static)
        for (int64_t b = 0; b < n_chunks; b++) {
            double *table = b == 0 ? out : partial + (b - 1) * n_cells;
            const int64_t begin = b * chunk;
            const int64_t end = n_samples - begin < chunk ? n_samples : begin + chunk;
            bad[b] = count_chunk(row_codes, col_codes, resp, weights, begin, end, n_rows, n_cols, table);
        }
/* Each cell adds its partial tables in chunk order: the same additions in the same order
         * as a serial chunk-by-chunk merge, so splitting the merge over cells changes nothing. */
#pragma omp for schedule(static)
        for (int64_t cell = 0; cell < n_cells; cell++) {
            double sum = out[cell];
            for (int64_t b = 1; b < n_chunks; b++) sum += partial[(b - 1) * n_cells + cell];
            out[cell] = sum;
        }
    }
    int status = CK_OK;
    for (int64_t b = 0; b < n_chunks; b++)
        if (bad[b]) status = CK_ERR_LABEL_RANGE;
    free(partial);
    free(bad);
    return status;
}

int ck_contingency(const int32_t *row_codes, const int32_t *col_codes, int64_t n_samples, int64_t n_rows,
                   int64_t n_cols, const double *weights, double *out, int n_threads)
{
    if (n_samples > 0 && col_codes == NULL) return CK_ERR_ARG;
    return tabulate(row_codes, col_codes, NULL, n_samples, n_rows, n_cols, weights, out, n_threads);
}

int ck_soft_contingency(const int32_t *row_codes, const double *resp, int64_t n_samples, int64_t n_rows,
                        int64_t n_cols, const double *weights, double *out, int n_threads)
{
    if (n_samples > 0 && resp == NULL) return CK_ERR_ARG;
    return tabulate(row_codes, NULL, resp, n_samples, n_rows, n_cols, weights, out, n_threads);
}
