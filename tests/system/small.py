"""A workbook small enough for a build in seconds and big enough for every analysis to run."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import bls_row, write_workbook

#: (OCC_CODE, OCC_TITLE, hourly mean): two management, two tech, two production, one other.
OCCUPATIONS = (
    ("11-1011", "Chief Executives", 96.73),
    ("11-3031", "Financial Managers", 80.10),
    ("15-1252", "Software Developers", 65.40),
    ("15-1211", "Computer Systems Analysts", 52.30),
    ("51-2090", "Miscellaneous Assemblers and Fabricators", 20.15),
    ("51-4121", "Welders, Cutters, Solderers, and Brazers", 24.60),
    ("29-1141", "Registered Nurses", 41.25),
)
STATES = ((1, "Alabama", "AL"), (2, "Alaska", "AK"), (4, "Arizona", "AZ"))


def _wage_cells(hourly: float) -> dict[str, object]:
    """Mean, percentiles (ordered) and annual = hourly x 2,080, all consistent."""
    cells: dict[str, object] = {"H_MEAN": round(hourly, 2), "A_MEAN": round(hourly * 2080)}
    for name, factor in (
        ("PCT10", 0.55),
        ("PCT25", 0.7),
        ("MEDIAN", 0.9),
        ("PCT75", 1.2),
        ("PCT90", 1.5),
    ):
        cells[f"H_{name}"] = round(hourly * factor, 2)
        cells[f"A_{name}"] = round(hourly * factor * 2080)
    return cells


def small_rows(variant: int = 0) -> list[dict[str, object]]:
    """Three states, each with its total row and seven detailed occupations; `variant` shifts employment
    (each variant is a different workbook: other SHA-256, other sums)."""
    rows = []
    for area, title, state in STATES:
        rows.append(
            bls_row(
                AREA=area,
                AREA_TITLE=title,
                PRIM_STATE=state,
                TOT_EMP=2_000_000 + area * 1000 + variant,
                **_wage_cells(30 + area),
            )
        )
        for number, (code, occupation, hourly) in enumerate(OCCUPATIONS):
            rows.append(
                bls_row(
                    AREA=area,
                    AREA_TITLE=title,
                    PRIM_STATE=state,
                    OCC_CODE=code,
                    OCC_TITLE=occupation,
                    O_GROUP="detailed",
                    TOT_EMP=500 + 37 * number * area + variant,
                    EMP_PRSE=5.1,
                    JOBS_1000=1.2,
                    LOC_QUOTIENT=1.0,
                    MEAN_PRSE=2.0 + number / 10,
                    **_wage_cells(hourly * (1 + area / 50) + number / 7),
                )
            )
    return rows


def small_workbook(folder: Path, variant: int = 0, name: str = "state_M2025_dl.xlsx") -> Path:
    """`small_rows(variant)` as a BLS workbook in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_workbook(folder / name, small_rows(variant))
