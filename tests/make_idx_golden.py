"""Generate the golden IDX files in tests/data/idx/ (run: python tests/make_idx_golden.py).

Independent of ckmeans on purpose: headers come from ``struct``, payloads from NumPy's big-endian
dtypes, gzip from the standard library with mtime 0, so the files test the reader rather than echo
the writer. tests/test_idx.py reads them back and checks this script still reproduces them
byte for byte.
"""

import gzip
import struct
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "data" / "idx"

_CODES = {"u1": 0x08, "i1": 0x09, "i2": 0x0B, "i4": 0x0C, "f4": 0x0D, "f8": 0x0E}


def cases():
    """name -> array. Values straddle sign bits and byte boundaries so a wrong swap shows."""
    return {
        "uint8_3d.idx": np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4) * 11,
        "int8_1d.idx": np.array([-128, -1, 0, 1, 127], dtype=np.int8),
        "int16_2d.idx": np.array([[-32768, -2, 258], [32767, 1, -257]], dtype=np.int16),
        "int32_2d.idx": np.array([[-(2**31), -1, 2**31 - 1], [16909060, 0, -16909060]], dtype=np.int32),
        "float32_1d.idx": np.array([1.5, -0.0, np.inf, -np.inf, np.nan, 1e-45, 3.4e38], dtype=np.float32),
        "float64_2d.idx": np.array([[np.pi, -1e-300], [1e300, -np.e]], dtype=np.float64),
        "empty_dim.idx": np.zeros((3, 0, 2), dtype=np.int16),
        "uint8_3d.idx.gz": np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4) * 11,
        "float64_2d.idx.gz": np.array([[np.pi, -1e-300], [1e300, -np.e]], dtype=np.float64),
        # Two gzip members concatenated (as `cat a.gz b.gz` makes): one IDX file split mid-payload.
        "int32_multimember.idx.gz": np.arange(-6, 6, dtype=np.int32).reshape(3, 4) * 1000003,
    }


def idx_bytes(array):
    dt = array.dtype
    header = struct.pack(">BBBB", 0, 0, _CODES[f"{dt.kind}{dt.itemsize}"], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dt.newbyteorder(">")).tobytes()


def file_bytes(name, array):
    raw = idx_bytes(array)
    if not name.endswith(".gz"):
        return raw
    if "multimember" in name:
        cut = len(raw) // 2 + 1
        return gzip.compress(raw[:cut], 9, mtime=0) + gzip.compress(raw[cut:], 9, mtime=0)
    return gzip.compress(raw, 9, mtime=0)


def main(out=OUT):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, array in cases().items():
        (out / name).write_bytes(file_bytes(name, array))
    return out


if __name__ == "__main__":
    print(f"wrote {len(cases())} files to {main(*sys.argv[1:])}")
