"""scikit-learn estimators built on the ckmeans engine."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ckmeans import _kmeans_core
from ckmeans._kmeans import Algorithm, kmeans
from ckmeans._soft import DISTANCES, Beta, _check_beta_value, _check_distance, soft_kmeans
from ckmeans._sparse import CSRData, check_csr, core_for, issparse, soft_core_for, sq_distances
from ckmeans._spherical import objective_from_inertia, unit_rows
from ckmeans._threads import effective_n_threads
from ckmeans._validation import (
    Init,
    RandomStateLike,
    centroid_dtype,
    check_fitted_centres,
    check_magnitude,
    check_sample_weight,
)
from ckmeans.metrics import objective

__all__ = ["KMeans", "SoftKMeans"]

# Dtypes the engine uses as they are; anything else numeric becomes float64 (the first entry).
_KEPT_DTYPES = [np.float64, np.float32, np.uint8]

# Rows of X converted to float per block in `_sq_distances`: ~8 MB of scratch, whatever n_samples.
_BLOCK_ELEMENTS = 1 << 20
# A pair's distance is recomputed by differences when the expansion keeps less than 1/8 of
# ||x||^2 + ||c||^2 (the soft E-step's CK_SOFT_GUARD).
_CANCEL_GUARD = 8


class _CentroidClusterer(ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """What KMeans and SoftKMeans share: input validation (dtypes kept as the engine takes them),
    fit_predict / fit_transform, the distances of new points to the fitted centres, and the names of
    transform's columns (``kmeans0``, ... / ``softkmeans0``, ..., as scikit-learn names them), which
    ``set_output(transform="pandas")`` uses."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # transform returns float32 distances for float32 X (like the centres), float64 otherwise.
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.sparse = True
        return tags

    def _validate(self, X, *, reset):
        if issparse(X):
            return validate_data(
                self, X, reset=reset, accept_sparse=["csr", "csc", "coo"], dtype=[np.float64, np.float32]
            )
        return validate_data(self, X, reset=reset, dtype=_KEPT_DTYPES, order=None, copy=False)

    def _engine_data(self, X):
        """X as the engine takes it (CSRData for sparse X; unit rows for a spherical model) and the
        centres in its dtype; None for dense X of a plain model, whose methods keep their own path."""
        if not (issparse(X) or self.spherical):
            return None
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        X = check_csr(X) if issparse(X) else np.ascontiguousarray(X)
        if self.spherical:
            X = unit_rows(X)
        return X, check_fitted_centres(self.cluster_centers_, X.shape[1], centroid_dtype(X))

    def fit_predict(
        self, X: ArrayLike, y: object = None, sample_weight: ArrayLike | None = None
    ) -> np.ndarray:
        """Fit and return the cluster of every point of X (``labels_``)."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def fit_transform(
        self, X: ArrayLike, y: object = None, sample_weight: ArrayLike | None = None
    ) -> np.ndarray:
        """Fit and return the distances of every point of X to every centre."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def _sq_distances(self, X):
        """Squared Euclidean distances (n_samples, n_clusters) from X to the fitted centres.

        NumPy, as the engine has no all-distances kernel; X is converted to float a block of rows at
        a time, so uint8 input is never copied whole. Pairs where the expansion below cancels are
        recomputed by differences, as the soft E-step does, so data far from the origin keeps its
        precision.
        """
        X, centers = self._validate_for_engine(X)
        dtype = np.float32 if X.dtype == np.float32 else np.float64
        c_sqnorm = np.einsum("ij,ij->i", centers, centers, dtype=np.float64)
        out = np.empty((X.shape[0], centers.shape[0]), dtype=dtype)
        block = max(1, _BLOCK_ELEMENTS // max(1, X.shape[1]))
        for start in range(0, X.shape[0], block):
            xb = X[start : start + block].astype(dtype, copy=False)
            # ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2: one matrix product for the block. It can be
            # slightly negative from rounding when x is (nearly) a centre, hence the clip.
            x_sqnorm = np.einsum("ij,ij->i", xb, xb, dtype=np.float64)[:, None]
            d2 = x_sqnorm - 2.0 * (xb @ centers.T)
            d2 += c_sqnorm
            # Where ||x - c||^2 is small next to ||x||^2 + ||c||^2 the expansion has lost digits.
            cancels = d2 < (x_sqnorm + c_sqnorm) / _CANCEL_GUARD
            for j in np.flatnonzero(cancels.any(axis=0)):
                rows = np.flatnonzero(cancels[:, j])
                diff = xb[rows] - centers[j].astype(dtype)
                d2[rows, j] = np.einsum("ij,ij->i", diff, diff, dtype=np.float64)
            np.maximum(d2, 0.0, out=out[start : start + block], casting="unsafe")
        return out

    def _set_fitted(self, result):
        """The attributes every fit sets from the engine's result."""
        self.cluster_centers_ = result.centroids
        self.labels_ = result.labels
        self.n_iter_ = int(result.n_iter)
        self._n_features_out = self.cluster_centers_.shape[0]  # transform's columns, one per centre

    def _validate_for_engine(self, X):
        """Validated C-contiguous X and the fitted centres, checked against it, in the dtype the
        engine pairs with it."""
        check_is_fitted(self)
        X = np.ascontiguousarray(self._validate(X, reset=False))
        centres = check_fitted_centres(self.cluster_centers_, X.shape[1], centroid_dtype(X))
        check_magnitude(X, centres)
        return X, centres


class KMeans(_CentroidClusterer):
    """k-means clustering with the ckmeans engine; a drop-in for :class:`sklearn.cluster.KMeans`.

    Parameters mean what they mean in :func:`ckmeans.kmeans` (and in scikit-learn); they are
    validated there, when ``fit`` is called. Given the same initial centres, the fit reaches the
    same fixed point as scikit-learn's KMeans.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {'k-means++', 'random'} or array of shape (n_clusters, n_features), default='k-means++'
    n_init : 'auto' or int, default='auto'
    max_iter : int, default=300
    tol : float, default=1e-4
        Relative to the mean per-feature variance of X, as in scikit-learn.
    algorithm : {'auto', 'lloyd', 'elkan', 'yinyang', 'hamerly'}, default='auto'
        Same result for every value (labels, bit-identical centres, n_iter, inertia; see
        ``ckmeans.kmeans``), so the default is the fastest exact choice: 'auto' runs the bounded
        fits ('yinyang' from 64 clusters, 'hamerly' on integer-valued data) where they pay, else
        Lloyd. 'lloyd' always runs Lloyd's plain pass; 'elkan' (scikit-learn's name) runs 'yinyang'.
    random_state : None, int or numpy.random.RandomState, default=None
    n_threads : int or None, default=None
        Threads for fit, predict and transform (None = all usable cores, negative counts back from
        it). Results are identical for any value.
    verbose : int, default=0
    copy_x : bool, default=True
        Accepted for scikit-learn compatibility; X is never modified (the engine does not centre
        the data), whatever its value.
    spherical : bool, default=False
        Spherical k-means (see ``ckmeans.kmeans``): rows scaled to unit norm, centres of unit norm,
        points to the centre of largest cosine; ``inertia_`` and ``score`` are then in
        sum w (1 - cos), and ``transform`` gives the Euclidean distances of the normalised rows to
        the centres, sqrt(2 (1 - cos)).

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        float32 for float32 X, float64 otherwise (uint8 X included).
    labels_ : ndarray of int32, shape (n_samples,)
    inertia_ : float
        Sum of the weighted squared distances of the points to their centres.
    n_iter_ : int
    algorithm_ : str
        The method that ran: 'lloyd', 'yinyang' or 'hamerly' (what 'auto' chose).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.

    Input X may be float32, float64 or uint8 (used as is, never copied to float); other numeric
    types are converted to float64. Every method also takes scipy sparse X (CSR used as it is,
    other formats converted; see ``ckmeans.kmeans``).
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Init = "k-means++",
        n_init: int | Literal["auto"] = "auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        algorithm: Algorithm = "auto",
        random_state: RandomStateLike = None,
        n_threads: int | None = None,
        verbose: int = 0,
        copy_x: bool = True,
        spherical: bool = False,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.algorithm = algorithm
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose
        self.copy_x = copy_x
        self.spherical = spherical

    def _engine_labels(self, X, centers):
        labels = np.empty(X.shape[0], dtype=np.int32)
        core_for(X).assign(X, centers, labels, None, effective_n_threads(self.n_threads))
        return labels

    def fit(self, X: ArrayLike, y: object = None, sample_weight: ArrayLike | None = None) -> KMeans:
        """Compute the clustering of X (y is ignored). Returns self."""
        if not isinstance(self.copy_x, (bool, np.bool_)):
            raise ValueError(f"copy_x must be True or False, got {self.copy_x!r}")
        X = self._validate(X, reset=True)
        result = kmeans(
            X,
            self.n_clusters,
            init=self.init,
            n_init=self.n_init,
            max_iter=self.max_iter,
            tol=self.tol,
            sample_weight=sample_weight,
            algorithm=self.algorithm,
            random_state=self.random_state,
            n_threads=self.n_threads,
            verbose=bool(self.verbose),
            spherical=self.spherical,
        )
        self._set_fitted(result)
        self.inertia_ = float(result.inertia)
        self.algorithm_ = result.algorithm
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Nearest centre of every point of X (int32; ties go to the lowest centre index)."""
        engine = self._engine_data(X)
        if engine is not None:
            return self._engine_labels(*engine)
        X, centers = self._validate_for_engine(X)
        labels = np.empty(X.shape[0], dtype=np.int32)
        _kmeans_core.assign(X, centers, labels, None, effective_n_threads(self.n_threads))
        return labels

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Euclidean distances of every point of X to every centre, shape (n_samples, n_clusters)."""
        engine = self._engine_data(X)
        if engine is not None:
            X, centers = engine
            if isinstance(X, CSRData):
                return np.sqrt(sq_distances(X, centers))
        return np.sqrt(self._sq_distances(X))

    def score(self, X: ArrayLike, y: object = None, sample_weight: ArrayLike | None = None) -> float:
        """Opposite of the k-means objective of X with its nearest centres (higher is better)."""
        engine = self._engine_data(X)
        if engine is not None:
            X, centers = engine
            w = check_sample_weight(sample_weight, X.shape[0])
            labels = self._engine_labels(X, centers)
            value = core_for(X).inertia(X, w, centers, labels, effective_n_threads(self.n_threads))
            return -(objective_from_inertia(value) if self.spherical else value)
        labels = self.predict(X)
        X, centers = self._validate_for_engine(X)
        return -objective(X, centers, labels, sample_weight=sample_weight, n_threads=self.n_threads)


class SoftKMeans(_CentroidClusterer):
    """Soft k-means (MacKay) with stiffness beta, on the ckmeans soft engine.

    Parameters mean what they mean in :func:`ckmeans.soft_kmeans` and are validated there, when
    ``fit`` is called.

    Parameters
    ----------
    n_clusters : int, default=8
    beta : float, sequence of floats or callable, default=1.0
        Stiffness (> 0), or a schedule: ``beta[t]`` / ``beta(t)`` for iteration t (deterministic
        annealing; past the end of a sequence its last value holds).
    init : {'k-means++', 'random'}, array of shape (n_clusters, n_features) or callable,
        default='k-means++'
    n_init : 'auto' or int, default='auto'
        Runs from different initialisations; the lowest free energy wins. 'auto' is 1 for
        'k-means++' or an array and 10 for 'random' or a callable, as in KMeans.
    max_iter : int, default=100
    tol : float, default=1e-5
        Absolute: stop when the Frobenius norm of the centre change is < tol (0: run max_iter).
    distance : {'euclidean', 'sqeuclidean'}, default='euclidean'
    random_state : None, int or numpy.random.RandomState, default=None
    n_threads : int or None, default=None
        Threads for every method (None = all usable cores). Results are identical for any value.
    verbose : int, default=0
    spherical : bool, default=False
        Soft spherical k-means (see ``ckmeans.soft_kmeans``): a von Mises-Fisher mixture with
        shared concentration ``beta`` and equal weights on the rows scaled to unit norm, unit
        centres; ``distance`` is not used, ``transform`` gives 1 - cos(x, c) and ``objective_`` /
        ``score`` are in units of 1 - cos.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        float32 for float32 X, float64 otherwise (uint8 X included).
    labels_ : ndarray of int32, shape (n_samples,)
        Cluster of largest responsibility (the nearest centre).
    objective_ : float
        Free energy of the training data at ``beta_`` (see :func:`ckmeans.soft_kmeans`).
    beta_ : float
        The last beta of the fit; predict_proba, score and predict use it.
    n_iter_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.

    Every method also takes scipy sparse X (CSR used as it is, other formats converted; see
    ``ckmeans.soft_kmeans``).
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        beta: Beta = 1.0,
        init: Init = "k-means++",
        n_init: int | Literal["auto"] = "auto",
        max_iter: int = 100,
        tol: float = 1e-5,
        distance: Literal["euclidean", "sqeuclidean"] = "euclidean",
        random_state: RandomStateLike = None,
        n_threads: int | None = None,
        verbose: int = 0,
        spherical: bool = False,
    ) -> None:
        self.n_clusters = n_clusters
        self.beta = beta
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.distance = distance
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose
        self.spherical = spherical

    def fit(self, X: ArrayLike, y: object = None, sample_weight: ArrayLike | None = None) -> SoftKMeans:
        """Compute the soft clustering of X (y is ignored). Returns self."""
        X = self._validate(X, reset=True)
        result = soft_kmeans(
            X,
            self.n_clusters,
            self.beta,
            init=self.init,
            n_init=self.n_init,
            max_iter=self.max_iter,
            tol=self.tol,
            distance=self.distance,
            sample_weight=sample_weight,
            random_state=self.random_state,
            n_threads=self.n_threads,
            return_responsibilities=False,
            verbose=bool(self.verbose),
            spherical=self.spherical,
        )
        self._set_fitted(result)
        self.objective_ = result.objective
        self.beta_ = result.beta
        return self

    def _engine_input(self, X):
        """X as the soft engine takes it (see _engine_data) and the centres in its dtype."""
        engine = self._engine_data(X)
        return engine if engine is not None else self._validate_for_engine(X)

    def _estep(self, X, *, proba=False, labels=False, sample_weight=None):
        X, centers = self._engine_input(X)
        w = check_sample_weight(sample_weight, X.shape[0])
        resp = np.empty((X.shape[0], centers.shape[0])) if proba else None
        lab = np.empty(X.shape[0], dtype=np.int32) if labels else None
        energy = soft_core_for(X).estep(
            X,
            w,
            centers,
            _check_beta_value(self.beta_, "beta_"),
            _check_distance(self.distance),
            resp,
            lab,
            effective_n_threads(self.n_threads),
            spherical=bool(self.spherical),
        )
        return resp, lab, energy

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Cluster of largest responsibility of every point of X (= the nearest centre; int32)."""
        return self._estep(X, labels=True)[1]

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Responsibilities of every point of X at ``beta_``, shape (n_samples, n_clusters), rows
        summing to 1 (float64)."""
        return self._estep(X, proba=True)[0]

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Distances of every point of X to every centre in the fitted ``distance`` (Euclidean or
        squared Euclidean; spherical: 1 - cos, of the rows scaled to unit norm), shape
        (n_samples, n_clusters): the d of ``r_ij ~ exp(-beta d(x_i, c_j))``."""
        euclidean = _check_distance(self.distance) == DISTANCES["euclidean"]
        engine = self._engine_data(X)
        if engine is not None:
            X, centers = engine
        sq = sq_distances(X, centers) if isinstance(X, CSRData) else self._sq_distances(X)
        if self.spherical:
            return sq / 2  # ||x - c||^2 = 2 (1 - cos) for unit vectors
        return np.sqrt(sq) if euclidean else sq

    def score(self, X: ArrayLike, y: object = None, sample_weight: ArrayLike | None = None) -> float:
        """Opposite of the free energy of X with the fitted centres at ``beta_`` (higher is better)."""
        return -self._estep(X, sample_weight=sample_weight)[2]
