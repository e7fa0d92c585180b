"""The 20 Newsgroups "bydate" split, read from its tarball or its extracted folder."""

from __future__ import annotations

import os
import tarfile
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Literal

import numpy as np

from ckmeans.datasets._home import candidate_folders, check_choice

ARCHIVE_NAME = "20news-bydate.tar.gz"
ENV_VAR = "NEWSGROUPS_DATA_PATH"
_SPLIT_FOLDERS = {"train": "20news-bydate-train", "test": "20news-bydate-test"}
_SUBSETS = {"train": ("train",), "test": ("test",), "all": ("train", "test")}
_REMOVABLE = ("headers", "footers", "quotes")

# A line is quoting when it starts with a quote mark or an attribution, or carries one of the
# phrases that introduce a quoted passage.
_QUOTE_STARTS = ("In article", "Quoted from", ">", "|")
_QUOTE_PHRASES = ("writes in", "writes:", "wrote:", "says:", "said:")


def _strip_headers(text):
    """Drop everything up to the first blank line (the message headers)."""
    return text.partition("\n\n")[2]


def _strip_footer(text):
    """Drop the signature: what follows the last blank or all-hyphens line of the message.

    When that line is the first one, nothing is dropped and the text comes back unchanged.
    """
    lines = text.strip().split("\n")
    for i in range(len(lines) - 1, 0, -1):
        if not lines[i].strip().strip("-"):
            return "\n".join(lines[:i])
    return text


def _is_quote_line(line):
    return line.startswith(_QUOTE_STARTS) or any(p in line for p in _QUOTE_PHRASES)


def _strip_quotes(text):
    """Drop quoted lines and the lines that introduce them."""
    return "\n".join(line for line in text.split("\n") if not _is_quote_line(line))


_STRIPPERS = {"headers": _strip_headers, "footers": _strip_footer, "quotes": _strip_quotes}


def _file_order(name):
    # Message files are numbered; numeric order, with any other name after them by name.
    return (0, int(name), name) if name.isdigit() else (1, 0, name)


def _locate(folder):
    """What ``folder`` holds: ('tar', archive path), ('dir', extracted root), or None."""
    if folder.is_file():
        return "tar", folder
    if all((folder / split).is_dir() for split in _SPLIT_FOLDERS.values()):
        return "dir", folder
    if (folder / ARCHIVE_NAME).is_file():
        return "tar", folder / ARCHIVE_NAME
    return None


def _read_tar(archive, splits):
    """{split: {group: [(file name, bytes)]}} for the wanted splits, straight from the tarball."""
    wanted = {_SPLIT_FOLDERS[s]: s for s in splits}
    found = {s: {} for s in splits}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                parts = [p for p in PurePosixPath(member.name).parts if p != "."]
                if not member.isfile() or len(parts) != 3 or parts[0] not in wanted:
                    continue
                split, group, name = wanted[parts[0]], parts[1], parts[2]
                with tar.extractfile(member) as f:
                    found[split].setdefault(group, []).append((name, f.read()))
    except (tarfile.TarError, EOFError, OSError) as e:
        raise ValueError(f"{archive}: cannot read the 20 Newsgroups tarball ({e})") from e
    return found


def _read_dir(root, splits):
    """The same mapping as :func:`_read_tar`, from the extracted folders."""
    found = {}
    for split in splits:
        base = root / _SPLIT_FOLDERS[split]
        groups = {}
        for group in os.listdir(base):
            if not (base / group).is_dir():
                continue
            groups[group] = [
                (name, (base / group / name).read_bytes())
                for name in os.listdir(base / group)
                if (base / group / name).is_file()
            ]
        found[split] = groups
    return found


def _not_found(folders):
    lines = []
    for folder, origin in folders:
        state = (
            "does not exist"
            if not folder.exists()
            else (
                f"holds neither {ARCHIVE_NAME} nor {_SPLIT_FOLDERS['train']}/ and {_SPLIT_FOLDERS['test']}/"
            )
        )
        lines.append(f"  {folder} ({origin}): {state}")
    return FileNotFoundError(
        "20 Newsgroups not found. Looked in:\n" + "\n".join(lines) + "\n"
        "Get it with ckmeans.datasets.fetch('20newsgroups') (downloads into the data home), or "
        f"set {ENV_VAR} to the {ARCHIVE_NAME} tarball or the folder holding it or its extracted "
        f"{_SPLIT_FOLDERS['train']}/ and {_SPLIT_FOLDERS['test']}/."
    )


