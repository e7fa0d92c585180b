# The C-level API of ckmeans.kernels is for Cython (`cimport`, see kernels.pxd); Python sees this.
__all__ = ["strerror"]

def strerror(status: int) -> str:
    """English message of a ckmeans C status code (0 = ok)."""
