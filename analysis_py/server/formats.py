"""JSON by default, CSV on request (`?format=csv` or `Accept: text/csv`), with spreadsheet-safe cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from analysis_py.formatting import spreadsheet_safe

__all__ = ["csv_cell", "csv_response", "wants_csv"]


def wants_csv(request: Request) -> bool:
    """`?format=csv`, or an Accept header that asks for text/csv (and not JSON first)."""
    chosen = request.query_params.get("format")
    if chosen:
        return chosen == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept.split("text/csv")[0]


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: lists joined by `;`, None empty, text that looks like a formula quoted with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        value = ";".join(str(item) for item in value)
    return spreadsheet_safe(value) if isinstance(value, str) else value


def csv_response(
    columns: Sequence[str], rows: Iterable[Sequence[Any] | Mapping[str, Any]], filename: str
) -> Response:
    """A CSV download of `rows` (tuples in `columns` order, or dicts keyed by them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(name) for name in columns])
    for row in rows:
        values = [row.get(name) for name in columns] if isinstance(row, Mapping) else row
        writer.writerow([csv_cell(value) for value in values])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
