"""HTML pages and HTML fragments (bs4 + lxml): headings build the section path, rows stay whole."""

from __future__ import annotations

from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from assistant.types import Passage, PassageKind

from .common import SectionPath, clean_inline, join_cells, make_passage, strip_bullet

_DROP = ("script", "style", "nav", "noscript", "template", "svg", "iframe", "head")
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "body",
    "html",
    "header",
    "footer",
    "aside",
    "blockquote",
    "figure",
    "figcaption",
    "form",
    "fieldset",
    "details",
    "summary",
    "dl",
    "dt",
    "dd",
    "address",
    "center",
    "pre",
    "hr",
}
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


@dataclass(frozen=True)
class Block:
    kind: PassageKind
    text: str
    level: int = 0  # heading level, 0 for other blocks


class _Walker:
    """Walks a tree in document order, turning block elements into ``Block``s."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._buf: list[str] = []
        self._kind: PassageKind = "paragraph"

    def flush(self) -> None:
        text = clean_inline("".join(self._buf))
        self._buf = []
        if self._kind == "list_item":
            text = strip_bullet(text)
        if text:
            self.blocks.append(Block(self._kind, text))

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, _NOT_TEXT):
                    self._buf.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in _HEADINGS:
                self.flush()
                text = clean_inline(child.get_text(" "))
                if text:
                    self.blocks.append(Block("heading", text, _HEADINGS[name]))
            elif name == "table":
                self.flush()
                self._table(child)
            elif name == "li":
                self.flush()
                outer, self._kind = self._kind, "list_item"
                self.walk(child)
                self.flush()
                self._kind = outer
            elif name in ("ul", "ol") or name in _BLOCKS:
                self.flush()
                self.walk(child)
                self.flush()
            elif name == "br":
                self._buf.append("\n")
            else:  # inline element: its text joins the current block
                self.walk(child)

    def _table(self, table: Tag) -> None:
        for row in table.find_all("tr"):
            if row.find_parent("table") is not table:
                continue  # a row of a nested table: it is read as part of its cell
            cells = [cell_text(cell) for cell in row.find_all(["td", "th"], recursive=False)]
            text = join_cells(cells)
            if text:
                self.blocks.append(Block("table_row", text))


def cell_text(node: Tag) -> str:
    """The text of one table cell: each paragraph and list item on its own line."""
    walker = _Walker()
    walker.walk(node)
    walker.flush()
    return "\n".join(block.text for block in walker.blocks)


def blocks_of(soup: Tag) -> list[Block]:
    for tag in soup.find_all(_DROP):
        tag.decompose()
    walker = _Walker()
    walker.walk(soup)
    walker.flush()
    return walker.blocks


def fragment_blocks(fragment: str) -> list[Block]:
    """Blocks of an HTML fragment found inside a text file (``<p>..</p> <ul><li>..</li></ul>``)."""
    return blocks_of(BeautifulSoup(fragment, "lxml"))


def fragment_text(fragment: str) -> str:
    """An HTML fragment as clean text, one paragraph or list item a line (for table cells)."""
    return "\n".join(block.text for block in fragment_blocks(fragment))


def load_html(data: bytes) -> tuple[str | None, list[Passage]]:
    """Title and passages of an HTML page (bs4 reads the charset from a BOM or <meta>)."""
    soup = BeautifulSoup(data, "lxml")
    title_tag = soup.find("title")
    title = clean_inline(title_tag.get_text(" ")) if title_tag else ""
    blocks = blocks_of(soup)
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    section = SectionPath()
    passages: list[Passage] = []
    for block in blocks:
        path = section.enter(block.level, block.text) if block.kind == "heading" else section.path
        passage = make_passage(block.text, None, path, block.kind)
        if passage:
            passages.append(passage)
    return title or None, passages
