import itertools
import os
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics.cluster import contingency_matrix as sk_contingency_matrix

from ckmeans import _metrics
from ckmeans.metrics import contingency_matrix, gini, map_clusters, objective, purity


def numpy_contingency(row_codes, col_codes, n_rows, n_cols, weights=None):
    """Slow twin of ck_contingency."""
    out = np.zeros((n_rows, n_cols))
    np.add.at(out, (row_codes, col_codes), 1.0 if weights is None else weights)
    return out


def kernel(row_codes, col_codes, n_rows, n_cols, weights=None, n_threads=1):
    out = np.full((n_rows, n_cols), np.nan)  # the kernel must overwrite, not accumulate
    _metrics.contingency(
        np.asarray(row_codes, np.int32),
        np.asarray(col_codes, np.int32),
        None if weights is None else np.asarray(weights, np.float64),
        out,
        n_threads,
    )
    return out


codes_and_sizes = st.tuples(st.integers(1, 6), st.integers(1, 9), st.integers(0, 300)).flatmap(
    lambda s: st.tuples(
        st.just(s[0]),
        st.just(s[1]),
        hnp.arrays(np.int32, s[2], elements=st.integers(0, s[0] - 1)),
        hnp.arrays(np.int32, s[2], elements=st.integers(0, s[1] - 1)),
    )
)


# ---- the C kernel against its twin ----------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(codes_and_sizes, st.sampled_from([1, 2]), st.booleans())
def test_kernel_matches_numpy_twin(data, n_threads, weighted):
    n_rows, n_cols, rows, cols = data
    # Small integer weights keep every sum exact, so any summation order must agree bit for bit.
    weights = (np.arange(rows.size) % 7).astype(np.float64) if weighted else None
    expected = numpy_contingency(rows, cols, n_rows, n_cols, weights)
    np.testing.assert_array_equal(kernel(rows, cols, n_rows, n_cols, weights, n_threads), expected)


@pytest.mark.parametrize("n_rows, n_cols, n", [(10, 20, 100_000), (20, 500, 200_000)])
def test_kernel_bit_identical_across_threads_with_float_weights(n_rows, n_cols, n):
    # Both cases span several chunks (8192 rows, or 4 rows per table cell when that is more).
    rng = np.random.default_rng(n_cols)
    rows, cols = rng.integers(0, n_rows, n), rng.integers(0, n_cols, n)
    weights = rng.random(n) * 1e3
    results = [kernel(rows, cols, n_rows, n_cols, weights, t) for t in (1, 2, 3)]
    for other in results[1:]:
        np.testing.assert_array_equal(results[0], other)
    np.testing.assert_allclose(results[0], numpy_contingency(rows, cols, n_rows, n_cols, weights), rtol=1e-12)


def test_kernel_rejects_out_of_range_codes():
    # Guard for C callers: an out-of-range code is an error, never a write outside the table.
    with pytest.raises(ValueError, match="outside its range"):
        kernel([0, 3], [0, 0], 3, 1)
    with pytest.raises(ValueError, match="outside its range"):
        kernel([0, 0], [0, -1], 1, 2)


def test_kernel_empty_input_gives_zero_table():
    np.testing.assert_array_equal(kernel([], [], 2, 3), np.zeros((2, 3)))


# ---- contingency_matrix -----------------------------------------------------------------------


def test_contingency_matrix_arbitrary_integer_labels():
    y = np.array([7, 7, -2, 7, 100], dtype=np.int16)
    labels = [3, -1, 3, 3, 40]
    table, classes, clusters = contingency_matrix(y, labels)
    np.testing.assert_array_equal(classes, [-2, 7, 100])
    np.testing.assert_array_equal(clusters, [-1, 3, 40])
    # class -2: one point, in cluster 3; class 7: clusters -1 (once) and 3 (twice); class 100: 40.
    np.testing.assert_array_equal(table, [[0, 1, 0], [1, 2, 0], [0, 0, 1]])
    assert table.dtype == np.int64


