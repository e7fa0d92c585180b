# Build the batch example next to this file:  python setup.py build_ext --inplace
# Needs Cython, a C compiler and an installed ckmeans; nothing from ckmeans is linked: the kernels
# are called through the compiled module ckmeans.kernels, which `cimport` imports at run time.
from Cython.Build import cythonize
from setuptools import Extension, setup

import ckmeans

extension = Extension(
    "batch_kmeans",
    ["batch_kmeans.pyx"],
    include_dirs=[ckmeans.get_include()],  # ckmeans.h, which ckmeans/kernels.pxd refers to
    extra_compile_args=["-fopenmp"],  # OpenMP for this module's own prange loop
    extra_link_args=["-fopenmp"],
)
setup(
    name="batch_kmeans",
    ext_modules=cythonize(
        [extension], language_level=3, compiler_directives={"boundscheck": False, "wraparound": False}
    ),
)
