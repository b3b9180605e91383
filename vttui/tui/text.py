"""The ONE place where untrusted strings become screen content.

Everything from VirusTotal (file names, comments, whois, engine labels, titles) may hold
Rich/Textual markup (``[/]``, ``[@click=app.quit]``), terminal escapes, bidi overrides
or 20,000-character lines. Widgets never hand such a string to Textual as ``str`` (which
Textual would parse as markup): they call these helpers, which clean it (vt.sanitize)
and wrap it in a ``rich.text.Text``, which is always literal.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text

from ..vt.sanitize import clean_line, clean_text, to_str

if TYPE_CHECKING:
    from ..vt.models import AnalysisStats

#: Longest single line shown; the full value is still what `y` copies.
MAX_LINE = 400
MAX_TEXT = 20_000

SEVERITY_STYLES = {
    "malicious": "bold white on red3",
    "suspicious": "bold black on dark_orange",
    "clean": "bold white on green4",
    "unknown": "bold white on grey39",
}
CATEGORY_STYLES = {
    "malicious": "bold red",
    "suspicious": "bold dark_orange",
    "harmless": "green",
    "undetected": "",
    "timeout": "dim",
    "confirmed-timeout": "dim",
    "type-unsupported": "dim",
    "failure": "dim",
}


def safe(value: Any, style: str = "", max_len: int | None = MAX_LINE) -> Text:
    """One literal, cleaned line."""
    return Text(clean_line(value, max_len), style=style, no_wrap=False)


def safe_block(value: Any, style: str = "", max_len: int | None = MAX_TEXT) -> Text:
    """Literal multi-line text (comments, whois)."""
    return Text(clean_text(value, max_len), style=style)


def plain(value: Any, max_len: int | None = MAX_LINE) -> str:
    """A cleaned plain string, for places that take str with markup turned off."""
    return clean_line(value, max_len)


def join(*parts: Text | str, sep: str = " ") -> Text:
    """Join Text pieces; bare ``str`` parts are treated as literal too."""
    out = Text()
    first = True
    for part in parts:
        if part is None or part == "":
            continue
        if not first and sep:
            out.append(sep)
        out.append_text(part if isinstance(part, Text) else Text(clean_line(part)))
        first = False
    return out


def label_value(label: str, value: Any, value_style: str = "", max_len: int | None = MAX_LINE) -> Text:
    """'label: value' with the label dim and the value literal."""
    text = Text(f"{label}: ", style="dim")
    text.append_text(safe(value, value_style, max_len))
    return text


def badge(stats: AnalysisStats | None) -> Text:
    """A coloured verdict badge like ' 21/60 '."""
    # Styled as a span, not as the Text's base style, so text appended after it stays plain.
    if stats is None or stats.is_empty:
        return Text.assemble((" –/– ", SEVERITY_STYLES["unknown"]))
    return Text.assemble((f" {stats.ratio_text} ", SEVERITY_STYLES.get(stats.severity, SEVERITY_STYLES["unknown"])))


def category(value: Any) -> Text:
    name = clean_line(value, 40)
    return Text(name or "–", style=CATEGORY_STYLES.get(name, ""))


def date(value: datetime | None, *, with_time: bool = True) -> Text:
    if value is None:
        return Text("–", style="dim")
    return Text(value.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d"))


def date_str(value: datetime | None, *, with_time: bool = True) -> str:
    if value is None:
        return "–"
    return value.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")


def size(n: int | None) -> str:
    if n is None:
        return "–"
    value = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{n:,} B" if unit == "B" else f"{value:.1f} {unit} ({n:,} B)"
        value /= 1024
    return f"{n:,} B"


def short_id(value: Any, keep: int = 12) -> str:
    """A shortened id for breadcrumbs: 'a1b2c3d4e5f6…'."""
    text = clean_line(value)
    return text if len(text) <= keep + 1 else text[:keep] + "…"


def linked(text: Text, url: str | None) -> Text:
    """``text`` as an OSC 8 hyperlink to ``url`` where the terminal supports it (others
    show the text alone). Only ``vt.weblinks.web_url`` builds these URLs: ids inside are
    percent-encoded, so a hostile id cannot point the link anywhere else."""
    if url:
        text.stylize(Style(link=url))
    return text


def links_on(app: Any) -> bool:
    """Whether hyperlinks are wanted (``[ui] hyperlinks``, on by default)."""
    settings = getattr(app, "settings", None)
    return bool(getattr(settings, "hyperlinks", True))


def copy_text(value: Any) -> str:
    """What goes to the clipboard: the whole value, cleaned of escapes and controls."""
    return clean_text(to_str(value))
