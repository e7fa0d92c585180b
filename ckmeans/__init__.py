"""ckmeans: exact, fast k-means with a C/OpenMP core.

Thread convention for every ``n_threads`` argument: see :mod:`ckmeans._threads` (None = all usable
cores, negative counts back, 0 is an error); results are identical for any thread count.
"""

__version__ = "0.4.0"

from ckmeans import datasets, metrics
from ckmeans._config import get_include, show_config
from ckmeans._kmeans import KMeansResult, kmeans
from ckmeans._runtime import kernel_isa, openmp_enabled
from ckmeans._soft import SoftKMeansResult, soft_kmeans
from ckmeans.estimators import KMeans, SoftKMeans
from ckmeans.idx import IDXFormatError, read_idx, write_idx

__all__ = [
    "IDXFormatError",
    "KMeans",
    "KMeansResult",
    "SoftKMeans",
    "SoftKMeansResult",
    "__version__",
    "datasets",
    "get_include",
    "kernel_isa",
    "kmeans",
    "metrics",
    "openmp_enabled",
    "read_idx",
    "show_config",
    "soft_kmeans",
    "write_idx",
]