def test_contingency_matrix_n_clusters_keeps_empty_clusters():
    table, _, clusters = contingency_matrix([0, 1, 1], [2, 0, 2], n_clusters=4)
    np.testing.assert_array_equal(clusters, [0, 1, 2, 3])
    np.testing.assert_array_equal(table, [[0, 0, 1, 0], [1, 0, 1, 0]])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 400).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.int64, n, elements=st.integers(-3, 5)),
            # narrow ranges take the presence-table encoding, wide ones np.unique
            st.sampled_from([1000, 2**62]).flatmap(
                lambda span: hnp.arrays(np.int64, n, elements=st.integers(-span, span))
            ),
        )
    )
)
def test_contingency_matrix_matches_sklearn(data):
    y, labels = data
    np.testing.assert_array_equal(contingency_matrix(y, labels).table, sk_contingency_matrix(y, labels))


def test_integer_weights_equal_repeated_points():
    rng = np.random.default_rng(1)
    y, labels, w = rng.integers(0, 4, 500), rng.integers(0, 6, 500), rng.integers(0, 4, 500)
    weighted = contingency_matrix(y, labels, sample_weight=w)
    repeated = contingency_matrix(np.repeat(y, w), np.repeat(labels, w), n_clusters=6)
    assert weighted.table.dtype == np.float64
    np.testing.assert_array_equal(weighted.table[:, weighted.clusters], repeated.table)


def test_contingency_matrix_same_for_any_thread_count():
    rng = np.random.default_rng(2)
    y, labels, w = rng.integers(0, 10, 60_000), rng.integers(0, 30, 60_000), rng.random(60_000)
    tables = [contingency_matrix(y, labels, sample_weight=w, n_threads=t).table for t in (1, 2)]
    np.testing.assert_array_equal(tables[0], tables[1])


# ---- purity and gini: hand-computed cases -----------------------------------------------------

Y_HAND = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2]
L_HAND = [1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
# cluster 1: classes {0: 2}              -> majority 2, Gini 1 - 1 = 0
# cluster 2: classes {0: 1, 1: 2, 2: 1}  -> majority 2, Gini 1 - (1 + 4 + 1) / 16 = 10/16
# cluster 3: classes {2: 4}              -> majority 4, Gini 0


def test_purity_hand_computed():
    assert purity(Y_HAND, L_HAND) == pytest.approx((2 + 2 + 4) / 10)


def test_gini_hand_computed():
    # weights n_k / n = 2/10, 4/10, 4/10
    assert gini(Y_HAND, L_HAND) == pytest.approx(4 / 10 * 10 / 16)


def test_gini_divides_by_this_labeling_size_not_11314():
    # Two clusters of 2 points, each half-and-half: impurity 1/2 each, weighted sum 1/2.
    assert gini([0, 1, 0, 1], [0, 0, 1, 1]) == pytest.approx(0.5)


# ---- properties --------------------------------------------------------------------------------

labelings = st.integers(1, 200).flatmap(
    lambda n: st.tuples(
        hnp.arrays(np.int32, n, elements=st.integers(0, 4)),
        hnp.arrays(np.int32, n, elements=st.integers(-2, 6)),
    )
)


@settings(max_examples=80, deadline=None)
@given(labelings)
def test_purity_and_gini_bounds(data):
    y, labels = data
    _, class_sizes = np.unique(y, return_counts=True)
    p = class_sizes / y.size
    largest_class_share = class_sizes.max() / y.size
    single_cluster_gini = 1 - (p**2).sum()
    assert largest_class_share - 1e-12 <= purity(y, labels) <= 1 + 1e-12
    # Gini impurity is concave: splitting points into clusters never raises the weighted impurity.
    assert -1e-12 <= gini(y, labels) <= single_cluster_gini + 1e-12
    assert single_cluster_gini <= 1 - 1 / class_sizes.size + 1e-12


@settings(max_examples=50, deadline=None)
@given(labelings)
def test_single_cluster_is_label_distribution(data):
    y, _ = data
    _, counts = np.unique(y, return_counts=True)
    p = counts / y.size
    one = np.full(y.size, 9)
    assert gini(y, one) == pytest.approx(1 - (p**2).sum(), abs=1e-12)
    assert purity(y, one) == pytest.approx(p.max())


@settings(max_examples=50, deadline=None)
@given(labelings)
def test_perfect_clustering(data):
    y, _ = data
    relabelled = 3 * y.astype(np.int64) - 11  # any injective relabelling of the classes
    assert purity(y, relabelled) == 1.0
    assert gini(y, relabelled) == 0.0
    _, accuracy = map_clusters(y, relabelled, "hungarian")
    assert accuracy == 1.0


@settings(max_examples=50, deadline=None)
@given(labelings, st.randoms(use_true_random=False))
def test_invariant_to_permuting_cluster_ids(data, rnd):
    y, labels = data
    ids = np.unique(labels)
    new_ids = np.array(rnd.sample(range(-50, 50), ids.size))
    permuted = new_ids[np.searchsorted(ids, labels)]
    assert purity(y, permuted) == pytest.approx(purity(y, labels), abs=1e-12)
    assert gini(y, permuted) == pytest.approx(gini(y, labels), abs=1e-12)
    for method in ("majority", "hungarian"):
        assert map_clusters(y, permuted, method)[1] == pytest.approx(
            map_clusters(y, labels, method)[1], abs=1e-12
        )


# ---- map_clusters ------------------------------------------------------------------------------


def brute_force_one_to_one(y, labels):
    """Best accuracy over every injective mapping between clusters and classes."""
    table, _, _ = contingency_matrix(y, labels)
    n_classes, k = table.shape
    best = 0
    if k <= n_classes:
        for perm in itertools.permutations(range(n_classes), k):
            best = max(best, sum(table[perm[j], j] for j in range(k)))
    else:
        for perm in itertools.permutations(range(k), n_classes):
            best = max(best, sum(table[i, perm[i]] for i in range(n_classes)))
    return best / len(y)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 60).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.int32, n, elements=st.integers(0, 3)),
            hnp.arrays(np.int32, n, elements=st.integers(10, 14)),
        )
    )
)
def test_map_clusters_invariants(data):
    y, labels = data
    majority, acc_majority = map_clusters(y, labels, "majority")
    hungarian, acc_hungarian = map_clusters(y, labels, "hungarian")
    assert acc_majority == pytest.approx(purity(y, labels))
    # The one-to-one constraint can only cost accuracy, and Hungarian finds the best such mapping.
    assert acc_hungarian <= acc_majority + 1e-12
    assert acc_hungarian == pytest.approx(brute_force_one_to_one(y, labels))
    assert set(majority) == set(hungarian) == set(np.unique(labels).tolist())
    matched = [c for c in hungarian.values() if c is not None]
    assert len(matched) == len(set(matched)) == min(len(np.unique(y)), len(hungarian))
    # Recompute the Hungarian accuracy from the mapping itself: unmatched clusters count as wrong.
    predicted = np.array([hungarian[k] if hungarian[k] is not None else -999 for k in labels])
    assert acc_hungarian == pytest.approx(np.mean(predicted == y))
    if len(set(majority.values())) == len(majority):
        assert acc_hungarian == pytest.approx(acc_majority)


