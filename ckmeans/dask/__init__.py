"""ckmeans on Dask: k-means and soft k-means over a ``dask.array`` too large for one machine, with
the C kernels running on the workers of a ``dask.distributed`` cluster (``pip install
'ckmeans[dask]'``)."""

try:
    import dask.array  # noqa: F401
    import distributed  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("ckmeans.dask needs dask[array] and distributed: pip install 'ckmeans[dask]'") from exc

from ckmeans.dask._idx import read_idx
from ckmeans.dask._kmeans import KMeans
from ckmeans.dask._soft import SoftKMeans

__all__ = ["KMeans", "SoftKMeans", "read_idx"]
