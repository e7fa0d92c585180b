"""Dataset loaders and the downloader.

* :func:`load_mnist` -- MNIST / Fashion-MNIST from the four canonical IDX files.
* :func:`load_20newsgroups` -- the 20 Newsgroups "bydate" split from its tarball or folder.
* :func:`fetch` -- download a dataset into the data home (verified, atomic, with mirrors).
* :func:`get_data_home` -- the folder the loaders search last and ``fetch`` writes to
  (``~/ckmeans_data``, or ``$CKMEANS_DATA_HOME``, or the ``data_home`` argument).
"""

from ckmeans.datasets._fetch import DownloadError, fetch
from ckmeans.datasets._home import get_data_home
from ckmeans.datasets._mnist import load_mnist
from ckmeans.datasets._newsgroups import load_20newsgroups

__all__ = ["DownloadError", "fetch", "get_data_home", "load_20newsgroups", "load_mnist"]
