"""Write a comment (multi-line, #tags previewed) or cast a vote. Both confirm first."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static, TextArea

from ...vt.errors import AlreadyExistsError, VTError, WriteOutcomeUnknownError
from ...vt.refs import ObjectRef
from ...vt.sanitize import clean_comment
from .. import text as T
from .confirm import ConfirmScreen
from .dialog import Dialog

TAG = re.compile(r"(?<![\w#])#([\w.-]{1,64})")


def tags_of(text: str) -> list[str]:
    seen: list[str] = []
    for tag in TAG.findall(text):
        if tag.lower() not in (t.lower() for t in seen):
            seen.append(tag)
    return seen


class CommentScreen(Dialog[dict[str, Any] | None]):
    """Dismisses with the created comment object (dict) or None."""

    BINDINGS = [
        Binding("ctrl+s", "post", "Post", id="comment.post"),
        Binding("escape", "cancel", "Cancel", id="comment.cancel"),
    ]

    def __init__(self, ref: ObjectRef, title: str) -> None:
        super().__init__()
        self.ref = ref
        self.object_title = title
        self.posting = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                T.join(Text("Comment on", style="bold"), T.safe(self.object_title, max_len=70)), classes="title"
            )
            yield TextArea(id="text", soft_wrap=True)
            yield Static(Text("tags: none (write #tag to add one)", style="dim"), id="tags")
            yield Static(
                Text("Comments are public on VirusTotal and shown with your user name.", style="italic"),
                classes="warning",
            )
            yield Static("", classes="status")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Post (ctrl+s)", id="post", variant="primary")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.styles.height = 8
        area.focus()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        tags = tags_of(event.text_area.text)
        label = Text("tags: ", style="dim")
        if tags:
            for tag in tags[:20]:
                label.append_text(T.safe(f"#{tag} ", "bold cyan", 66))
        else:
            label.append("none (write #tag to add one)", style="dim")
        self.query_one("#tags", Static).update(label)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "post":
            self.action_post()
        else:
            self.action_cancel()

    def action_post(self) -> None:
        if self.posting:
            return
        raw = self.query_one(TextArea).text
        text = clean_comment(raw)  # what is posted is exactly what is previewed
        if not text:
            self.set_status("Write something first.", error=True)
            return
        preview = T.safe_block(text, max_len=600)
        body = Text("Post this comment publicly on VirusTotal?\n\n", style="bold")
        if text != raw.strip().replace("\r\n", "\n"):
            body.append("Control characters and escape sequences were removed; this is what will be posted:\n\n",
                        style="italic")
        body.append_text(preview)

        def answer(yes: bool | None) -> None:
            if yes:
                self._post(text)

        self.app.push_screen(ConfirmScreen("Post comment", body, yes="Post"), answer)

    @work(group="post-comment", exclusive=True, exit_on_error=False)
    async def _post(self, text: str) -> None:
        self.posting = True
        self.set_status("Posting…")
        try:
            created = await self.app.vt.add_comment(self.ref, text)
        except WriteOutcomeUnknownError as exc:
            self.set_status(exc.message + " Open the Comments tab (reload with ctrl+r) to check.", error=True)
            return
        except VTError as exc:
            self.set_status(exc.message, error=True)
            return
        finally:
            self.posting = False
        self.dismiss(created)


class VoteScreen(Dialog[dict[str, Any] | None]):
    """Dismisses with the vote object (dict) or None."""

    BINDINGS = [
        Binding("m", "vote('malicious')", "Malicious", id="vote.malicious"),
        Binding("h", "vote('harmless')", "Harmless", id="vote.harmless"),
        Binding("escape", "cancel", "Cancel", id="vote.cancel"),
    ]

    def __init__(self, ref: ObjectRef, title: str) -> None:
        super().__init__()
        self.ref = ref
        self.object_title = title
        self.posting = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(T.join(Text("Vote on", style="bold"), T.safe(self.object_title, max_len=70)), classes="title")
            yield Static(Text(
                "Your vote is public and counts towards the community score. "
                "VirusTotal keeps one vote per user and object."
            ))
            yield Static("", classes="status")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Harmless (h)", id="harmless", variant="success")
                yield Button("Malicious (m)", id="malicious", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("malicious", "harmless"):
            self.action_vote(event.button.id)
        else:
            self.action_cancel()

    def action_vote(self, verdict: str) -> None:
        if self.posting:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._post(verdict)

        self.app.push_screen(
            ConfirmScreen(
                "Cast vote",
                Text(f"Vote {verdict} on this {self.ref.type.replace('_', ' ')}? This cannot be changed later."),
                yes=f"Vote {verdict}",
            ),
            answer,
        )

    @work(group="post-vote", exclusive=True, exit_on_error=False)
    async def _post(self, verdict: str) -> None:
        self.posting = True
        self.set_status("Voting…")
        try:
            vote = await self.app.vt.add_vote(self.ref, verdict)
        except AlreadyExistsError as exc:
            self.set_status(exc.message, error=True)
            return
        except VTError as exc:
            self.set_status(exc.message, error=True)
            return
        finally:
            self.posting = False
        self.dismiss(vote or {"type": "vote", "attributes": {"verdict": verdict}})
