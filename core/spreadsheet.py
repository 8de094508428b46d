"""CSV for regulators and spreadsheets: rows streamed as they are written, and cells that a
spreadsheet will show as text, never run as a formula (CSV injection)."""

import csv
from collections.abc import Iterable, Iterator

# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


class Echo:
    """A file-like object whose write() returns the line, for streaming responses."""

    def write(self, value):
        return value


def stream(header: list[str], rows: Iterable[list[str]], *, lineterminator: str = "\r\n") -> Iterator[str]:
    """The header, then each row, as CSV text, one line at a time (cells made safe here)."""
    writer = csv.writer(Echo(), lineterminator=lineterminator)
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])
