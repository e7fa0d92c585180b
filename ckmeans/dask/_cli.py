"""What ``ckmeans fit --scheduler`` runs on Dask: the command line (ckmeans.cli) imports only the
core dependencies, and reaches dask and distributed through here."""

from __future__ import annotations

import dask.array as da
import scipy.sparse as sp
from distributed import Client, LocalCluster

from ckmeans.dask._kmeans import KMeans
from ckmeans.dask._soft import SoftKMeans


def connect(address, stack):
    """A Client of the scheduler at `address`, or of a LocalCluster on this machine for 'local'
    (dask's default workers, one thread each), closed with `stack` (a contextlib.ExitStack).
    OSError when the scheduler cannot be reached."""
    target = address
    if address == "local":
        target = stack.enter_context(LocalCluster(threads_per_worker=1, dashboard_address=":0"))
    return stack.enter_context(Client(target, timeout=10))


# Rows per block of sparse input: about this many nonzeros each (dask's "auto" sizes dense blocks).
SPARSE_BLOCK_NNZ = 2**20


def fit(X, soft, n_clusters, **params):
    """One fit of the in-memory X (an array or a scipy sparse matrix) through ckmeans.dask on the
    current client, sent in row blocks: (the fitted estimator, its labels and, soft, its
    responsibilities, as NumPy arrays)."""
    if sp.issparse(X):
        rows = max(1, X.shape[0] * SPARSE_BLOCK_NNZ // max(X.nnz, 1))
        dX = da.from_array(sp.csr_matrix(X), chunks=(rows, -1), asarray=False)
    else:
        dX = da.from_array(X, chunks=("auto", -1))
    if soft:
        est = SoftKMeans(n_clusters, **params).fit(dX)
        return est, est.labels_.compute(), est.predict_proba(dX).compute()
    est = KMeans(n_clusters, **params).fit(dX)
    return est, est.labels_.compute(), None
