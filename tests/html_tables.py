"""Tables and elements of an HTML document, read with the standard library's parser."""

from __future__ import annotations

from html.parser import HTMLParser


class Document(HTMLParser):
    """The tables (rows of cell texts), every start tag with its attributes, and the title."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.elements: list[tuple[str, dict]] = []
        self.title = ""
        self._cell: list[str] | None = None
        self._in_title = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_title:
            self.title += data

    def tags(self, name: str) -> list[dict]:
        """The attributes of every ``name`` element."""
        return [attrs for tag, attrs in self.elements if tag == name]
