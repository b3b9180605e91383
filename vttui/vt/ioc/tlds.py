"""Top-level domains and IDNA labels: what counts as a real domain name.

Shared by refang (a " dot " chain is only taken as a domain when it ends in a real TLD)
and classify (unknown TLDs are refused, file extensions with a better message).

``tlds.txt``, beside this module, lists every TLD named in the Public Suffix List snapshot
bundled with the ``publicsuffixlist`` package on PyPI (1.1.2.20261023, list version
2026-10-22), converted to punycode, plus the reserved test, example, invalid and
localhost. Regenerate it the same way to update it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

__all__ = [
    "AMBIGUOUS_TLDS",
    "FILE_EXTENSIONS",
    "idn_to_unicode",
    "known_tlds",
    "label_to_ascii",
    "tld_known",
]

#: Always valid, whatever the data file says (the demo dataset uses them).
_RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost"})

#: Unknown "TLDs" that are really file extensions, for a better rejection message.
FILE_EXTENSIONS = frozenset(
    """exe dll sys drv ocx cpl scr com bat cmd ps1 psm1 vbs vbe js jse wsf wsh hta lnk pif
    msi msp jar apk ipa dmg iso img vhd vhdx bin dat tmp log cfg conf ini reg json xml yml
    yaml html htm php asp aspx jsp cgi pdf doc docx docm dot dotm xls xlsx xlsm xlsb ppt pptx
    pptm rtf odt ods txt csv eml msg one onepkg chm zip rar 7z gz tgz bz2 xz tar cab arj ace
    lzh iso elf so dylib deb rpm pkg png jpg jpeg gif bmp ico svg webp mp3 mp4 avi mkv wav
    mov py pyc pl sh c cpp h cs java class go rs rb lua ps md db sqlite bak old""".split()  # noqa: SIM905 - reads better as words
)

#: Real TLDs that are also common file extensions. extract() does not report a bare,
#: non-defanged two-label name with one of these ("invoice.zip", "install.sh", "README.md");
#: classify() and defanged text ("evil[.]zip") still accept them.
AMBIGUOUS_TLDS = frozenset({"zip", "mov", "py", "sh", "so", "ps", "pl", "md", "rs", "pm", "tf", "cab", "one", "run"})


@lru_cache(maxsize=1)
def known_tlds() -> frozenset[str]:
    """Known TLDs, read once from the bundled data file on first use."""
    try:
        text = resources.files(__package__).joinpath("tlds.txt").read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError):  # pragma: no cover - packaging mistake
        return frozenset()
    names = {line.strip().lower() for line in text.splitlines()}
    return frozenset(n for n in names if n and not n.startswith("#")) | _RESERVED_TLDS


def tld_known(tld: str) -> bool:
    known = known_tlds()
    if known:
        return tld in known
    # No data file (broken install): accept anything alphabetic that is not a file extension.
    return tld.isalpha() and len(tld) >= 2 and tld not in FILE_EXTENSIONS  # pragma: no cover


def label_to_ascii(label: str) -> str:
    """Punycode one non-ASCII label (IDNA 2008 + UTS 46, falling back to IDNA 2003)."""
    try:
        import idna

        return idna.encode(label, uts46=True).decode("ascii")
    except (ImportError, UnicodeError, ValueError):
        pass  # idna missing, or IDNA 2008 refuses it (emoji...): try the stdlib IDNA 2003 codec
    try:
        out = label.encode("idna").decode("ascii")
    except (UnicodeError, ValueError) as exc:
        raise ValueError(str(exc)) from None
    return out.lower()


def idn_to_unicode(name: str) -> str:
    labels = []
    for label in name.split("."):
        if label.startswith("xn--"):
            try:
                import idna

                label = idna.decode(label)
            except (ImportError, UnicodeError, ValueError):
                try:
                    label = label.encode("ascii").decode("idna")
                except (UnicodeError, ValueError):
                    return name
        labels.append(label)
    return ".".join(labels)
