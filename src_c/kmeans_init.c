/* k-means initialisation: greedy k-means++ and random rows, with ckmeans' own RNG so a seed gives
 * the same centres on every machine and for every thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ckmeans.h"
#include "ck_omp.h"
#include "ck_kmeans_internal.h"
#include "ck_cancel.h"

/* xoshiro256** seeded through splitmix64 (Blackman & Vigna): small, fast, and fully specified, so
 * the stream is the same everywhere (unlike rand() or a library's generator). */
typedef struct {
    uint64_t s[4];
} ck_rng;

static uint64_t ck_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void ck_rng_seed(ck_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = ck_splitmix64(&seed);
}

static inline uint64_t ck_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t ck_rng_next(ck_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t out = ck_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ck_rotl(s[3], 45);
    return out;
}

/* Uniform double in [0, 1) with 53 random bits. */
static double ck_rng_uniform(ck_rng *r) { return (double)(ck_rng_next(r) >> 11) * 0x1.0p-53; }

/* k distinct rows. Unweighted: a partial Fisher-Yates shuffle (every k-subset equally likely).
 * Weighted: successive draws proportional to the weights of the rows not yet drawn (what
 * numpy's choice(replace=False, p=w/sum(w)) does, as scikit-learn's random init); rows of weight
 * zero are never drawn, and fewer than k positive weights is CK_ERR_ARG. O(n k) then. */
static int ck_sample_rows(int64_t n, const double *w, int64_t k, uint64_t seed, int64_t *out)
{
    if (n < 1 || k < 1 || k > n) return CK_ERR_ARG;
    ck_rng rng;
    ck_rng_seed(&rng, seed);
    if (!w) {
        int64_t *perm = malloc((size_t)n * sizeof(int64_t));
        if (!perm) return CK_ERR_NOMEM;
        for (int64_t i = 0; i < n; i++) perm[i] = i;
        for (int64_t j = 0; j < k; j++) {
            const int64_t pick = j + (int64_t)(ck_rng_uniform(&rng) * (double)(n - j));
            const int64_t t = perm[j];
            perm[j] = perm[pick];
            perm[pick] = t;
            out[j] = perm[j];
        }
        free(perm);
        return CK_OK;
    }
    unsigned char *taken = calloc((size_t)n, 1);
    if (!taken) return CK_ERR_NOMEM;
    int status = CK_OK;
    for (int64_t j = 0; j < k && status == CK_OK; j++) {
        double total = 0.0;
        for (int64_t i = 0; i < n; i++)
            if (!taken[i]) total += w[i];
        if (!(total > 0)) {
            status = CK_ERR_ARG;
            break;
        }
        const double target = ck_rng_uniform(&rng) * total;
        double acc = 0.0;
        int64_t pick = -1;
        for (int64_t i = 0; i < n; i++) {
            if (taken[i] || !(w[i] > 0)) continue;
            pick = i; /* the last positive-weight row absorbs rounding at the top end */
            acc += w[i];
            if (acc > target) break;
        }
        taken[pick] = 1;
        out[j] = pick;
    }
    free(taken);
    return status;
}

/* A k-means++ round's choice, for dense and CSR rows alike: the candidate whose potential (its
 * per-chunk sums, part[t * n_chunks + c]) is lowest, first on ties; its distances (cand_dist, n per
 * candidate) and per-chunk potentials become the current ones. Returns it; *pot = its potential. */
static int64_t ck_pp_keep_best(const double *part, const double *cand_dist, int64_t n_cand, int64_t n,
                               int64_t n_chunks, double *closest, double *cur_part, double *pot)
{
    int64_t best = 0;
    double best_pot = INFINITY;
    for (int64_t t = 0; t < n_cand; t++) {
        const double p = ck_sum_ordered(part + t * n_chunks, n_chunks);
        if (p < best_pot) {
            best_pot = p;
            best = t;
        }
    }
    memcpy(closest, cand_dist + best * n, (size_t)n * sizeof(double));
    memcpy(cur_part, part + best * n_chunks, (size_t)n_chunks * sizeof(double));
    *pot = best_pot;
    return best;
}

#define CK_TPL "kmeans_init_tpl.h"
#include "ck_dtypes.h"

/* The same initialisations on CSR rows. k-means++ scores its candidates CK_PP_BLOCK at a time: a
 * block's sums fit in one or two vector registers. */
#define CK_PP_BLOCK 4
#undef CK_TPL
#define CK_TPL "sparse_init_tpl.h"
#include "ck_csr_dtypes.h"
