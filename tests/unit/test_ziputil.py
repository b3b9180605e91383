"""The ZipCrypto writer: archives the stdlib (and Info-ZIP) open with the right password only."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
import zlib

import pytest

from vttui.vt import ziputil
from vttui.vt.errors import ErrorKind, VTError
from vttui.vt.ziputil import (
    EncryptedZipWriter,
    OutputExistsError,
    ZipCrypto,
    ZipTooLargeError,
    zip_file,
    zip_stream,
)

PWD = b"infected"


def _compressible(size: int) -> bytes:
    """Random blocks repeated inside deflate's window: realistic bytes that still compress."""
    block = os.urandom(4096)
    return (block * (size // len(block) + 1))[:size]


def _read(path, name, pwd=PWD) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name, pwd=pwd)


def test_cipher_round_trips_with_the_stdlib_decrypter():
    data = os.urandom(3000)
    header = bytes(11) + b"\x42"
    cipher = ZipCrypto(PWD)
    encrypted = cipher.encrypt(header) + cipher.encrypt(data[:1000]) + cipher.encrypt(data[1000:])
    decrypt = zipfile._ZipDecrypter(PWD)  # the reader zipfile itself uses
    plain = decrypt(encrypted)
    assert plain[:12] == header and plain[12:] == data
    assert encrypted[12:] != data


@pytest.mark.parametrize("compress", [True, False])
def test_small_file_reads_back_with_the_password(tmp_path, compress):
    src = tmp_path / "sample.exe"
    data = b"MZ\x90\x00" + os.urandom(20_000)
    src.write_bytes(data)
    out = zip_file(src, tmp_path / "sample.zip", arcname="sample.bin", compress=compress)
    assert _read(out, "sample.bin") == data
    info = zipfile.ZipFile(out).getinfo("sample.bin")
    assert info.flag_bits & 0x1  # encrypted
    assert info.compress_type == (zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
    assert info.file_size == len(data)
    assert zlib.crc32(data) == info.CRC
    # The member is a regular, non-executable file when extracted on unix.
    assert stat.S_IMODE(info.external_attr >> 16) == 0o600
    assert stat.S_ISREG(info.external_attr >> 16)


def test_wrong_password_is_refused(tmp_path):
    src = tmp_path / "s"
    src.write_bytes(b"payload" * 100)
    out = zip_file(src, tmp_path / "s.zip")
    with pytest.raises((RuntimeError, zipfile.BadZipFile)):
        _read(out, "s", pwd=b"infecte")
    with pytest.raises(RuntimeError):  # no password at all
        _read(out, "s", pwd=None)


def test_zero_byte_file(tmp_path):
    src = tmp_path / "empty"
    src.write_bytes(b"")
    for compress in (True, False):
        out = zip_file(src, tmp_path / f"empty-{compress}.zip", compress=compress)
        assert _read(out, "empty") == b""
        with zipfile.ZipFile(out) as zf:
            zf.setpassword(PWD)
            assert zf.testzip() is None  # CRC checked


def test_five_megabytes_stream_through_in_chunks(tmp_path):
    data = _compressible(5 * 1024 * 1024 + 17)
    src = tmp_path / "big"
    src.write_bytes(data)
    seen: list[tuple[int, int | None]] = []
    out = zip_file(src, tmp_path / "big.zip", chunk_size=256 * 1024, progress=lambda d, t: seen.append((d, t)))
    got = _read(out, "big")
    assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    assert len(seen) == 21 and seen[-1] == (len(data), len(data))  # one call per chunk


def test_stored_multi_chunk_keeps_the_cipher_state_across_chunks(tmp_path):
    data = os.urandom(300_000)
    src = tmp_path / "r"
    src.write_bytes(data)
    out = zip_file(src, tmp_path / "r.zip", compress=False, chunk_size=65_536)
    assert _read(out, "r") == data
    assert out.stat().st_size > len(data)  # stored: header + 12 + data + descriptor + directory


def test_output_file_is_private_and_never_overwritten(tmp_path):
    src = tmp_path / "s"
    src.write_bytes(b"x")
    out = zip_file(src, tmp_path / "s.zip")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    before = out.read_bytes()
    with pytest.raises(OutputExistsError) as info:
        zip_file(src, out)
    assert info.value.kind is ErrorKind.CONFLICT
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".vttui-")] == []  # no temp left
    src.write_bytes(b"y")
    zip_file(src, out, overwrite=True)
    assert _read(out, "s") == b"y"


async def test_zip_stream_from_async_chunks(tmp_path):
    parts = [os.urandom(100_000) for _ in range(5)]

    async def chunks():
        for part in parts:
            yield part

    out = await zip_stream(chunks(), tmp_path / "a.zip", arcname="a.bin")
    assert _read(out, "a.bin") == b"".join(parts)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


async def test_failed_stream_leaves_nothing_behind(tmp_path):
    async def chunks():
        yield b"abc"
        raise OSError("disk went away")

    with pytest.raises(OSError):
        await zip_stream(chunks(), tmp_path / "a.zip", arcname="a")
    assert list(tmp_path.iterdir()) == []


def test_over_four_gigabytes_is_refused_clearly(monkeypatch):
    monkeypatch.setattr(ziputil, "ZIP32_LIMIT", 1000)
    archive = EncryptedZipWriter(io.BytesIO(), compress=False)
    member = archive.open_member("x")
    member.write(b"a" * 900)
    with pytest.raises(ZipTooLargeError) as info:
        member.write(b"a" * 200)
    assert "4 GB" in info.value.message and info.value.kind is ErrorKind.INVALID


def test_several_members_and_unsafe_names(tmp_path):
    buf = io.BytesIO()
    with EncryptedZipWriter(buf, "pässwörd") as archive:
        for name, body in (("one", b"1" * 10), ("dir/two", b"2" * 5000)):
            m = archive.open_member(name)
            m.write(body)
            m.close()
        for bad in ("../evil", "/", "a/../b", ""):
            with pytest.raises(VTError, match="Not a safe name"):
                archive.open_member(bad)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        assert zf.read("dir/two", pwd="pässwörd".encode()) == b"2" * 5000
        assert zf.read("one", pwd="pässwörd".encode()) == b"1" * 10


def test_memory_stays_flat_while_zipping(tmp_path):
    """The sample is never held whole: peak allocation stays near one chunk."""
    import tracemalloc

    size = 4 * 1024 * 1024
    src = tmp_path / "m"
    src.write_bytes(_compressible(size))
    tracemalloc.start()
    try:
        zip_file(src, tmp_path / "m.zip", chunk_size=256 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size // 2
