"""Sample helpers: hashing, upload checks, safe downloads (named by hash, 0600, verified, zipped)."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from pathlib import Path

import pytest

from vttui.demo import DemoBackend, DemoTransport, demo_iocs
from vttui.runtime import DEMO_BASE_URL
from vttui.vt import errors as E
from vttui.vt import samples
from vttui.vt.client import VTClient
from vttui.vt.ratelimit import RateLimiter
from vttui.vt.samples import (
    FileDigest,
    OutputExistsError,
    SampleIntegrityError,
    check_uploadable,
    find_known_file,
    hash_file,
    normalise_sha256,
    pcap_filename,
    plan_upload,
    save_pcap,
    save_sample,
    upload_question,
    upload_route,
    validate_behaviour_id,
)

MB = 1024 * 1024


@pytest.fixture
async def demo():
    backend = DemoBackend(base_url=DEMO_BASE_URL)
    client = VTClient(DemoBackend.DEMO_API_KEY, base_url=DEMO_BASE_URL, transport=DemoTransport(backend),
                      limiter=RateLimiter(None, None))
    client.backend = backend  # for the tests' eyes only
    yield client
    await client.aclose()


class FakeClient:
    """Serves fixed bytes as any download (to play a server that sends the wrong file)."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.calls: list[str] = []

    async def download_file(self, file_hash, dest, *, progress=None):
        self.calls.append(file_hash)
        Path(dest).write_bytes(self.content)
        return Path(dest)

    async def download_file_into(self, file_hash, consume):
        self.calls.append(file_hash)

        async def chunks():
            yield self.content

        return await consume(chunks(), len(self.content))

    async def download_pcap(self, behaviour_id, dest, *, progress=None):
        self.calls.append(behaviour_id)
        Path(dest).write_bytes(self.content)
        return Path(dest)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".vttui-"))


# --- hashing and upload checks ---------------------------------------------------------


async def test_hash_file_matches_hashlib_and_reports_progress_per_chunk(tmp_path):
    data = os.urandom(2 * MB + 123)
    path = tmp_path / "f"
    path.write_bytes(data)
    seen = []
    digest = await hash_file(path, progress=lambda done, total: seen.append((done, total)))
    assert digest == FileDigest(len(data), hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(),
                                hashlib.sha256(data).hexdigest())
    assert seen == [(MB, len(data)), (2 * MB, len(data)), (len(data), len(data))]


async def test_hash_empty_and_missing_files(tmp_path):
    empty = tmp_path / "e"
    empty.write_bytes(b"")
    assert (await hash_file(empty)).sha256 == hashlib.sha256(b"").hexdigest()
    with pytest.raises(E.VTError) as info:
        await hash_file(tmp_path / "missing")
    assert info.value.kind is E.ErrorKind.INVALID


def test_upload_limits_and_routes():
    check_uploadable(0)
    check_uploadable(650 * MB)
    with pytest.raises(E.UploadTooLargeError) as info:
        check_uploadable(650 * MB + 1)
    assert "650 MB" in info.value.message
    assert upload_route(32 * MB) == "direct"
    assert upload_route(32 * MB + 1) == "upload_url"


async def test_plan_upload_refuses_a_huge_file_before_hashing_it(tmp_path, monkeypatch):
    big = tmp_path / "huge.iso"
    with open(big, "wb") as fh:
        fh.truncate(700 * MB)  # sparse: no disk used

    async def no_hashing(*a, **k):
        raise AssertionError("hashed a file that cannot be uploaded")

    monkeypatch.setattr(samples, "hash_file", no_hashing)
    with pytest.raises(E.UploadTooLargeError):
        await plan_upload(big)


async def test_plan_upload_describes_what_will_be_shared(tmp_path):
    path = tmp_path / "report\x1b[31m.doc"
    path.write_bytes(b"hello")
    plan = await plan_upload(path)
    assert plan.route == "direct" and plan.digest.size == 5
    assert "\x1b" not in plan.question and "shared with the security community" in plan.question
    assert plan.digest.sha256 in plan.question and "5 bytes" in plan.question
    with pytest.raises(E.VTError):
        await plan_upload(tmp_path)  # a directory
    assert upload_question("a", 3 * MB, "0" * 64).count("3.0 MB") == 1


async def test_find_known_file(demo):
    iocs = demo_iocs()
    known = await find_known_file(demo, iocs["clean_file"].upper())
    assert known is not None and known["id"] == iocs["clean_file"]
    assert await find_known_file(demo, iocs["not_found"]) is None


