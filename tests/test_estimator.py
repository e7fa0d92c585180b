import tracemalloc
import warnings

import numpy as np
import pytest
import sklearn.cluster
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

import ckmeans.estimators
from ckmeans.estimators import KMeans

# Checks that scikit-learn's own KMeans fails too (test_sklearn_kmeans_fails_the_same_checks
# proves it on the installed scikit-learn), with the reason.
EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "the random initialisation draws per row: a point of weight 2 and a point repeated twice consume "
        "the random stream differently, so the two fits start from different centres and can end at "
        "different fixed points (sklearn.cluster.KMeans fails it the same way)"
    ),
    "check_sample_weight_equivalence_on_sparse_data": "the same on sparse input (KMeans takes it)",
}


@parametrize_with_checks([KMeans(random_state=0)], expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name", sorted(EXPECTED_FAILED_CHECKS))
def test_sklearn_kmeans_fails_the_same_checks(name):
    check = getattr(estimator_checks, name)
    with pytest.raises(AssertionError):
        check("KMeans", sklearn.cluster.KMeans(random_state=0))


def nearest_centre_twin(X, centers):
    """Slow twin of predict/transform: distances by differences, in float64."""
    d2 = ((X.astype(np.float64)[:, None, :] - centers.astype(np.float64)[None]) ** 2).sum(-1)
    return d2.argmin(axis=1), np.sqrt(d2)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=600, centers=3, n_features=5, cluster_std=1.0, random_state=0)
    return X, y


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.uint8])
def test_predict_and_transform_match_twin(dtype):
    rng = np.random.default_rng(0)
    X = (rng.random((500, 6)) * 255).astype(dtype)
    X_new = (rng.random((300, 6)) * 255).astype(dtype)
    km = KMeans(n_clusters=5, random_state=0).fit(X)
    labels, dist = nearest_centre_twin(X_new, km.cluster_centers_)
    np.testing.assert_array_equal(km.predict(X_new), labels)
    assert km.predict(X_new).dtype == np.int32
    out = km.transform(X_new)
    assert out.dtype == (np.float32 if dtype == np.float32 else np.float64)
    np.testing.assert_allclose(out, dist, rtol=1e-4 if dtype == np.float32 else 1e-9)


def test_predict_on_training_data_gives_labels(blobs):
    X, _ = blobs
    km = KMeans(n_clusters=4, random_state=1).fit(X)
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    assert km.labels_.dtype == np.int32


def test_fit_predict_equals_fit_labels(blobs):
    X, _ = blobs
    np.testing.assert_array_equal(
        KMeans(n_clusters=3, random_state=2).fit_predict(X),
        KMeans(n_clusters=3, random_state=2).fit(X).labels_,
    )


def test_fit_transform_equals_fit_then_transform(blobs):
    X, _ = blobs
    np.testing.assert_allclose(
        KMeans(3, random_state=3).fit_transform(X), KMeans(3, random_state=3).fit(X).transform(X)
    )


def test_score_is_negative_inertia(blobs):
    X, _ = blobs
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    assert km.score(X) == pytest.approx(-km.inertia_, rel=1e-9)
    w = np.random.default_rng(0).random(X.shape[0])
    labels, dist = nearest_centre_twin(X, km.cluster_centers_)
    expected = -(w * dist[np.arange(X.shape[0]), labels] ** 2).sum()
    assert km.score(X, sample_weight=w) == pytest.approx(expected, rel=1e-9)


def test_same_init_as_sklearn(blobs):
    X, _ = blobs
    init = X[[0, 100, 200, 300]]
    ours = KMeans(n_clusters=4, init=init, n_init=1).fit(X)
    ref = sklearn.cluster.KMeans(n_clusters=4, init=init, n_init=1).fit(X)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-9, atol=1e-12)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-9)


