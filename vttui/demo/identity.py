"""Who the demo's objects are: refs, hashes of the harmless contents, URL ids, entry points."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
from dataclasses import dataclass

from . import catalogue as C
from .specs import FileSpec, harmless_content

__all__ = [
    "NOT_FOUND_SHA256",
    "FileRec",
    "Ref",
    "canonical_ip",
    "core_hashes",
    "demo_iocs",
    "file_record",
    "url_sha256",
]

#: An object by (type, id), as the dataset keys everything.
Ref = tuple[str, str]

#: A well-formed SHA-256 that the demo always answers with 404 NotFoundError.
NOT_FOUND_SHA256 = hashlib.sha256(b"vttui demo: this file was never seen").hexdigest()


def url_sha256(url: str) -> str:
    """The v3 id of a URL: sha256 of the (already canonical) URL string."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def canonical_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class FileRec:
    """A demo file: its spec and the hashes of its harmless content."""

    spec: FileSpec
    md5: str
    sha1: str
    sha256: str


def _hashes(key: str, size: int) -> tuple[str, str, str]:
    content = harmless_content(key, size)
    return hashlib.md5(content).hexdigest(), hashlib.sha1(content).hexdigest(), hashlib.sha256(content).hexdigest()


def file_record(spec: FileSpec) -> FileRec:
    """The record of a file spec, hashing the content it stands for."""
    return FileRec(spec, *_hashes(spec.key, spec.size))


@functools.cache
def core_hashes() -> dict[str, tuple[str, str, str]]:
    """(md5, sha1, sha256) of every catalogue file's harmless content, by key."""
    return {key: _hashes(key, spec.size) for key, spec in C.FILES.items()}


def demo_iocs() -> dict[str, str]:
    """Named entry points into the demo data, for docs, tests and screenshots."""
    from .threat import collection_id, reference_id, threat_actor_id  # threat builds on this module

    h = core_hashes()
    return {
        "behaviour_file": h["detected_file"][2], "macro_document": h["parent_doc"][2],
        "collection": collection_id(), "threat_actor": threat_actor_id(),
        "threat_actor_name": str(C.THREAT_ACTOR["name"]),
        "reference": reference_id(), "search_query": "type:peexe p:5+ fs:2026-07-01+",
        "detected_file": h["detected_file"][2], "detected_file_md5": h["detected_file"][0],
        "detected_file_sha1": h["detected_file"][1], "pe_file": h["detected_file"][2],
        "clean_file": h["clean_file"][2], "clean_pdf": h["clean_pdf"][2], "non_pe_file": h["clean_pdf"][2],
        "script_file": h["dropped_script"][2], "dropped_dll": h["dropped_dll"][2],
        "execution_parent": h["parent_doc"][2],
        "domain": C.C2, "parent_domain": C.C2_ZONE, "clean_domain": C.CDN, "phishing_domain": C.PHISH,
        "ip": C.C2_IP, "ipv6": C.CDN_IP6, "clean_ip": C.CDN_IP, "sinkhole_ip": C.SINKHOLE,
        "url": C.U_PHISH, "url_id": url_sha256(C.U_PHISH), "clean_url": C.U_CDN, "c2_url": C.U_GATE,
        "not_found": NOT_FOUND_SHA256, "not_found_domain": "never-registered.invalid", "not_found_ip": "192.0.2.254",
    }  # fmt: skip
