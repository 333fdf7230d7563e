"""The default run's headlines cannot be misquoted: a gap averaged over state x occupation cells
says so in its sentence, with BLS's worker-weighted gap beside it, in the report and the README.

The per-worker figure is computed here from BLS's national May 2025 workbook, read with openpyxl:
the major-group rows 11-0000 and 51-0000 (A_MEAN $145,260 and $51,600: $93,660, the issue's
figure; the detailed rows weighted by TOT_EMP give $93,747, since they are not the whole group).
"""

from __future__ import annotations

import json
from pathlib import Path

from analysis_py.formatting import money
from analysis_py.outputs.per_worker import CELL_AVERAGE
from analysis_py.outputs.readme_findings import findings_markdown
from tests.integration.test_compare_cli import national_cell


def management_line(text: str) -> str:
    return next(line for line in text.splitlines() if "management occupations" in line.lower())


def per_worker_gap() -> float:
    return float(national_cell(2025, "11-0000", "A_MEAN")) - float(
        national_cell(2025, "51-0000", "A_MEAN")
    )


def test_the_management_headline_says_it_averages_cells_and_shows_bls_per_worker_gap(
    default_build: Path,
) -> None:
    results = json.loads((default_build / "artifacts" / "results.json").read_text())
    line = management_line(findings_markdown(results))
    gap = per_worker_gap()
    assert gap == 93_660
    assert line.startswith(f"- **Management vs production.** {CELL_AVERAGE}, management")
    assert (
        f"Per worker the gap is larger: BLS's U.S. rows 11-0000 and 51-0000 put the mean annual "
        f"wage of management at {money(float(national_cell(2025, '11-0000', 'A_MEAN')))} against "
        f"{money(float(national_cell(2025, '51-0000', 'A_MEAN')))} for production, "
        f"**{money(gap)} more** (May 2025)."
    ) in line


def test_the_reports_management_result_shows_the_same_per_worker_gap(
    default_build: Path,
) -> None:
    report = (default_build / "artifacts" / "report.md").read_text(encoding="utf-8")
    line = next(
        line
        for line in report.splitlines()
        if line.startswith("**Result.** " + CELL_AVERAGE + ", management")
    )
    assert f"**{money(per_worker_gap())} more** (May 2025)" in line
