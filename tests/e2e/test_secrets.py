"""The API key never shows: not in output, exports, logs, screenshots, error messages or
crash reports. Every place is grepped for a distinctive key; only its last 4 characters
may appear.

Two servers are used: the plain fake v3 server (what VirusTotal does), and one that
reflects the key it receives into every reply and error message (what a hostile or
broken server, or a proxy, could do): whatever the data holds, the key is masked.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from tests.support.faults import chain, faults, quota
from tests.support.investigation import DOMAIN, FILE, IOCS, Investigator
from tests.support.pilot import screen_text, settle
from vttui.config import Settings, save_api_key
from vttui.demo import DemoRequest, DemoResponse
from vttui.export import FORMATS, redact, render
from vttui.tui.app import VTApp, _write_crash_log
from vttui.vt import errors as E
from vttui.vt.refs import ObjectRef

from .conftest import app_for

pytestmark = pytest.mark.e2e

SECRET = "SECRETKEY" + "0f1e2d3c4b5a6978" * 2 + "a1b2c3d4e5f60789a1b2c3d4"
assert len(SECRET) == 65 and SECRET.isalnum()
TAIL = SECRET[-4:]


def assert_no_key(where: str, text: str | bytes) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    assert SECRET not in text, f"the API key appears in {where}"
    # no long piece of it either (a key cut by wrapping or truncation is still a leak)
    assert SECRET[:24] not in text and SECRET[20:44] not in text, f"part of the API key appears in {where}"


async def reflect_key(request: DemoRequest, call_next, *, data: bool = True) -> DemoResponse:
    """A server that echoes the key it got into every reply and error message."""
    key = request.headers.get("x-apikey", "")
    reply = await call_next(request)
    if "json" not in (reply.header("content-type") or "") or not isinstance(reply.body, bytes):
        return reply
    try:
        payload = json.loads(reply.body)
    except ValueError:
        return reply
    if isinstance(payload.get("error"), dict):
        payload["error"]["message"] = f"{payload['error'].get('message')} (key {key})"
    items = payload.get("data") if data else None
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, dict) and isinstance(item.get("attributes"), dict):
            item["attributes"]["zz_echo"] = f"your key is {key}"
            if isinstance(item["attributes"].get("text"), str):
                item["attributes"]["text"] += f" {key}"
    reply.body = json.dumps(payload).encode()
    reply.set_header("content-length", str(len(reply.body)))
    return reply


async def reflect_key_in_errors(request: DemoRequest, call_next) -> DemoResponse:
    return await reflect_key(request, call_next, data=False)


def reject_with_key(request: DemoRequest, call_next):
    key = request.headers.get("x-apikey", "")
    return _reply(DemoResponse.error(401, "WrongCredentialsError", f"Wrong API key {key}"))


async def _reply(response: DemoResponse) -> DemoResponse:
    return response


# --- the CLI: stdout, stderr, files written, logs, request logs ------------------------------


def cli_session(cli, server, tmp_path: Path) -> list[tuple[str, str]]:
    """Run every command that talks to the server; return (label, text) of all they produced."""
    cli.point_at(server, key=SECRET)
    seen: list[tuple[str, str]] = []

    def run(*argv: str, stdin: str = "") -> None:
        result = cli.run(*argv, stdin=stdin)
        seen.append((" ".join(argv) + " [stdout]", result.out))
        seen.append((" ".join(argv) + " [stderr]", result.err))

    for fmt in FORMATS:
        out = tmp_path / f"export.{fmt}"
        run("lookup", FILE, "--format", fmt)
        run("lookup", FILE, DOMAIN, "-", "--format", fmt, "-o", str(out), stdin=f"{IOCS['ip']}\n")
        seen.append((f"export file {out.name}", out.read_text(encoding="utf-8")))
        run("relations", IOCS["sinkhole_ip"], "resolutions", "--limit", "12", "--format", fmt)
    run("comments", DOMAIN)
    run("comments", DOMAIN, "--format", "json")
    run("votes", FILE, "--format", "json")
    run("comment", DOMAIN, "secret-test comment", "--yes")
    run("vote", DOMAIN, "harmless", "--yes")
    run("vote", DOMAIN, "harmless", "--yes")  # 409
    sample = tmp_path / "s.bin"
    sample.write_bytes(os.urandom(1000))
    run("submit", str(sample), "--yes", "--wait", "--format", "json")
    run("download", FILE, "-o", str(tmp_path / "dl"), "--format", "json")
    run("lookup", IOCS["not_found"])  # 404
    run("relations", FILE, "similar_files")  # 403
    run("lookup", "not an indicator")  # refused before any request
    run("templates")
    run("relationship-types", "file")
    return seen


@pytest.mark.parametrize("reflecting", [False, True], ids=["plain-server", "reflecting-server"])
def test_cli_never_shows_the_key(cli, serve, tmp_path, caplog, reflecting):
    caplog.set_level(logging.DEBUG)
    server = serve(reflect_key if reflecting else None)
    seen = cli_session(cli, server, tmp_path)
    assert any("invoice" in text for _, text in seen)  # the session really ran
    assert SECRET in server.backend.dataset.vote_authors.values()  # the key really was sent (as a header)
    assert not any(SECRET in target for _, target in server.backend.requests)  # never in a URL
    for label, text in seen:
        if reflecting and label.split(" ")[0] in PRINTS_SERVER_DATA_UNREDACTED:
            continue  # see test_action_outputs_mask_reflected_keys
        assert_no_key(label, text)
    for client in cli.clients:
        assert_no_key("the client's request log", repr(client.request_log))
    assert_no_key("the logs", caplog.text)
    assert_no_key("the log records", repr([r.getMessage() for r in caplog.records]))
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.parent.name != "vttui-config":
            assert_no_key(f"file {path.name}", path.read_bytes())
            assert SECRET not in path.name


#: Action commands (vttui/cli/submit.py, community.py) that print what the server sent without redacting it.
PRINTS_SERVER_DATA_UNREDACTED = ("comments", "votes", "comment", "vote", "submit")


@pytest.mark.parametrize("argv", [["comments", DOMAIN], ["comments", DOMAIN, "--format", "json"],
                                  ["comment", DOMAIN, "hello", "--yes", "--format", "json"],
                                  ["submit", "https://e2e.example/x", "--yes", "--wait", "--format", "json"]],
                         ids=["comments", "comments-json", "comment-json", "submit-json"])
def test_action_outputs_mask_reflected_keys(cli, serve, argv):
    cli.point_at(serve(reflect_key), key=SECRET)
    result = cli.run(*argv)
    assert result.code == 0, result.err
    assert_no_key(" ".join(argv), result.out)


def test_errors_never_show_the_key(cli, serve):
    cases = [
        (serve(reject_with_key), 4),
        (serve(chain(reflect_key, quota(0))), 5),
        (serve(chain(reflect_key, faults(1.0, ("html",)))), 6),
        (serve(chain(reflect_key, faults(1.0, ("malformed",)))), 6),
        (serve(chain(reflect_key, faults(1.0, ("plain404",)))), 3),
    ]
    gone = serve()
    gone.stop()
    cases.append((gone, 6))
    for server, code in cases:
        cli.point_at(server, key=SECRET)
        for argv in (["lookup", FILE], ["comment", DOMAIN, "x", "--yes"]):
            result = cli.run(*argv)
            assert result.code == code, result.err
            assert result.err.splitlines()[-1].startswith("vttui: error: ")
            assert_no_key(f"{argv[0]} error (exit {code})", result.out + result.err)
        download = cli.run("download", FILE)  # redirected off the API: may well succeed
        assert_no_key("download", download.out + download.err)


def test_quota_command_keeps_the_key_out_of_output_and_logs(cli, server, caplog):
    caplog.set_level(logging.DEBUG)
    cli.point_at(server, key=SECRET)
    for argv in (["quota"], ["quota", "--format", "json"]):
        result = cli.run(*argv)
        assert result.code == 0, result.err
        assert_no_key("quota output", result.out + result.err)
    assert "overall_quotas" in caplog.text  # httpx did log the request, masked
    assert_no_key("the logs", caplog.text)


def test_quota_request_keeps_the_key_out_of_urls(cli, server, monkeypatch):
    # VirusTotal names the account by user id or by key; with the user id configured
    # (VT_USER_ID or account.user_id) the key never goes into a URL.
    monkeypatch.setenv("VT_USER_ID", "vttui-demo")
    cli.point_at(server, key=SECRET)
    assert cli.run("quota").code == 0
    assert_no_key("the URLs the client requested", repr(server.backend.requests))


async def test_error_objects_and_request_log_never_hold_the_key(serve, clients):
    client = clients(serve(chain(reflect_key, faults(1.0, ("transient",), only=lambda r: "comments" in r.path))),
                     key=SECRET)
    errors: list[E.VTError] = []
    for call in (lambda: client.get_object(ObjectRef("file", IOCS["not_found"])),
                 lambda: client.get_object(ObjectRef("domain", "bad..domain")),
                 lambda: client.get_comments(ObjectRef("domain", DOMAIN)),
                 lambda: client.add_comment(ObjectRef("domain", DOMAIN), "x")):
        with pytest.raises(E.VTError) as caught:
            await call()
        errors.append(caught.value)
    await client.overall_quotas()
    assert len(client.request_log) >= 5
    assert_no_key("request_log", repr(client.request_log))
    for error in errors:
        assert_no_key(f"{type(error).__name__}", f"{error} {error.message} {error.args}")


# --- the TUI: screenshots, notifications, crash log ------------------------------------------


@pytest.mark.crash_expected
async def test_tui_screens_and_crash_log_never_show_the_key(serve, tmp_path):
    # (the TUI shows VirusTotal's data as it is: a comment holding the key would show it)
    server = serve(reflect_key_in_errors)
    app = app_for(server, key=SECRET, strict=False)
    shots: list[str] = []

    def boom(self) -> None:
        raise RuntimeError(f"copy failed for request with x-apikey={SECRET}")

    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        inv = Investigator(pilot, max_retries=0)
        await inv.open(FILE)
        for key in "12345":
            await inv.tab(key)
            shots.append(app.export_screenshot())
        await inv.tab("3")
        await inv.expand("contacted_domains")
        shots.append(app.export_screenshot())
        await inv.open(IOCS["not_found"], expect_error=True)  # an error on screen
        shots.append(app.export_screenshot())
        assert "…" + TAIL in screen_text(app)  # the status line names the key by its tail
        # an unexpected exception, handed to the app's safety net as Textual does (pressing a
        # key whose action raises would freeze the app: see test_tui_e2e's xfail)
        try:
            boom(None)
        except RuntimeError as exc:
            app._handle_exception(exc)
        await settle(pilot)
        assert app.crashes and app.is_running
        shots.append(app.export_screenshot())
        assert "Something unexpected went wrong" in screen_text(app)
        assert_no_key("the request log", repr(app.client.request_log))
    await app.client.aclose()
    for n, svg in enumerate(shots):
        assert_no_key(f"screenshot {n}", svg)
    crash_log = Path(os.environ["XDG_STATE_HOME"]) / "vttui" / "crash.log"
    text = crash_log.read_text()
    assert "RuntimeError" in text and TAIL in text
    assert_no_key("the crash log", text)
    assert crash_log.stat().st_mode & 0o777 == 0o600


@pytest.mark.crash_expected
def test_crash_log_masks_the_key_in_chained_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    try:
        try:
            raise ValueError(f"inner {SECRET}")
        except ValueError as inner:
            raise RuntimeError(f"outer /users/{SECRET}/overall_quotas") from inner
    except RuntimeError as exc:
        where = _write_crash_log(exc, SECRET)
    assert where.endswith("crash.log")
    assert_no_key("the crash log", Path(where).read_text())


async def test_first_run_key_entry_never_shows_the_key(serve, tmp_path):
    server = serve()
    config_file = tmp_path / "first-run" / "config.toml"
    settings = Settings(base_url=server.base_url, per_minute=None, per_day=None, timeout=2.0,
                        config_file=config_file)
    app = VTApp(settings=settings, clipboard=False, strict=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        app.screen.query_one("#key").value = SECRET  # pasted into the password field
        await pilot.pause()
        typing = app.export_screenshot()
        await pilot.press("enter")
        await settle(pilot)
        saved = screen_text(app)
        assert f"…{TAIL} saved to" in saved.replace("\n", " ") or TAIL in saved
        inv = Investigator(pilot, max_retries=0)
        await inv.open(DOMAIN)
        after = app.export_screenshot()
        assert app.client is not None and app.client.api_key == SECRET
        assert any(m == "GET" for m, _ in server.backend.requests)
    for label, svg in (("the key prompt", typing), ("the saved notice", saved), ("the report", after)):
        assert_no_key(label, svg)
    assert SECRET in config_file.read_text()  # stored where it belongs, privately
    assert config_file.stat().st_mode & 0o777 == 0o600


def test_config_paths_and_settings_never_print_the_key(cli, tmp_path, monkeypatch):
    config_dir = tmp_path / "keyed-config"
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(config_dir))
    path = save_api_key(SECRET, config_dir / "config.toml")
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o644)  # a warning about a readable key file names the file, not the key
    outputs = [cli.run("templates"), cli.run("lookup", "not an indicator"), cli.run("relationship-types")]
    from vttui.config import load_settings

    settings = load_settings()
    assert settings.api_key == SECRET and settings.warnings
    for result in outputs:
        assert_no_key("config-related output", result.out + result.err)
    assert_no_key("Settings repr", repr(settings) + str(settings) + " ".join(settings.warnings))
    masked = redact(render({"type": "file", "id": "x", "attributes": {"note": SECRET}}, "json"), SECRET)
    assert_no_key("a redacted export", masked)
    assert TAIL in masked
