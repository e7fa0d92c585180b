"""Reading and writing IDX files, the format of MNIST and Fashion-MNIST.

An IDX file is two zero bytes, a type-code byte, a byte ``ndim`` (1..255), ``ndim`` big-endian
unsigned 32-bit dimensions, then the elements, big-endian, row-major. Six element types exist:

====  =========  ====  =========
code  dtype      code  dtype
====  =========  ====  =========
0x08  uint8      0x0C  int32
0x09  int8       0x0D  float32
0x0B  int16      0x0E  float64
====  =========  ====  =========

A dimension of 0 is legal (an empty array, no payload bytes). Files are often gzipped; gzip is
recognised by its magic bytes ``1f 8b``, never by the file name.

Gzip decompression uses the fastest installed binding, in the order measured in BENCHMARKS.md
("IDX read"): ``zlib_ng`` (package ``zlib-ng``, a dependency of ckmeans on the platforms it has
wheels for), then ``isal`` (``isal.isal_zlib``), then the standard library's ``zlib``.
:data:`GZIP_BACKEND` names the one in use. (libdeflate, through the ``deflate`` package, decompresses
faster on its own but only whole buffers into a new bytes object: the copy into the array then
costs what it saves, and the streaming read's bounded memory is lost.)
"""

from __future__ import annotations

import itertools
import mmap as mmap_module
import os
import secrets
import stat
import warnings
from pathlib import Path
from typing import BinaryIO, Literal, Union

import numpy as np
from numpy.typing import ArrayLike

from ckmeans import _idx
from ckmeans._threads import effective_n_threads

try:
    from zlib_ng import zlib_ng as _zlib
except ImportError:  # pragma: no cover - platforms without zlib-ng wheels
    try:
        from isal import isal_zlib as _zlib
    except ImportError:
        import zlib as _zlib

GZIP_BACKEND = _zlib.__name__

__all__ = ["GZIP_BACKEND", "IDXFormatError", "read_idx", "write_idx"]


# What read_idx reads: a path, the file's bytes, or a binary file object.
Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, BinaryIO]


class IDXFormatError(ValueError):
    """A malformed IDX file (or gzip stream around it). The message names the source and the problem."""


_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(np.int16),
    0x0C: np.dtype(np.int32),
    0x0D: np.dtype(np.float32),
    0x0E: np.dtype(np.float64),
}
_CODES = {(dt.kind, dt.itemsize): code for code, dt in _DTYPES.items()}
_SUPPORTED = ", ".join(f"0x{code:02X} {dt.name}" for code, dt in _DTYPES.items())

_GZIP_MAGIC = b"\x1f\x8b"
# NumPy arrays have at most 64 dimensions (32 before NumPy 2), fewer than IDX allows.
_NUMPY_MAX_NDIM = 64 if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else 32
# Compressed bytes fed to the decompressor per call. Small pieces keep each decompressed piece
# (about 5x larger for MNIST) in cache while it is copied into the output; measured fastest of
# 16/64/256 KiB for all three backends.
_GZIP_IN_CHUNK = 1 << 14
# The first output buffer of a gzip read is the payload size the header claims, capped here; it
# doubles (never past the claim) only as real data arrives. A tiny stream whose header claims
# terabytes therefore costs at most this much memory before it is reported as truncated.
_GZIP_FIRST_ALLOC = 1 << 26


# ---- reading ------------------------------------------------------------------------------------


