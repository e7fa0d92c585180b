"""Tests for ckmeans.idx (read_idx / write_idx) and its C core src_c/idx.c."""

import gzip
import importlib.util
import io
import mmap
import os
import struct
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ckmeans
from ckmeans import IDXFormatError, _idx, read_idx, write_idx
from ckmeans import idx as idx_module

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "data" / "idx"


def _load_sibling(name):
    # --import-mode=importlib puts no test folder on sys.path, so load siblings by file.
    spec = importlib.util.spec_from_file_location(f"_ckmeans_tests_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_idx_golden = _load_sibling("make_idx_golden")
require_file = _load_sibling("conftest").require_file

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int8): 0x09,
    np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
    np.dtype(np.float64): 0x0E,
}


def zlib_modules():
    """Every zlib-like module read_idx can use (stdlib zlib is always there); one that is not
    installed is a skip with the reason, not a case that silently disappears."""
    mods = [pytest.param(zlib, id="zlib")]
    for modname, attr in (("isal", "isal_zlib"), ("zlib_ng", "zlib_ng")):
        try:
            mods.append(pytest.param(getattr(__import__(modname, fromlist=[attr]), attr), id=modname))
        except ImportError as exc:
            mods.append(
                pytest.param(
                    None,
                    id=modname,
                    marks=pytest.mark.skip(
                        reason=f"gzip backend {modname} is not importable ({exc}): "
                        f"pip install {modname.replace('_', '-')}"
                    ),
                )
            )
    return mods


