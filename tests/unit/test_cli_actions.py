"""The acting subcommands, run in process with `vttui.cli.main([...])` against the demo.

Writes need --yes here (pytest's stdin is not a terminal); without it a command must
exit 2 having sent nothing. Polling is instant: the client's sleep is replaced by one
that only records the delays it was asked for.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import sys
import zipfile
from dataclasses import dataclass, field

import httpx
import pytest
import respx

from vttui import runtime
from vttui.cli import commands, main
from vttui.demo import DemoBackend, demo_iocs
from vttui.runtime import DEMO_BASE_URL
from vttui.vt.client import VTClient
from vttui.vt.ioc import url_id
from vttui.vt.ratelimit import RateLimiter

IOCS = demo_iocs()
DETECTED = IOCS["detected_file"]
CLEAN = IOCS["clean_file"]
C2_DOMAIN = IOCS["domain"]  # three seeded comments
MB = 1024 * 1024
RESPX_BASE = "https://vt.test/api/v3"
RESPX_KEY = "k" * 60 + "9z1X"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@dataclass
class Harness:
    backend: DemoBackend
    capsys: pytest.CaptureFixture
    sleeps: list[float] = field(default_factory=list)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def run(self, *argv: str, demo: bool = True) -> tuple[int, str, str]:
        self.capsys.readouterr()
        rc = main([*argv, "--demo"] if demo else list(argv))
        out, err = self.capsys.readouterr()
        return rc, out, err

    def json(self, *argv: str) -> dict:
        rc, out, err = self.run(*argv, "--format", "json")
        assert rc == 0, err
        return json.loads(out)

    @property
    def posts(self) -> list[str]:
        return [path for method, path in self.backend.requests if method == "POST"]


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path / "config"))
    for var in ("VT_API_KEY", "VTCLI_APIKEY", "VT_API_URL", "VTTUI_PROXY", "VTTUI_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal, whatever runs pytest
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def vt(env, monkeypatch, capsys):
    """The CLI against one demo backend that lives for the whole test (comments persist)."""
    h = Harness(DemoBackend(base_url=DEMO_BASE_URL), capsys)
    real_make_client = runtime.make_client

    def make_client(settings, *, demo=False, transport=None, backend=None):
        assert demo, "tests must not reach for VirusTotal"
        client = real_make_client(settings, demo=True, backend=h.backend)
        client._sleep = h.sleep
        return client

    monkeypatch.setattr(commands, "make_client", make_client)
    return h


@pytest.fixture
def live(env, monkeypatch, capsys):
    """The CLI against respx (a pretend VirusTotal), for replies the demo does not give."""
    h = Harness(DemoBackend(), capsys)
    monkeypatch.setenv("VT_API_KEY", RESPX_KEY)

    def make_client(settings, *, demo=False, transport=None, backend=None):
        return VTClient(settings.api_key, base_url=RESPX_BASE, limiter=RateLimiter(None, None),
                        sleep=h.sleep, trust_env=False)

    monkeypatch.setattr(commands, "make_client", make_client)
    return h


def write_random(path, size=5000) -> str:
    data = os.urandom(size)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


# --- confirmation ----------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ("comment", DETECTED, "hello"),
    ("vote", DETECTED, "malicious"),
    ("reanalyse", DETECTED),
    ("submit", "http://fresh.example/landing"),
])
def test_writes_without_yes_exit_2_and_send_nothing(vt, argv):
    rc, out, err = vt.run(*argv)
    assert rc == 2
    assert "refusing to write to VirusTotal without --yes when stdin is not a terminal" in err
    assert out == ""
    assert vt.backend.requests == []


def test_file_submit_without_yes_only_looks_the_hash_up(vt, tmp_path):
    sha = write_random(tmp_path / "new.bin")
    rc, _, err = vt.run("submit", str(tmp_path / "new.bin"))
    assert rc == 2 and "--yes" in err
    assert vt.backend.requests == [("GET", f"/files/{sha}")]  # the lookup; no upload


def test_comment_from_stdin_needs_yes(vt, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("from a pipe"))
    rc, _, err = vt.run("comment", DETECTED, "-")
    assert rc == 2 and "--yes" in err and vt.backend.requests == []


def test_interactive_yes_and_no(vt, monkeypatch):
    monkeypatch.setattr(sys, "stdin", FakeTTY("n\n"))
    rc, _, err = vt.run("vote", CLEAN, "harmless")
    assert rc == 130 and "Votes are public" in err and "[y/N]" in err
    assert vt.backend.requests == []
    monkeypatch.setattr(sys, "stdin", FakeTTY("y\n"))
    rc, out, _ = vt.run("vote", CLEAN, "harmless")
    assert rc == 0 and "voted harmless" in out
    assert vt.posts == [f"/files/{CLEAN}/votes"]


# --- submit ----------------------------------------------------------------------------


def test_submit_small_file_and_wait(vt, tmp_path):
    sha = write_random(tmp_path / "dropper.bin")
    rc, out, err = vt.run("submit", str(tmp_path / "dropper.bin"), "--yes", "--wait")
    assert rc == 0, err
    assert vt.posts == ["/files"]
    polls = [p for m, p in vt.backend.requests if p.startswith("/analyses/")]
    assert len(polls) == 3  # the demo completes on the third poll
    assert vt.sleeps == [5.0, 10.0]  # backed off between polls, never slept for real
    assert "completed" in out and sha in out
    assert "detections" in out  # the fresh report's summary


def test_submit_json_output_parses(vt, tmp_path):
    sha = write_random(tmp_path / "x.bin")
    doc = vt.json("submit", str(tmp_path / "x.bin"), "--yes", "--wait")
    assert doc["submitted"] is True
    assert doc["analysis"]["attributes"]["status"] == "completed"
    assert doc["report"]["id"] == sha and doc["item"] == {"type": "file", "id": sha}


def test_submit_without_wait_prints_the_analysis_id(vt, tmp_path):
    write_random(tmp_path / "y.bin")
    rc, out, err = vt.run("submit", str(tmp_path / "y.bin"), "--yes")
    analysis_id = out.strip()
    assert rc == 0 and analysis_id and "\n" not in analysis_id
    assert f"vttui analysis {analysis_id} --wait" in err
    rc, out, _ = vt.run("analysis", analysis_id)
    assert rc == 0 and "queued" in out


def test_submit_over_32_mb_takes_the_upload_url_route(vt, tmp_path):
    big = tmp_path / "big.iso"
    with open(big, "wb") as fh:
        fh.truncate(33 * MB)  # sparse, made here, never committed
    rc, out, err = vt.run("submit", str(big), "--yes")
    assert rc == 0, err
    assert ("GET", "/files/upload_url") in vt.backend.requests
    assert len(vt.posts) == 1 and vt.posts[0].startswith("/_upload/")


def test_submit_refuses_over_650_mb_before_any_request(vt, tmp_path):
    huge = tmp_path / "huge.bin"
    with open(huge, "wb") as fh:
        fh.truncate(651 * MB)
    rc, _, err = vt.run("submit", str(huge), "--yes")
    assert rc == 2 and "650 MB" in err
    assert vt.backend.requests == []


def test_known_file_shows_the_report_instead_of_uploading(vt, tmp_path):
    assert vt.backend.dataset.file_sha256(CLEAN) == CLEAN  # builds the lazy dataset
    (tmp_path / "setup.exe").write_bytes(vt.backend.dataset.content(CLEAN))
    rc, out, err = vt.run("submit", str(tmp_path / "setup.exe"))  # no --yes needed: nothing is written
    assert rc == 0, err
    assert "already has this file" in err and CLEAN in out and "detections" in out
    assert vt.posts == []
    rc, out, _ = vt.run("submit", str(tmp_path / "setup.exe"), "--force", "--yes")
    assert rc == 0 and vt.posts == ["/files"]


def test_submit_url_and_wait(vt):
    url = "http://fresh-landing.example/welcome"
    doc = vt.json("submit", url, "--yes", "--wait")
    assert vt.posts == ["/urls"]
    assert doc["analysis"]["attributes"]["status"] == "completed"
    assert doc["report"]["type"] == "url" and doc["report"]["attributes"]["url"] == url


def test_submit_neither_file_nor_url(vt):
    rc, _, err = vt.run("submit", "example.com")
    assert rc == 2 and "domain" in err
    rc, _, err = vt.run("submit", "./missing.bin", "--yes")
    assert rc == 2 and "No such file" in err
    assert vt.backend.requests == []


# --- reanalyse and analysis ------------------------------------------------------------


def test_reanalyse_then_follow_the_analysis(vt):
    rc, out, _ = vt.run("reanalyse", IOCS["detected_file_md5"], "--yes")
    assert rc == 0
    analysis_id = out.strip()
    assert vt.posts == [f"/files/{IOCS['detected_file_md5']}/analyse"]
    doc = vt.json("analysis", analysis_id, "--wait")
    assert doc["data"]["id"] == analysis_id
    assert doc["data"]["attributes"]["status"] == "completed"
    assert doc["meta"]["file_info"]["sha256"] == DETECTED


def test_reanalyse_url_with_wait_prints_report(vt):
    rc, out, err = vt.run("reanalyse", IOCS["url"], "--yes", "--wait")
    assert rc == 0, err
    assert vt.posts == [f"/urls/{url_id(IOCS['url'])}/analyse"]
    assert "completed" in out and "detections" in out


@pytest.mark.parametrize("ioc", [IOCS["domain"], IOCS["ip"]])
def test_reanalyse_refuses_domains_and_ips(vt, ioc):
    rc, _, err = vt.run("reanalyse", ioc, "--yes")
    assert rc == 2 and "Only files and URLs" in err
    assert vt.backend.requests == []


def test_analysis_id_is_checked_before_it_reaches_a_path(vt):
    rc, _, err = vt.run("analysis", "../users/me")
    assert rc == 2 and vt.backend.requests == []


# --- comments and votes ----------------------------------------------------------------


def test_comment_then_it_is_listed_first(vt):
    rc, out, _ = vt.run("comment", C2_DOMAIN, "Seen beaconing again today. #vexbot", "--yes")
    assert rc == 0 and "comment posted" in out
    assert vt.posts == [f"/domains/{C2_DOMAIN}/comments"]
    rc, out, err = vt.run("comments", C2_DOMAIN, "--limit", "1")
    assert rc == 0
    assert "Seen beaconing again today." in out and "#vexbot" in out
    assert "next cursor: " in err  # three seeded comments remain


def test_comment_text_from_stdin(vt, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("line one\nline two\n"))
    rc, _, _ = vt.run("comment", CLEAN, "-", "--yes")
    assert rc == 0
    doc = vt.json("comments", CLEAN, "--limit", "1")
    assert doc["data"][0]["attributes"]["text"] == "line one\nline two"


def test_comments_paging_all_and_cursor(vt):
    everything = vt.json("comments", C2_DOMAIN, "--all")
    texts = [c["attributes"]["text"] for c in everything["data"]]
    assert len(texts) == 3 and everything["meta"]["cursor"] is None
    rc, out, err = vt.run("comments", C2_DOMAIN, "--limit", "2", "--format", "json")
    first = json.loads(out)
    assert [c["attributes"]["text"] for c in first["data"]] == texts[:2]
    cursor = err.split("next cursor: ", 1)[1].strip()
    assert cursor == first["meta"]["cursor"]
    rest = vt.json("comments", C2_DOMAIN, "--cursor", cursor, "--limit", "10")
    assert [c["attributes"]["text"] for c in rest["data"]] == texts[2:]
    assert rest["meta"]["cursor"] is None


def test_untrusted_comment_text_is_cleaned_in_text_output(vt):
    hostile = "pwned \x1b]52;c;ZXZpbA==\x07 \x1b[2J\u202egnp.exe"
    rc, _, _ = vt.run("comment", CLEAN, hostile, "--yes")
    assert rc == 0
    rc, out, _ = vt.run("comments", CLEAN, "--limit", "1")
    assert "pwned" in out and "gnp.exe" in out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    doc = vt.json("comments", CLEAN, "--limit", "1")
    # the escapes were removed before posting (issue 16): what was stored is the clean text
    assert doc["data"][0]["attributes"]["text"] == "pwned  gnp.exe"


def test_vote_twice_second_is_a_conflict(vt):
    rc, out, _ = vt.run("vote", IOCS["url"], "malicious", "--yes")
    assert rc == 0 and "voted malicious" in out
    rc, out, err = vt.run("vote", IOCS["url"], "harmless", "--yes")
    assert rc == 7 and "already voted" in err and out == ""
    assert len(vt.posts) == 2
    rc, out, _ = vt.run("votes", IOCS["url"], "--limit", "1")
    assert rc == 0 and out.split()[3] == "malicious"  # "<date> <time> UTC malicious ..."


def test_votes_all_json(vt):
    doc = vt.json("votes", DETECTED, "--all")
    verdicts = [v["attributes"]["verdict"] for v in doc["data"]]
    assert verdicts.count("malicious") == 19 and verdicts.count("harmless") == 4
    assert doc["meta"]["cursor"] is None


# --- downloads -------------------------------------------------------------------------


def test_download_by_md5_named_by_sha256(vt, tmp_path):
    rc, out, err = vt.run("download", IOCS["detected_file_md5"], "-o", str(tmp_path / "dl"))
    assert rc == 0, err
    path = tmp_path / "dl" / DETECTED
    assert out.strip() == str(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == DETECTED
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rc, _, err = vt.run("download", DETECTED, "-o", str(tmp_path / "dl"))
    assert rc == 7 and "already exists" in err


def test_download_zip_opens_with_infected(vt, tmp_path):
    doc = vt.json("download", CLEAN, "--zip")
    path = tmp_path / f"{CLEAN}.zip"
    assert doc["path"] == str(path) and doc["zip"] is True
    with zipfile.ZipFile(path) as zf:
        assert hashlib.sha256(zf.read(CLEAN, pwd=b"infected")).hexdigest() == CLEAN
    assert not (tmp_path / CLEAN).exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_download_refuses_non_hashes(vt):
    rc, _, err = vt.run("download", C2_DOMAIN)
    assert rc == 2 and "file hash" in err and vt.backend.requests == []


def test_pcap_download(vt, tmp_path):
    rc, out, err = vt.run("pcap", f"{DETECTED}_Zenbox", "-o", str(tmp_path))
    assert rc == 0, err
    assert out.strip() == str(tmp_path / f"{DETECTED}_Zenbox.pcap")
    rc, _, _ = vt.run("pcap", "../../users/me")
    assert rc == 2


def test_download_forbidden_is_exit_4_with_the_premium_message(live, tmp_path):
    sha = "a" * 64
    with respx.mock(base_url=RESPX_BASE, assert_all_called=False) as router:
        route = router.get(f"/files/{sha}/download").respond(
            403, json={"error": {"code": "ForbiddenError", "message": "You are not authorized"}})
        rc, out, err = live.run("download", sha, demo=False)
    assert rc == 4 and route.call_count == 1
    assert "premium" in err and RESPX_KEY not in err + out
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".vttui-") or sha in p.name]
    assert leftovers == []  # the cwd is tmp_path: no sample, no temp file


# --- quota -----------------------------------------------------------------------------


def test_quota_text_and_json(vt):
    rc, out, _ = vt.run("quota")
    assert rc == 0
    assert "api requests daily" in out and "500" in out and "local rate limit" in out
    assert DemoBackend.DEMO_API_KEY not in out
    doc = vt.json("quota")
    assert doc["quotas"]["api_requests_daily"]["user"]["allowed"] == 500
    assert doc["limiter"]["per_minute"] == runtime.DEMO_PER_MINUTE


# --- writes are never sent twice -------------------------------------------------------


@pytest.mark.parametrize("kind", ["comment", "vote", "reanalyse", "submit_file", "submit_url"])
def test_a_write_whose_reply_is_lost_is_sent_exactly_once(live, tmp_path, kind):
    sha = write_random(tmp_path / "s.bin")
    argv, post_path = {
        "comment": (("comment", sha, "hello", "--yes"), f"/files/{sha}/comments"),
        "vote": (("vote", sha, "harmless", "--yes"), f"/files/{sha}/votes"),
        "reanalyse": (("reanalyse", sha, "--yes"), f"/files/{sha}/analyse"),
        "submit_file": (("submit", str(tmp_path / "s.bin"), "--force", "--yes"), "/files"),
        "submit_url": (("submit", "http://fresh.example/", "--yes"), "/urls"),
    }[kind]
    with respx.mock(base_url=RESPX_BASE, assert_all_called=False) as router:
        route = router.post(post_path).mock(side_effect=httpx.ReadTimeout("no reply"))
        rc, out, err = live.run(*argv, demo=False)
        posts = [call.request for call in router.calls if call.request.method == "POST"]
    assert rc == 6
    assert "may or may not have taken effect" in err
    assert route.call_count == 1 and len(posts) == 1
    assert live.sleeps == []  # no retry was even scheduled


# --- the prompt itself -----------------------------------------------------------------


def test_confirm_rules():
    from vttui.cli.prompt import ConfirmationRequiredError, confirm

    assert confirm("?", yes_flag=True, stdin=io.StringIO("n\n")) is True  # --yes never reads
    with pytest.raises(ConfirmationRequiredError) as info:
        confirm("?", yes_flag=False, stdin=io.StringIO("y\n"))
    assert info.value.exit_code == 2
    err = io.StringIO()
    assert confirm("Upload \x1b]0;x\x07evil?", yes_flag=False, stdin=FakeTTY(" YES \n"), stream=err) is True
    assert "\x1b" not in err.getvalue() and err.getvalue().endswith("[y/N] ")
    assert confirm("?", yes_flag=False, stdin=FakeTTY(""), stream=io.StringIO()) is False  # EOF is no
    assert confirm("?", yes_flag=False, stdin=FakeTTY("\n"), stream=io.StringIO()) is False  # default no
