"""Deflate or store a member of a sample's ZIP, decided on its first bytes.

Why: most samples are packed or encrypted and do not compress; deflating them costs
more time than encrypting them and saves nothing. A fast level-1 try on the first
:data:`SNIFF` bytes tells the two apart (both ZIP writers use it).
"""

from __future__ import annotations

import zlib

#: The first bytes of a member decide deflate or store.
SNIFF = 256 * 1024
#: Deflate only when the sniffed bytes shrink below this share of their size.
WORTH_DEFLATING = 0.9

__all__ = ["SNIFF", "WORTH_DEFLATING", "worth_deflating"]


def worth_deflating(sample: bytes) -> bool:
    """Whether deflate shrinks ``sample`` enough to pay for itself."""
    if not sample:
        return True
    return len(zlib.compress(sample, 1)) < len(sample) * WORTH_DEFLATING
