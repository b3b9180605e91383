"""The Comments tab: community comments, newest first, with tags and votes."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...vt.models import Comment
from ...vt.paging import Page
from ...vt.refs import ObjectRef
from .. import text as T
from .paged import PAGE_SIZE, PagedPane

MAX_COMMENT_CHARS = 3000


def comment_prompt(comment: Comment) -> Group:
    head = Text(T.date_str(comment.date), style="bold")
    positive, negative, abuse = comment.votes
    head.append(f"  ▲{positive} ▼{negative}", style="dim")
    if abuse:
        head.append(f" abuse {abuse}", style="yellow")
    for tag in comment.tags[:10]:
        head.append("  ")
        head.append_text(T.safe(f"#{tag}", "italic cyan", 40))
    body = T.safe_block(comment.text, max_len=MAX_COMMENT_CHARS)
    return Group(head, body, Text(""))


class CommentList(OptionList):
    BINDINGS = [Binding("m", "more", "More comments")]

    def action_more(self) -> None:
        self.query_ancestor(CommentsPane).load_more()

    def copy_target(self) -> tuple[str, str] | None:
        pane = self.query_ancestor(CommentsPane)
        index = self.highlighted
        if index is None or not (0 <= index < len(pane.items)):
            return None
        return "comment", Comment(pane.items[index]).text


class CommentsPane(PagedPane):
    noun = "comments"

    def compose_list(self) -> ComposeResult:
        yield CommentList()

    async def fetch_page(self, ref: ObjectRef, cursor: str | None) -> Page:
        return await self.app.vt.get_comments(ref, limit=PAGE_SIZE, cursor=cursor)

    def add_items(self, items: list[dict[str, Any]], *, at_top: bool = False) -> None:
        option_list = self.query_one(CommentList)
        options = [Option(comment_prompt(Comment(item))) for item in items]
        if at_top:
            # OptionList appends only; rebuild with the new ones first.
            option_list.clear_options()
            option_list.add_options(Option(comment_prompt(Comment(item))) for item in self.items)
            option_list.highlighted = 0
        else:
            option_list.add_options(options)
