"""Every layout BLS has published since 2019, side by side in one warehouse, one `wage run`.

The real state and national 2025 workbooks, plus workbooks written here in older
layouts from the real rows: a 2019 state file with lower-case headers and without
PRIM_STATE and PCT_RPT, numbers as text with thousands separators; a 2024 state file
with extra sheets; a 2019 metropolitan file; a 2025 national industry (sector) file with
`~`; a 2025 all-data file repeating state rows (and one row twice).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pytest

from analysis_py.config import Settings
from tests.conftest import (
    HEADER,
    NATIONAL_WORKBOOK,
    STATE_WORKBOOK,
    bls_row,
    settings_in,
    wage_run,
    write_workbook,
)

pytestmark = pytest.mark.slow

#: Areas of the real state workbook copied into the synthetic 2019 and 2024 files.
AREAS_2019 = ("1", "6", "72")
AREAS_2024 = ("1", "6")


@dataclass(frozen=True)
class Layouts:
    """The built warehouse and the rows written into each workbook, by file kind and release."""

    settings: Settings
    rows: dict[tuple[str, int], list[dict[str, object]]]


def query(settings: Settings, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def upper_row(cells: dict[str, object]) -> dict[str, object]:
    return {name.upper(): value for name, value in cells.items()}


def top_coded_at(cells: dict[str, object], hourly: float, annual: float) -> dict[str, object]:
    """`cells` as a release with this bound prints them: a percentile at or above it is `#`
    (BLS publishes no percentile at or above its release's bound; the build checks it)."""
    printed = dict(cells)
    for name, value in cells.items():
        if name.upper().startswith(("H_PCT", "H_MEDIAN", "A_PCT", "A_MEDIAN")):
            bound = hourly if name.upper().startswith("H_") else annual
            try:
                number = float(str(value).replace(",", ""))
            except ValueError:
                continue
            if number >= bound:
                printed[name] = "#"
    return printed


def with_separators(value: object) -> object:
    """2113660 -> '2,113,660' (text, as some releases print numbers)."""
    return (
        f"{int(float(value)):,}"
        if isinstance(value, (int, float)) or str(value).isdigit()
        else value
    )


def read_national() -> list[dict[str, object]]:
    book = openpyxl.load_workbook(NATIONAL_WORKBOOK, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(name).lower() for name in next(rows)]
        return [dict(zip(header, values, strict=False)) for values in rows]
    finally:
        book.close()


@pytest.fixture(scope="module")
def layouts(
    tmp_path_factory: pytest.TempPathFactory, workbook_cells: dict[int, dict[str, object]]
) -> Layouts:
    folder = tmp_path_factory.mktemp("layouts")
    state = list(workbook_cells.values())
    rows: dict[tuple[str, int], list[dict[str, object]]] = {
        ("state", 2025): state,
        ("national", 2025): read_national(),
    }
    paths = [
        Path(shutil.copy(STATE_WORKBOOK, folder)),
        Path(shutil.copy(NATIONAL_WORKBOOK, folder)),
    ]

    # 2019: lower-case headers, no PRIM_STATE or PCT_RPT, employment as text with separators
    old_header = [name for name in HEADER if name not in ("PRIM_STATE", "PCT_RPT")]
    rows[("state", 2019)] = [
        top_coded_at(
            {**upper_row(cells), "TOT_EMP": with_separators(cells["tot_emp"])}, 100, 208_000
        )
        for cells in state
        if str(cells["area"]) in AREAS_2019
    ]
    paths.append(
        write_workbook(
            folder / "state_M2019_dl.xlsx",
            rows[("state", 2019)],
            header=old_header,
            lower_case=True,
        )
    )

    # 2024: the same areas with 2% less employment, extra sheets after the data
    rows[("state", 2024)] = [
        top_coded_at(
            {
                **upper_row(cells),
                "TOT_EMP": round(float(cells["tot_emp"]) * 0.98, -1)
                if str(cells["tot_emp"]).replace(".", "").isdigit()
                else cells["tot_emp"],
            },
            115,
            239_200,
        )
        for cells in state
        if str(cells["area"]) in AREAS_2024
    ]
    paths.append(
        write_workbook(
            folder / "state_M2024_dl.xlsx",
            rows[("state", 2024)],
            sheet_name="state_M2024_dl",
            extra_sheets=["Field Descriptions", "UpdateTime", "Filler"],
        )
    )

    # 2019 metropolitan and nonmetropolitan areas: no PRIM_STATE, a code with a leading zero
    msa = []
    for area, title, area_type in (
        ("10180", "Abilene, TX", 4),
        ("10900", "Allentown-Bethlehem-Easton, PA-NJ", 4),
        ("0100001", "Northwest Alabama nonmetropolitan area", 6),
    ):
        msa += [
            bls_row(AREA=area, AREA_TITLE=title, AREA_TYPE=area_type, PRIM_STATE=None),
            bls_row(
                AREA=area,
                AREA_TITLE=title,
                AREA_TYPE=area_type,
                PRIM_STATE=None,
                OCC_CODE="11-1011",
                OCC_TITLE="Chief Executives",
                O_GROUP="detailed",
                TOT_EMP=50,
            ),
        ]
    rows[("msa", 2019)] = msa
    paths.append(
        write_workbook(folder / "MSA_M2019_dl.xlsx", msa, header=old_header, lower_case=True)
    )

    # 2024 national: a code BLS aggregates to the broad level, listed as broad and as detailed
    nation = dict(AREA=99, AREA_TITLE="U.S.", AREA_TYPE=1, PRIM_STATE="US")
    rows[("national", 2024)] = [
        bls_row(**nation),
        *(
            bls_row(
                **nation,
                OCC_CODE="13-2020",
                OCC_TITLE="Property Appraisers and Assessors",
                O_GROUP=level,
            )
            for level in ("broad", "detailed")
        ),
    ]
    paths.append(write_workbook(folder / "national_M2024_dl.xlsx", rows[("national", 2024)]))

    # 2025 national industry file (sector): '~' in PCT_RPT
    sector = dict(
        AREA=99,
        AREA_TITLE="U.S.",
        AREA_TYPE=1,
        PRIM_STATE="US",
        NAICS="11",
        NAICS_TITLE="Agriculture",
        I_GROUP="sector",
        OWN_CODE=5,
    )
    rows[("natsector", 2025)] = [
        bls_row(**sector, PCT_TOTAL=100, PCT_RPT=100),
        bls_row(
            **sector,
            OCC_CODE="11-1011",
            OCC_TITLE="Chief Executives",
            O_GROUP="detailed",
            PCT_TOTAL=0.04,
            PCT_RPT="~",
        ),
        bls_row(
            **sector,
            OCC_CODE="45-2092",
            OCC_TITLE="Farmworkers",
            O_GROUP="detailed",
            PCT_TOTAL=31.2,
            PCT_RPT=58,
        ),
    ]
    paths.append(
        write_workbook(
            folder / "natsector_M2025_dl.xlsx",
            rows[("natsector", 2025)],
            sheet_name="natsector_M2025_dl",
        )
    )

    # 2025 all data: Alabama's first two rows again (cross-industry as 000000, text numbers), one of
    # them twice, and a metropolitan area no other file has
    alabama = [
        {**upper_row(cells), "NAICS": "000000", "TOT_EMP": with_separators(cells["tot_emp"])}
        for cells in state[:2]
    ]
    abilene = bls_row(
        AREA="10180", AREA_TITLE="Abilene, TX", AREA_TYPE=4, PRIM_STATE="TX", NAICS="000000"
    )
    rows[("all", 2025)] = [*alabama, alabama[1], abilene]
    paths.append(
        write_workbook(
            folder / "all_data_M_2025.xlsx", rows[("all", 2025)], sheet_name="All May 2025 data"
        )
    )

    assert wage_run(folder, "run", *map(str, paths)) == 0
    return Layouts(settings=settings_in(folder), rows=rows)


def test_every_layout_lands_in_the_fact(layouts: Layouts) -> None:
    landed = dict(
        ((kind, year), n)
        for kind, year, n in query(
            layouts.settings,
            "select file_kind, release_year, count(*) from fct_occupation_wages group by all",
        )
    )
    expected = {key: len(rows) for key, rows in layouts.rows.items() if key[0] != "all"}
    expected[("all", 2025)] = (
        1  # Alabama's rows come from the state file; Abilene only from all data
    )
    assert landed == expected


def test_all_data_rows_that_repeat_a_state_row_are_dropped(layouts: Layouts) -> None:
    kinds = query(
        layouts.settings,
        "select distinct file_kind from fct_occupation_wages where release_year = 2025 and area = '1'",
    )
    assert kinds == [("state",)]


def test_prim_state_is_derived_from_the_state_fips_code(layouts: Layouts) -> None:
    printed = {str(cells["AREA"]): cells["PRIM_STATE"] for cells in layouts.rows[("state", 2024)]}
    printed |= {
        str(cells["area"]): cells["prim_state"]
        for cells in layouts.rows[("state", 2025)]
        if str(cells["area"]) in AREAS_2019
    }
    derived = dict(
        query(
            layouts.settings,
            "select distinct area, prim_state from fct_occupation_wages where release_year = 2019 and file_kind = 'state'",
        )
    )
    assert derived == printed
    assert set(derived) == set(AREAS_2019)


def test_prim_state_of_a_metropolitan_area_comes_from_its_title(layouts: Layouts) -> None:
    derived = dict(
        query(
            layouts.settings,
            "select distinct area, prim_state from fct_occupation_wages where file_kind = 'msa'",
        )
    )
    assert derived == {"10180": "TX", "10900": "PA", "0100001": None}


def test_area_codes_keep_leading_zeros_in_the_dimension(layouts: Layouts) -> None:
    assert query(
        layouts.settings, "select area_type, area_title from dim_area where area = '0100001'"
    ) == [(6, "Northwest Alabama nonmetropolitan area")]


def test_tilde_in_pct_rpt_is_null_with_its_flag(layouts: Layouts) -> None:
    rows = query(
        layouts.settings,
        "select occ_code, pct_rpt, is_pct_rpt_below_half_percent from fct_occupation_wages where file_kind = 'natsector' order by occ_code",
    )
    assert rows == [("00-0000", 100.0, False), ("11-1011", None, True), ("45-2092", 58.0, False)]


def test_thousands_separators_parse_in_old_releases(layouts: Layouts) -> None:
    written = [str(cells["TOT_EMP"]) for cells in layouts.rows[("state", 2019)]]
    assert any("," in cell for cell in written)
    expected = {
        row: float(cell.replace(",", ""))
        for row, cell in enumerate(written, start=2)
        if cell.replace(",", "").isdigit()
    }
    got = dict(
        query(
            layouts.settings,
            "select sheet_row, tot_emp from fct_occupation_wages where release_year = 2019 and file_kind = 'state' and tot_emp is not null",
        )
    )
    assert got == expected


def test_top_code_bound_follows_the_release(layouts: Layouts) -> None:
    bounds = query(
        layouts.settings,
        "select distinct release_year, top_code_hourly_bound, top_code_annual_bound from fct_occupation_wages order by 1",
    )
    assert bounds == [(2019, 100.0, 208000.0), (2024, 115.0, 239200.0), (2025, 115.0, 239200.0)]


def test_2024_and_2025_compare_row_by_row(layouts: Layouts) -> None:
    """A user's comparison of two releases: one pair per 2024 row, employment change as written."""
    pairs = query(
        layouts.settings,
        """
        select r2025.area, r2025.occ_code, r2025.o_group, r2025.tot_emp - r2024.tot_emp as change
        from fct_occupation_wages as r2024
        join fct_occupation_wages as r2025
            using (area, naics, own_code, occ_code, o_group)
        where r2024.release_year = 2024 and r2025.release_year = 2025 and r2024.area_type = 2
        """,
    )
    written = {}
    for cells_2024, cells_2025 in zip(
        layouts.rows[("state", 2024)],
        [c for c in layouts.rows[("state", 2025)] if str(c["area"]) in AREAS_2024],
        strict=False,
    ):
        new, old = cells_2025["tot_emp"], cells_2024["TOT_EMP"]
        change = float(new) - float(old) if str(new).replace(".", "").isdigit() else None
        written[(str(cells_2025["area"]), cells_2025["occ_code"], cells_2025["o_group"])] = change
    assert {(area, occ, group): change for area, occ, group, change in pairs} == written


def test_dim_area_has_one_row_per_area_of_every_file(layouts: Layouts) -> None:
    areas = {
        str(cells.get("area", cells.get("AREA")))
        for rows in layouts.rows.values()
        for cells in rows
    }
    assert sorted(
        area for (area,) in query(layouts.settings, "select area from dim_area")
    ) == sorted(areas)


def test_national_broad_and_detailed_rows_of_one_code_are_both_kept(layouts: Layouts) -> None:
    kept = query(
        layouts.settings,
        "select o_group from fct_occupation_wages where release_year = 2024 and file_kind = 'national' and occ_code = '13-2020' order by 1",
    )
    assert kept == [("broad",), ("detailed",)]


def test_dim_occupation_takes_the_most_detailed_level_of_a_code(layouts: Layouts) -> None:
    assert query(
        layouts.settings, "select o_group from dim_occupation where occ_code = '13-2020'"
    ) == [("detailed",)]
