"""Compact sets of sample indices and of variant ordinals, as stored in MongoDB.

A set of sample indices is packed either as a sorted list of little-endian uint32 (rare
variants: 4 bytes per carrier) or as a bitmap over the span it covers (common variants: one bit
per sample), whichever is smaller. The first byte says which. Decoding gives a numpy array.
The ordinals of the variants a sample carries (the sample-first index) are packed alike, as a
bitmap or as varint gaps (below).
"""

from __future__ import annotations

import itertools
import struct

import numpy as np
import numpy.typing as npt

IndexArray = npt.NDArray[np.uint32]

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


def union(arrays: list[IndexArray]) -> IndexArray:
    """Sorted, unique indices in any of the arrays (a sort, not numpy's hashing unique: four
    times faster at 100,000 carriers)."""
    if not arrays:
        return _EMPTY
    merged = np.sort(np.concatenate(arrays).astype(np.uint32, copy=False))
    if merged.size > 1:
        merged = merged[np.concatenate(([True], merged[1:] != merged[:-1]))]
    return merged


# Sets of variant ordinals (the sample-first index): sorted, unique offsets from a block's base,
# packed either as a bitmap over the bytes they span (common variants: a bit per variant of
# the block) or as LEB128 varints of the gaps between them (rare variants: about a byte per
# variant carried), whichever is smaller. The first byte says which.
_GAPS = b"D"
_ORDINAL_EMPTY = np.zeros(0, dtype=np.int64)
OrdinalArray = npt.NDArray[np.int64]


