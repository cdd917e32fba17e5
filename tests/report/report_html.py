"""Inspect a rendered report: what it would load, its images, its headings and its links."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Tags whose URL attributes a browser fetches on its own (as opposed to <a> links a reader clicks).
LOADING = {"img": "src", "script": "src", "link": "href", "iframe": "src", "source": "src", "video": "src",
           "audio": "src", "embed": "src", "object": "data", "image": "href", "use": "href", "track": "src",
           "input": "src", "frame": "src"}


@dataclass
class Page(HTMLParser):
    loaded: list[tuple[str, str]] = field(default_factory=list)  # (tag, url) of every resource the page loads
    images: list[bytes] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    _heading: str | None = None
    _in_style: bool = False

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag in LOADING and attrs.get(LOADING[tag]):
            url = attrs[LOADING[tag]]
            self.loaded.append((tag, url))
            if tag == "img" and url.startswith("data:image/png;base64,"):
                self.images.append(base64.b64decode(url.split(",", 1)[1]))
        for name, value in attrs.items():
            if name == "style" and value:
                self.styles.append(value)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("h1", "h2", "h3"):
            self._heading = ""
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append(self._heading.strip())
            self._heading = None
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data
        if self._in_style:
            self.styles.append(data)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser
