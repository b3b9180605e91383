"""ZipCrypto at array speed: the keystream for a whole chunk at once, with numpy.

Why: the cipher's three keys are stirred by every byte, and a Python loop over bytes
runs at 1-3 MB/s (a 650 MB sample took minutes). The keys are serial, but only in a
way arrays can follow, because nothing feeds back from the output to the keys' input:

* ``k0`` is a CRC-32 register over the *plaintext*. Its state after every byte comes
  from cutting the chunk into lanes: ``zlib.crc32`` gives each lane's starting state
  (C speed, one call per lane), then all lanes advance together one byte per step, so
  a chunk of n bytes takes ``n / lanes`` array steps instead of n Python steps.
* ``k1`` is affine in the low bytes of ``k0``: ``k1' = (k1 + b) * A + 1 (mod 2**32)``.
  With ``A`` odd (invertible mod 2**32) every prefix has a closed form, one
  ``cumsum`` over the chunk.
* ``k2`` is a CRC-32 register over the top bytes of ``k1``: lanes again.

The keystream byte is then a table lookup on ``k2``'s low 16 bits. Results are
bit-identical to the byte loop in :mod:`.ziputil` (tests compare them on random
data); that loop stays for small pieces and for when numpy is missing.
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

A = 134775813
M32 = 0xFFFFFFFF
#: Bytes each lane holds: the number of array steps per CRC pass.
LANE = 256
#: Below this, the byte loop is as fast (array steps cost more than they save).
MIN_VECTOR = 64 * 1024

__all__ = ["LANE", "MIN_VECTOR", "encrypt"]


@lru_cache(maxsize=1)
def _tables(crc: tuple[int, ...], keystream: bytes) -> tuple[Any, Any]:
    import numpy as np

    return np.array(crc, dtype=np.uint32), np.frombuffer(keystream, dtype=np.uint8)


@lru_cache(maxsize=4)
def _powers(n: int) -> tuple[Any, Any]:
    """``A**i`` and ``A**-i`` (mod 2**32) for i = 1..n (uint32 arithmetic wraps mod 2**32)."""
    import numpy as np

    up = np.cumprod(np.full(n, A, dtype=np.uint32), dtype=np.uint32)
    down = np.cumprod(np.full(n, pow(A, -1, 1 << 32), dtype=np.uint32), dtype=np.uint32)
    return up, down


def _states(data: npt.NDArray[np.uint8], start: int, out: Any, crc: Any) -> int:
    """Write into ``out`` the CRC register after each byte of ``data`` (a whole number of
    lanes), cut to ``out``'s dtype; returns the register after the last byte."""
    import numpy as np

    lanes = data.size // LANE
    view = memoryview(data)  # type: ignore[arg-type]
    starts = np.empty(lanes, dtype=np.uint32)
    state = start
    for lane in range(lanes):
        starts[lane] = state
        state = zlib.crc32(view[lane * LANE:(lane + 1) * LANE], state ^ M32) ^ M32
    reg = starts
    index = np.empty(lanes, dtype=np.intp)  # intp: take() then needs no conversion
    looked = np.empty(lanes, dtype=np.uint32)
    for step in range(LANE):
        np.bitwise_xor(reg, data[step::LANE], out=index)
        np.bitwise_and(index, 0xFF, out=index)
        crc.take(index, out=looked)
        np.right_shift(reg, 8, out=reg)
        np.bitwise_xor(reg, looked, out=reg)
        out[step::LANE] = reg  # the cast keeps the low bits
    return state


def encrypt(data: bytes | bytearray | memoryview, keys: tuple[int, int, int], crc: tuple[int, ...],
            keystream: bytes) -> tuple[bytes, tuple[int, int, int]]:
    """``data`` encrypted from ``keys`` (k0, k1, k2), and the keys after it."""
    import numpy as np

    crc_table, ks_table = _tables(crc, keystream)
    k0, k1, k2 = keys
    n = len(data)
    plain = np.frombuffer(data, dtype=np.uint8)
    pad = (-n) % LANE
    if pad:  # zeros after the end change no state before it
        plain = np.concatenate([plain, np.zeros(pad, dtype=np.uint8)])
    size = plain.size
    low = np.empty(size, dtype=np.uint8)
    _states(plain, k0, low, crc_table)  # k0's low byte after each byte
    up, down = _powers(size)
    k1s = low.astype(np.uint32)
    k1s *= A
    k1s += 1
    k1s *= down
    np.cumsum(k1s, out=k1s, dtype=np.uint32)
    k1s += k1
    k1s *= up  # k1 after each byte
    top = (k1s >> 24).astype(np.uint8)
    before = np.empty(size + 1, dtype=np.uint16)  # k2 (low 16 bits) before each byte
    before[0] = k2 & 0xFFFF
    _states(top, k2, before[1:], crc_table)
    cipher = plain[:n] ^ ks_table.take(before[:n])
    new_keys = (zlib.crc32(data, k0 ^ M32) ^ M32, int(k1s[n - 1]), zlib.crc32(top[:n].tobytes(), k2 ^ M32) ^ M32)
    return cipher.tobytes(), new_keys
