"""The array ZipCrypto is bit-identical to the byte loop; archives (ZipCrypto and AES)
open in Python's zipfile / pyzipper and, when installed, 7-Zip and Info-ZIP unzip;
incompressible samples are stored; downloads stream into the ZIP, never bare to disk."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import pyzipper

from vttui.vt import zipcipher, zipcrypto_fast, ziputil
from vttui.vt.ziputil import ZipCrypto, zip_file

PASSWORD = b"infected"


@pytest.mark.parametrize("size", [zipcrypto_fast.MIN_VECTOR, zipcrypto_fast.MIN_VECTOR + 1,
                                  3 * zipcrypto_fast.LANE * 512 + 77, 2 * 1024 * 1024 + 5])
def test_the_array_cipher_matches_the_byte_loop(size):
    rng = random.Random(size)
    data = bytes(rng.getrandbits(8) for _ in range(size)) if size < 200_000 else os.urandom(size)
    fast, slow = ZipCrypto(PASSWORD), ZipCrypto(PASSWORD)
    head = os.urandom(12)
    assert fast.encrypt(head) == slow.encrypt_bytewise(head)  # small pieces take the loop
    assert fast.encrypt(data) == slow.encrypt_bytewise(data)
    assert (fast.k0, fast.k1, fast.k2) == (slow.k0, slow.k1, slow.k2)
    tail = os.urandom(zipcrypto_fast.MIN_VECTOR)  # the state carries over to the next piece
    assert fast.encrypt(tail) == slow.encrypt_bytewise(tail)


def test_structured_data_matches_too():
    data = (b"MZ\x90\x00" + bytes(range(256)) * 4 + b"\x00" * 700) * 200 + b"\xff" * 70_000
    fast, slow = ZipCrypto(b"p"), ZipCrypto(b"p")
    assert fast.encrypt(data) == slow.encrypt_bytewise(data)


def write_sample(path: Path, kind: str, size: int = 3 * 1024 * 1024 + 17) -> bytes:
    data = os.urandom(size) if kind == "random" else (b"PE sample text section " * (size // 23 + 1))[:size]
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("kind", ["random", "text"])
def test_zipcrypto_archives_open_with_zipfile_and_store_what_does_not_compress(tmp_path, kind):
    data = write_sample(tmp_path / "s.bin", kind)
    dest = zip_file(tmp_path / "s.bin", tmp_path / "s.zip", compress="auto")
    with zipfile.ZipFile(dest) as zf:
        info = zf.getinfo("s.bin")
        assert zf.read("s.bin", pwd=PASSWORD) == data
        with pytest.raises(RuntimeError):
            zf.read("s.bin", pwd=b"wrong")
    expected = zipfile.ZIP_STORED if kind == "random" else zipfile.ZIP_DEFLATED
    assert info.compress_type == expected and info.flag_bits & 1


@pytest.mark.parametrize("kind", ["random", "text"])
def test_aes_archives_open_with_pyzipper_and_are_not_zipcrypto(tmp_path, kind):
    data = write_sample(tmp_path / "s.bin", kind)
    dest = zip_file(tmp_path / "s.bin", tmp_path / "s.zip", compress="auto", method="aes")
    with pyzipper.AESZipFile(dest) as zf:
        zf.setpassword(PASSWORD)
        assert zf.read("s.bin") == data
        assert zf.getinfo("s.bin").compress_type == (pyzipper.ZIP_STORED if kind == "random" else pyzipper.ZIP_DEFLATED)
    with zipfile.ZipFile(dest) as plain, pytest.raises(NotImplementedError):
        plain.read("s.bin", pwd=PASSWORD)  # the stdlib cannot read AES: it really is AES
    assert (dest.stat().st_mode & 0o777) == 0o600


SEVEN_ZIP = shutil.which("7zz") or shutil.which("7z")
UNZIP = shutil.which("unzip")


@pytest.mark.skipif(SEVEN_ZIP is None, reason="7-Zip is not installed (optional cross-check)")
@pytest.mark.parametrize("method", ["zipcrypto", "aes"])
def test_seven_zip_reads_both(tmp_path, method):
    data = write_sample(tmp_path / "s.bin", "text")
    dest = zip_file(tmp_path / "s.bin", tmp_path / "s.zip", compress="auto", method=method)
    out = tmp_path / "out"
    done = subprocess.run([SEVEN_ZIP, "x", "-pinfected", f"-o{out}", str(dest)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "s.bin").read_bytes() == data
    listing = subprocess.run([SEVEN_ZIP, "l", "-slt", "-pinfected", str(dest)], capture_output=True, text=True)
    assert ("AES-256" in listing.stdout) == (method == "aes")


@pytest.mark.skipif(UNZIP is None, reason="Info-ZIP unzip is not installed (optional cross-check)")
def test_info_zip_reads_zipcrypto(tmp_path):
    data = write_sample(tmp_path / "s.bin", "random")
    dest = zip_file(tmp_path / "s.bin", tmp_path / "s.zip", compress="auto")
    done = subprocess.run([UNZIP, "-p", "-P", "infected", str(dest)], capture_output=True, timeout=120)
    assert done.returncode == 0 and done.stdout == data


async def test_a_zipped_download_never_writes_the_bare_sample(tmp_path, monkeypatch):
    """Every file opened for writing during the download holds only ZIP bytes."""
    import hashlib

    from vttui.vt.samples import save_sample

    data = write_sample(tmp_path / "origin", "text", 5 * 1024 * 1024)
    sha = hashlib.sha256(data).hexdigest()
    marker = data[1000:1064]

    class Client:
        async def download_file_into(self, file_hash, consume):
            async def chunks():
                for i in range(0, len(data), 65536):
                    yield data[i:i + 65536]
            return await consume(chunks(), len(data))

        async def download_file(self, *a, **kw):  # pragma: no cover - must not be used for a ZIP
            raise AssertionError("the bare sample would be written to disk")

    written: list[bytes] = []
    real_open = open

    def spy_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if "w" in mode and "b" in mode and str(file).startswith(str(tmp_path / "out")):
            original = handle.write

            def write(chunk):
                written.append(bytes(chunk))
                return original(chunk)

            handle.write = write
        return handle

    monkeypatch.setattr("builtins.open", spy_open)
    dest = await save_sample(Client(), sha, tmp_path / "out", zip=True, method="zipcrypto")
    monkeypatch.undo()
    assert written and marker not in b"".join(written)  # compressed and encrypted only
    with zipfile.ZipFile(dest) as zf:
        assert zf.read(sha, pwd=PASSWORD) == data
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{sha}.zip"]


def test_without_numpy_the_byte_loop_still_works(monkeypatch, tmp_path):
    monkeypatch.setattr(zipcipher, "_fast_min", lambda: float("inf"))
    data = write_sample(tmp_path / "s.bin", "random", 200_000)
    dest = zip_file(tmp_path / "s.bin", tmp_path / "s.zip")
    with zipfile.ZipFile(dest) as zf:
        assert zf.read("s.bin", pwd=PASSWORD) == data


def test_an_unknown_method_is_refused(tmp_path):
    write_sample(tmp_path / "s.bin", "text", 10)
    with pytest.raises(ziputil.VTError, match="aes"):
        zip_file(tmp_path / "s.bin", tmp_path / "s.zip", method="rot13")
