"""The release year a workbook states about itself, checked against its file name and `--year`.

BLS names the data sheet after the release (`national_M2024_dl`) and opens its Field
Descriptions sheet with "May 2024 OEWS Estimates". A workbook whose own year says
otherwise than its file name or `--year` would land under the wrong release, so it is
refused, naming both years.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis_py.bls import release_year_from_name
from analysis_py.errors import InputError

__all__ = ["StatedYear", "check_release_year", "stated_release_years"]

logger = logging.getLogger(__name__)
FirstRows = Callable[[str, int], Sequence[Sequence[object]]]

#: How many rows of the Field Descriptions sheet are searched for "May <year>".
_DESCRIPTION_ROWS = 10
_MAY_YEAR = re.compile(r"\bMay\s+((?:19|20)\d\d)\b", flags=re.IGNORECASE)


@dataclass(frozen=True)
class StatedYear:
    """A release year the workbook states, and where (said to users)."""

    year: int
    where: str

    def to_dict(self) -> dict[str, object]:
        return {"year": self.year, "where": self.where}


def _field_descriptions_year(
    path: Path, sheet_names: Sequence[str], first_rows: FirstRows
) -> StatedYear | None:
    """The "May <year>" in the first rows of the Field Descriptions sheet, if any."""
    name = next(
        (sheet for sheet in sheet_names if sheet.strip().lower() == "field descriptions"), None
    )
    if name is None:
        return None
    try:
        rows = first_rows(name, _DESCRIPTION_ROWS)
    except InputError as exc:  # the data sheet was read already; this sheet only adds a check
        logger.debug("%s: Field Descriptions not read (%s)", path.name, exc)
        return None
    for row in rows:
        for value in row:
            if value and (match := _MAY_YEAR.search(str(value))):
                return StatedYear(
                    int(match.group(1)), f"its {name!r} sheet says {match.group(0)!r}"
                )
    return None


def stated_release_years(
    path: Path, data_sheet: str, sheet_names: Sequence[str], first_rows: FirstRows
) -> list[StatedYear]:
    """The years the workbook states about itself: its data sheet's name, its Field Descriptions.

    `first_rows(sheet, n)`: the values of a sheet's first n rows (the reader's bounded read).
    """
    stated = []
    if (year := release_year_from_name(data_sheet)) is not None:
        stated.append(StatedYear(year, f"its data sheet is named {data_sheet!r}"))
    if (described := _field_descriptions_year(path, sheet_names, first_rows)) is not None:
        stated.append(described)
    return stated


def check_release_year(
    path: Path, release_year: int, year_given: int | None, stated: Sequence[StatedYear]
) -> None:
    """InputError when the file name, `--year` or the workbook's own year disagree."""
    by_name = release_year_from_name(path.name)
    claimed = (
        f"--year says {year_given}"
        if year_given is not None
        else f"its file name says release {by_name}"
    )
    if year_given is not None and by_name is not None and by_name != year_given:
        raise InputError(
            str(path),
            f"its file name says release {by_name}, but --year says {year_given}: "
            "pass the year of the file (or rename a mislabelled file)",
        )
    for own in stated:
        if own.year != release_year:
            raise InputError(
                str(path),
                f"{own.where} (release {own.year}), but {claimed}: "
                f"refused, so that the May {own.year} estimates do not land as release {release_year}",
            )
