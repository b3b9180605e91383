"""Generated families of the demo: filler samples, DGA names on the sinkhole, C2 nodes.

Pure functions of the dataset's seed and an index, so the big lists (2,500 sinkhole
resolutions, 140 subdomains, 58 extra samples) are made on demand, one item at a time.
"""

from __future__ import annotations

import hashlib
import re

from . import catalogue as C
from . import engines as eng
from .identity import FileRec, file_record
from .specs import DAY, HOUR, DomainSpec, FileSpec, T

__all__ = [
    "dga_date",
    "dga_domain_spec",
    "dga_name",
    "filler_record",
    "looks_like_dga",
    "node_domain_spec",
    "node_names",
]

_NODE = re.compile(r"^node-(\d{3})\.update-relay\.test$")


def filler_record(seed: int, i: int) -> FileRec:
    """The i-th filler sample: a detected loader seen talking to the sinkhole."""
    h = eng.hnum(seed, "filler", i)
    key = f"filler-{i:02d}"
    family = C.FILLER_FAMILIES[h % len(C.FILLER_FAMILIES)]
    kind = "dll" if (h >> 5) % 5 == 0 else "pe"
    word = C.FILLER_WORDS[(h >> 9) % len(C.FILLER_WORDS)]
    spec = FileSpec(
        key=key, name=f"{word}_{(h >> 17) % 9000 + 1000}.{'dll' if kind == 'dll' else 'exe'}",
        size=4096 + (h >> 23) % 20480, kind=kind, malicious=18 + (h >> 31) % 45, family=family,
        first_seen=T - (6 + 5 * i) * DAY, analysed=T - (1 + i % 23) * DAY,
        times_submitted=1 + (h >> 37) % 12, tags=("peexe" if kind == "pe" else "pedll", "long-sleeps"),
        reputation=-int((h >> 41) % 30),
    )  # fmt: skip
    return file_record(spec)


def dga_name(seed: int, i: int) -> str:
    digest = hashlib.sha256(f"{seed}\x1fdga\x1f{i}".encode()).digest()
    length = 9 + digest[0] % 6
    label = "".join(chr(97 + b % 26) for b in digest[1 : 1 + length])
    return f"{label}.{C.DGA_TLDS[digest[-1] % len(C.DGA_TLDS)]}"


def dga_date(seed: int, i: int) -> int:
    """When the i-th DGA name was seen resolving to the sinkhole."""
    return T - 3 * DAY - i * 2 * HOUR - eng.hnum(seed, "dgad", i) % HOUR


def looks_like_dga(name: str) -> bool:
    """Cheap shape test before the (lazily built) index of DGA names is consulted."""
    return name.count(".") == 1 and name.rsplit(".", 1)[-1] in C.DGA_TLDS


def dga_domain_spec(seed: int, i: int, name: str) -> DomainSpec:
    h = eng.hnum(seed, "dgaspec", i)
    return DomainSpec(
        name, created=T - (60 + h % 400) * DAY, registrar="Example CERT Takedown Registrar",
        malicious=2 + h % 7, categories=(("Forcepoint ThreatSeeker", "malicious web sites"),),
        tags=("dga",), nameservers=("ns1.sinkhole.example", "ns2.sinkhole.example"), privacy=False,
        analysed=T - (3 + h % 90) * DAY,
    )  # fmt: skip


def node_domain_spec(name: str) -> DomainSpec | None:
    """The spec of a C2 node name (``node-NNN.update-relay.test``), None for other names."""
    m = _NODE.match(name)
    if not (m and 1 <= int(m.group(1)) <= C.NODE_COUNT):
        return None
    n = int(m.group(1))
    return DomainSpec(name, created=T - 39 * DAY, malicious=n % 4, analysed=T - (2 + n % 30) * DAY)


def node_names() -> list[str]:
    return [f"node-{i:03d}.{C.C2_ZONE}" for i in range(1, C.NODE_COUNT + 1)]
