"""Split sanitised section HTML into the blocks a reader sees, for the redline.

Paragraphs and headings are blocks; each list item is a block that knows its list, depth
and number (``<ol start>`` respected); a table is one block of rows of cells. Inline text is
kept as runs that remember their link target and emphasis, so a redline can put them back.
The input is our own sanitised HTML (notices.rendering), so a small parser is enough.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_BLOCKS = {"p", "h3", "h4", "h5", "h6", "pre"}
MARKS = {"strong", "em", "code", "sub", "sup"}
SPACE_RE = re.compile(r"[ \t\r\n\f\v]+")


@dataclass(frozen=True)
class Run:
    text: str  # "\n" is a line break
    href: str = ""
    marks: tuple[str, ...] = ()


@dataclass
class Cell:
    runs: list[Run] = field(default_factory=list)
    header: bool = False

    @property
    def text(self) -> str:
        return runs_text(self.runs)


@dataclass
class Block:
    kind: str  # p, h3…h6, pre, li, table, hr
    runs: list[Run] = field(default_factory=list)
    number: int | None = None  # an ordered list item's number
    list_tag: str = ""  # "ol" or "ul" for a list item
    depth: int = 0
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return runs_text(self.runs)

    @property
    def key(self) -> tuple:
        """What must be equal for two blocks to count as unchanged (link targets included)."""
        if self.kind == "table":
            return ("table", tuple(tuple((c.text, tuple(c.runs)) for c in row) for row in self.rows))
        return (self.kind, self.list_tag, self.depth, tuple(self.runs))


def runs_text(runs: list[Run]) -> str:
    return "".join(" " if r.text == "\n" else r.text for r in runs).strip()


def _tidy(runs: list[Run]) -> list[Run]:
    """Collapse whitespace as a browser would, and trim the ends."""
    out = []
    for run in runs:
        text = run.text if run.text == "\n" else SPACE_RE.sub(" ", run.text)
        if not text:
            continue
        if out and out[-1].href == run.href and out[-1].marks == run.marks and "\n" not in (text, out[-1].text):
            out[-1] = Run(out[-1].text + text, run.href, run.marks)
        else:
            out.append(Run(text, run.href, run.marks))
    if out and out[0].text != "\n":
        out[0] = Run(out[0].text.lstrip(), out[0].href, out[0].marks)
    if out and out[-1].text != "\n":
        out[-1] = Run(out[-1].text.rstrip(), out[-1].href, out[-1].marks)
    return [r for r in out if r.text]


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.lists: list[list] = []  # [tag, counter]
        self.table: Block | None = None
        self.cell: Cell | None = None
        self.hrefs: list[str] = []
        self.marks: list[str] = []

    # where text goes
    def _sink(self) -> list[Run]:
        if self.cell is not None:
            return self.cell.runs
        if self.current is None:
            self.current = Block("p")
        return self.current.runs

    def _finish(self):
        if self.current is not None:
            self.current.runs = _tidy(self.current.runs)
            if self.current.runs:
                self.blocks.append(self.current)
            self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in TEXT_BLOCKS and self.cell is None:
            if self.current is not None and self.current.kind == "li":
                return  # a paragraph inside a list item is part of the item
            self._finish()
            self.current = Block(tag)
        elif tag in ("ul", "ol"):
            self._finish()
            start = attrs.get("start") or "1"
            # ASCII digits only: an editor's raw <ol start="²"> passes isdigit(), not int().
            self.lists.append([tag, (int(start) if start.isascii() and start.isdigit() else 1) - 1])
        elif tag == "li":
            self._finish()
            if not self.lists:
                self.lists.append(["ul", 0])
            self.lists[-1][1] += 1
            tag_name, counter = self.lists[-1]
            self.current = Block(
                "li", number=counter if tag_name == "ol" else None, list_tag=tag_name, depth=len(self.lists)
            )
        elif tag == "table":
            self._finish()
            self.table = Block("table")
        elif tag == "tr" and self.table is not None:
            self.table.rows.append([])
        elif tag in ("td", "th") and self.table is not None:
            if not self.table.rows:
                self.table.rows.append([])
            self.cell = Cell(header=tag == "th")
            self.table.rows[-1].append(self.cell)
        elif tag == "a":
            self.hrefs.append(attrs.get("href") or "")
        elif tag in MARKS:
            self.marks.append(tag)
        elif tag == "br":
            self._sink().append(Run("\n", self._href(), tuple(self.marks)))
        elif tag == "hr":
            self._finish()
            self.blocks.append(Block("hr"))

    def handle_endtag(self, tag):
        if tag in TEXT_BLOCKS and self.cell is None:
            if self.current is not None and self.current.kind == "li":
                self.current.runs.append(Run(" "))
                return
            self._finish()
        elif tag == "li":
            self._finish()
        elif tag in ("ul", "ol"):
            self._finish()
            if self.lists:
                self.lists.pop()
        elif tag in ("td", "th") and self.cell is not None:
            self.cell.runs = _tidy(self.cell.runs)
            self.cell = None
        elif tag == "table" and self.table is not None:
            self.blocks.append(self.table)
            self.table = None
        elif tag == "a" and self.hrefs:
            self.hrefs.pop()
        elif tag in MARKS and self.marks:
            self.marks.pop()

    def _href(self) -> str:
        return self.hrefs[-1] if self.hrefs else ""

    def handle_data(self, data):
        if self.table is not None and self.cell is None:
            return  # whitespace between rows and cells
        if self.current is None and self.cell is None and not data.strip():
            return
        self._sink().append(Run(data, self._href(), tuple(self.marks)))

    def close(self):
        super().close()
        self._finish()


def blocks(html: str) -> list[Block]:
    parser = _Parser()
    parser.feed(html or "")
    parser.close()
    return parser.blocks
