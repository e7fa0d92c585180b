"""Shared test fixtures.

Real-data tests read ../shared/data through the CKMEANS_TEST_DATA environment variable (set by
.ci/run). Without the variable they skip with a reason; with it set and a file missing they fail.
Tests that start Python in a subprocess do it through `run_python`; tests that compare kernels under
the CKMEANS_NO_* switches through `run_under_switch`.
"""

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

import ckmeans

DATA_ENV = "CKMEANS_TEST_DATA"


def pytest_report_header(config):
    return [
        f"ckmeans {ckmeans.__version__} imported from {Path(ckmeans.__file__).parent}",
        f"{DATA_ENV}={os.environ.get(DATA_ENV, '(unset: real-data tests skip)')}",
    ]


@pytest.fixture(scope="session")
def shared_data():
    """Path of the real datasets folder, or skip when CKMEANS_TEST_DATA is unset."""
    root = os.environ.get(DATA_ENV)
    if not root:
        pytest.skip(
            f"{DATA_ENV} is not set: real-data tests need MNIST, Fashion-MNIST and 20 "
            "Newsgroups (see README.md, 'Test data')"
        )
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
    """``subprocess.run([sys.executable, *args])`` importing the very ckmeans this process imported
    (see start_python)."""
    return subprocess.run(**_python_call(args, env, cwd), **kwargs)


def start_python(args, env=None, cwd=None, **kwargs):
    """``subprocess.Popen([sys.executable, *args])`` importing the very ckmeans this process imported.

    A ``python -c`` or ``-m`` process puts its working directory first on sys.path, and from the
    repository root that is the unbuilt source tree: it runs from a scratch folder unless `cwd` is
    given, with the directory holding the imported package (an in-place build or site-packages)
    first on PYTHONPATH, so a script outside the package (bench/) imports the same one.
    `env` defaults to this process's environment.
    """
    return subprocess.Popen(**_python_call(args, env, cwd), **kwargs)


def _python_call(args, env, cwd):
    if cwd is None:
        if not _scratch:
            _scratch.append(tempfile.mkdtemp(prefix="ckmeans-subprocess-"))
            atexit.register(shutil.rmtree, _scratch[0], True)
        cwd = _scratch[0]
    env = dict(os.environ if env is None else env)
    package_parent = str(Path(ckmeans.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [package_parent, env.get("PYTHONPATH")] if p)
    return {"args": [sys.executable, *map(str, args)], "env": env, "cwd": cwd}


# switch -> (the instruction set it leaves a kernel family, the sets it takes away)
SWITCHES = {
    "CKMEANS_NO_SIMD": ("portable", {"avx2", "avx512", "avx512-vnni"}),
    "CKMEANS_NO_AVX512": ("avx2", {"avx512", "avx512-vnni"}),
    "CKMEANS_NO_VNNI": ("avx512", {"avx512-vnni"}),
}
_REPORT_ISA = "\nimport json as _j, ckmeans as _c; print(_j.dumps(_c.kernel_isa()))"


@functools.cache
def run_under_switch(code, switch):
    """Run the ``python -c`` program `code`, which saves arrays with np.savez to the path given as
    its argument, in a fresh process where of the CKMEANS_NO_* switches only `switch` (or none) is
    set to 1: (that process's ckmeans.kernel_isa(), the arrays; None for an empty `code`). Cached,
    so the run without a switch serves every comparison."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CKMEANS_NO_")}
    if switch:
        env[switch] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.npz"
        proc = run_python(
            ["-c", code + _REPORT_ISA, path], env=env, check=True, capture_output=True, text=True
        )
        arrays = None
        if code:
            with np.load(path) as z:
                arrays = [z[name] for name in z.files]
    return json.loads(proc.stdout.splitlines()[-1]), arrays


def arrays_under_switch(code, switch, family):
    """(arrays of `code` without switches, arrays under `switch`), after checking that the switch
    moved kernel `family` off this CPU's instruction set to the one it names. Skips where the CPU
    lacks the path the switch turns off (the comparison would be of a path with itself)."""
    isa, ref = run_under_switch("", None)[0][family], run_under_switch(code, None)[1]
    want, removes = SWITCHES[switch]
    if isa not in removes:
        pytest.skip(f"{switch} has nothing to turn off here: this CPU runs the {family} kernels on {isa}")
    got, out = run_under_switch(code, switch)
    assert got[family] == want, f"{switch}=1 left the {family} kernels on {got[family]}, not {want}"
    return ref, out


def start_local_cluster(n_workers):
    """A LocalCluster of n_workers worker processes of 1 thread each, and a client of it."""
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    return cluster, distributed.Client(cluster, set_as_default=False)


@pytest.fixture(scope="session")
def clusters():
    """A client on 1 worker process and one on 2 (ckmeans.dask's tests), made current in turn."""
    made = {n: start_local_cluster(n) for n in (1, 2)}
    yield {n: client for n, (_, client) in made.items()}
    for cluster, client in made.values():
        client.close()
        cluster.close()


@pytest.fixture
def client(clusters):
    """The 2-worker client, current for the test."""
    with clusters[2].as_current():
        yield clusters[2]