def varint_sizes(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """Bytes of each value as an LEB128 varint."""
    sizes = np.ones(values.size, dtype=np.int64)
    for shift in (7, 14, 21, 28, 35, 42, 49, 56, 63):
        sizes += values >= np.uint64(1 << shift)
    return sizes


def encode_varints(values: npt.ArrayLike) -> bytes:
    """Unsigned integers as LEB128 varints, in one numpy pass."""
    arr = np.asarray(values, dtype=np.uint64)
    if arr.size == 0:
        return b""
    sizes = varint_sizes(arr)
    owner = np.repeat(np.arange(arr.size), sizes)
    starts = np.cumsum(sizes) - sizes
    k = np.arange(owner.size) - starts[owner]
    groups = (arr[owner] >> (np.uint64(7) * k.astype(np.uint64))) & np.uint64(0x7F)
    more = (k < sizes[owner] - 1).astype(np.uint64) << np.uint64(7)
    return (groups | more).astype(np.uint8).tobytes()


def decode_varints(blob: bytes) -> npt.NDArray[np.int64]:
    """Unpack what :func:`encode_varints` wrote (values below 2**63)."""
    raw = np.frombuffer(blob, dtype=np.uint8)
    if raw.size == 0:
        return _ORDINAL_EMPTY
    last = raw < 0x80
    if raw.size == np.count_nonzero(last):  # every value fits in one byte: most gaps
        return raw.astype(np.int64)
    ends = np.flatnonzero(last)
    starts = np.concatenate([[0], ends[:-1] + 1])
    owner = np.repeat(np.arange(ends.size), ends - starts + 1)
    k = np.arange(raw.size) - starts[owner]
    parts = (raw & 0x7F).astype(np.int64) << (7 * k)
    return np.add.reduceat(parts, starts)


def encode_ordinals(offsets: npt.ArrayLike) -> bytes:
    """Pack sorted, unique offsets (from a block's base) as a bitmap or as varint gaps."""
    arr = np.asarray(offsets, dtype=np.int64)
    if arr.size == 0:
        return _GAPS
    first = int(arr[0]) // 8
    span = int(arr[-1]) // 8 - first + 1
    gaps = np.diff(arr, prepend=0)
    if 5 + span <= 1 + int(varint_sizes(gaps.astype(np.uint64)).sum()):
        bits = np.zeros(span * 8, dtype=np.uint8)
        bits[arr - 8 * first] = 1
        body: bytes = np.packbits(bits, bitorder="little").tobytes()
        return _BITMAP + (8 * first).to_bytes(4, "little") + body
    return _GAPS + encode_varints(gaps)


def decode_ordinals(blob: bytes) -> OrdinalArray:
    """Unpack what :func:`encode_ordinals` (or :func:`encode_ordinal_rows`) wrote."""
    tag, body = blob[:1], blob[1:]
    if tag == _GAPS:
        return np.cumsum(decode_varints(body))
    if tag == _BITMAP:
        base = int.from_bytes(body[:4], "little")
        bits = np.unpackbits(np.frombuffer(body, dtype=np.uint8, offset=4), bitorder="little")
        return np.flatnonzero(bits).astype(np.int64) + base
    raise ValueError(f"unknown ordinal encoding {tag!r}")


def popcounts(bits: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Set bits per row of a (rows, bytes) bit matrix."""
    out: npt.NDArray[np.int64] = np.bitwise_count(bits).sum(axis=1, dtype=np.int64)
    return out


def encode_signed(values: npt.ArrayLike) -> bytes:
    """Signed integers as zigzag LEB128 varints (small magnitudes, small bytes)."""
    arr = np.asarray(values, dtype=np.int64)
    return encode_varints(((arr << 1) ^ (arr >> 63)).astype(np.uint64))


def decode_signed(blob: bytes) -> npt.NDArray[np.int64]:
    raw = decode_varints(blob).astype(np.uint64)
    return (raw >> np.uint64(1)).astype(np.int64) ^ -(raw & np.uint64(1)).astype(np.int64)


def encode_ordinal_rows(bits: npt.NDArray[np.uint8]) -> list[bytes]:
    """:func:`encode_ordinals` for every row of a (rows, bytes) bit matrix at once: row ``i``
    holds bit ``j`` (little-endian within bytes) for each offset ``j`` of the set. Empty rows
    give ``b""``. The same sets as :func:`encode_ordinals` would pack, in a few numpy calls."""
    rows, width = bits.shape
    if rows == 0 or width == 0:
        return [b""] * rows
    counts = popcounts(bits)
    nonzero = bits != 0
    first = np.argmax(nonzero, axis=1)
    last = width - 1 - np.argmax(nonzero[:, ::-1], axis=1)
    bitmap_size = 5 + last - first + 1
    # Varints are at least a byte per offset: only rows with fewer offsets than their bitmap's
    # bytes could be smaller as gaps; their offsets are unpacked (those rows only).
    candidates = np.flatnonzero((counts > 0) & (1 + counts < bitmap_size))
    gaps_of: dict[int, bytes] = {}
    step = max(1, (1 << 23) // width)  # unpack at most 64 MB of bits at a time
    for lo in range(0, candidates.size, step):
        sparse = candidates[lo : lo + step]
        unpacked = np.unpackbits(bits[sparse], axis=1, bitorder="little")
        row, col = np.nonzero(unpacked)
        col = col.astype(np.int64)
        gaps = np.diff(col, prepend=0)
        starts = np.searchsorted(row, np.arange(sparse.size))
        gaps[starts] = col[starts]
        sizes = varint_sizes(gaps.astype(np.uint64))
        per_row = np.add.reduceat(sizes, starts)
        packed = np.frombuffer(encode_varints(gaps), dtype=np.uint8)
        byte_starts = np.concatenate([[0], np.cumsum(per_row)])
        for j in np.flatnonzero(1 + per_row < bitmap_size[sparse]).tolist():
            body = packed[byte_starts[j] : byte_starts[j + 1]].tobytes()
            gaps_of[int(sparse[j])] = _GAPS + body
    out: list[bytes] = []
    first_list, last_list, count_list = first.tolist(), last.tolist(), counts.tolist()
    for i in range(rows):
        if not count_list[i]:
            out.append(b"")
        elif i in gaps_of:
            out.append(gaps_of[i])
        else:
            a, b = first_list[i], last_list[i]
            out.append(_BITMAP + (8 * a).to_bytes(4, "little") + bits[i, a : b + 1].tobytes())
    return out
