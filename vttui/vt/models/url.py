"""URL reports: the page as last fetched (status, headers, title, links, trackers)."""

from __future__ import annotations

from .base import VTObject
from .coerce import as_dict, as_list, as_str, one_line, str_list
from .fields import Date, Int, Str, StrDict, StrList

__all__ = ["URL"]


class URL(VTObject):
    @property
    def url(self) -> str:
        return as_str(self.attributes.get("url")) or as_str(self.context_attributes.get("url"))

    final_url = Str("last_final_url")

    @property
    def title(self) -> str:
        return one_line(self.url or self.final_url or self.id)

    #: The HTML ``<title>`` of the page (``title`` is the one-line name: the URL).
    page_title = Str("title")
    status = Int("last_http_response_code")
    content_length = Int("last_http_response_content_length")
    content_sha256 = Str("last_http_response_content_sha256")

    @property
    def response_headers(self) -> dict[str, str]:
        out = {}
        for k, v in as_dict(self.attributes.get("last_http_response_headers")).items():
            text = ", ".join(str_list(v)) if isinstance(v, list) else as_str(v)
            if isinstance(k, str):
                out[k] = text
        return out

    @property
    def content_type(self) -> str:
        for k, v in self.response_headers.items():
            if k.lower() == "content-type":
                return v
        return ""

    cookies = StrDict("last_http_response_cookies")
    redirection_chain = StrList()
    categories = StrDict()
    outgoing_links = StrList()

    @property
    def html_meta(self) -> dict[str, list[str]]:
        out = {}
        for k, v in as_dict(self.attributes.get("html_meta")).items():
            if isinstance(k, str):
                out[k] = str_list(v)
        return out

    @property
    def trackers(self) -> list[tuple[str, str, str]]:
        """``(tracker, id, url)`` for each tracker seen on the page."""
        out = []
        for name, entries in as_dict(self.attributes.get("trackers")).items():
            if not isinstance(name, str):
                continue
            for entry in as_list(entries):
                d = as_dict(entry)
                out.append((name, as_str(d.get("id")), as_str(d.get("url"))))
        return out

    threat_names = StrList()
    first_submission_date = Date()
    last_submission_date = Date()
    times_submitted = Int()
