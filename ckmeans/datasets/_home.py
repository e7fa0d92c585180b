"""Where datasets live on disk, and the argument checks every loader shares.

The data home is ``~/ckmeans_data`` unless the ``data_home`` argument or the ``CKMEANS_DATA_HOME``
environment variable says otherwise (the argument wins). Each dataset has its own subfolder, laid
out like the test-data folder: ``mnist/``, ``fashion-mnist/``, ``20newsgroups/``.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_HOME_ENV = "CKMEANS_DATA_HOME"
DEFAULT_DATA_HOME = "~/ckmeans_data"


def _data_home_and_origin(data_home):
    if data_home is not None:
        return Path(data_home).expanduser(), "data_home argument"
    env = os.environ.get(DATA_HOME_ENV)
    if env:
        return Path(env).expanduser(), f"data home from ${DATA_HOME_ENV}"
    return Path(DEFAULT_DATA_HOME).expanduser(), "default data home"


def get_data_home(data_home: str | os.PathLike[str] | None = None) -> Path:
    """Folder that holds ckmeans' datasets, one subfolder per dataset.

    ``data_home`` if given, else the ``CKMEANS_DATA_HOME`` environment variable, else
    ``~/ckmeans_data``. The folder is not created here: :func:`ckmeans.datasets.fetch` creates it
    when it downloads, and loaders only read.
    """
    return _data_home_and_origin(data_home)[0]


def candidate_folders(path, env_var, subfolder, data_home=None):
    """Folders a loader searches, in order, each paired with where it came from (for errors).

    An explicit ``path`` is the only candidate. Otherwise the folder named by ``env_var`` comes
    first (when set), then ``subfolder`` of the data home.
    """
    if path is not None:
        return [(Path(path).expanduser(), "path argument")]
    folders = []
    env = os.environ.get(env_var)
    if env:
        folders.append((Path(env).expanduser(), f"${env_var}"))
    home, origin = _data_home_and_origin(data_home)
    folders.append((home / subfolder, origin))
    return folders


def check_choice(argument, value, allowed):
    """Raise ValueError naming ``argument`` and every allowed value unless ``value`` is one."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(
            f"{argument}={value!r} is not allowed; use one of " + ", ".join(repr(a) for a in allowed)
        )
