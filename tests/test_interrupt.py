"""Ctrl-C during a long C call: the kernels poll a cancel flag that a SIGINT handler sets, so Python
raises KeyboardInterrupt promptly instead of after the whole call."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import start_python

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# Each program prepares its data, says so, then makes one long C call (minutes uninterrupted).
SETUP = """
import sys
import numpy as np
import scipy.sparse
import ckmeans
X = np.random.default_rng(0).random((20000, 784), dtype=np.float32)
print("ready", flush=True)
"""
CALLS = {
    "soft fit": "ckmeans.soft_kmeans(X, 10, 1.0, max_iter=10**6, tol=0, n_threads=2)",
    "sparse soft fit": (
        "ckmeans.soft_kmeans(scipy.sparse.csr_matrix(X * (X > 0.8)), 10, 1.0, max_iter=10**6, tol=0, "
        "n_threads=2)"
    ),
    # Random data at k=200 takes hundreds of iterations to settle; tol=0 waits for it.
    "lloyd fit": "ckmeans.kmeans(X, 200, max_iter=10**6, tol=0, algorithm='lloyd', n_threads=2)",
    "yinyang fit": "ckmeans.kmeans(X, 200, max_iter=10**6, tol=0, algorithm='yinyang', n_threads=2)",
    "k-means++": "ckmeans.kmeans(X, 2000, max_iter=1, n_threads=2)",
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_sigint_stops_a_long_call_promptly(call):
    proc = start_python(
        ["-c", SETUP + CALLS[call] + "\nprint('finished', flush=True)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(1.0)  # well inside the C call
        assert proc.poll() is None, "the call ended before the interrupt: make it longer"
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    finally:
        proc.kill()
    assert "finished" not in out
    assert "KeyboardInterrupt" in err
    assert elapsed < 1.5, f"{call} took {elapsed:.2f} s to stop after SIGINT"
