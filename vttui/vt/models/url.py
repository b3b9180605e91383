"""URL reports: the page as last fetched (status, headers, title, links, trackers)."""

from __future__ import annotations

from ..ioc import is_url_sha256_id
from ..refs import ObjectRef
from .base import VTObject
from .coerce import as_dict, as_list, as_str, one_line, str_list
from .fields import Date, Int, Str, StrDict, StrList
from .pivots import HOST, NETWORK, Pivot, pivot, pivot_ref

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

    # pivots: where an analyst goes next from the page -----------------------------------

    @property
    def final_url_pivot(self) -> Pivot:
        return pivot(self.final_url, "url")

    @property
    def redirection_pivots(self) -> list[Pivot]:
        return [pivot(u, "url") for u in self.redirection_chain]

    @property
    def outgoing_link_pivots(self) -> list[Pivot]:
        return [pivot(u, *NETWORK) for u in self.outgoing_links]

    @property
    def tracker_pivots(self) -> list[Pivot]:
        """The tracker URLs, in the order of :attr:`trackers`."""
        return [pivot(url, *NETWORK) for _name, _id, url in self.trackers]

    @property
    def body_ref(self) -> ObjectRef | None:
        """The file VirusTotal stored as the page's body (by its SHA-256)."""
        sha = self.content_sha256.strip()
        return ObjectRef("file", sha.lower()) if is_url_sha256_id(sha) else None

    @property
    def network_location_ref(self) -> ObjectRef | None:
        """The domain or IP the URL lives on: the embedded relationship, else the URL's host."""
        for ref in self.relationship_descriptors("network_location"):
            if ref.type in HOST:
                return pivot_ref(ref.id, ref.type)  # ids in replies are untrusted too
        url = self.url
        if "://" not in url:
            return None
        rest = url.split("://", 1)[1]
        for sep in "/?#\\":
            rest = rest.split(sep, 1)[0]
        host = rest.rpartition("@")[2]
        if host.startswith("["):
            host = host[1:].split("]", 1)[0]
        elif host.count(":") == 1:
            host = host.split(":", 1)[0]
        return pivot_ref(host, *HOST)
