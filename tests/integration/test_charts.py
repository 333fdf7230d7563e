"""`wage run` of the real workbook wrote every chart as a PNG (what each chart draws: tests/unit/test_charts.py)."""

from __future__ import annotations

import pytest

from analysis_py.config import Settings

pytestmark = pytest.mark.slow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_wage_run_wrote_every_chart_as_png(real_warehouse: Settings, real_results: dict) -> None:
    assert set(real_results["charts"]) == {
        "state_ranking",
        "wage_distribution",
        "management_vs_production",
        "employment_vs_wage",
        "tech_vs_nontech",
        "spread_by_major_group",
    }
    for relative in real_results["charts"].values():
        data = (real_warehouse.artifacts_dir / relative).read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 20_000, relative
