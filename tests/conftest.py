"""Shared test fixtures.

Real-data tests read ../shared/data through the CKMEANS_TEST_DATA environment variable (set by
.ci/run). Without the variable they skip with a reason; with it set and a file missing they fail.
Tests that start Python in a subprocess do it through `run_python`.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import ckmeans

DATA_ENV = "CKMEANS_TEST_DATA"


def pytest_report_header(config):
    return [f"ckmeans {ckmeans.__version__} imported from {Path(ckmeans.__file__).parent}",
            f"{DATA_ENV}={os.environ.get(DATA_ENV, '(unset: real-data tests skip)')}"]


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


_scratch = []


def run_python(args, env=None, cwd=None, **kwargs):
    """``subprocess.run([sys.executable, *args])`` importing the very ckmeans this process imported.

    A ``python -c`` or ``-m`` process puts its working directory first on sys.path, and from the
    repository root that is the unbuilt source tree: it runs from a scratch folder unless `cwd` is
    given, with the directory holding the imported package (an in-place build or site-packages)
    first on PYTHONPATH, so a script outside the package (bench/) imports the same one.
    `env` defaults to this process's environment.
    """
    if cwd is None:
        if not _scratch:
            _scratch.append(tempfile.mkdtemp(prefix="ckmeans-subprocess-"))
            atexit.register(shutil.rmtree, _scratch[0], True)
        cwd = _scratch[0]
    env = dict(os.environ if env is None else env)
    package_parent = str(Path(ckmeans.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [package_parent, env.get("PYTHONPATH")] if p)
    return subprocess.run([sys.executable, *map(str, args)], env=env, cwd=cwd, **kwargs)

