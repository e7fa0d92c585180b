"""Build and runtime configuration: OpenMP, thread count, compiler flags, header location."""

import os
import sys

from ckmeans._runtime import kernel_isa, openmp_enabled
from ckmeans._threads import effective_n_threads


def get_include():
    """Directory holding the public C header ``ckmeans.h`` (for C or Cython code using ckmeans).

    Cython code that does ``from ckmeans.kernels cimport ...`` needs only this directory:
    ``include_dirs=[ckmeans.get_include()]``. Cython finds ``ckmeans/kernels.pxd`` through the
    installed package on ``sys.path`` (as it finds numpy's .pxd files), so the header is not copied
    next to it and the .pxd is not copied here: one file of each, nothing to drift.
    """
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "include")


def _build_info():
    try:
        from ckmeans._build_info import BUILD_INFO
    except ImportError:  # a source tree that setup.py has not built
        BUILD_INFO = {}
    return BUILD_INFO


def show_config(file=None):
    """Print how ckmeans was built and what it will use at run time; also return it as a dict."""
    import numpy

    from ckmeans import __version__
    from ckmeans.idx import GZIP_BACKEND

    info = {
        "ckmeans": __version__,
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "openmp": openmp_enabled(),
        "n_threads (None resolves to)": effective_n_threads(None),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "(unset)"),
        "kernels (instruction set)": ", ".join(f"{f} {isa}" for f, isa in kernel_isa().items()),
        "gzip backend": GZIP_BACKEND,
        "include": get_include(),
    }
    info.update({f"build {k}": v for k, v in _build_info().items()})
    width = max(len(k) for k in info)
    for key, value in info.items():
        print(f"{key:<{width}} : {value}", file=file or sys.stdout)
    return info
