"""Inputs beyond 2^31 elements: every row offset in the C core must be 64-bit.

One uint8 array of just over 2^31 bytes (2.1 GB, used as it is, never copied), memory-mapped from a
sparse file: only its last rows are written, the rest is a hole that reads as zeros, so the test
needs disk address space, not RAM (the pages it reads are clean page cache the kernel can drop). A
32-bit product row * n_features would wrap for the last rows; those rows are the ones that carry the
second cluster, so a wrapped offset shows up as wrong labels or centres, not only as a crash.
"""

import numpy as np
import pytest

import ckmeans

N_FEATURES = 1024
N_SAMPLES = 2**31 // N_FEATURES + 4096  # 2^31 + 4 Mi elements
N_TAIL = 3000  # rows past the 2^31st element, all 255


@pytest.fixture(scope="module")
def big_u8(tmp_path_factory):
    path = tmp_path_factory.mktemp("large") / "X.u8"
    head = N_SAMPLES - N_TAIL
    tail = np.full((N_TAIL, N_FEATURES), 255, np.uint8)
    tail[0, 7] = 0  # one tail row differs, so its centre is not all 255
    with open(path, "wb") as f:
        f.seek(head * N_FEATURES)
        f.write(tail.tobytes())
    yield np.memmap(path, np.uint8, "r", shape=(N_SAMPLES, N_FEATURES))
    path.unlink()


@pytest.mark.parametrize("algorithm", ["lloyd", "hamerly"])
def test_more_than_2_31_elements(big_u8, algorithm):
    """Lloyd's fused pass, and the bounded fit with exact sums (rows read only where the bounds need
    them, only changed rows moved)."""
    X = big_u8
    assert X.size > 2**31
    init = np.stack([np.full(N_FEATURES, 10.0), np.full(N_FEATURES, 200.0)])
    result = ckmeans.kmeans(X, 2, init=init, max_iter=5, n_threads=2, algorithm=algorithm)
    labels = result.labels
    assert labels.dtype == np.int32 and labels.shape == (N_SAMPLES,)
    head = N_SAMPLES - N_TAIL
    assert np.count_nonzero(labels[:head]) == 0
    assert np.all(labels[head:] == 1)
    expected_tail = np.full(N_FEATURES, 255.0)
    expected_tail[7] = 255.0 * (N_TAIL - 1) / N_TAIL
    np.testing.assert_array_equal(result.centroids[0], np.zeros(N_FEATURES))
    np.testing.assert_allclose(result.centroids[1], expected_tail, rtol=1e-15)
    # Only the tail's one zero pixel is off its centre.
    expected_inertia = (N_TAIL - 1) * (255.0 / N_TAIL) ** 2 + (255.0 * (N_TAIL - 1) / N_TAIL) ** 2
    assert result.inertia == pytest.approx(expected_inertia, rel=1e-9)
    assert result.converged
