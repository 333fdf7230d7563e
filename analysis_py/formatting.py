"""Text for people: the one money format of the report, the charts and the comparisons, and
untrusted text (workbook cells, file names) made safe to print."""
from __future__ import annotations

import re

__all__ = ["money", "printable", "spreadsheet_safe"]

#: C0 and C1 control characters, DEL, and Unicode line/paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
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


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet will not run: one starting like a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text
