"""BLS's SOC crosswalks and the OES May 2019 hybrid structure, as tidy dbt seeds.

The sources are BLS's own reference files, committed in data/soc/ under their own names
(read-only here). Each has title lines above its header row, codes with stray spaces, and
(the SOC 2000 -> 2010 crosswalk) an empty line under its header: the seeds hold one
trimmed row per code pair, with the columns named for their SOC edition. `wage soc-seed`
rewrites the seeds from the files, and a test checks that the two agree.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from analysis_py.errors import InputError
from analysis_py.files import write_text_atomic

__all__ = [
    "SOC_SEEDS",
    "SocSeed",
    "SocSeedSource",
    "soc_seed_rows",
    "soc_seed_text",
    "write_soc_seeds",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SocSeedSource:
    """Where one seed comes from: a BLS file, its sheet and header row, the columns kept."""

    seed: str  # seed name, seeds/<seed>.csv
    source_file: str  # BLS's file name, in data/soc/
    sheet: str
    header_row: int  # 1-based, as the sheet shows it
    columns: tuple[tuple[str, str], ...]  # (BLS header, trimmed) -> seed column


#: The three seeds, in the order `wage soc-seed` writes them.
SOC_SEEDS: tuple[SocSeedSource, ...] = (
    SocSeedSource(
        seed="soc_2000_to_2010_crosswalk",
        source_file="soc_2000_to_2010_crosswalk.xls",
        sheet="sort by SOC 2000",
        header_row=7,
        columns=(
            ("2000 SOC code", "soc_2000_code"),
            ("2000 SOC title", "soc_2000_title"),
            ("2010 SOC code", "soc_2010_code"),
            ("2010 SOC title", "soc_2010_title"),
        ),
    ),
    SocSeedSource(
        seed="soc_2010_to_2018_crosswalk",
        source_file="soc_2010_to_2018_crosswalk.xlsx",
        sheet="Sorted by 2010",
        header_row=9,
        columns=(
            ("2010 SOC Code", "soc_2010_code"),
            ("2010 SOC Title", "soc_2010_title"),
            ("2018 SOC Code", "soc_2018_code"),
            ("2018 SOC Title", "soc_2018_title"),
        ),
    ),
    SocSeedSource(
        seed="oes_2019_hybrid_structure",
        source_file="oes_2019_hybrid_structure.xlsx",
        sheet="OES2019 Hybrid",
        header_row=6,
        columns=(
            ("OES 2019 Estimates Code", "oes_2019_code"),
            ("OES 2019 Estimates Title", "oes_2019_title"),
            ("2018 SOC Code", "soc_2018_code"),
            ("2018 SOC Title", "soc_2018_title"),
            ("OES 2018 Estimates Code", "oes_2018_code"),
            ("OES 2018 Estimates Title", "oes_2018_title"),
            ("2010 SOC Code", "soc_2010_code"),
            ("2010 SOC Title", "soc_2010_title"),
            ("NOTES", "notes"),
        ),
    ),
)


@dataclass(frozen=True)
class SocSeed:
    """One seed written: its file, rows, and how many distinct codes each side holds."""

    seed: str
    path: Path
    source_file: str
    n_rows: int
    n_from_codes: int  # distinct codes of the first code column
    n_to_codes: int  # distinct codes of the second code column

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "path": str(self.path)}


def _cell(value: object) -> str:
    """A cell as trimmed text ('' for an empty cell)."""
    return "" if value is None else str(value).strip()


def soc_seed_rows(source: SocSeedSource, folder: Path) -> list[dict[str, str]]:
    """The rows of one seed, read from BLS's file in `folder`: trimmed text, empty lines dropped."""
    import fastexcel  # here, not at import: a run with nothing to do never loads a reader

    path = folder / source.source_file
    try:
        sheet = fastexcel.read_excel(path).load_sheet(
            source.sheet, header_row=source.header_row - 1, dtypes="string"
        )
    except (OSError, fastexcel.FastExcelError) as exc:
        raise InputError(str(path), f"cannot read sheet {source.sheet!r}: {exc}") from None
    table = {_cell(name): column for name, column in sheet.to_arrow().to_pydict().items()}
    missing = [header for header, _ in source.columns if header not in table]
    if missing:
        raise InputError(str(path), f"no column {', '.join(missing)} on row {source.header_row}")
    rows = [
        {seed_column: _cell(table[header][index]) for header, seed_column in source.columns}
        for index in range(sheet.height)
    ]
    return [row for row in rows if any(row.values())]


def soc_seed_text(source: SocSeedSource, rows: list[dict[str, str]]) -> str:
    """The CSV text of seeds/<seed>.csv."""
    out = io.StringIO()
    writer = csv.DictWriter(out, [column for _, column in source.columns], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _code_columns(source: SocSeedSource) -> tuple[str, str]:
    codes = [column for _, column in source.columns if column.endswith("_code")]
    return codes[0], codes[1]


def write_soc_seeds(source_folder: Path, seeds_folder: Path) -> list[SocSeed]:
    """Rewrite every SOC seed from BLS's files in `source_folder`; what each holds."""
    written = []
    for source in SOC_SEEDS:
        rows = soc_seed_rows(source, source_folder)
        path = seeds_folder / f"{source.seed}.csv"
        write_text_atomic(path, soc_seed_text(source, rows))
        first, second = _code_columns(source)
        seed = SocSeed(
            seed=source.seed,
            path=path,
            source_file=source.source_file,
            n_rows=len(rows),
            n_from_codes=len({row[first] for row in rows}),
            n_to_codes=len({row[second] for row in rows}),
        )
        logger.info(
            "soc seed: %s: %d rows (%d -> %d codes) from %s",
            path,
            seed.n_rows,
            seed.n_from_codes,
            seed.n_to_codes,
            source.source_file,
        )
        written.append(seed)
    return written