def read_idx(source: Source, *, mmap: bool = False, n_threads: int | None = None) -> np.ndarray:
    """Read an IDX file into a NumPy array.

    Parameters
    ----------
    source : str, os.PathLike, bytes-like or binary file object
        A path, the file's bytes (``bytes``, ``bytearray``, ``memoryview``), or an object with a
        ``read()`` method returning bytes (read to its end). Gzip-compressed content is detected by
        its magic bytes and decompressed.
    mmap : bool
        With a path to an *uncompressed* uint8 or int8 file, return a zero-copy **read-only** view
        of the memory-mapped file: O(1) whatever the file size, pages load on first touch, and the
        map stays open as long as the array (or a view of it) lives. In every other case (gzip,
        a multi-byte type, which needs byte swapping, or a source that is not a path) the array is
        decoded into memory as if ``mmap=False`` and a ``UserWarning`` says why. The view reads
        the file itself: if the file is truncated while the view lives, touching the lost pages
        kills the process with SIGBUS (an operating-system signal, not an exception). Keep the file
        unchanged, or copy the array (``np.array(view)``) when it may change.
    n_threads : int or None
        Threads for the big-endian to native conversion (see :mod:`ckmeans._threads`).

    Returns
    -------
    numpy.ndarray
        Native byte order, C-contiguous, shape = the file's dimensions, dtype from the type code;
        writable and owning its memory, except for ``mmap`` views.

    Raises
    ------
    IDXFormatError
        For any malformed content: bad magic, unknown type code, zero dimensions, truncated
        header, payload shorter or longer than the dimensions need (trailing bytes are an error,
        and so is anything after the last gzip member but zero padding, which gzip allows),
        dimensions whose byte count overflows,
        more dimensions than NumPy supports, corrupt or truncated gzip data. The message starts
        with the source (the path, ``<bytes>`` or ``<file NAME>``).
    TypeError
        For a source of another type, or a file object whose ``read()`` does not return bytes.
    """
    n_threads = effective_n_threads(n_threads)
    if isinstance(source, (str, os.PathLike)):
        return _read_path(source, mmap, n_threads)
    if isinstance(source, (bytes, bytearray, memoryview)):
        name, data = "<bytes>", source
    elif hasattr(source, "read"):
        name = getattr(source, "name", None)
        name = "<file object>" if name is None else f"<file {name}>"
        data = source.read()
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"{name}: read() returned {type(data).__name__}, not bytes: open the "
                "file in binary mode ('rb')"
            )
    else:
        raise TypeError(
            "read_idx source must be a path, bytes-like object or binary file object, "
            f"not {type(source).__name__}"
        )
    if mmap:
        _warn_no_mmap(name, "the source is not a path", stacklevel=3)
    return _read_buffer(_byte_view(data, name), name, n_threads)


def _read_path(path, mmap, n_threads):
    name = os.fspath(path)
    with open(path, "rb") as f:
        info = os.fstat(f.fileno())
        head = f.read(_idx.MAX_HEADER_BYTES)
        if head[:2] != _GZIP_MAGIC and not stat.S_ISREG(info.st_mode):
            # A pipe or device has no size: its header is judged on these first bytes, then exactly
            # the payload it declares is read (/dev/zero is refused after 1024 bytes).
            if mmap:
                _warn_no_mmap(name, "it is not a regular file")
            return _read_stream(_file_pieces(f, head), name, n_threads)
        if head[:2] == _GZIP_MAGIC:
            if mmap:
                _warn_no_mmap(name, "the file is gzip-compressed")
            if f.seekable():  # re-read from 0 rather than copy the compressed bytes into head
                f.seek(0)
                head = b""
            return _read_buffer(memoryview(head + f.read()), name, n_threads)
        # Size and content come from the same open file, so a file replaced meanwhile cannot
        # pair one file's header with another's length.
        if mmap:
            return _mmap_view(f, name, n_threads)
        code, dims, header_bytes, payload_bytes = _parse(head, info.st_size, name)
        out = np.empty(payload_bytes, np.uint8)
        f.seek(header_bytes)
        filled = 0
        view = memoryview(out)
        while filled < payload_bytes:
            n = f.readinto(view[filled:])
            if not n:  # the file shrank after fstat
                _raise_payload(name, _idx.SHORT_PAYLOAD, dims, header_bytes, payload_bytes, str(filled))
            filled += n
    return _finish(out, code, dims, n_threads)


def _mmap_view(f, name, n_threads):
    if not os.fstat(f.fileno()).st_size:  # an empty file cannot be mapped
        _parse(b"", 0, name)
    mapped = mmap_module.mmap(f.fileno(), 0, access=mmap_module.ACCESS_READ)
    try:
        code, dims, header_bytes, payload_bytes = _parse(mapped[: _idx.MAX_HEADER_BYTES], len(mapped), name)
    except IDXFormatError:
        mapped.close()
        raise
    dtype = _DTYPES[code]
    if dtype.itemsize != 1:
        _warn_no_mmap(name, f"{dtype.name} needs byte swapping", stacklevel=5)
        out = np.empty(payload_bytes, np.uint8)
        out[:] = np.frombuffer(mapped, np.uint8, count=payload_bytes, offset=header_bytes)
        mapped.close()
        return _finish(out, code, dims, n_threads)
    return np.frombuffer(mapped, dtype, count=payload_bytes, offset=header_bytes).reshape(dims)


