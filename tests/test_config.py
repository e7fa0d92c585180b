import io
import os

import pytest
from threadpoolctl import threadpool_limits

import ckmeans
from ckmeans._threads import effective_n_threads, usable_cores


def test_openmp_enabled_matches_build_info():
    from ckmeans._build_info import BUILD_INFO

    assert ckmeans.openmp_enabled() is BUILD_INFO["openmp"]


def test_show_config_prints_and_returns():
    buf = io.StringIO()
    info = ckmeans.show_config(file=buf)
    text = buf.getvalue()
    assert info["ckmeans"] == ckmeans.__version__
    assert "openmp" in text and "build cflags" in text
    assert "-march=native" not in info["build cflags"]


def test_kernel_isa_names_every_family_and_show_config_reports_it():
    isa = ckmeans.kernel_isa()
    assert set(isa) == {"kmeans", "kmeans_uint8", "soft_kmeans"}
    assert set(isa.values()) <= {"avx512-vnni", "avx512", "avx2", "portable"}
    assert isa["kmeans_uint8"] in (isa["kmeans"], "avx512-vnni")  # the integer screen, or as the rest
    info = ckmeans.show_config(file=io.StringIO())
    assert info["kernels (instruction set)"] == ", ".join(f"{f} {i}" for f, i in isa.items())


def test_get_include_holds_public_header():
    header = os.path.join(ckmeans.get_include(), "ckmeans.h")
    assert os.path.isfile(header)
    with open(header) as f:
        assert "ck_strerror" in f.read()


def test_n_threads_convention():
    n = usable_cores()
    assert n >= 1
    assert effective_n_threads(None) == n
    assert effective_n_threads(3) == 3
    assert effective_n_threads(-1) == n
    assert effective_n_threads(-(n + 5)) == 1
    if n >= 2:
        assert effective_n_threads(-2) == n - 1


@pytest.mark.parametrize("bad", [0])
def test_n_threads_zero_is_error(bad):
    with pytest.raises(ValueError, match="n_threads=0"):
        effective_n_threads(bad)


@pytest.mark.parametrize("bad", [1.5, "2", True])
def test_n_threads_type_error(bad):
    with pytest.raises(TypeError, match="n_threads"):
        effective_n_threads(bad)


@pytest.mark.skipif(not ckmeans.openmp_enabled(), reason="serial build")
def test_n_threads_none_honours_threadpoolctl():
    with threadpool_limits(limits=1, user_api="openmp"):
        assert effective_n_threads(None) == 1


def test_versions_agree():
    """The package, its metadata and the compiled C core (CKMEANS_VERSION_* of ckmeans.h) are one release."""
    from importlib.metadata import PackageNotFoundError, version

    from ckmeans import _runtime

    assert _runtime.version_string() == ckmeans.__version__
    try:
        assert version("ckmeans") == ckmeans.__version__
    except PackageNotFoundError:  # an in-place build that was never installed
        pass
