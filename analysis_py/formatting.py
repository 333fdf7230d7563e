"""Numbers for people: the one money format of the report, the charts and the comparisons."""
from __future__ import annotations

__all__ = ["money"]


def money(value: float | None) -> str:
    """-$1,235 / $73,737 (whole dollars); 'n/a' for None."""
    if value is None:
        return "n/a"
    return f"{'-' if value < 0 else ''}${abs(value):,.0f}"
