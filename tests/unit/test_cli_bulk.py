"""`vttui download HASH...|-` and `vttui submit DIR [--recursive]` against the demo."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
import zipfile

import pytest
import pyzipper

from .test_cli_actions import CLEAN, DETECTED, IOCS, FakeTTY, write_random

MISSING = "0" * 63 + "1"


def posts(vt, path: str = "/files") -> int:
    return sum(1 for method, p in vt.backend.requests if method == "POST" and p.startswith(path))


# --- several downloads ---------------------------------------------------------------------


def test_several_hashes_one_line_each(vt, tmp_path):
    rc, out, err = vt.run("download", DETECTED, IOCS.get("clean_file_md5", CLEAN),
                          "-o", str(tmp_path / "dl"))
    assert rc == 0, err
    lines = out.splitlines()
    assert lines == [str(tmp_path / "dl" / DETECTED), str(tmp_path / "dl" / CLEAN)]
    for sha in (DETECTED, CLEAN):
        assert hashlib.sha256((tmp_path / "dl" / sha).read_bytes()).hexdigest() == sha


def test_hashes_from_stdin_and_the_worst_exit_code(vt, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{DETECTED}\n# a comment\n\n{MISSING}\n{CLEAN}\n"))
    rc, out, err = vt.run("download", "-", "-o", str(tmp_path / "dl"))
    assert rc == 3  # one was not found: the worst outcome is the exit code
    assert out.splitlines() == [str(tmp_path / "dl" / DETECTED), str(tmp_path / "dl" / CLEAN)]
    assert MISSING in err and "no record" in err.lower()


def test_an_existing_file_is_conflict_7_and_the_rest_still_comes(vt, tmp_path):
    (tmp_path / "dl").mkdir()
    (tmp_path / "dl" / DETECTED).write_bytes(b"mine")
    rc, out, err = vt.run("download", DETECTED, CLEAN, "-o", str(tmp_path / "dl"))
    assert rc == 7 and "already exists" in err
    assert out.splitlines() == [str(tmp_path / "dl" / CLEAN)]
    assert (tmp_path / "dl" / DETECTED).read_bytes() == b"mine"


def test_a_bad_input_stops_before_any_download(vt, tmp_path):
    rc, out, err = vt.run("download", DETECTED, "evil.example", "-o", str(tmp_path / "dl"))
    assert rc == 2 and "argument 2" in err and out == ""
    assert not any("/download" in p for _m, p in vt.backend.requests)


def test_several_as_json(vt, tmp_path):
    rc, out, _err = vt.run("download", DETECTED, MISSING, "-o", str(tmp_path / "dl"), "--format", "json")
    doc = json.loads(out)
    assert rc == 3 and [d.get("sha256") for d in doc] == [DETECTED, MISSING]
    assert doc[0]["path"].endswith(DETECTED) and doc[1]["exit_code"] == 3 and "error" in doc[1]


@pytest.mark.parametrize("argv", [("--zip", "aes"), ("--zip=aes",)])
def test_zip_aes(vt, tmp_path, argv):
    rc, out, err = vt.run("download", CLEAN, *argv, "-o", str(tmp_path / "dl"))
    assert rc == 0, err
    path = tmp_path / "dl" / f"{CLEAN}.zip"
    with pyzipper.AESZipFile(path) as zf:
        zf.setpassword(b"infected")
        assert hashlib.sha256(zf.read(CLEAN)).hexdigest() == CLEAN
    assert sorted(p.name for p in (tmp_path / "dl").iterdir()) == [f"{CLEAN}.zip"]


def test_zip_before_the_hash_still_means_zipcrypto(vt, tmp_path):
    rc, out, err = vt.run("download", "--zip", CLEAN, "-o", str(tmp_path / "dl"))
    assert rc == 0, err
    with zipfile.ZipFile(tmp_path / "dl" / f"{CLEAN}.zip") as zf:
        assert hashlib.sha256(zf.read(CLEAN, pwd=b"infected")).hexdigest() == CLEAN


# --- submitting a folder -----------------------------------------------------------------------


@pytest.fixture
def folder(vt, tmp_path):
    """A folder: one file VirusTotal knows, two it does not (one of them twice), one below."""
    root = tmp_path / "case"
    root.mkdir()
    rc, _out, err = vt.run("download", DETECTED, "-o", str(root))
    assert rc == 0, err
    (root / DETECTED).rename(root / "known.exe")
    new_a = write_random(root / "a.bin")
    shutil.copy(root / "a.bin", root / "a-copy.bin")
    new_b = write_random(root / "b.bin")
    (root / "sub").mkdir()
    new_c = write_random(root / "sub" / "c.bin")
    vt.backend.requests.clear()
    return root, {"a": new_a, "b": new_b, "c": new_c}


def test_submit_a_folder_uploads_only_the_unknown_files_after_one_question(vt, folder, monkeypatch):
    root, new = folder
    tty = FakeTTY("y\n")
    monkeypatch.setattr(sys, "stdin", tty)
    rc, out, err = vt.run("submit", str(root))
    assert rc == 0, err
    assert err.count("[y/N]") == 1  # one confirmation for the whole folder
    assert "a.bin" in err and "b.bin" in err and "known.exe" not in err.split("[y/N]")[0].split("Upload")[-1]
    assert posts(vt) == 2  # a.bin and its copy are one upload; the known one is not sent
    rows = {line.split()[2]: line.split()[0] for line in out.splitlines()}  # status, sha256, path, detail
    assert rows["known.exe"] == "known" and rows["a.bin"] == "uploaded" and rows["b.bin"] == "uploaded"
    assert rows["a-copy.bin"] == "uploaded" and "sub/c.bin" not in rows  # not recursive


def test_recursive_includes_subfolders(vt, folder):
    root, new = folder
    doc = vt.json("submit", str(root), "--recursive", "--yes")
    by_name = {d["path"].split("case/")[-1]: d for d in doc}
    assert by_name["sub/c.bin"]["status"] == "uploaded" and by_name["sub/c.bin"]["sha256"] == new["c"]
    assert by_name["known.exe"]["status"] == "known" and by_name["known.exe"]["analysis_id"] is None
    assert posts(vt) == 3


def test_saying_no_uploads_nothing(vt, folder, monkeypatch):
    root, _new = folder
    monkeypatch.setattr(sys, "stdin", FakeTTY("n\n"))
    rc, out, err = vt.run("submit", str(root))
    assert rc == 130 and posts(vt) == 0 and out == ""


def test_without_a_terminal_yes_is_needed(vt, folder):
    root, _new = folder
    rc, out, err = vt.run("submit", str(root))
    assert rc == 2 and "--yes" in err and posts(vt) == 0


def test_a_folder_of_known_files_asks_nothing(vt, folder):
    root, _new = folder
    for name in ("a.bin", "a-copy.bin", "b.bin"):
        (root / name).unlink()
    rc, out, err = vt.run("submit", str(root))  # no --yes needed: nothing to upload
    assert rc == 0 and "[y/N]" not in err and posts(vt) == 0
    assert out.split()[0] == "known"


def test_hashes_are_looked_up_once_each(vt, folder):
    root, _new = folder
    vt.run("submit", str(root), "--recursive", "--yes")
    lookups = [p for m, p in vt.backend.requests if m == "GET" and p.startswith("/files/")]
    assert len(lookups) == len(set(lookups)) == 4  # known, a (twice on disk), b, c


def test_an_empty_folder_is_a_clear_error(vt, tmp_path):
    (tmp_path / "empty").mkdir()
    rc, out, err = vt.run("submit", str(tmp_path / "empty"))
    assert rc == 2 and "No files" in err and "--recursive" in err
