"""ckmeans: exact, fast k-means with a C/OpenMP core.

Thread convention for every ``n_threads`` argument: see :mod:`ckmeans._threads` (None = all usable
cores, negative counts back, 0 is an error); results are identical for any thread count.
"""
__version__ = "0.1.0"

from ckmeans._config import get_include, show_config
from ckmeans._runtime import openmp_enabled
from ckmeans._kmeans import KMeansResult, kmeans  # hard k-means engine

__all__ = ["__version__", "get_include", "openmp_enabled", "show_config"]
__all__ += ["KMeansResult", "kmeans"]
