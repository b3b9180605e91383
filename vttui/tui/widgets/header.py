"""The verdict header: what this object is and how bad, at a glance."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from ...vt.cache import FetchInfo, describe_age
from ...vt.models import URL, Domain, File, IPAddress, VTObject
from ...vt.refs import TYPE_LABELS, ObjectRef
from .. import text as T


def _votes(obj: VTObject) -> Text:
    harmless, malicious = obj.votes
    out = Text("votes ", style="dim")
    out.append(f"▲{harmless}", style="green")
    out.append(" ")
    out.append(f"▼{malicious}", style="red" if malicious else "")
    return out


def _reputation(obj: VTObject) -> Text:
    rep = obj.reputation
    out = Text("reputation ", style="dim")
    if rep is None:
        return out.append("–", style="dim")
    return out.append(str(rep), style="bold red" if rep < 0 else "green" if rep > 0 else "")


def _essentials(obj: VTObject) -> list[Text]:
    """Type-specific facts, each a short literal Text."""
    facts: list[Text] = []
    if isinstance(obj, File):
        if obj.type_description:
            facts.append(T.safe(obj.type_description, max_len=40))
        if obj.size is not None:
            facts.append(Text(T.size(obj.size).split(" (")[0]))
        facts.append(T.label_value("first", T.date_str(obj.first_submission_date or obj.first_seen, with_time=False)))
        facts.append(T.label_value("last", T.date_str(obj.last_analysis_date, with_time=False)))
    elif isinstance(obj, URL):
        if obj.status is not None:
            facts.append(T.label_value("HTTP", obj.status))
        if obj.page_title:
            facts.append(T.label_value("title", obj.page_title, max_len=60))
        facts.append(T.label_value("last", T.date_str(obj.last_analysis_date, with_time=False)))
    elif isinstance(obj, Domain):
        if obj.registrar:
            facts.append(T.label_value("registrar", obj.registrar, max_len=40))
        facts.append(T.label_value("created", T.date_str(obj.creation_date, with_time=False)))
        cats = sorted(set(obj.categories.values()))
        if cats:
            facts.append(T.label_value("categories", ", ".join(cats[:4]), max_len=60))
    elif isinstance(obj, IPAddress):
        if obj.asn is not None:
            facts.append(T.label_value("ASN", f"AS{obj.asn}"))
        if obj.as_owner:
            facts.append(T.label_value("owner", obj.as_owner, max_len=40))
        if obj.country:
            facts.append(T.label_value("country", obj.country))
        if obj.network:
            facts.append(T.label_value("network", obj.network))
    return facts


def _secondary(obj: VTObject) -> list[Text]:
    facts: list[Text] = []
    if isinstance(obj, File):
        if obj.threat_label:
            facts.append(T.label_value("threat", obj.threat_label, "bold red", max_len=60))
        names = obj.names
        if names:
            more = f" (+{len(names) - 3})" if len(names) > 3 else ""
            facts.append(T.label_value("names", ", ".join(names[:3]) + more, max_len=120))
    elif isinstance(obj, URL) and obj.final_url and obj.final_url != obj.url:
        facts.append(T.label_value("final URL", obj.final_url, max_len=150))
    tags = obj.tags
    if tags:
        facts.append(T.label_value("tags", " ".join(tags[:8]), "italic", max_len=100))
    return facts


class VerdictHeader(Static):
    """Badge, title and main id, then reputation, votes and type-specific essentials."""

    DEFAULT_CSS = """
    VerdictHeader {
        height: auto;
        max-height: 5;
        padding: 0 1;
        background: $boost;
    }
    """

    def show_loading(self, ref: ObjectRef) -> None:
        line = Text.assemble(
            (" … ", T.SEVERITY_STYLES["unknown"]), " ", (TYPE_LABELS.get(ref.type, ref.type), "bold"), " "
        )
        line.append_text(T.safe(ref.id, max_len=200))
        self.update(Group(line, Text("Loading the report…", style="dim italic")))

    def show_waiting(self, ref: ObjectRef, seconds: float) -> None:
        """The request is queued behind the API key's per-minute quota: say so, and how
        long, where the user is looking (not "Loading" for a minute)."""
        line = Text.assemble((" ⏳ ", "bold yellow"), " ", (TYPE_LABELS.get(ref.type, ref.type), "bold"), " ")
        line.append_text(T.safe(ref.id, max_len=200))
        wait = Text(f"Waiting for the quota: next slot in {max(0, round(seconds))} s", style="bold yellow")
        wait.append("  (esc cancels)", style="dim")
        self.update(Group(line, wait))

    def show_error(self, ref: ObjectRef, message: str) -> None:
        line = Text.assemble((" ! ", "bold white on red3"), " ", (TYPE_LABELS.get(ref.type, ref.type), "bold"), " ")
        line.append_text(T.safe(ref.id, max_len=200))
        self.update(Group(line, T.safe(message, "bold red")))

    def show(self, obj: VTObject, fetched: FetchInfo | None = None) -> None:
        stats = obj.stats
        title = T.safe(obj.title, "bold", max_len=120)
        if T.links_on(self.app):
            from ...vt.weblinks import web_url

            T.linked(title, web_url(obj.ref))
        first = T.join(T.badge(stats), Text(obj.type_label, style="bold"), title)
        if not stats.is_empty:
            detail = f"{stats.malicious} malicious"
            if stats.suspicious:
                detail += f", {stats.suspicious} suspicious"
            first.append(f"  ({detail} of {stats.total} engines)", style="dim")
        if fetched is not None and fetched.from_store:
            # Served from the persistent store (an earlier run, another process): say how old.
            age = describe_age(fetched.age())
            ago = "" if age == "just now" else " ago"
            first.append(f"  cached {age}{ago} · ctrl+r refreshes", style="italic yellow")
        lines = [first]
        if obj.title != obj.id:
            lines.append(T.label_value("id", obj.id, max_len=200))
        lines.append(T.join(_reputation(obj), _votes(obj), *_essentials(obj), sep=" · "))
        secondary = _secondary(obj)
        if secondary:
            lines.append(T.join(*secondary, sep=" · "))
        self.update(Group(*lines))