def header(code, *dims, magic=b"\x00\x00"):
    return magic + bytes([code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)


def numpy_decode(payload, code, shape):
    """Slow twin of the C decoder: NumPy's big-endian dtype, then a cast to native."""
    be = np.dtype(idx_module._DTYPES[code]).newbyteorder(">")
    return np.frombuffer(payload, be).astype(be.newbyteorder("=")).reshape(shape)


# ---- golden files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(make_idx_golden.cases()))
def test_golden_file_reads_to_its_array(name):
    expected = make_idx_golden.cases()[name]
    got = read_idx(GOLDEN / name)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert got.dtype.isnative and got.flags.c_contiguous and got.flags.writeable
    np.testing.assert_array_equal(got, expected)  # NaN == NaN here
    assert got.tobytes() == expected.tobytes()  # -0.0 and NaN payloads too


def test_generator_reproduces_golden_files_byte_for_byte(tmp_path):
    make_idx_golden.main(tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in GOLDEN.iterdir())
    for name in names:
        assert (tmp_path / name).read_bytes() == (GOLDEN / name).read_bytes(), name


@pytest.mark.parametrize("stem", ["uint8_3d.idx", "float64_2d.idx"])
def test_gzip_and_raw_parity(stem):
    raw, gz = read_idx(GOLDEN / stem), read_idx(GOLDEN / (stem + ".gz"))
    assert raw.dtype == gz.dtype and raw.tobytes() == gz.tobytes() and raw.shape == gz.shape


# ---- bytes checked by hand ------------------------------------------------------------------------

HAND = [  # (array, its IDX file written out by hand)
    (np.array([0, 255], np.uint8), "00 00 08 01 00 00 00 02 00 ff"),
    (np.array([[-1], [127]], np.int8), "00 00 09 02 00 00 00 02 00 00 00 01 ff 7f"),
    (np.array([1, -2], np.int16), "00 00 0b 01 00 00 00 02 00 01 ff fe"),
    (np.array([1, -1, 0x01020304], np.int32), "00 00 0c 01 00 00 00 03 00 00 00 01 ff ff ff ff 01 02 03 04"),
    (np.array([1.0, -2.5], np.float32), "00 00 0d 01 00 00 00 02 3f 80 00 00 c0 20 00 00"),
    (
        np.array([1.0, -0.5], np.float64),
        "00 00 0e 01 00 00 00 02 3f f0 00 00 00 00 00 00 bf e0 00 00 00 00 00 00",
    ),
]


@pytest.mark.parametrize("array,hexbytes", HAND, ids=[str(a.dtype) for a, _ in HAND])
def test_hand_checked_bytes(array, hexbytes, tmp_path):
    data = bytes.fromhex(hexbytes)
    got = read_idx(data)
    assert got.dtype == array.dtype and got.shape == array.shape
    np.testing.assert_array_equal(got, array)
    assert write_idx(tmp_path / "a.idx", array).read_bytes() == data
    swapped = array.astype(array.dtype.newbyteorder(">" if array.dtype.isnative else "<"))
    assert write_idx(tmp_path / "b.idx", swapped).read_bytes() == data


# ---- round trips ----------------------------------------------------------------------------------

any_dtype = st.sampled_from(DTYPES).flatmap(
    lambda t: st.sampled_from([np.dtype(t).newbyteorder("<"), np.dtype(t).newbyteorder(">")])
)
arrays = any_dtype.flatmap(
    lambda dt: hnp.arrays(
        dt,
        hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5),
        elements=hnp.from_dtype(dt, allow_nan=True, allow_infinity=True),
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    array=arrays, compress=st.sampled_from([None, "gzip"]), source=st.sampled_from(["path", "bytes", "file"])
)
def test_round_trip(array, compress, source, tmp_path):
    path = write_idx(tmp_path / "rt.idx", array, compress=compress)
    if source == "path":
        got = read_idx(path)
    elif source == "bytes":
        got = read_idx(path.read_bytes())
    else:
        with open(path, "rb") as f:
            got = read_idx(f)
    assert got.dtype == array.dtype.newbyteorder("=") and got.dtype.isnative
    assert got.shape == array.shape and got.flags.c_contiguous and got.flags.writeable
    assert got.tobytes() == array.astype(got.dtype).tobytes()
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == (compress == "gzip")


def test_gz_suffix_gzips_and_gzip_output_is_deterministic(tmp_path):
    a = np.arange(1000, dtype=np.float32).reshape(10, 100)
    first = write_idx(tmp_path / "a.idx.GZ", a).read_bytes()
    assert first[:2] == b"\x1f\x8b"
    assert gzip.decompress(first) == header(0x0D, 10, 100) + a.astype(">f4").tobytes()
    assert write_idx(tmp_path / "b.idx", a, compress="gzip").read_bytes() == first


def test_bytes_sources_of_every_kind():
    data = bytes.fromhex(HAND[2][1])
    for source in (
        data,
        bytearray(data),
        memoryview(data),
        io.BytesIO(data),
        np.frombuffer(data, np.uint8).data,
    ):
        np.testing.assert_array_equal(read_idx(source), HAND[2][0])


# ---- malformed input ------------------------------------------------------------------------------

MALFORMED = [  # (bytes, fragments the message must contain)
    (b"", ["truncated header", "0 bytes, need 4"]),
    (b"\x00\x00\x08", ["truncated header", "3 bytes, need 4"]),
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x07", ["bad magic", "01 00 08 01"]),
    (b"\x00\x02\x08\x01\x00\x00\x00\x01\x07", ["bad magic"]),
    (header(0x07, 1) + b"\x00", ["unknown element type code", "0x07", "0x0E float64"]),
    (header(0x0A, 1) + b"\x00", ["unknown element type code", "0x0A"]),
    (header(0x0F, 1) + b"\x00", ["unknown element type code", "0x0F"]),
    (b"\x00\x00\x08\x00", ["zero dimensions", "1..255"]),
    (b"\x00\x00\x08\x03" + b"\x00\x00\x00\x01" * 2, ["truncated header", "12 bytes, need 16"]),
    (header(0x08, *[2**32 - 1] * 3), ["overflows", "1-byte elements"]),
    (header(0x0E, 2**31, 2**30), ["overflows", "8-byte elements"]),
    # Empty (a zero dim), yet NumPy cannot describe the shape: found by the fuzz test below.
    (header(0x0B, 0x5C000003, 0, 0xB3000002), ["overflows", "(1543503875, 0, 3003121666)"]),
    (header(0x08, 2**31, 2**31), ["shorter", "4611686018427387904", "found 0"]),
    (header(0x08, 3) + b"\x01\x02", ["shorter", "need 3 payload bytes", "found 2"]),
    (header(0x0C, 2) + b"\x00" * 7, ["shorter", "need 8 payload bytes", "found 7"]),
    (header(0x08, 3) + b"\x01\x02\x03\x04", ["trailing bytes", "need 3 payload bytes", "found 4"]),
    (header(0x0B, 0, 5) + b"\x00", ["trailing bytes", "need 0 payload bytes"]),
    (header(0x08, *[1] * 65) + b"\x00", ["65 dimensions", "at most"]),
]


@pytest.mark.parametrize("data,fragments", MALFORMED, ids=range(len(MALFORMED)))
@pytest.mark.parametrize("wrap", ["bytes", "path", "gzip-path", "file"])
def test_malformed_raises_idxformaterror_naming_source_and_problem(data, fragments, wrap, tmp_path):
    path = tmp_path / "bad.idx"
    if wrap == "bytes":
        source, name = data, "<bytes>"
    elif wrap == "file":
        source, name = io.BufferedReader(io.BytesIO(data)), "<file"
    else:
        path.write_bytes(gzip.compress(data) if wrap == "gzip-path" else data)
        source, name = path, str(path)
    with pytest.raises(IDXFormatError) as info:
        read_idx(source)
    message = str(info.value)
    assert message.startswith(name), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_idxformaterror_is_a_valueerror():
    assert issubclass(ckmeans.IDXFormatError, ValueError)


def test_huge_claims_never_allocate_much():
    claim = header(0x08, 2**31, 2**31 - 1)  # 2^62 bytes claimed
    tracemalloc.start()
    try:
        for data, cap in ((claim, 1 << 20), (gzip.compress(claim + b"\x00" * 100), 2 * (1 << 26))):
            tracemalloc.reset_peak()
            with pytest.raises(IDXFormatError, match="shorter"):
                read_idx(data)
            assert tracemalloc.get_traced_memory()[1] < cap
    finally:
        tracemalloc.stop()


def gz_cases():
    good = gzip.compress(header(0x0C, 3) + b"\x00\x00\x00\x01" * 3, mtime=0)
    crc = bytearray(good)
    crc[-6] ^= 0xFF
    corrupt = bytearray(good)
    corrupt[12] ^= 0x5A
    return [
        (good[:-9], "truncated gzip stream"),
        (good[:10], "truncated gzip stream"),
        (b"\x1f\x8b", "gzip"),
        (bytes(crc), "corrupt gzip stream"),
        (bytes(corrupt), "gzip stream"),
        (good + b"garbage", "7 bytes of trailing garbage"),
        (good + b"\x1f", "1 bytes of trailing garbage"),
        (good + b"\x00\x00garbage", "7 bytes of trailing garbage"),
        (good + b"\x1f\x8bgarbage!", "gzip stream"),
        (good + good, "trailing bytes"),  # two members = 2 payloads
    ]


@pytest.mark.parametrize("zmod", zlib_modules())
@pytest.mark.parametrize("data,fragment", gz_cases(), ids=range(len(gz_cases())))
def test_bad_gzip_streams_with_every_backend(zmod, data, fragment):
    with pytest.raises(IDXFormatError, match=fragment) as info:
        idx_module._read_gzip(memoryview(data), "<bytes>", 1, zmod)
    assert str(info.value).startswith("<bytes>: ")


def _multimember_cases():
    a = np.random.default_rng(2).integers(-(2**31), 2**31, (3, 30000), dtype=np.int32)
    raw = header(0x0C, 3, 30000) + a.astype(">i4").tobytes()
    # Members larger than one 16 KiB input piece, cut at odd places, zero padding between and after.
    cuts = [0, 70001, 200003, len(raw)]
    members = [gzip.compress(raw[i:j], 1, mtime=0) for i, j in zip(cuts, cuts[1:])]
    return a, [
        b"".join(members),
        b"\x00".join(members) + b"\x00" * 5,
        members[0] + b"\x00" * 40000 + b"".join(members[1:]),
    ]


@pytest.mark.parametrize("zmod", zlib_modules())
def test_every_backend_reads_golden_and_multimember_gzip(zmod):
    for name in [n for n in make_idx_golden.cases() if n.endswith(".gz")]:
        got = idx_module._read_gzip(memoryview((GOLDEN / name).read_bytes()), "<bytes>", 1, zmod)
        assert got.tobytes() == make_idx_golden.cases()[name].tobytes()
    expected, streams = _multimember_cases()
    for data in streams:
        got = idx_module._read_gzip(memoryview(data), "<bytes>", 1, zmod)
        assert got.tobytes() == expected.tobytes()
        assert got.tobytes() == numpy_decode(gzip.decompress(data)[12:], 0x0C, (3, 30000)).tobytes()


def test_text_mode_file_and_wrong_source_type(tmp_path):
    path = write_idx(tmp_path / "a.idx", np.arange(3, dtype=np.uint8))
    with open(path) as f, pytest.raises(TypeError, match="binary mode"):
        read_idx(f)
    with pytest.raises(TypeError, match="path, bytes-like object or binary file object"):
        read_idx(3)
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "missing.idx")


