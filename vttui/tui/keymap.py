"""Remapping keys: every binding has an id; ``[keymap]`` in the config maps ids to keys.

Applied at start with Textual's ``App.set_keymap`` (as posting does), so a remapped key
shows in the key bar, the help screen and the palette like the default one. The ids
are listed here (the README's ``[keymap]`` table and the warning for a mistyped id read
this list; a test keeps it equal to the bindings in the code).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.binding import Binding

#: Binding id -> (default keys, what it does).
BINDING_IDS: dict[str, tuple[str, str]] = {
    "analyses.dismiss_done": ("x", "Clear finished"),
    "analyses.leave": ("escape", "Back to report"),
    "app.change_key": ("ctrl+k", "Change API key"),
    "app.command_palette": ("ctrl+p", "Palette"),
    "app.help": ("question_mark", "Help"),
    "app.help_alt": ("f1", "Help"),
    "app.quit": ("q", "Quit"),
    "app.quit_alt": ("ctrl+q", "Quit"),
    "behaviour.activate": ("enter", "Open/expand"),
    "behaviour.collapse_here": ("left", "Collapse"),
    "behaviour.expand_here": ("right", "Expand"),
    "behaviour.more": ("m", "More rows"),
    "behaviour.pcap": ("P", "Sandbox PCAP"),
    "behaviour.toggle_node": ("space", "Fold"),
    "comment.cancel": ("escape", "Cancel"),
    "comment.post": ("ctrl+s", "Post"),
    "comments.more": ("m", "More comments"),
    "confirm.no": ("n", "No"),
    "confirm.no_alt": ("escape", "Cancel"),
    "confirm.yes": ("y", "Yes"),
    "details.activate": ("enter", "Open/expand"),
    "details.collapse_here": ("left", "Collapse"),
    "details.expand_here": ("right", "Expand"),
    "details.toggle_node": ("space", "Fold"),
    "detections.clear_and_leave": ("escape", "Clear filter"),
    "detections.filter": ("f", "Filter"),
    "detections.leave": ("enter", "Keep filter"),
    "detections.toggle_detected": ("d", "Detected only"),
    "dialog.cancel": ("escape", "Cancel"),
    "download.cancel": ("escape", "Cancel"),
    "download.download": ("ctrl+s", "Download"),
    "export.cancel": ("escape", "Cancel"),
    "export.copy": ("ctrl+y", "Copy"),
    "export.save": ("ctrl+s", "Save"),
    "export.save_free": ("ctrl+n", "Save under a free name"),
    "help.close": ("escape,q,question_mark", "Close"),
    "hits.copy_link": ("o", "Copy web link"),
    "hits.more": ("m", "More results"),
    "hits.open": ("enter", "Open"),
    "main.analyses": ("t", "Analyses"),
    "main.back": ("backspace", "Back"),
    "main.back_alt": ("alt+left", "Back"),
    "main.cancel_wait": ("escape", "Cancel the wait for quota"),
    "main.comment": ("w", "Write a comment"),
    "main.copy_id": ("c", "Copy id"),
    "main.copy_link": ("o", "Copy web link"),
    "main.copy_value": ("y", "Copy value"),
    "main.download": ("D", "Download sample"),
    "main.export": ("e", "Export report"),
    "main.export_trail": ("E", "Export trail"),
    "main.focus_search": ("slash", "Search"),
    "main.focus_search_alt": ("ctrl+l", "Search"),
    "main.forward": ("alt+right", "Forward"),
    "main.intel_search": ("i", "Intelligence search"),
    "main.pcap": ("P", "Download PCAP"),
    "main.reanalyse": ("a", "Re-analyse"),
    "main.reload": ("ctrl+r", "Reload (fresh)"),
    "main.scan_url": ("s", "Scan a URL"),
    "main.tab_behaviour": ("6", "Behaviour (files)"),
    "main.tab_comments": ("4", "Comments"),
    "main.tab_details": ("2", "Details"),
    "main.tab_detections": ("1", "Detections"),
    "main.tab_relations": ("3", "Relations"),
    "main.tab_votes": ("5", "Votes"),
    "main.triage": ("T", "Triage pasted text"),
    "main.upload": ("u", "Upload a file"),
    "main.vote": ("v", "Vote"),
    "paste.cancel": ("escape", "Cancel"),
    "paste.go": ("ctrl+s", "Triage"),
    "pick.cancel": ("escape", "Cancel"),
    "relations.activate": ("enter", "Pivot/expand"),
    "relations.collapse_or_parent": ("left", "Collapse"),
    "relations.expand_node": ("right", "Expand"),
    "relations.more": ("m", "More"),
    "relations.toggle_node": ("space", "Expand"),
    "search.history_back": ("up", "Previous"),
    "search.history_next": ("down", "Next"),
    "search.leave": ("escape", "Leave search"),
    "search_results.close": ("escape,q", "Back to reports"),
    "search_results.more": ("m", "More results"),
    "triage.close": ("escape,q", "Back to reports"),
    "triage.export": ("e", "Export table"),
    "triage.new": ("n", "New triage (paste)"),
    "triage_table.copy_link": ("o", "Copy web link"),
    "triage_table.export": ("e", "Export table"),
    "triage_table.open": ("enter", "Open"),
    "triage_table.sort": ("s", "Sort"),
    "upload.cancel": ("escape", "Cancel"),
    "upload.upload": ("ctrl+u", "Upload"),
    "vote.cancel": ("escape", "Cancel"),
    "vote.harmless": ("h", "Harmless"),
    "vote.malicious": ("m", "Malicious"),
    "votes.more": ("m", "More votes"),
    "welcome.demo": ("ctrl+d", "Open the demo"),
    "welcome.quit": ("escape", "Quit"),
}


def unknown_ids(ids: Iterable[str]) -> list[str]:
    """The ids in a keymap that no binding has (a typo, or one from another version)."""
    return sorted(i for i in ids if i not in BINDING_IDS)


def effective_key(app: Any, binding: Binding) -> str:
    """The keys a binding answers to once the app's keymap is applied (for the help
    screen and the palette, which read the classes' BINDINGS)."""
    keymap: dict[str, str] = getattr(app, "_keymap", {}) or {}
    return keymap.get(binding.id, binding.key) if binding.id else binding.key


def key_display(app: Any, binding: Binding) -> str:
    """How the keys of ``binding`` are shown, remapped ones included."""
    keys = effective_key(app, binding)
    return ", ".join(app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))
