"""The thread-count convention shared by every parallel function in ckmeans.

``n_threads`` is resolved the same way everywhere (and documented once, here and in README.md):

* ``None``: every usable core -- the smaller of what the OpenMP runtime would use (which honours
  ``OMP_NUM_THREADS`` and ``threadpoolctl.threadpool_limits``) and the CPUs this process may run on
  (CPU affinity and cgroup CPU quotas, as counted by joblib, which honours ``LOKY_MAX_CPU_COUNT``).
* a positive integer: exactly that many threads.
* a negative integer: counts back from the ``None`` value; ``-1`` is all usable cores, ``-2`` all
  but one, never fewer than one.
* ``0``: a ``ValueError``.

Results never depend on the thread count: kernels split work into fixed chunks and merge per-chunk
results in a fixed order.
"""

import numbers

from joblib import cpu_count

from ckmeans._runtime import omp_max_threads

# The C kernels take an int.
_MAX_THREADS = 2**31 - 1


def usable_cores():
    """Number of threads ``n_threads=None`` stands for."""
    return max(1, min(omp_max_threads(), cpu_count()))


def effective_n_threads(n_threads=None):
    """Resolve a user's ``n_threads`` argument to a positive thread count."""
    if n_threads is None:
        return usable_cores()
    if isinstance(n_threads, bool) or not isinstance(n_threads, numbers.Integral):
        raise TypeError(f"n_threads must be None or an integer, got {n_threads!r}")
    n_threads = int(n_threads)
    if abs(n_threads) > _MAX_THREADS:
        raise ValueError(f"n_threads={n_threads} is out of range: at most {_MAX_THREADS} in absolute value")
    if n_threads == 0:
        raise ValueError(
            "n_threads=0 is not allowed: use None for all usable cores, a positive "
            "count, or a negative count back from all usable cores (-1 = all)"
        )
    if n_threads < 0:
        return max(1, usable_cores() + 1 + n_threads)
    return n_threads
