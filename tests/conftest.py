"""Shared test fixtures.

Real-data tests read ../shared/data through the CKMEANS_TEST_DATA environment variable (set by
.ci/run). Without the variable they skip with a reason; with it set and a file missing they fail.
"""
import os
import tempfile
from pathlib import Path

import pytest

import ckmeans

DATA_ENV = "CKMEANS_TEST_DATA"


def pytest_report_header(config):
    return [f"ckmeans {ckmeans.__version__} imported from {Path(ckmeans.__file__).parent}",
            f"{DATA_ENV}={os.environ.get(DATA_ENV, '(unset: real-data tests skip)')}"]


def pytest_configure(config):
    # .ci/run sets this so a run that silently imported the source tree instead of the installed
    # wheel fails loudly rather than testing the wrong thing.
    if os.environ.get("CKMEANS_REQUIRE_INSTALLED"):
        # Subprocesses (`python -c`, `python -m ckmeans`) put their working directory first on
        # sys.path: run from a scratch folder so they import the wheel, not the unbuilt source tree.
        # (PYTHONSAFEPATH would also drop a script's own folder, which bench/ scripts rely on.)
        os.chdir(tempfile.mkdtemp(prefix="ckmeans-tests-"))
        here = Path(__file__).resolve().parent.parent
        if here in Path(ckmeans.__file__).resolve().parents:
            raise pytest.UsageError(f"ckmeans was imported from the source tree {ckmeans.__file__}, "
                                    "not from the installed wheel")


@pytest.fixture(scope="session")
def shared_data():
    """Path of the real datasets folder, or skip when CKMEANS_TEST_DATA is unset."""
    root = os.environ.get(DATA_ENV)
    if not root:
        pytest.skip(f"{DATA_ENV} is not set: real-data tests need MNIST, Fashion-MNIST and 20 "
                    "Newsgroups (see README.md, 'Test data')")
    path = Path(root)
    if not path.is_dir():
        pytest.fail(f"{DATA_ENV}={root} is not a directory")
    return path


def require_file(path):
    """Fail (not skip) when a data file that should be in CKMEANS_TEST_DATA is missing."""
    path = Path(path)
    if not path.exists():
        pytest.fail(f"missing test data file {path} (CKMEANS_TEST_DATA is set, so it must exist)")
    return path
