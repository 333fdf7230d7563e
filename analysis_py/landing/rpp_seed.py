"""BEA's Regional Price Parities (RPP) for states and metropolitan areas, as one tidy dbt seed.

The sources are BEA's own downloads, committed in data/bea/ under their own names
(read-only here): one row per area x line, one column per year, quoted cells with leading
spaces, "(NA)" where BEA has no figure, and four note lines at the end (the third says
when BEA last updated the table). The seed holds one row per file x area x component x
year. Lines are matched on BEA's description, not only on LineCode: BEA has numbered them
differently in other releases. `wage rpp-seed` rewrites the seed from the files, and a
test checks that the two agree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from analysis_py.errors import InputError
from analysis_py.files import write_text_atomic

__all__ = [
    "COMPONENTS",
    "RPP_SEED",
    "RPP_SOURCE_FILES",
    "RppValue",
    "rpp_seed_text",
    "rpp_values",
    "write_rpp_seed",
]

logger = logging.getLogger(__name__)

#: BEA's files, in the order the seed lists them: state table SARPP, metropolitan table MARPP.
RPP_SOURCE_FILES = ("SARPP_STATE_2008_2024.csv", "MARPP_MSA_2008_2024.csv")
#: The seed's name (seeds/<name>.csv).
RPP_SEED = "regional_price_parities"
#: BEA's line description (trimmed, lower case) -> the seed's component.
COMPONENTS = {
    "rpps: all items": "all items",
    "rpps: goods": "goods",
    "rpps: services: housing": "housing",
    "rpps: services: utilities": "utilities",
    "rpps: services: other": "other services",
}
_ID_COLUMNS = ("GeoFIPS", "GeoName", "LineCode", "Description")
_UPDATED = re.compile(r"Last updated:\s*([A-Z][a-z]+ \d{1,2}, \d{4})")
_SEED_COLUMNS = (
    "geo_fips",
    "geo_name",
    "geography",
    "line_code",
    "component",
    "rpp_year",
    "rpp",
    "source_file",
    "release_date",
)


@dataclass(frozen=True)
class RppValue:
    """One RPP: an area's price level for one component and year, U.S. = 100."""

    geo_fips: str  # BEA's GeoFIPS: "06000" a state, a CBSA code, "00000" the nation
    geo_name: str
    geography: str  # nation, state, metropolitan or nonmetropolitan portion
    line_code: int
    component: str
    rpp_year: int
    rpp: float
    source_file: str
    release_date: dt.date

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _geography(geo_fips: str) -> str:
    """What a GeoFIPS names in BEA's RPP tables."""
    if geo_fips == "00000":
        return "nation"
    if geo_fips == "00999":
        return "nonmetropolitan portion"  # the U.S. outside every metropolitan area
    if geo_fips.endswith("000"):
        return "state"  # state FIPS x 1000; no CBSA code ends in 000
    return "metropolitan"


def _release_date(notes: list[list[str]], path: Path) -> dt.date:
    for note in notes:
        found = _UPDATED.search(" ".join(note))
        if found:
            return dt.datetime.strptime(found.group(1), "%B %d, %Y").date()
    raise InputError(str(path), "no 'Last updated: <date>' note line after the data")


def rpp_values(path: Path) -> list[RppValue]:
    """Every published RPP of one BEA file; InputError naming the file for a line it cannot place."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read: {exc}") from None
    rows = [row for row in csv.reader(io.StringIO(text), skipinitialspace=True) if row]
    header = [cell.strip() for cell in rows[0]] if rows else []
    missing = [column for column in _ID_COLUMNS if column not in header]
    if missing:
        raise InputError(str(path), f"no column {', '.join(missing)} in the header line")
    years = [(index, int(name)) for index, name in enumerate(header) if name.isdigit()]
    # the data lines have a cell per column; the note lines under them have one
    data = [row for row in rows[1:] if len(row) == len(header)]
    notes = rows[1 + len(data) :]
    if any(len(row) == len(header) for row in notes):
        raise InputError(str(path), "a note line sits between data lines")
    released = _release_date(notes, path)
    column = {name: header.index(name) for name in _ID_COLUMNS}
    values = []
    for row in data:
        description = row[column["Description"]].strip()
        component = COMPONENTS.get(description.lower())
        if component is None:
            raise InputError(str(path), f"line {description!r} is not one of BEA's RPP lines")
        geo_fips = row[column["GeoFIPS"]].strip()
        values += [
            RppValue(
                geo_fips=geo_fips,
                geo_name=row[column["GeoName"]].strip(),
                geography=_geography(geo_fips),
                line_code=int(row[column["LineCode"]]),
                component=component,
                rpp_year=year,
                rpp=float(row[index]),
                source_file=path.name,
                release_date=released,
            )
            for index, year in years
            if row[index].strip() != "(NA)"  # BEA has no figure: no row, never a zero
        ]
    return values


def rpp_seed_text(values: list[RppValue]) -> str:
    """The CSV text of seeds/regional_price_parities.csv."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_SEED_COLUMNS)
    for value in values:
        row = value.to_dict()
        row["rpp"] = f"{value.rpp:.3f}"  # as BEA prints it
        writer.writerow([row[name] for name in _SEED_COLUMNS])
    return out.getvalue()


def write_rpp_seed(source_folder: Path, seeds_folder: Path) -> list[RppValue]:
    """Rewrite the RPP seed from BEA's files in `source_folder`; the values written."""
    values = [value for name in RPP_SOURCE_FILES for value in rpp_values(source_folder / name)]
    path = seeds_folder / f"{RPP_SEED}.csv"
    write_text_atomic(path, rpp_seed_text(values))
    logger.info(
        "rpp seed: %s: %d values, %d areas, %d-%d, from %s (BEA, released %s)",
        path,
        len(values),
        len({(value.source_file, value.geo_fips) for value in values}),
        min(value.rpp_year for value in values),
        max(value.rpp_year for value in values),
        " and ".join(RPP_SOURCE_FILES),
        values[0].release_date,
    )
    return values
