"""The analyst's views in a real terminal (issue 15): the Behaviour tab and P on a sandbox,
Intelligence search (refused plainly for a public key; results with ``--demo`` on the
premium tier), and bulk triage of a pasted ticket, against the demo server over loopback."""

from __future__ import annotations

from vttui.demo import demo_iocs

from .helpers import VT, shows_report

IOCS = demo_iocs()
FILE = IOCS["behaviour_file"]


def test_behaviour_search_and_triage(launch):
    vt: VT = launch(latency=150)
    vt.ready()

    # the Behaviour tab: sections, sandboxes with verdicts, ATT&CK
    vt.search(FILE, slash=False)
    vt.wait_for(shows_report("invoice_viewer.exe"))
    vt.press("6")
    screen = vt.wait_for(lambda s: "Sandboxes (3)" in s and "MITRE ATT&CK" in s)
    assert "CAPE Sandbox" in screen and "malicious" in screen and "T1059.001" in screen

    # P on the first sandbox line (Verdicts: a title and 4 rows; Sandboxes: a title and
    # the table's header, then CAPE Sandbox) asks where to save that sandbox's capture
    vt.press(*["down"] * 7)
    vt.press("P")
    vt.wait_for("network capture (PCAP)")
    vt.escape("network capture (PCAP)")

    # Intelligence search: the server takes this key for a public one: said plainly
    vt.search("vti:" + IOCS["search_query"])
    vt.wait_for("needs a premium key")
    vt.escape("needs a premium key")
    vt.wait_for("Sandboxes (3)")  # the report, on the tab it was left on

    # bulk triage: T, paste a ticket, ctrl+s: every IOC one row, answered
    vt.press("T")
    vt.wait_for("Triage pasted text")
    vt.term.paste("beacons to api[.]update-relay[.]test and 198.51.100[.]23\n"
                  "see hxxp://dl[.]paste-drop[.]test/raw/7Hq2xk")
    vt.press("ctrl+s")
    screen = vt.wait_for(lambda s: "3/3 answered" in s)
    assert "api.update-relay.test" in screen and "198.51.100.23" in screen and "AS64501 NL" in screen
    vt.press("escape")
    vt.wait_for("Sandboxes (3)")
    assert vt.quit() == 0


def test_demo_with_the_premium_tier_searches(launch):
    vt: VT = launch(demo=True)  # the fixture's config says tier = "premium"
    vt.ready()
    vt.search("vti:" + IOCS["search_query"], slash=False)
    screen = vt.wait_for(lambda s: "Intelligence search: " in s and "8 hits" in s and "client_2161.exe" in s)
    assert "58/72" in screen and "invoice_viewer.exe" in screen, screen
    vt.press("enter")
    vt.wait_for(shows_report("invoice_viewer.exe"))
    try:
        code = vt.quit()
    except Exception:
        raise AssertionError(vt.screen()) from None
    assert code == 0