def test_map_clusters_hand_computed():
    y = [0, 0, 0, 1, 1, 1]
    labels = [5, 5, 6, 6, 7, 7]
    # majority: 5 -> 0 (2 of 2), 6 -> 0 or 1 tie -> smallest class 0, 7 -> 1 (2 of 2): 5/6 right
    assert map_clusters(y, labels, "majority") == ({5: 0, 6: 0, 7: 1}, pytest.approx(5 / 6))
    # one-to-one: 5 -> 0 and 7 -> 1 (4 points); cluster 6 is left over and counts as wrong: 4/6
    assert map_clusters(y, labels, "hungarian") == ({5: 0, 6: None, 7: 1}, pytest.approx(4 / 6))


# ---- objective -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64, np.int16])
@pytest.mark.parametrize("weighted", [False, True])
def test_objective_matches_direct_sum(dtype, weighted):
    rng = np.random.default_rng(3)
    X = (rng.random((2000, 7)) * 255).astype(dtype)
    centroids = rng.random((4, 7)) * 255
    if dtype == np.float32:
        centroids = centroids.astype(np.float32)  # the engine keeps float32 X with float32 centres
    labels = rng.integers(0, 4, 2000)
    w = rng.random(2000) if weighted else np.ones(2000)
    expected = sum(w[i] * np.sum((X[i].astype(np.float64) - centroids[labels[i]]) ** 2) for i in range(2000))
    got = objective(X, centroids, labels, sample_weight=w if weighted else None)
    assert got == pytest.approx(expected, rel=1e-12)


