"""Downloading the datasets: mirrors, sha256 verification, retries and atomic writes.

Only the standard library talks HTTP (urllib), so fetching needs no extra dependency.

Every file is written to a temporary file in its target folder, hashed while it streams, fsynced,
checked against the registry's sha256 and only then renamed over the target with ``os.replace``,
so a reader never sees a partial file and a failed download never touches an existing one.

Checksums (sha256 of the files as published):

* MNIST: computed from the canonical files, whose md5s match the ones torchvision and others have
  published for the original distribution (f68b3c2d..., d53e105e..., 9fb629c4..., ec29112d...).
* Fashion-MNIST: the sha256s published for the files on the project's S3 site (they agree across
  independent downloaders; the official md5s are 8d4fb7e6..., 25c81989..., bef4ecab...,
  bb300cfd...). Repacked copies, such as Debian's dataset-fashion-mnist, hold the same images but
  their gzip bytes differ, so they do not verify.
* 20 Newsgroups: the sha256 scikit-learn pins for the original ``20news-bydate.tar.gz``.
"""

from __future__ import annotations

import hashlib
import http.client
import itertools
import logging
import os
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ckmeans.datasets._home import check_choice, get_data_home
from ckmeans.datasets._mnist import _KINDS as _MNIST_KINDS
from ckmeans.datasets._newsgroups import ENV_VAR as _NEWSGROUPS_ENV_VAR

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Remote:
    """Where a dataset's files come from.

    ``folder`` is its subfolder of the data home, ``files`` maps each file name to its sha256, and
    ``mirrors`` are URL templates tried in order, ``{name}`` standing for the file name (a template
    without it is the URL of the dataset's only file). ``env_var`` is the environment variable its
    loader reads a folder from, which an offline user can set instead.
    """

    folder: str
    files: dict[str, str]
    mirrors: tuple[str, ...]
    env_var: str | None = None


_MNIST_NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)

#: Datasets :func:`fetch` knows. Tests and users behind a proxy may replace entries.
REGISTRY = {
    "mnist": Remote(
        folder="mnist",
        files=dict(
            zip(
                _MNIST_NAMES,
                (
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                ),
            )
        ),
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/{name}",
            "http://yann.lecun.com/exdb/mnist/{name}",
        ),
        env_var=_MNIST_KINDS["mnist"][0],
    ),
    "fashion-mnist": Remote(
        folder="fashion-mnist",
        files=dict(
            zip(
                _MNIST_NAMES,
                (
                    "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
                    "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
                    "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
                    "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
                ),
            )
        ),
        # The S3 website endpoint serves plain HTTP only; the sha256 check is what makes it safe.
        mirrors=(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/{name}",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/{name}",
        ),
        env_var=_MNIST_KINDS["fashion"][0],
    ),
    "20newsgroups": Remote(
        folder="20newsgroups",
        files={"20news-bydate.tar.gz": "8f1b2514ca22a5ade8fbb9cfa5727df95fa587f4c87b786e15c759fa66d95610"},
        mirrors=(
            "https://ndownloader.figshare.com/files/5975967",
            "http://qwone.com/~jason/20Newsgroups/{name}",
        ),
        env_var=_NEWSGROUPS_ENV_VAR,
    ),
}


class DownloadError(OSError):
    """A file could not be fetched from any mirror.

    ``attempts`` lists ``(url, reason)`` for every try, in order.
    """

    def __init__(self, message, attempts):
        super().__init__(message)
        self.attempts = attempts


class _Transient(Exception):
    """A failure worth retrying on the same mirror (network trouble, 5xx, cut-off transfer)."""


class _Permanent(Exception):
    """A failure this mirror will repeat (4xx, wrong checksum): go to the next mirror."""


class _Unresolved(_Permanent):
    """The mirror's host name does not resolve: no network (or no DNS), which retrying won't fix."""


