"""Text for people: the one money format of the report, the charts and the comparisons,
untrusted text (workbook cells, file names) made safe to print or to show in Markdown, and
query results as aligned text, Markdown, CSV or JSON (`wage sql`)."""

from __future__ import annotations

import csv
import html
import io
import json
import math
import numbers
import re
from collections.abc import Sequence
from typing import Any

__all__ = [
    "cell_text",
    "csv_text",
    "json_text",
    "markdown_literal",
    "markdown_table",
    "money",
    "printable",
    "spreadsheet_safe",
    "text_table",
]

Rows = Sequence[Sequence[Any]]

#: C0 and C1 control characters, DEL, and Unicode line/paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: What Python-Markdown (with tables) reads as inline syntax: escaped with a backslash.
_MARKDOWN_INLINE = re.compile(r"[\\`*_\[\]|!#]")
#: What a spreadsheet reads as a formula at the start of a cell (OWASP's CSV injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def money(value: float | None) -> str:
    """-$1,235 / $73,737 (whole dollars); 'n/a' for None."""
    if value is None:
        return "n/a"
    return f"{'-' if value < 0 else ''}${abs(value):,.0f}"


def printable(text: str) -> str:
    """`text` on one line with every control character shown escaped: 'a\\nb' for a newline, '\\x1b' for ESC."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def markdown_literal(value: object) -> str:
    """Untrusted text (workbook titles, file names...) shown literally in Markdown and in its HTML.

    Control characters are shown escaped (a newline cannot start a new Markdown line), HTML
    is escaped (no tag, no `is_<column>` swallowed), and Markdown's inline syntax is
    backslash-escaped (no link, image, emphasis or code span made from a workbook cell), so
    the text is safe in running text and inside a table cell alike.
    """
    text = html.escape(printable(str(value)), quote=False)
    return _MARKDOWN_INLINE.sub(r"\\\g<0>", text)


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet will not run: one starting like a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def cell_text(value: Any) -> str:
    """A query cell as DuckDB holds it: NULL, true/false, floats in full (1e-09), integers as integers, text escaped."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    return printable(repr(value) if isinstance(value, float) else str(value))


def _numeric(rows: Rows, index: int) -> bool:
    """True when column `index` holds only numbers (and NULLs): it is right-aligned."""
    values = [row[index] for row in rows if row[index] is not None]
    return bool(values) and all(
        isinstance(value, numbers.Number) and not isinstance(value, bool) for value in values
    )


def text_table(columns: Sequence[str], rows: Rows) -> str:
    """Aligned columns under a rule of dashes; numeric columns right-aligned."""
    cells = [[cell_text(value) for value in row] for row in rows]
    names = [printable(name) for name in columns]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(names)]
    right = [_numeric(rows, i) for i in range(len(names))]

    def line(values: list[str]) -> str:
        return "  ".join(
            value.rjust(w) if r else value.ljust(w)
            for value, w, r in zip(values, widths, right, strict=True)
        ).rstrip()

    return "\n".join(
        [line(names), "  ".join("-" * w for w in widths)] + [line(row) for row in cells]
    )


def markdown_table(columns: Sequence[str], rows: Rows) -> str:
    """A GitHub-flavoured Markdown table (`|` in cells escaped); numeric columns right-aligned."""

    def line(values: list[str]) -> str:
        return "| " + " | ".join(value.replace("|", "\\|") for value in values) + " |"

    rule = "|" + "|".join("---:" if _numeric(rows, i) else "---" for i in range(len(columns))) + "|"
    return "\n".join(
        [line([printable(name) for name in columns]), rule]
        + [line([cell_text(value) for value in row]) for row in rows]
    )


def csv_text(columns: Sequence[str], rows: Rows) -> str:
    """CSV with a header; NULL as an empty cell; text escaped and spreadsheet-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([spreadsheet_safe(printable(name)) for name in columns])
    writer.writerows(
        [("" if value is None else spreadsheet_safe(cell_text(value))) for value in row]
        for row in rows
    )
    return buffer.getvalue()


def json_text(columns: Sequence[str], rows: Rows) -> str:
    """A JSON array of row objects, one row per line; NaN and infinities as null, dates as ISO text."""
    names = [printable(name) for name in columns]
    return (
        "["
        + ",\n".join(
            json.dumps(dict(zip(names, map(_json_value, row), strict=True))) for row in rows
        )
        + "]"
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, numbers.Number):  # Decimal
        return _json_value(float(value))
    return str(value.isoformat() if hasattr(value, "isoformat") else value)
