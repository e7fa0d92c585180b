/* The NaN / infinity scan that validates float input before any kernel reads it: in C so it runs on
 * n_threads and in vector registers, where numpy's isfinite is one thread writing a temporary. */
#include <stdint.h>

#include "ckmeans.h"
#include "ck_omp.h"

/* Elements per task: a few hundred KB, enough to amortise the scheduling. */
#define CK_FINITE_BLOCK ((int64_t)1 << 16)

#if defined(__x86_64__) && defined(__GNUC__)
#define CK_FINITE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CK_FINITE_CLONES
#endif

/* x - x is 0 for a finite x and NaN (comparing unequal to 0) for NaN and infinities; the or of the
 * comparisons vectorises without reassociating any arithmetic, so every path gives the same answer. */
#define CK_DEFINE_FIND_NONFINITE(SFX, T)                                                                                              \
    CK_FINITE_CLONES static int ck_any_nonfinite_##SFX(const T *x, int64_t n)                                                         \
    {                                                                                                                                 \
        int bad = 0;                                                                                                                  \
        for (int64_t i = 0; i < n; i++) bad |= !(x[i] - x[i] == 0);                                                                   \
        return bad;                                                                                                                   \
    }                                                                                                                                 \
                                                                                                                                      \
    int ck_find_nonfinite_##SFX(const T *x, int64_t n, int64_t *first, int n_threads)                                                 \
    {                                                                                                                                 \
        if (n < 0) return CK_ERR_ARG;                                                                                                 \
        const int64_t n_blocks = (n + CK_FINITE_BLOCK - 1) / CK_FINITE_BLOCK;                                                         \
        int64_t bad_block = n_blocks;                                                                                                 \
        _Pragma("omp parallel for schedule(dynamic, 1) num_threads(ck_omp_team(n_threads, n_blocks)) reduction(min:bad_block)") for ( \
            int64_t b = 0; b < n_blocks; b++)                                                                                         \
        {                                                                                                                             \
            const int64_t start = b * CK_FINITE_BLOCK;                                                                                \
            const int64_t len = n - start < CK_FINITE_BLOCK ? n - start : CK_FINITE_BLOCK;                                            \
            if (b < bad_block && ck_any_nonfinite_##SFX(x + start, len)) bad_block = b;                                               \
        }                                                                                                                             \
        *first = -1;                                                                                                                  \
        for (int64_t i = bad_block * CK_FINITE_BLOCK; bad_block < n_blocks && i < n; i++)                                             \
            if (!(x[i] - x[i] == 0)) {                                                                                                \
                *first = i;                                                                                                           \
                break;                                                                                                                \
            }                                                                                                                         \
        return CK_OK;                                                                                                                 \
    }

CK_DEFINE_FIND_NONFINITE(f32, float)
CK_DEFINE_FIND_NONFINITE(f64, double)