# ---- fuzzing --------------------------------------------------------------------------------------


def _only_idxformaterror(data):
    try:
        out = read_idx(data)
    except IDXFormatError:
        return
    assert isinstance(out, np.ndarray) and out.dtype.isnative and out.flags.c_contiguous


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=64) | st.binary(min_size=2, max_size=64).map(lambda b: b"\x00\x00" + b))
def test_fuzz_random_bytes(data):
    _only_idxformaterror(data)


VALID = [(GOLDEN / n).read_bytes() for n in sorted(make_idx_golden.cases())]


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(VALID),
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=4),
    st.integers(0, 200),
    st.binary(max_size=8),
)
def test_fuzz_mutations_of_valid_files(data, flips, cut, insert):
    data = bytearray(data)
    for pos, value in flips:
        if data:
            data[pos % len(data)] = value
    at = cut % (len(data) + 1)
    for candidate in (bytes(data), bytes(data[:at]), bytes(data[:at]) + insert + bytes(data[at:])):
        _only_idxformaterror(candidate)
        if candidate[:2] != b"\x1f\x8b":
            _only_idxformaterror(gzip.compress(candidate, mtime=0))


_REFERENCE_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _reference_decode(data):
    """A slow, independent IDX decoder: the array the bytes stand for, or None if they are invalid."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return None
    if len(data) < 4 or data[0] or data[1] or data[2] not in _REFERENCE_DTYPES or data[3] == 0:
        return None
    ndim, dtype = data[3], np.dtype(_REFERENCE_DTYPES[data[2]])
    header = 4 + 4 * ndim
    if len(data) < header or ndim > idx_module._NUMPY_MAX_NDIM:
        return None
    dims = struct.unpack(f">{ndim}I", data[4:header])
    nonzero = 1
    for d in dims:
        nonzero *= max(d, 1)
    n = 0 if 0 in dims else nonzero
    if nonzero * dtype.itemsize > 2**63 - 1 or len(data) - header != n * dtype.itemsize:
        return None
    return np.frombuffer(data, dtype, count=n, offset=header).astype(dtype.newbyteorder("=")).reshape(dims)


def _mutate(rng, data):
    """One random change of a valid file: bytes overwritten, cut, inserted, or a header field."""
    data = bytearray(data)
    kind = rng.integers(6)
    if kind == 0:
        for pos in rng.integers(0, len(data), rng.integers(1, 4)):
            data[pos] = rng.integers(256)
    elif kind == 1:
        del data[rng.integers(len(data) + 1) :]
    elif kind == 2:
        at = rng.integers(len(data) + 1)
        data[at:at] = rng.bytes(rng.integers(1, 9))
    elif kind == 3:
        data[2] = int(rng.choice([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, rng.integers(256)]))
    elif kind == 4:
        data[3] = int(rng.choice([0, 1, 2, 3, 33, 65, 255]))
    elif len(data) >= 8:
        at = 4 + 4 * rng.integers((len(data) - 4) // 4)
        data[at : at + 4] = int(rng.choice([0, 1, 2, 3, 2**31, 2**32 - 1])).to_bytes(4, "big")
    return bytes(data)


def test_fuzz_ten_thousand_seeded_mutations():
    """Every outcome of 10^4 mutated files (a tenth of them also gzipped) is an IDXFormatError where
    the reference decoder finds the bytes invalid, and its very array where it finds them valid."""
    rng = np.random.default_rng(20240521)
    for i in range(10_000):
        data = _mutate(rng, VALID[i % len(VALID)])
        want = _reference_decode(data)
        for source in [data] + ([gzip.compress(data, mtime=0)] if i % 10 == 0 else []):
            try:
                got = read_idx(source, n_threads=1)
            except IDXFormatError:
                # zlib refuses gzip headers with reserved flags that Python's gzip module ignores
                assert want is None or source[:2] == b"\x1f\x8b", f"mutation {i} is valid: {source!r}"
                continue
            assert want is not None, f"mutation {i} is invalid yet read: {source!r}"
            assert got.dtype == want.dtype and got.shape == want.shape
            np.testing.assert_array_equal(got, want)


# ---- mmap -----------------------------------------------------------------------------------------


def _holds_mmap(array):
    base = array
    while base is not None:
        if isinstance(base, mmap.mmap):
            return True
        base = getattr(base, "base", None) if not isinstance(base, memoryview) else base.obj
    return False


@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
def test_mmap_is_a_zero_copy_read_only_view(dtype, tmp_path):
    a = (np.arange(2 * 3 * 5) - 7).astype(dtype).reshape(2, 3, 5)
    path = write_idx(tmp_path / "m.idx", a)
    view = read_idx(path, mmap=True)
    assert view.dtype == a.dtype and view.shape == a.shape
    np.testing.assert_array_equal(view, a)
    assert not view.flags.writeable and not view.flags.owndata and _holds_mmap(view)
    with pytest.raises(ValueError):
        view[0, 0, 0] = 1
    # Zero copy: a byte changed in the file after mapping shows through the view.
    with open(path, "r+b") as f:
        f.seek(len(header(0x08, 2, 3, 5)))
        f.write(b"\x2a")
    assert view[0, 0, 0] == 42


def test_mmap_of_an_empty_array(tmp_path):
    view = read_idx(write_idx(tmp_path / "e.idx", np.zeros((4, 0), np.uint8)), mmap=True)
    assert view.shape == (4, 0) and view.dtype == np.uint8


@pytest.mark.parametrize("case", ["gzip", "int16", "bytes"])
def test_mmap_falls_back_to_memory_with_a_warning(case, tmp_path):
    a = np.arange(12, dtype=np.int16 if case == "int16" else np.uint8).reshape(3, 4)
    path = write_idx(tmp_path / ("a.idx.gz" if case == "gzip" else "a.idx"), a)
    source = path.read_bytes() if case == "bytes" else path
    with pytest.warns(UserWarning, match="mmap=True") as record:
        got = read_idx(source, mmap=True)
    assert {"gzip": "gzip", "int16": "int16 needs byte swapping", "bytes": "not a path"}[case] in str(
        record[0].message
    )
    np.testing.assert_array_equal(got, a)
    assert got.flags.writeable and got.dtype == a.dtype


@pytest.mark.parametrize("data,fragments", MALFORMED, ids=range(len(MALFORMED)))
def test_mmap_validates_like_a_normal_read(data, fragments, tmp_path):
    path = tmp_path / "bad.idx"
    path.write_bytes(data)
    with pytest.raises(IDXFormatError) as info:
        read_idx(path, mmap=True)
    assert str(info.value).startswith(str(path))
    assert all(fragment in str(info.value) for fragment in fragments), str(info.value)


def test_mmap_warnings_point_at_the_caller(tmp_path):
    path = write_idx(tmp_path / "a.idx", np.arange(3, dtype=np.int16))
    for source in (path, path.read_bytes()):
        with pytest.warns(UserWarning) as record:
            read_idx(source, mmap=True)
        assert record[0].filename == __file__


# ---- C kernels against their NumPy twin -----------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_decode_matches_numpy_twin_for_any_thread_count(dtype):
    code = CODES[np.dtype(dtype)]
    itemsize = np.dtype(dtype).itemsize
    n = 3 * (1 << 16) + 1234  # several fixed-size chunks plus a ragged one
    payload = np.random.default_rng(0).integers(0, 256, n * itemsize, dtype=np.uint8)
    expected = numpy_decode(payload.tobytes(), code, (n,))
    results = []
    for n_threads in (1, 2, 3, 8):
        out = np.empty_like(payload)
        _idx.decode(payload, code, n, out, n_threads)
        results.append(out.tobytes())
    assert all(r == expected.tobytes() for r in results)
    inplace = payload.copy()
    _idx.decode(inplace, code, n, inplace, 2)
    assert inplace.tobytes() == expected.tobytes()
    back = np.empty_like(payload)
    _idx.encode(np.frombuffer(results[0], np.uint8), code, n, back, 2)
    assert back.tobytes() == payload.tobytes()


def test_decode_boundary_refuses_buffers_too_small():
    buf = np.zeros(7, np.uint8)
    with pytest.raises(ValueError, match="cannot hold"):
        _idx.decode(buf, 0x0C, 2, buf, 1)
    with pytest.raises(ValueError, match="cannot hold"):
        _idx.decode(buf, 0x07, 1, buf, 1)
    with pytest.raises(ValueError, match="cannot hold"):  # n_elems * 8 would wrap around int64
        _idx.encode(buf, 0x0E, 2**62, buf, 1)


def test_read_idx_thread_counts_agree(tmp_path):
    a = np.random.default_rng(1).standard_normal((700, 300))
    data = write_idx(tmp_path / "t.idx", a).read_bytes()
    for n_threads in (1, 2, -1, None):
        assert read_idx(data, n_threads=n_threads).tobytes() == a.tobytes()
    with pytest.raises(ValueError, match="n_threads=0"):
        read_idx(data, n_threads=0)


# ---- writing errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype",
    [np.bool_, np.int64, np.uint16, np.uint32, np.float16, np.complex64, object, "U3", "datetime64[s]"],
)
def test_write_rejects_unsupported_dtypes(dtype, tmp_path):
    with pytest.raises(TypeError) as info:
        write_idx(tmp_path / "a.idx", np.zeros(3, dtype=dtype))
    assert str(np.dtype(dtype)) in str(info.value) and "0x0D float32" in str(info.value)
    assert not list(tmp_path.iterdir())


def test_write_rejects_bad_shapes_and_options(tmp_path):
    with pytest.raises(ValueError, match="at least 1 dimension"):
        write_idx(tmp_path / "a.idx", np.uint8(3))
    with pytest.raises(ValueError, match=r"0\.\.2\^32-1"):
        write_idx(tmp_path / "a.idx", np.empty((2**32, 0), np.uint8))
    with pytest.raises(ValueError, match="compress must be None or 'gzip'"):
        write_idx(tmp_path / "a.idx", np.zeros(3, np.uint8), compress="bz2")
    assert not list(tmp_path.iterdir())


def test_encode_header_limits():
    with pytest.raises(ValueError, match=r"1\.\.255"):
        _idx.encode_header(0x08, (1,) * 256)
    with pytest.raises(ValueError, match=r"1\.\.255"):
        _idx.encode_header(0x08, ())
    assert _idx.encode_header(0x08, (2**32 - 1,)) == b"\x00\x00\x08\x01\xff\xff\xff\xff"


def test_failed_write_leaves_existing_file_untouched(tmp_path):
    path = tmp_path / "keep.idx"
    old = write_idx(path, np.arange(4, dtype=np.uint8)).read_bytes()

    def chunks():
        yield b"\x00\x00\x08\x01"
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        idx_module._write_atomic(path, chunks())
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["keep.idx"]


def test_written_file_gets_umask_permissions(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = write_idx(tmp_path / "p.idx", np.zeros(2, np.uint8))
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


# ---- real data ------------------------------------------------------------------------------------

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_real_mnist(shared_data):
    folder = shared_data / "mnist"
    images_path = require_file(folder / "train-images-idx3-ubyte.gz")
    raw = gzip.decompress(images_path.read_bytes())
    assert len(raw) == 47040016 and struct.unpack(">I", raw[:4])[0] == 0x803
    images = read_idx(images_path)
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert images.tobytes() == numpy_decode(raw[16:], 0x08, (60000, 28, 28)).tobytes()
    labels = read_idx(require_file(folder / "train-labels-idx1-ubyte.gz"))
    assert labels.shape == (60000,) and labels.dtype == np.uint8
    assert labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(labels).tolist() == MNIST_TRAIN_COUNTS
    test_images = read_idx(require_file(folder / "t10k-images-idx3-ubyte.gz"))
    test_labels = read_idx(require_file(folder / "t10k-labels-idx1-ubyte.gz"))
    assert test_images.shape == (10000, 28, 28)
    assert test_labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_real_mnist_via_file_object_and_raw_mmap(shared_data, tmp_path):
    gz = require_file(shared_data / "mnist" / "t10k-images-idx3-ubyte.gz")
    with open(gz, "rb") as f:
        from_file = read_idx(f)
    raw_path = tmp_path / "t10k-images-idx3-ubyte"
    raw_path.write_bytes(gzip.decompress(gz.read_bytes()))
    mapped = read_idx(raw_path, mmap=True)
    assert _holds_mmap(mapped) and np.array_equal(mapped, from_file)


@pytest.mark.parametrize("subset,n", [("train", 60000), ("t10k", 10000)])
def test_real_fashion_mnist(shared_data, subset, n):
    folder = shared_data / "fashion-mnist"
    images = read_idx(require_file(folder / f"{subset}-images-idx3-ubyte.gz"))
    labels = read_idx(require_file(folder / f"{subset}-labels-idx1-ubyte.gz"))
    assert images.shape == (n, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (n,) and labels.dtype == np.uint8
    assert np.bincount(labels).tolist() == [n // 10] * 10  # Fashion-MNIST is balanced


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_non_regular_file_is_read_as_a_stream(tmp_path):
    import threading

    fifo = tmp_path / "pipe.idx"
    os.mkfifo(fifo)
    data = bytes.fromhex(HAND[0][1])  # raw uint8: mmap-able if it were a regular file
    writer = threading.Thread(target=lambda: fifo.write_bytes(data))
    writer.start()
    try:
        with pytest.warns(UserWarning, match="not a regular file"):
            got = read_idx(fifo, mmap=True)
    finally:
        writer.join(timeout=10)
    np.testing.assert_array_equal(got, HAND[0][0])


def test_write_accepts_non_contiguous_views_and_str_paths(tmp_path):
    base = np.arange(60, dtype=">i4").reshape(3, 4, 5)
    for view in (base.T, base[:, ::2, 1:], np.asfortranarray(base)):
        path = write_idx(str(tmp_path / "v.idx"), view)
        assert isinstance(path, Path)
        got = read_idx(path)
        assert got.flags.c_contiguous and got.shape == view.shape
        np.testing.assert_array_equal(got, view)


def test_write_into_missing_folder_leaves_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_idx(tmp_path / "no" / "such" / "a.idx", np.zeros(2, np.uint8))
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_device_with_a_bad_header_is_refused_at_once():
    """/dev/zero never ends: its header (a zero type code) is judged on the first bytes."""
    with pytest.raises(IDXFormatError, match="type code"):
        read_idx("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("extra", [0, 1, 10**6])
def test_fifo_reads_exactly_the_declared_payload(tmp_path, extra):
    """A pipe is read as a stream: the declared payload and nothing more; a bad header is refused
    after at most 1024 bytes, however much follows."""
    import threading

    want = np.arange(12, dtype=np.int32).reshape(3, 4)
    write_idx(tmp_path / "good.idx", want)
    good = (tmp_path / "good.idx").read_bytes()
    for payload, expect in [
        (good + b"\x07" * extra, "ok" if extra == 0 else "longer"),
        (b"\xff" * 10**7, "magic"),
    ]:
        fifo = tmp_path / f"pipe{extra}{expect}"
        os.mkfifo(fifo)
        written = []

        def feed(path=fifo, data=payload, written=written):
            try:
                with open(path, "wb") as w:
                    for i in range(0, len(data), 1 << 16):
                        w.write(data[i : i + (1 << 16)])
                        written.append(i)
            except BrokenPipeError:
                pass

        t = threading.Thread(target=feed)
        t.start()
        if expect == "ok":
            np.testing.assert_array_equal(read_idx(fifo), want)
        else:
            with pytest.raises(IDXFormatError, match=expect):
                read_idx(fifo)
        t.join(timeout=10)
        if expect == "magic":
            assert len(written) < 5  # refused without reading the 10 MB behind the header