def test_uint8_reaches_engine_as_uint8(monkeypatch):
    seen = []
    engine = ckmeans.estimators.kmeans

    def spy(X, *args, **kwargs):
        seen.append(X.dtype)
        return engine(X, *args, **kwargs)

    monkeypatch.setattr(ckmeans.estimators, "kmeans", spy)
    X = np.random.default_rng(0).integers(0, 256, (200, 4), dtype=np.uint8)
    KMeans(n_clusters=3, random_state=0).fit(X)
    KMeans(n_clusters=3, random_state=0).fit(X.astype(np.int16))
    assert seen == [np.uint8, np.float64]


def test_predict_never_copies_uint8_to_float():
    rng = np.random.default_rng(0)
    km = KMeans(n_clusters=10, random_state=0).fit(rng.integers(0, 256, (500, 784), dtype=np.uint8))
    X = rng.integers(0, 256, (40_000, 784), dtype=np.uint8)  # 31 MB; 251 MB as float64
    tracemalloc.start()
    try:
        km.predict(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes


def test_pipeline_with_scaler(blobs):
    X, _ = blobs
    pipe = make_pipeline(StandardScaler(), KMeans(n_clusters=3, random_state=0)).fit(X)
    direct = KMeans(n_clusters=3, random_state=0).fit(StandardScaler().fit_transform(X))
    np.testing.assert_array_equal(pipe.predict(X), direct.labels_)
    np.testing.assert_allclose(pipe.transform(X), direct.transform(StandardScaler().fit_transform(X)))


def test_clone_keeps_params_and_drops_fit(blobs):
    X, _ = blobs
    km = KMeans(n_clusters=5, n_init=3, tol=0.0, random_state=7, n_threads=1).fit(X)
    twin = clone(km)
    assert twin.get_params() == km.get_params()
    assert not hasattr(twin, "cluster_centers_")


def test_grid_search_finds_number_of_blobs(blobs):
    X, y = blobs
    search = GridSearchCV(
        KMeans(random_state=0), {"n_clusters": [2, 3, 4, 5]}, scoring="adjusted_rand_score", cv=3
    ).fit(X, y)
    assert search.best_params_ == {"n_clusters": 3}


def test_feature_names_from_dataframe(blobs):
    pd = pytest.importorskip("pandas")
    X, _ = blobs
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    km = KMeans(n_clusters=3, random_state=0).fit(df)
    np.testing.assert_array_equal(km.feature_names_in_, df.columns)
    assert km.n_features_in_ == X.shape[1]
    with pytest.warns(UserWarning, match="feature names"):
        km.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        km.predict(df[df.columns[::-1]])


def test_wrong_number_of_features():
    km = KMeans(n_clusters=2, random_state=0).fit(np.random.default_rng(0).random((20, 3)))
    with pytest.raises(ValueError, match="3 features"):
        km.predict(np.zeros((5, 4)))


def test_identical_for_any_thread_count(blobs):
    X, _ = blobs
    X_new = X[::-1] + 0.5
    fits = [KMeans(n_clusters=4, random_state=0, n_threads=t).fit(X) for t in (1, 2)]
    np.testing.assert_array_equal(fits[0].cluster_centers_, fits[1].cluster_centers_)
    np.testing.assert_array_equal(fits[0].predict(X_new), fits[1].predict(X_new))
    assert fits[0].score(X_new) == fits[1].score(X_new)


def _methods_asked(monkeypatch):
    """The list of the methods ckmeans.kmeans asks of the C fit from now on (its 5th argument):
    every method gives the same result, so only this tells them apart."""
    methods = []
    fit = ckmeans._kmeans_core.fit

    def spy(*args, **kwargs):
        methods.append(args[4])
        return fit(*args, **kwargs)

    monkeypatch.setattr(ckmeans._kmeans_core, "fit", spy)
    return methods


def test_default_algorithm_is_auto_and_lloyd_stays_lloyd(blobs, monkeypatch):
    X, _ = blobs
    flags = _methods_asked(monkeypatch)
    KMeans(n_clusters=3, random_state=0).fit(X)
    KMeans(n_clusters=3, random_state=0, algorithm="lloyd").fit(X)
    assert KMeans().algorithm == "auto"
    assert flags == ["auto", "lloyd"]


# ---- scikit-learn's semantics and messages, checked against scikit-learn itself -----------------


def _runs_made(monkeypatch, est, X):
    """How many initialisations ``est.fit(X)`` makes."""
    calls = []
    initial_centres = ckmeans._kmeans._initial_centres

    def spy(*args):
        calls.append(1)
        return initial_centres(*args)

    monkeypatch.setattr(ckmeans._kmeans, "_initial_centres", spy)
    est.fit(X)
    return len(calls)


def _first_rows(X, n_clusters, random_state):
    return X[:n_clusters]


@pytest.mark.parametrize("init", ["k-means++", "random", _first_rows, "array"])
def test_n_init_auto_runs_as_many_times_as_sklearn(blobs, monkeypatch, init):
    X, _ = blobs
    is_array = isinstance(init, str) and init == "array"
    init = X[:3] if is_array else init
    ref = sklearn.cluster.KMeans(3, init=init, random_state=0).fit(X)
    assert _runs_made(monkeypatch, KMeans(3, init=init, random_state=0), X) == ref._n_init
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an array's one run: the next test
        runs = _runs_made(monkeypatch, KMeans(3, init=init, n_init=2, random_state=0), X)
    assert runs == (1 if is_array else 2)


def _message(call, category):
    """The message of the one ``category`` warning ``call`` gives."""
    with pytest.warns(category) as record:
        call()
    messages = [str(w.message) for w in record if issubclass(w.category, category)]
    assert len(messages) == 1, messages
    return messages[0]


def test_init_array_with_n_init_warns_as_sklearn(blobs):
    X, _ = blobs
    ours = _message(lambda: KMeans(3, init=X[:3], n_init=4).fit(X), RuntimeWarning)
    ref = _message(lambda: sklearn.cluster.KMeans(3, init=X[:3], n_init=4).fit(X), RuntimeWarning)
    assert ours == ref


@pytest.mark.parametrize(
    "n_clusters, init, n_features",
    [
        (700, "k-means++", 5),  # n_samples < n_clusters
        (4, "array", 5),  # init array with 3 rows for 4 clusters
        (3, "array", 4),  # init array with 5 features for X of 4
    ],
)
def test_errors_have_sklearn_wording(blobs, n_clusters, init, n_features):
    X = blobs[0][:, :n_features]
    init = blobs[0][:3] if init == "array" else init
    with pytest.raises(ValueError) as ref:
        sklearn.cluster.KMeans(n_clusters, init=init, n_init=1).fit(X)
    with pytest.raises(ValueError) as ours:
        KMeans(n_clusters, init=init, n_init=1).fit(X)
    assert str(ours.value) == str(ref.value)


def test_elkan_with_one_cluster_warns_as_sklearn_and_runs_lloyd(blobs, monkeypatch):
    X, _ = blobs
    ref = _message(lambda: sklearn.cluster.KMeans(1, algorithm="elkan").fit(X), RuntimeWarning)
    methods = _methods_asked(monkeypatch)
    elkan = KMeans(1, algorithm="elkan")
    assert _message(lambda: elkan.fit(X), RuntimeWarning) == ref
    assert methods == ["lloyd"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lloyd = KMeans(1, algorithm="lloyd").fit(X)
    np.testing.assert_array_equal(elkan.cluster_centers_, lloyd.cluster_centers_)


def test_fewer_distinct_points_than_clusters_warns_as_sklearn():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    ours = _message(lambda: KMeans(3, random_state=0).fit(X), ConvergenceWarning)
    ref = _message(lambda: sklearn.cluster.KMeans(3, random_state=0).fit(X), ConvergenceWarning)
    assert ours == ref


@pytest.mark.parametrize("copy_x", [True, False])
def test_copy_x_accepted_and_x_never_modified(blobs, copy_x):
    X = blobs[0].copy()
    before = X.copy()
    km = KMeans(3, copy_x=copy_x, random_state=0).fit(X)
    np.testing.assert_array_equal(X, before)
    assert km.get_params()["copy_x"] is copy_x
    with pytest.raises(ValueError, match="copy_x"):
        KMeans(3, copy_x="yes").fit(X)


@pytest.mark.parametrize(
    "ours, ref",
    [
        (KMeans(3, random_state=0), sklearn.cluster.KMeans(3, random_state=0)),
        (ckmeans.estimators.SoftKMeans(3, random_state=0), None),
    ],
)
def test_feature_names_out_and_pandas_output(blobs, ours, ref):
    pd = pytest.importorskip("pandas")
    X, _ = blobs
    names = ours.fit(X).get_feature_names_out()
    if ref is not None:
        np.testing.assert_array_equal(names, ref.fit(X).get_feature_names_out())
    prefix = type(ours).__name__.lower()  # scikit-learn's ClassNamePrefixFeaturesOutMixin
    assert list(names) == [f"{prefix}{i}" for i in range(3)]
    ours.set_output(transform="pandas")
    for frame in (ours.transform(X), ours.fit_transform(X)):
        assert isinstance(frame, pd.DataFrame)
        assert list(frame.columns) == list(names)
    np.testing.assert_array_equal(frame.to_numpy(), ours.set_output(transform="default").transform(X))


def _tampered(est, centres):
    est.cluster_centers_ = centres
    return est


@pytest.mark.parametrize("cls", [KMeans, ckmeans.estimators.SoftKMeans])
@pytest.mark.parametrize(
    "centres, match",
    [
        (np.zeros((2, 1)), "1 features but X has 3"),
        (np.zeros((2, 5)), "5 features but X has 3"),
        (np.zeros(3), "2-D"),
        (np.zeros((0, 3)), "at least one centre"),
        (np.full((2, 3), np.nan), "NaN or infinity"),
        (np.array([[1j, 0, 0], [0, 0, 0]]), "real numbers"),
    ],
)
def test_methods_check_fitted_centres_against_x(cls, centres, match):
    """A replaced cluster_centers_ that does not fit X is a ValueError in every method that passes it
    to C, never an out-of-bounds read or labels of the wrong model."""
    X = np.random.default_rng(0).random((20, 3))
    est = cls(n_clusters=2, random_state=0).fit(X)
    _tampered(est, centres)
    methods = ["predict", "transform", "score"] + (["predict_proba"] if hasattr(est, "predict_proba") else [])
    for method in methods:
        with pytest.raises(ValueError, match=match):
            getattr(est, method)(X)


def test_soft_distance_set_after_fit_is_checked():
    X = np.random.default_rng(0).random((20, 3))
    est = ckmeans.estimators.SoftKMeans(n_clusters=2, random_state=0).fit(X)
    est.distance = "manhattan"
    for method in ("predict", "predict_proba", "transform", "score"):
        with pytest.raises(ValueError, match="distance must be one of"):
            getattr(est, method)(X)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_transform_keeps_precision_far_from_the_origin(dtype):
    """Data offset by 1e8 (float64) / 1e3 (float32): ||x||^2 - 2 x.c + ||c||^2 cancels almost entirely;
    transform must still match the distances by differences."""
    rng = np.random.default_rng(0)
    offset = 1e8 if dtype == np.float64 else 1e3
    X = (rng.random((500, 3)) + offset).astype(dtype)
    km = KMeans(4, random_state=0).fit(X)
    got = km.transform(X)
    C = km.cluster_centers_.astype(np.float64)
    want = np.sqrt(((X.astype(np.float64)[:, None, :] - C[None]) ** 2).sum(-1))
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12)
