"""ckmeans.dask.read_idx: a lazy dask array over an IDX file, each block memory-mapped where it is
read, so the file may be larger than the memory of the client and of the workers together."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import dask
import dask.array as da
import numpy as np

from ckmeans import _idx
from ckmeans.idx import _DTYPES, _GZIP_MAGIC, _gunzip, _parse, _write_atomic, _zlib


def read_idx(path, chunks="auto", *, cache_dir=None):
    """A dask array of the IDX file at `path`, in blocks of rows, read lazily.

    Parameters
    ----------
    path : str or os.PathLike
        An IDX file (see :func:`ckmeans.read_idx`). A gzip-compressed one is decompressed once,
        streaming, to a raw IDX file in `cache_dir` (named as the file without its ``.gz``; reused
        while it is newer than the compressed file), and the array reads that.
    chunks : int, str or tuple, default='auto'
        Rows per block (or dask's chunk specification for the first axis: 'auto' for about
        ``dask.config['array.chunk-size']`` per block); the other axes are whole in every block.
    cache_dir : str or os.PathLike, optional
        Where the raw copy of a gzipped file goes; the file's own folder by default.

    Returns
    -------
    dask.array.Array
        The file's shape and dtype (native byte order). A block is the rows ``[start, stop)`` of a
        memory map of the raw file on the worker that reads it (uint8 and int8 zero-copy, wider
        types byte-swapped into memory), so every worker must see the file at the same path.
        ``.reshape(n, -1)`` gives the 2-D matrix of MNIST-like image files.

    Raises
    ------
    ckmeans.IDXFormatError
        For a malformed file (checked once, here, from its header and size).
    """
    path = Path(path)
    with open(path, "rb") as f:
        gzipped = f.read(2) == _GZIP_MAGIC
    raw = _raw_copy(path, cache_dir) if gzipped else path
    with open(raw, "rb") as f:
        head = f.read(_idx.MAX_HEADER_BYTES)
        size = os.fstat(f.fileno()).st_size
    code, dims, header_bytes, _ = _parse(head, size, os.fspath(raw))
    dtype = _DTYPES[code]
    rows = da.core.normalize_chunks((chunks, *(-1,) * (len(dims) - 1)), dims, dtype=dtype)[0]
    starts = np.concatenate([[0], np.cumsum(rows)])
    blocks = [
        da.from_delayed(
            dask.delayed(_read_rows, pure=True)(os.fspath(raw), code, header_bytes, dims, int(a), int(b)),
            (int(b - a), *dims[1:]),
            dtype,
        )
        for a, b in zip(starts[:-1], starts[1:])
    ]
    return da.concatenate(blocks) if blocks else da.empty(dims, dtype=dtype)


def _raw_copy(path, cache_dir):
    """The raw IDX file of a gzipped one, decompressed if absent or older than it (atomically, so
    concurrent readers never see half a file)."""
    folder = path.parent if cache_dir is None else Path(cache_dir)
    raw = folder / (path.name[:-3] if path.name.endswith(".gz") else path.name + ".raw")
    if raw.exists() and raw.stat().st_mtime >= path.stat().st_mtime:
        return raw
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as compressed:
        _write_atomic(raw, _gunzip(memoryview(compressed), os.fspath(path), _zlib))
    return raw


def _read_rows(raw, code, header_bytes, dims, start, stop):
    """Rows [start, stop) of a raw IDX file, as a view of its memory map (byte-swapped to native
    order in memory for the types wider than a byte)."""
    dtype = _DTYPES[code]  # native order; the file's is big-endian
    row = int(np.prod(dims[1:], dtype=np.int64)) * dtype.itemsize
    block = np.memmap(
        raw, dtype.newbyteorder(">"), "r", header_bytes + start * row, (stop - start, *dims[1:])
    )
    return block if dtype.itemsize == 1 else block.astype(dtype)