class _Offline(Exception):
    """No mirror's host name resolved; ``attempts`` as in DownloadError."""

    def __init__(self, attempts):
        super().__init__()
        self.attempts = attempts


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(folder):
    # Makes the rename itself durable; not every platform lets a directory be opened.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _download_once(url, target, sha256, timeout):
    """Stream ``url`` into a temporary file beside ``target``; rename it there once verified."""
    from ckmeans import __version__

    request = urllib.request.Request(url, headers={"User-Agent": f"ckmeans/{__version__}"})
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    expected_size = response.headers.get("Content-Length")
                    digest = hashlib.sha256()
                    size = 0
                    for block in iter(lambda: response.read(_CHUNK), b""):
                        digest.update(block)
                        out.write(block)
                        size += len(block)
            except urllib.error.HTTPError as e:
                reason = f"HTTP {e.code} {e.reason}"
                e.close()
                raise (_Transient if e.code >= 500 or e.code == 429 else _Permanent)(reason) from e
            except urllib.error.URLError as e:
                if isinstance(e.reason, socket.gaierror):
                    raise _Unresolved(f"host name not resolved: {e.reason}") from e
                raise _Transient(f"{type(e).__name__}: {e.reason}") from e
            except (
                http.client.HTTPException,
                ConnectionError,
                socket.timeout,
                TimeoutError,
                ssl.SSLError,
            ) as e:
                # URLError wraps refused connections and DNS failures; HTTPException covers
                # IncompleteRead and malformed responses. Local write errors (a full disk) are
                # none of these and propagate as they are.
                raise _Transient(f"{type(e).__name__}: {getattr(e, 'reason', e)}") from e
            # http.client returns a short body silently when the server closes early.
            if expected_size is not None and expected_size.isdigit() and size != int(expected_size):
                raise _Transient(f"truncated transfer: got {size} of {expected_size} bytes")
            got = digest.hexdigest()
            if got != sha256:
                raise _Permanent(f"checksum mismatch: expected sha256 {sha256}, got {got} ({size} bytes)")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _fetch_file(name, sha256, urls, target, n_retries, backoff, timeout):
    attempts = []
    unresolved = 0  # attempts whose host name did not resolve
    for url in urls:
        for attempt in range(n_retries + 1):
            if attempt:
                time.sleep(backoff * 2 ** (attempt - 1))
            logger.info("downloading %s to %s", url, target)
            try:
                _download_once(url, target, sha256, timeout)
                return
            except _Transient as e:
                attempts.append((url, str(e)))
            except _Permanent as e:
                attempts.append((url, str(e)))
                unresolved += isinstance(e, _Unresolved)
                break
    if unresolved == len(attempts):
        raise _Offline(attempts)
    tried = "\n".join(f"  {url}: {reason}" for url, reason in attempts)
    raise DownloadError(f"could not download {name} into {target.parent}; tried:\n{tried}", attempts)


def _urls(template_list, name, n_files):
    urls = []
    for template in template_list:
        if "{name}" not in template and n_files > 1:
            raise ValueError(
                f"mirror {template!r} has no '{{name}}' placeholder, but the dataset has {n_files} files"
            )
        urls.append(template.replace("{name}", name))
    return urls


def fetch(
    name: str,
    data_home: str | os.PathLike[str] | None = None,
    *,
    mirrors: Sequence[str] | None = None,
    n_retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 60.0,
) -> Path:
    """Download a dataset into the data home (if not there already) and return its folder.

    Parameters
    ----------
    name : {'mnist', 'fashion-mnist', '20newsgroups'}
    data_home : str or path-like, optional
        See :func:`get_data_home`; the dataset goes into its subfolder of the same name
        (``mnist/``, ``fashion-mnist/``, ``20newsgroups/``), which the loaders search.
    mirrors : sequence of str, optional
        URL templates to use instead of the registry's, tried in order; ``{name}`` is replaced by
        each file name (e.g. ``"https://example.org/mnist/{name}"``).
    n_retries : int
        Extra tries on the same mirror after a transient failure (connection error, timeout, HTTP
        5xx or 429, transfer cut short), waiting ``backoff * 2**i`` seconds before retry ``i + 1``.
        A 4xx answer or a checksum mismatch moves on to the next mirror at once.
    timeout : float
        Seconds a connection or a read may stall before it counts as a transient failure.

    Files already present with the right sha256 are not downloaded again. A file present with the
    wrong checksum is replaced only by a verified download. Raises :class:`DownloadError` naming
    the file and every URL tried with its reason when no mirror delivers; when no mirror's host
    name resolves (no network), at once and without retries, naming the folder to copy the files
    into and the environment variable the loader reads instead. A failed fetch leaves no folder
    it created empty.
    """
    check_choice("name", name, tuple(REGISTRY))
    if n_retries < 0 or backoff < 0 or timeout <= 0:
        raise ValueError(
            f"need n_retries >= 0, backoff >= 0 and timeout > 0; got "
            f"n_retries={n_retries}, backoff={backoff}, timeout={timeout}"
        )
    remote = REGISTRY[name]
    templates = tuple(remote.mirrors if mirrors is None else mirrors)
    if not templates:
        raise ValueError(f"no mirrors to fetch {name!r} from")
    folder = get_data_home(data_home) / remote.folder
    # The folders this call creates, deepest first: a failed fetch removes those it left empty.
    created = list(itertools.takewhile(lambda p: not p.exists(), [folder, *folder.parents]))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for file_name, sha256 in remote.files.items():
            target = folder / file_name
            if target.is_file() and _sha256(target) == sha256:
                logger.info("%s is present and verified", target)
                continue
            urls = _urls(templates, file_name, len(remote.files))
            try:
                _fetch_file(file_name, sha256, urls, target, n_retries, backoff, timeout)
            except _Offline as e:
                where = (
                    f"set {remote.env_var} to a folder that holds them"
                    if remote.env_var
                    else f"use a data home whose {remote.folder}/ holds them"
                )
                hosts = sorted({urllib.parse.urlsplit(url).hostname for url, _ in e.attempts})
                raise DownloadError(
                    f"cannot download {name}: no mirror's host name resolves "
                    f"({', '.join(hosts)}); offline? Copy its files into {folder}, "
                    f"or {where}.",
                    e.attempts,
                ) from None
    except BaseException:
        for path in created:
            try:
                path.rmdir()
            except OSError:  # not empty: a file was fetched, or someone else wrote there
                break
        raise
    return folder
