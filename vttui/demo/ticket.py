"""A pasted incident ticket for bulk triage: the demo's indicators as an analyst gets them.

Defanged and plain indicators mixed, one repeated in both spellings, a hash VirusTotal
has never seen, a domain nobody registered, clean infrastructure, and the prose that
must not become indicators (versions, file names, "e.g."). Used by the tests, the
screenshots and ``vttui triage`` demos.
"""

from __future__ import annotations

from . import catalogue as C
from .identity import NOT_FOUND_SHA256, core_hashes

__all__ = ["TICKET_IOC_COUNT", "triage_ticket"]

#: Distinct indicators :func:`triage_ticket` holds (what extraction must find).
TICKET_IOC_COUNT = 12


def triage_ticket() -> str:
    """The text of the ticket (deterministic)."""
    h = core_hashes()
    return f"""\
INC-20260806-0142 | Suspicious invoice e-mail, finance department | Priority: High

Summary (from the mail gateway, 2026-08-06 07:12 UTC):
Three users in Accounts received "Invoice July 2026" with Invoice_July_2026.docm attached
(sha1 {h["parent_doc"][1]}). One user enabled macros on Outlook 16.0.17328.

EDR saw:
  - invoice_viewer.exe  sha256={h["detected_file"][2]}
  - vexsvc.dll          md5: {h["dropped_dll"][0]}
  - PowerShell fetching hxxp://dl[.]paste-drop[.]test/raw/7Hq2xk (e.g. via -ep bypass)
  - beacons to api[.]update-relay[.]test and 198.51.100[.]23 on port 80
  - later DNS answers for {C.C2} pointed to 203.0.113[.]80 (sinkhole?)

User also clicked hxxp://login[.]account-verify[.]test/secure/account/verify.php?id=58213
before reporting. Proxy logs show {C.CDN} and 2001:db8:cdf::44 too (probably noise).

Unknown hash from the attachment scanner: {NOT_FOUND_SHA256}
Lookalike domain in the mail headers: never-seen-before.example

Please triage and block what is malicious. Attached: headers.txt, invoice.zip (v3.2.1 of the
parser choked on it).
"""
