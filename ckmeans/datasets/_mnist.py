"""MNIST and Fashion-MNIST from their four canonical IDX files."""

from __future__ import annotations

import os
from typing import Literal

import numpy as np

from ckmeans.datasets._home import candidate_folders, check_choice
from ckmeans.idx import read_idx

_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# kind -> (environment variable the original notebooks used, data-home subfolder = fetch name)
_KINDS = {"mnist": ("MNIST_DATA_PATH", "mnist"), "fashion": ("FASHION_MNIST_DATA_PATH", "fashion-mnist")}
_SIDE = 28


def _find(folder, base):
    """The raw file if present (cheaper to read), else the gzipped one, else None."""
    for candidate in (folder / base, folder / f"{base}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _not_found(kind, subset, folders, missing):
    env_var, fetch_name = _KINDS[kind]
    wanted = " and ".join(f"{base}[.gz]" for base in _FILES[subset])
    lines = [f"  {folder} ({origin}): {missing[i]}" for i, (folder, origin) in enumerate(folders)]
    return FileNotFoundError(
        f"{kind} {subset} files not found. Looked for {wanted} in:\n" + "\n".join(lines) + "\n"
        f"Get them with ckmeans.datasets.fetch({fetch_name!r}) (downloads into the data home), "
        f"or set {env_var} to a folder holding the four IDX files."
    )


def _check(images, labels, image_path, label_path):
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (_SIDE, _SIDE):
        raise ValueError(
            f"{image_path}: expected uint8 images of shape (n, {_SIDE}, {_SIDE}), "
            f"got {images.dtype} of shape {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(
            f"{label_path}: expected a 1-D uint8 label vector, got {labels.dtype} of shape {labels.shape}"
        )
    if len(labels) != len(images):
        raise ValueError(f"{label_path} has {len(labels)} labels but {image_path} has {len(images)} images")
    if len(labels) and labels.max() > 9:
        raise ValueError(f"{label_path}: labels must be digits 0..9, found {int(labels.max())}")


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    subset: Literal["train", "test"] = "train",
    kind: Literal["mnist", "fashion"] = "mnist",
    data_home: str | os.PathLike[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST or Fashion-MNIST as ``(X, y)``.

    Parameters
    ----------
    path : str or path-like, optional
        Folder holding the canonical files ``train-images-idx3-ubyte``,
        ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``,
        each gzipped (``.gz``) or raw; a raw file is preferred when both exist. When None, the
        first of these folders that holds both files of ``subset`` is used: the one named by
        ``MNIST_DATA_PATH`` (kind 'mnist') or ``FASHION_MNIST_DATA_PATH`` (kind 'fashion') if
        set, then the ``mnist/`` or ``fashion-mnist/`` subfolder of the data home (see
        :func:`get_data_home`), which is where :func:`fetch` puts them.
    subset : {'train', 'test'}
        60000 training or 10000 test images.
    kind : {'mnist', 'fashion'}
    data_home : str or path-like, optional
        Overrides the data home.

    Returns
    -------
    X : ndarray of uint8, shape (n, 784)
        One image per row, pixel rows concatenated. ``X.reshape(-1, 28, 28)`` gives the images as
        a view (no copy).
    y : ndarray of uint8, shape (n,)
        Class of each image, 0..9.

    Raises FileNotFoundError listing every folder searched and how to get the data, and
    ValueError naming the file when its contents are not 28x28 uint8 images with matching 0..9
    labels.
    """
    check_choice("subset", subset, tuple(_FILES))
    check_choice("kind", kind, tuple(_KINDS))
    env_var, subfolder = _KINDS[kind]
    folders = candidate_folders(path, env_var, subfolder, data_home)
    missing = []
    for folder, _origin in folders:
        if not folder.is_dir():
            missing.append("not a folder" if folder.exists() else "does not exist")
            continue
        found = [_find(folder, base) for base in _FILES[subset]]
        if None in found:
            missing.append(
                "missing " + ", ".join(f"{base}[.gz]" for base, f in zip(_FILES[subset], found) if f is None)
            )
            continue
        image_path, label_path = found
        images, labels = read_idx(image_path), read_idx(label_path)
        _check(images, labels, image_path, label_path)
        return images.reshape(len(images), _SIDE * _SIDE), labels
    raise _not_found(kind, subset, folders, missing)