def test_objective_identical_for_any_thread_count():
    rng = np.random.default_rng(5)
    X, centroids = rng.random((30_000, 8)), rng.random((5, 8))
    labels, w = rng.integers(0, 5, 30_000), rng.random(30_000)
    assert objective(X, centroids, labels, w, n_threads=1) == objective(X, centroids, labels, w, n_threads=2)


def test_objective_never_copies_uint8_to_float():
    X = np.random.default_rng(4).integers(0, 256, (40_000, 784), dtype=np.uint8)  # 31 MB
    centroids = np.zeros((10, 784))
    labels = np.zeros(40_000, dtype=np.int32)
    tracemalloc.start()
    try:
        objective(X, centroids, labels)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes  # a float64 copy of X would be 8 x X.nbytes


# ---- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("func", [purity, gini, map_clusters, contingency_matrix])
@pytest.mark.parametrize(
    "y, labels, message",
    [
        ([0, 1, 2], [0, 1], "different lengths"),
        ([], [], "y_true is empty"),
        ([0, 1], [0.0, 1.5], "non-integer values such as 1.5"),
        ([0, 1], [0, np.nan], "NaN"),
        ([[0, 1]], [0, 1], "1-D"),
        (["a", "b"], [0, 1], "integers"),
    ],
)
def test_label_errors(func, y, labels, message):
    with pytest.raises(ValueError, match=message):
        func(y, labels)


def test_whole_floats_and_any_int_dtype_accepted():
    y = np.array([1, 1, 2], dtype=np.uint64)
    assert purity(y, [3.0, 3.0, 4.0]) == 1.0
    assert purity(y.astype(np.int8), np.array([0, 0, 1], dtype=np.uint16)) == 1.0
    extreme = np.array([0, 2**64 - 1, 2**64 - 1], dtype=np.uint64)
    _, classes, clusters = contingency_matrix(extreme, np.array([-128, 127, 127], dtype=np.int8))
    assert classes.dtype == np.uint64 and classes.tolist() == [0, 2**64 - 1]
    assert clusters.dtype == np.int8 and clusters.tolist() == [-128, 127]
    near_top = np.array([2**64 - 1, 2**64 - 2], dtype=np.uint64)  # narrow span, beyond int64
    assert contingency_matrix(near_top, [0, 1]).classes.tolist() == [2**64 - 2, 2**64 - 1]


def test_contingency_matrix_argument_errors():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, n_clusters=2\)"):
        contingency_matrix([0, 1], [0, 2], n_clusters=2)
    with pytest.raises(ValueError, match="n_clusters must be a positive integer"):
        contingency_matrix([0, 1], [0, 1], n_clusters=2.0)
    with pytest.raises(ValueError, match="negative"):
        contingency_matrix([0, 1], [0, 1], sample_weight=[1.0, -1.0])
    with pytest.raises(ValueError, match="one per point"):
        contingency_matrix([0, 1], [0, 1], sample_weight=[1.0])
    with pytest.raises(ValueError, match="n_threads=0"):
        contingency_matrix([0, 1], [0, 1], n_threads=0)
    with pytest.raises(ValueError, match="method must be"):
        map_clusters([0, 1], [0, 1], method="greedy")


def test_objective_errors():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="2-D"):
        objective(np.zeros(3), np.zeros((1, 2)), [0, 0, 0])
    with pytest.raises(ValueError, match="empty"):
        objective(np.zeros((0, 2)), np.zeros((1, 2)), np.zeros(0, int))
    with pytest.raises(ValueError, match=r"centroids must have shape \(n_clusters >= 1, 2\)"):
        objective(X, np.zeros((1, 3)), [0, 0, 0])
    with pytest.raises(ValueError, match="3 rows but labels has 2"):
        objective(X, np.zeros((1, 2)), [0, 0])
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 1\)"):
        objective(X, np.zeros((1, 2)), [0, 1, 0])
    with pytest.raises(ValueError, match="NaN"):
        objective(X, np.full((1, 2), np.nan), [0, 0, 0])


def test_contingency_table_beyond_memory_fails_fast(monkeypatch):
    """16 GiB of table for one point: refused before allocating, on a machine of 4 GiB."""
    monkeypatch.setattr(os, "sysconf", lambda name: 2**20 if name == "SC_PHYS_PAGES" else 4096)
    with pytest.raises(MemoryError, match="contingency table"):
        contingency_matrix([0], [0], n_clusters=2**31 - 1)
