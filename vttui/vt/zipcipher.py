"""The ZipCrypto stream cipher (the traditional PKWARE encryption) of :mod:`.ziputil`.

Weak cryptography, on purpose: it is what "zipped with the password infected" means to
every unzip tool. Big pieces go through arrays (:mod:`.zipcrypto_fast`, numpy), small
ones through the byte loop here; apart from the writer so each can be read on its own.
"""

from __future__ import annotations

import functools
import math


def _crc_table() -> tuple[int, ...]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table.append(c)
    return tuple(table)


_CRC = _crc_table()
#: The keystream byte depends only on the low 16 bits of key2: precomputed once.
_KEYSTREAM = bytes((((k | 2) * ((k | 2) ^ 1)) >> 8) & 0xFF for k in range(65536))


class ZipCrypto:
    """The PKWARE stream cipher: three 32-bit keys stirred by every plaintext byte."""

    __slots__ = ("k0", "k1", "k2")

    def __init__(self, password: bytes) -> None:
        self.k0, self.k1, self.k2 = 0x12345678, 0x23456789, 0x34567890
        self.encrypt(password)  # the password primes the keys; its ciphertext is dropped

    def encrypt(self, data: bytes | bytearray | memoryview) -> bytes:
        if len(data) >= _fast_min():
            from . import zipcrypto_fast

            out, (self.k0, self.k1, self.k2) = zipcrypto_fast.encrypt(data, (self.k0, self.k1, self.k2), _CRC,
                                                                      _KEYSTREAM)
            return out
        return self.encrypt_bytewise(data)

    def encrypt_bytewise(self, data: bytes | bytearray | memoryview) -> bytes:
        """The reference byte loop (small pieces, and the fallback without numpy)."""
        k0, k1, k2 = self.k0, self.k1, self.k2
        crc, ks = _CRC, _KEYSTREAM
        out = bytearray()
        append = out.append
        for p in data:  # hot loop: locals only
            append(p ^ ks[k2 & 0xFFFF])
            k0 = (k0 >> 8) ^ crc[(k0 ^ p) & 0xFF]
            k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
            k2 = (k2 >> 8) ^ crc[(k2 ^ (k1 >> 24)) & 0xFF]
        self.k0, self.k1, self.k2 = k0, k1, k2
        return bytes(out)


@functools.cache
def _fast_min() -> float:
    """The smallest piece worth the array path; infinite when numpy is not installed."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return math.inf
    from .zipcrypto_fast import MIN_VECTOR

    return MIN_VECTOR
