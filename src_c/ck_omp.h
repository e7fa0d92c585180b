/* The one place ckmeans touches the OpenMP runtime.
 *
 * Kernels call ck_omp_* instead of omp_* so that a build without OpenMP (CKMEANS_NO_OPENMP=1, or a
 * compiler without -fopenmp) still compiles: the pragmas are ignored and these fall back to one
 * thread. Private header: not part of the public API. */
#ifndef CK_OMP_H
#define CK_OMP_H

#include <stdint.h>

#ifdef _OPENMP
#include <omp.h>
static inline int ck_omp_max_threads(void) { return omp_get_max_threads(); }
static inline int ck_omp_thread_num(void) { return omp_get_thread_num(); }
static inline int ck_omp_enabled(void) { return 1; }
#else
static inline int ck_omp_max_threads(void) { return 1; }
static inline int ck_omp_thread_num(void) { return 0; }
static inline int ck_omp_enabled(void) { return 0; }
#endif

/* Callers pass n_threads >= 1 (Python resolves None/negative values); clamp defensively so a C
 * caller passing 0 or a negative count still gets one thread instead of undefined behaviour. */
static inline int ck_omp_clamp_threads(int n_threads) { return n_threads < 1 ? 1 : n_threads; }

/* Threads for a parallel region over n_tasks independent tasks (chunks or groups): never more than
 * there are tasks. An idle extra thread still has to be woken and joined, and on a loaded machine
 * that wait can cost far more than a small fit itself. Results never depend on it (see ck_chunks.h). */
static inline int ck_omp_team(int n_threads, int64_t n_tasks)
{
    const int nt = ck_omp_clamp_threads(n_threads);
    return n_tasks < 1 ? 1 : (n_tasks < nt ? (int)n_tasks : nt);
}

#endif