def _warn_no_mmap(name, reason, stacklevel=4):
    # The default stacklevel points at read_idx's caller from a helper called by read_idx's helper.
    warnings.warn(
        f"{name}: mmap=True needs an uncompressed uint8/int8 file given by path; {reason}, "
        "so the array is read into memory instead",
        UserWarning,
        stacklevel=stacklevel,
    )


def _byte_view(data, name):
    view = memoryview(data)
    if not view.c_contiguous:
        raise TypeError(f"{name}: the buffer must be C-contiguous")
    return view.cast("B") if view.format != "B" or view.ndim != 1 else view


def _read_buffer(view, name, n_threads):
    if view[:2] == _GZIP_MAGIC:
        return _read_gzip(view, name, n_threads, _zlib)
    code, dims, header_bytes, payload_bytes = _parse(view[: _idx.MAX_HEADER_BYTES], len(view), name)
    out = np.empty(payload_bytes, np.uint8)
    _idx.decode(view[header_bytes:], code, payload_bytes // _DTYPES[code].itemsize, out, n_threads)
    return out.view(_DTYPES[code]).reshape(dims)


def _read_gzip(view, name, n_threads, zlib_module):
    """Decompress straight into the output array: the payload is copied once, piece by piece."""
    return _read_stream(_gunzip(view, name, zlib_module), name, n_threads)


def _file_pieces(f, head):
    """head, then the rest of file f in pieces, read only as they are asked for."""
    yield head
    while piece := f.read(_GZIP_IN_CHUNK):
        yield piece


def _read_stream(pieces, name, n_threads):
    """The array of a stream of byte pieces whose total length is not known in advance: the header
    is judged on its first 1024 bytes, and the output grows with the payload as it arrives, never
    past what the header declares."""
    head = bytearray()
    for piece in pieces:
        head += piece
        if len(head) >= _idx.MAX_HEADER_BYTES:
            total = -1  # more may follow: the payload length is checked as it streams in
            break
    else:
        total = len(head)
    code, dims, header_bytes, payload_bytes = _parse(head, total, name)
    out = np.empty(min(payload_bytes, _GZIP_FIRST_ALLOC), np.uint8)
    out_view = memoryview(out)
    filled = 0
    for piece in itertools.chain([memoryview(head)[header_bytes:]], pieces):
        end = filled + len(piece)
        if end > payload_bytes:
            _raise_payload(
                name, _idx.LONG_PAYLOAD, dims, header_bytes, payload_bytes, f"more than {payload_bytes}"
            )
        if end > len(out):
            grown = np.empty(min(payload_bytes, max(end, 2 * len(out))), np.uint8)
            grown[:filled] = out[:filled]
            out, out_view = grown, memoryview(grown)
        out_view[filled:end] = piece
        filled = end
    if filled < payload_bytes:
        _raise_payload(name, _idx.SHORT_PAYLOAD, dims, header_bytes, payload_bytes, str(filled))
    return _finish(out, code, dims, n_threads)


def _gunzip(view, name, zlib_module):
    """Yield the decompressed pieces of every gzip member in ``view``; IDXFormatError on bad data."""
    pos = 0
    while True:
        member = zlib_module.decompressobj(31)  # wbits 31: gzip wrapper, CRC32 and size checked
        while not member.eof:
            if pos >= len(view):
                raise IDXFormatError(
                    f"{name}: truncated gzip stream (the compressed data ends "
                    "before the end of the gzip member)"
                )
            chunk = view[pos : pos + _GZIP_IN_CHUNK]
            pos += len(chunk)
            try:
                piece = member.decompress(chunk)
            except zlib_module.error as exc:
                raise IDXFormatError(f"{name}: corrupt gzip stream ({exc})") from None
            if piece:
                yield piece
        pos = _skip_zeros(view, pos - len(member.unused_data))  # gzip allows zero padding
        if pos == len(view):
            return
        if view[pos : pos + 2] != _GZIP_MAGIC:
            raise IDXFormatError(f"{name}: {len(view) - pos} bytes of trailing garbage after the gzip stream")


def _skip_zeros(view, pos):
    """Index of the first non-zero byte at or after ``pos`` (len(view) if none), in time linear in
    the zeros skipped: windows double, so a lone zero between members costs O(1)."""
    window = 16
    while pos < len(view):
        nonzero = np.flatnonzero(np.frombuffer(view[pos : pos + window], np.uint8))
        if nonzero.size:
            return pos + int(nonzero[0])
        pos += window
        window *= 2
    return len(view)


def _parse(head, total_len, name):
    status, message, code, dims, header_bytes, payload_bytes = _idx.parse_header(
        np.frombuffer(head, np.uint8), total_len
    )
    if status == 0:
        if len(dims) > _NUMPY_MAX_NDIM:
            raise IDXFormatError(
                f"{name}: {len(dims)} dimensions; NumPy arrays support at most {_NUMPY_MAX_NDIM}"
            )
        return code, dims, header_bytes, payload_bytes
    if status == _idx.TRUNCATED_HEADER:
        need = 4 if len(head) < 4 else header_bytes
        detail = f"{len(head)} bytes, need {need}"
    elif status == _idx.MAGIC:
        detail = f"file starts with {bytes(head[:4]).hex(' ')}; is this an IDX file?"
    elif status == _idx.TYPE:
        detail = f"0x{code:02X}; known codes are {_SUPPORTED}"
    elif status == _idx.NDIM:
        detail = "the ndim byte (the 4th) is 0; IDX arrays have 1..255 dimensions"
    elif status == _idx.OVERFLOW:
        detail = f"dims {dims} of {_DTYPES[code].itemsize}-byte elements"
    else:
        _raise_payload(name, status, dims, header_bytes, payload_bytes, str(total_len - header_bytes))
    raise IDXFormatError(f"{name}: {message}: {detail}")


def _raise_payload(name, status, dims, header_bytes, payload_bytes, found):
    raise IDXFormatError(
        f"{name}: {_idx.strerror(status)}: dims {dims} need {payload_bytes} "
        f"payload bytes after the {header_bytes}-byte header, found {found}"
    )


def _finish(out, code, dims, n_threads):
    dtype = _DTYPES[code]
    _idx.decode(out, code, len(out) // dtype.itemsize, out, n_threads)  # in place
    return out.view(dtype).reshape(dims)


# ---- writing ------------------------------------------------------------------------------------


def write_idx(
    path: str | os.PathLike[str],
    array: ArrayLike,
    *,
    compress: Literal["gzip"] | None = None,
    n_threads: int | None = None,
) -> Path:
    """Write ``array`` to ``path`` as an IDX file; return the path as a :class:`pathlib.Path`.

    ``array`` must have 1 to 255 dimensions (NumPy allows at most 64), each at most 2**32 - 1, and
    one of the six IDX dtypes (uint8, int8, int16, int32, float32, float64) in either byte order.
    The file is gzipped when ``compress='gzip'`` or the path ends in ``.gz``, by
    :data:`GZIP_BACKEND` at its default level with mtime 0 in the header (so equal arrays give
    equal files with the same backend); ``compress`` must be None or ``'gzip'``.

    The file is written to a temporary file in the same folder and renamed over ``path`` only once
    complete, so a failed write never leaves a partial file and never damages an existing one
    (the data is not fsync'ed: atomic against other processes, not against power loss).
    ``read_idx(write_idx(path, a))`` equals ``a`` exactly: same shape, dtype (in native byte
    order) and bytes.
    """
    if compress not in (None, "gzip"):
        raise ValueError(f"compress must be None or 'gzip', not {compress!r}")
    path = Path(path)
    gzip = compress == "gzip" or path.suffix.lower() == ".gz"
    array = np.asarray(array)
    code = _CODES.get((array.dtype.kind, array.dtype.itemsize))
    if code is None:
        raise TypeError(f"IDX cannot store dtype {array.dtype}; supported dtypes: {_SUPPORTED}")
    if array.ndim == 0:
        raise ValueError("IDX needs an array with at least 1 dimension, got a 0-d array (reshape it to (1,))")
    try:
        header = _idx.encode_header(code, array.shape)
    except ValueError as exc:
        raise ValueError(f"cannot write shape {array.shape} as IDX: {exc}") from None
    native = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("=")).reshape(-1)
    payload = np.empty(native.nbytes, np.uint8)
    _idx.encode(native.view(np.uint8), code, native.size, payload, effective_n_threads(n_threads))
    if gzip:
        packer = _zlib.compressobj(_zlib.Z_DEFAULT_COMPRESSION, _zlib.DEFLATED, 31)
        chunks = (packer.compress(header), packer.compress(payload), packer.flush())
    else:
        chunks = (header, payload)
    _write_atomic(path, chunks)
    return path


def _write_atomic(path, chunks):
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    # os.open with 0o666 lets the umask set the final permissions, as a plain open() would.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