def _check_remove(remove):
    remove = (remove,) if isinstance(remove, str) else tuple(remove)
    unknown = [r for r in remove if r not in _REMOVABLE]
    if unknown:
        raise ValueError(
            f"remove={remove!r} has unknown entries {unknown!r}; allowed: "
            + ", ".join(repr(r) for r in _REMOVABLE)
        )
    return remove


def load_20newsgroups(
    path: str | os.PathLike[str] | None = None,
    *,
    subset: Literal["train", "test", "all"] = "train",
    remove: Iterable[str] = (),
    data_home: str | os.PathLike[str] | None = None,
) -> tuple[list[str], np.ndarray, list[str]]:
    """The 20 Newsgroups "bydate" split as ``(documents, y, target_names)``.

    Parameters
    ----------
    path : str or path-like, optional
        The ``20news-bydate.tar.gz`` tarball, a folder holding it, or the folder it extracts to
        (holding ``20news-bydate-train/`` and ``20news-bydate-test/``); the extracted folders win
        when a folder holds both. The tarball is read directly, nothing is extracted to disk.
        When None: the ``NEWSGROUPS_DATA_PATH`` environment variable if set, then the
        ``20newsgroups/`` subfolder of the data home (see :func:`get_data_home`), where
        ``fetch('20newsgroups')`` puts the tarball.
    subset : {'train', 'test', 'all'}
        'all' is the training documents followed by the test documents.
    remove : tuple of {'headers', 'footers', 'quotes'}
        Text to strip from each message, as in scikit-learn's ``fetch_20newsgroups``: 'headers'
        drops everything up to the first blank line; 'footers' drops what follows the last blank
        or all-hyphens line (the signature); 'quotes' drops lines starting with '>' or '|' or an
        attribution ('In article', 'Quoted from') and lines containing 'writes:', 'wrote:',
        'says:', 'said:' or 'writes in'. They are applied in that order whatever order is given.
    data_home : str or path-like, optional
        Overrides the data home.

    Returns
    -------
    documents : list of str
        Message texts decoded as latin-1 (every byte is a character, as in the original loader).
        Order is deterministic: by newsgroup (in ``target_names`` order), then by message file
        number. This differs from scikit-learn, which shuffles by default.
    y : ndarray of int64, shape (n_documents,)
        Index of each document's newsgroup in ``target_names``.
    target_names : list of str
        The 20 newsgroup folder names, sorted.
    """
    check_choice("subset", subset, tuple(_SUBSETS))
    remove = _check_remove(remove)
    folders = candidate_folders(path, ENV_VAR, "20newsgroups", data_home)
    for folder, _origin in folders:
        located = _locate(folder)
        if located is not None:
            break
    else:
        raise _not_found(folders)
    kind, source = located
    splits = _SUBSETS[subset]
    found = (_read_tar if kind == "tar" else _read_dir)(source, splits)

    target_names = sorted(found[splits[0]])
    for split in splits:
        if not found[split]:
            raise ValueError(f"{source}: no {_SPLIT_FOLDERS[split]}/ documents found")
        if sorted(found[split]) != target_names:
            raise ValueError(
                f"{source}: the newsgroups in {_SPLIT_FOLDERS[split]}/ differ from "
                f"those in {_SPLIT_FOLDERS[splits[0]]}/"
            )

    documents, labels = [], []
    for split in splits:
        for label, group in enumerate(target_names):
            for _name, raw in sorted(found[split][group], key=lambda item: _file_order(item[0])):
                documents.append(raw.decode("latin-1"))
                labels.append(label)
    for what in _REMOVABLE:
        if what in remove:
            documents = [_STRIPPERS[what](doc) for doc in documents]
    return documents, np.asarray(labels, dtype=np.int64), target_names
