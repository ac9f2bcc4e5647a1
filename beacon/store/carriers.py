"""Compact sets of sample indices and lists of variant keys, as stored in MongoDB.

A set of sample indices is packed either as a sorted list of little-endian uint32 (rare
variants: 4 bytes per carrier) or as a bitmap over the span it covers (common variants: one bit
per sample), whichever is smaller. The first byte says which. Decoding gives a numpy array.
Variant keys (signed 64-bit) are packed as little-endian int64, in the order given.
"""

from __future__ import annotations

import itertools
import struct

import numpy as np
import numpy.typing as npt

IndexArray = npt.NDArray[np.uint32]
KeyArray = npt.NDArray[np.int64]

_LIST = b"L"
_BITMAP = b"B"
_EMPTY = np.zeros(0, dtype=np.uint32)


def encode_indices(indices: npt.ArrayLike) -> bytes:
    """Pack sorted, unique sample indices in the smaller of the two encodings."""
    arr = np.asarray(indices, dtype=np.uint32)
    n = arr.size
    if n == 0:
        return _LIST
    if n <= 64:
        # Rare variants are most of a genome: plain Python beats numpy's per-call overhead.
        values: list[int] = arr.tolist()
        if any(a >= b for a, b in itertools.pairwise(values)):
            values = sorted(set(values))
            n = len(values)
        first = values[0]
        width = (values[-1] - first + 8) // 8
        if 1 + 4 * n <= 5 + width:
            return _LIST + struct.pack(f"<{n}I", *values)
        bitmap = 0
        for value in values:
            bitmap |= 1 << (value - first)
        return _BITMAP + first.to_bytes(4, "little") + bitmap.to_bytes(width, "little")
    if np.any(arr[1:] <= arr[:-1]):
        arr = np.unique(arr)
    base = int(arr[0])
    span = int(arr[-1]) - base + 1
    bitmap_bytes = 5 + (span + 7) // 8
    list_bytes = 1 + 4 * arr.size
    if list_bytes <= bitmap_bytes:
        return _LIST + arr.astype("<u4").tobytes()
    bits = np.zeros(span, dtype=np.uint8)
    bits[arr - base] = 1
    header = int(base).to_bytes(4, "little")
    body: bytes = np.packbits(bits, bitorder="little").tobytes()
    return _BITMAP + header + body


def encode_rows(mask: npt.NDArray[np.bool_], rows: list[IndexArray]) -> list[bytes]:
    """:func:`encode_indices` for every row of a (rows, samples) mask at once.

    ``rows[i]`` are the set positions of row ``i`` (``np.nonzero`` of it, already at hand).
    Bitmaps start at the byte holding the first sample, so their base is a multiple of 8: the
    same sets, decoded identically, packed in one numpy call instead of one per row.
    """
    if mask.shape[0] == 0:
        return []
    bits = np.packbits(mask, axis=1, bitorder="little")
    nonzero = bits != 0
    width = bits.shape[1]
    first = np.argmax(nonzero, axis=1).tolist()
    last = (width - 1 - np.argmax(nonzero[:, ::-1], axis=1)).tolist()
    out = []
    for i, found in enumerate(rows):
        n = found.size
        if n == 0:
            out.append(b"")
        elif 1 + 4 * n <= 5 + last[i] - first[i] + 1:
            out.append(_LIST + found.astype("<u4").tobytes())
        else:
            head = (8 * first[i]).to_bytes(4, "little")
            out.append(_BITMAP + head + bits[i, first[i] : last[i] + 1].tobytes())
    return out


def decode_indices(blob: bytes) -> IndexArray:
    """Unpack what :func:`encode_indices` wrote."""
    if not blob:
        return _EMPTY
    tag, body = blob[:1], blob[1:]
    if tag == _LIST:
        return np.frombuffer(body, dtype="<u4").astype(np.uint32)
    if tag == _BITMAP:
        base = int(np.frombuffer(body[:4], dtype="<u4")[0])
        bits = np.unpackbits(np.frombuffer(body[4:], dtype=np.uint8), bitorder="little")
        return (np.flatnonzero(bits) + base).astype(np.uint32)
    raise ValueError(f"unknown carrier encoding {tag!r}")


def encode_keys(keys: npt.ArrayLike) -> bytes:
    return np.asarray(keys, dtype=np.int64).astype("<i8").tobytes()


def decode_keys(blob: bytes) -> KeyArray:
    return np.frombuffer(blob, dtype="<i8").astype(np.int64)


def union(arrays: list[IndexArray]) -> IndexArray:
    if not arrays:
        return _EMPTY
    return np.unique(np.concatenate(arrays)).astype(np.uint32)
