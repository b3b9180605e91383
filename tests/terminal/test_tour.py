"""A new user's tour of ``vttui``, in a real terminal at 120x35 and at 80x24.

One fresh process per size does what the README promises, as keys: the first search (an
MD5), every tab, a relationship expanded and pivoted on, back and forward, copy (the
OSC 52 sequence must reach the terminal), export to a file, help, the command palette,
then searches for a defanged URL, a domain and an IP, and quit. Each Detections table
is checked cell by cell against what the server answered.
"""

from __future__ import annotations

import pytest

from vttui.demo import demo_iocs

from .helpers import VT, check_detections, expected_engines, header_line, shows_report

IOCS = demo_iocs()
FILE, FILE_MD5 = IOCS["detected_file"], IOCS["detected_file_md5"]
DOMAIN, IP, URL = IOCS["domain"], IOCS["ip"], IOCS["url"]
DEFANGED_URL = URL.replace("http://", "hxxp://").replace(".", "[.]")


def detections_ok(vt: VT, base_url: str, path: str, width: int) -> None:
    screen = vt.screen()
    problems = check_detections(screen, expected_engines(base_url, path), width=width)
    assert not problems, "\n".join(problems) + "\n" + screen


def open_tab(vt: VT, key: str, marker: str) -> str:
    vt.press(key)
    return vt.wait_for(marker)


@pytest.mark.parametrize(("size", "latency"), [((120, 35), 150), ((80, 24), 0)], ids=["120x35-150ms", "80x24-0ms"])
def test_a_new_users_tour(launch, server, size, latency):
    width, _height = size
    base0 = server(0)  # the same data, for the expected values
    vt = launch(latency=latency, size=size)
    vt.ready()

    # first search: an MD5 opens the file's report (its id is the SHA-256)
    vt.search(FILE_MD5, slash=False)
    vt.wait_for(shows_report("invoice_viewer.exe"))
    detections_ok(vt, base0, f"files/{FILE}", width)

    # every tab
    open_tab(vt, "2", "SHA-256")
    open_tab(vt, "3", "contacted_domains (4)")
    open_tab(vt, "4", "comments of")
    open_tab(vt, "5", "Community:")
    vt.press("1")
    vt.wait_for(shows_report("invoice_viewer.exe"))

    # relations: expand contacted_domains, pivot to the C2 domain
    open_tab(vt, "3", "contacted_domains (4)")
    vt.press("down", "enter")  # the first relationship, expanded
    vt.wait_for(f"domain {DOMAIN}")
    vt.press("down", "enter")  # its first item: pivot
    vt.wait_for(shows_report(DOMAIN))
    screen = vt.screen()
    assert "contacted_domains ›" in screen.split("\n")[1], screen  # the breadcrumbs say how we got here
    detections_ok(vt, base0, f"domains/{DOMAIN}", width)

    # back to the file, on the tab left (Relations, still expanded), and forward again
    vt.press("backspace")
    screen = vt.wait_for(lambda s: "invoice_viewer.exe" in header_line(s) and f"domain {DOMAIN}" in s)
    assert "contacted_domains (4)" in screen
    vt.press("alt+right")
    vt.wait_for(shows_report(DOMAIN))

    # copy the id: the terminal receives it (OSC 52), and the user is told
    vt.press("c")
    vt.wait_for("Copied")
    assert DOMAIN in vt.term.clipboard(), vt.term.clipboard()

    # export this report to a file
    vt.press("e")
    vt.wait_for("Export this report")
    vt.press("ctrl+s")
    vt.wait_for("Saved")
    exported = vt.home / f"domain-{DOMAIN}.md"
    assert exported.exists(), sorted(p.name for p in vt.home.iterdir())
    assert DOMAIN in exported.read_text()

    # help, then the command palette
    vt.press("question_mark")
    vt.wait_for("vttui keys")
    vt.escape("vttui keys")
    vt.press("ctrl+p")
    vt.wait_for(lambda s: "Search for commands" in s and "Key: c" in s)  # actions, with their keys
    vt.escape("Search for commands")

    # searches: a defanged URL, a domain, an IP
    vt.search(DEFANGED_URL)
    vt.wait_for(shows_report("login.account-verify.test"))
    detections_ok(vt, base0, f"urls/{IOCS['url_id']}", width)
    vt.search(IOCS["phishing_domain"])
    vt.wait_for(lambda s: IOCS["phishing_domain"] in header_line(s) and "domain" in header_line(s)
                and shows_report(IOCS["phishing_domain"])(s))
    detections_ok(vt, base0, f"domains/{IOCS['phishing_domain']}", width)
    vt.search(IP)
    vt.wait_for(shows_report(IP))
    detections_ok(vt, base0, f"ip_addresses/{IP}", width)

    assert vt.quit() == 0


def test_demo_mode(launch, server):
    """``vttui --demo``: no key, no network; the same report from the bundled data."""
    vt = launch(demo=True, size=(120, 35))
    screen = vt.ready()
    assert "DEMO" in screen
    vt.search(FILE, slash=False)
    vt.wait_for(shows_report("invoice_viewer.exe"))
    detections_ok(vt, server(0), f"files/{FILE}", 120)
    assert vt.quit() == 0