# --- downloads -------------------------------------------------------------------------


def test_hash_and_id_validation():
    assert normalise_sha256(" " + "AB" * 32 + "\n") == "ab" * 32
    for bad in ("ab" * 31, "zz" * 32, "../" + "a" * 61, "", "a" * 65):
        with pytest.raises(E.InvalidIOCError):
            normalise_sha256(bad)
    sha = "a" * 64
    assert validate_behaviour_id(f"{sha}_VirusTotal Jujubox") == f"{sha}_VirusTotal Jujubox"
    for bad in ("../../users/me", "a/b", "x?y", "x#y", "%2e%2e", "..", "", "a\x00b"):
        with pytest.raises(E.InvalidIOCError):
            validate_behaviour_id(bad)
    assert pcap_filename(f"{sha}_Dr.Web vxCube") == f"{sha}_Dr.Web_vxCube.pcap"
    assert pcap_filename("...") == "capture.pcap"


async def test_save_sample_names_by_sha256_private_and_verified(demo, tmp_path):
    sha = demo_iocs()["detected_file"]
    seen = []
    out = tmp_path / "samples"  # created on demand
    path = await save_sample(demo, sha.upper(), out, progress=lambda d, t: seen.append(d))
    assert path == out / sha
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == sha
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode == 0o600 and not mode & 0o111
    assert seen and seen[-1] == len(data)
    assert leftovers(out) == []


async def test_save_sample_never_overwrites_unless_asked(demo, tmp_path):
    sha = demo_iocs()["clean_file"]
    (tmp_path / sha).write_bytes(b"mine")
    requests_before = len(demo.backend.requests)
    with pytest.raises(OutputExistsError) as info:
        await save_sample(demo, sha, tmp_path)
    assert info.value.kind is E.ErrorKind.CONFLICT
    assert len(demo.backend.requests) == requests_before  # refused before downloading
    assert (tmp_path / sha).read_bytes() == b"mine"
    path = await save_sample(demo, sha, tmp_path, overwrite=True)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha


async def test_save_sample_zipped_with_the_analysts_password(demo, tmp_path):
    sha = demo_iocs()["detected_file"]
    path = await save_sample(demo, sha, tmp_path, zip=True)
    assert path == tmp_path / f"{sha}.zip"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == [sha]
        assert hashlib.sha256(zf.read(sha, pwd=b"infected")).hexdigest() == sha
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{sha}.zip"]  # no plain copy left


async def test_save_sample_custom_password(demo, tmp_path):
    sha = demo_iocs()["clean_file"]
    path = await save_sample(demo, sha, tmp_path, zip=True, password="s3cret")
    with zipfile.ZipFile(path) as zf:
        assert hashlib.sha256(zf.read(sha, pwd=b"s3cret")).hexdigest() == sha
        with pytest.raises(RuntimeError):
            zf.read(sha, pwd=b"infected")


@pytest.mark.parametrize("as_zip", [False, True])
async def test_wrong_bytes_are_deleted_with_a_clear_error(tmp_path, as_zip):
    sha = hashlib.sha256(b"the sample").hexdigest()
    fake = FakeClient(b"something else")
    with pytest.raises(SampleIntegrityError) as info:
        await save_sample(fake, sha, tmp_path, zip=as_zip)
    assert sha in info.value.message and "deleted" in info.value.message
    assert list(tmp_path.iterdir()) == []  # neither the sample, the zip nor a temp file


async def test_download_failure_leaves_no_temp_file(demo, tmp_path):
    with pytest.raises(E.NotFoundError):
        await save_sample(demo, demo_iocs()["not_found"], tmp_path)
    assert list(tmp_path.iterdir()) == []


async def test_save_pcap(demo, tmp_path):
    sha = demo_iocs()["detected_file"]
    path = await save_pcap(demo, f"{sha}_CAPE Sandbox", tmp_path)
    assert path.name == f"{sha}_CAPE_Sandbox.pcap"
    assert path.read_bytes()[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x0a\x0d\x0d\x0a")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(OutputExistsError):
        await save_pcap(demo, f"{sha}_CAPE Sandbox", tmp_path)
    with pytest.raises(E.NotFoundError):  # this sandbox kept no capture
        await save_pcap(demo, f"{sha}_VirusTotal Jujubox", tmp_path)
    assert leftovers(tmp_path) == []
