"""The report's release section from a results dict: never an empty table, what is left out said,
workbook text escaped."""

from __future__ import annotations

from analysis_py.outputs.release_section import changes_section
from analysis_py.study.changes import (
    OccupationChange,
    ReleaseChanges,
    RunCandidate,
    SocBreak,
    soc_breaks,
)

VINTAGES = ((2019, "SOC 2010 and SOC 2018 (mixed panels)"), (2021, "SOC 2018"), (2025, "SOC 2018"))


def _change(title: str, real: float) -> OccupationChange:
    return OccupationChange("U.S.", "29-1141", title, 80_000.0, 90_000.0, 10_000.0, real, 1.0, 2.0)


def _section(start: int | None, gains: tuple = (), losses: tuple = ()) -> str:
    changes = ReleaseChanges(
        file_kind="national",
        release_years=(2019, 2021, 2025),
        earlier_release_year=start,
        later_release_year=2025,
        real_dollars_base_year=2025,
        n_compared=len(gains) + len(losses),
        n_not_comparable=0,
        n_in_one_release_only=3,
        n_suppressed=0,
        n_top_coded=0,
        gains=gains,
        losses=losses,
        major_groups=(),
        soc_vintages=VINTAGES,
        candidates=(
            RunCandidate(2019, VINTAGES[0][1], 800, 12),
            RunCandidate(2021, "SOC 2018", 790, 790 if start else 100),
        ),
    )
    return "\n".join(changes_section({"release_changes": changes.to_dict()}))


def test_without_a_comparable_run_no_table_is_printed_and_the_reason_is_said() -> None:
    text = _section(None)
    assert "| occupation |" not in text
    assert "**No change is ranked.**" in text
    assert "May 2019, 12 of 800 comparable, SOC 2010 and SOC 2018 (mixed panels) → SOC 2018" in text
    assert "May 2021, 100 of 790 comparable, SOC 2018" in text


def test_a_run_with_gains_only_prints_no_empty_losses_table() -> None:
    text = _section(2021, gains=(_change("Registered Nurses", 1_234.0),))
    assert "### Largest real gains, May 2021 to May 2025" in text
    assert "### Largest real losses" not in text
    assert "No compared occupation's real mean annual wage fell." in text


def test_the_releases_before_the_run_are_named_with_their_counts() -> None:
    text = _section(2021, gains=(_change("Registered Nurses", 1_234.0),))
    assert (
        "May 2019 is not in the run: fewer than half of the codes published both then and in May 2025 "
        "are comparable (May 2019, 12 of 800 comparable, SOC 2010 and SOC 2018 (mixed panels) → SOC 2018)."
    ) in text


def test_an_occupation_title_from_a_workbook_cannot_break_the_table() -> None:
    text = _section(2021, losses=(_change("Nurses | <script>x</script>\n| forged |", -5.0),))
    [row] = [line for line in text.splitlines() if "29-1141" in line]
    assert "<script>" not in row and row.count(" | ") == 6  # seven cells
    assert "| forged |" not in text.replace(row, "")


def test_soc_breaks_are_the_consecutive_known_vintages_that_differ() -> None:
    vintages = ((2008, "SOC 2000"), (2010, None), (2012, "SOC 2010"), (2015, "SOC 2010"))
    assert soc_breaks(vintages) == (SocBreak(2008, 2012, "SOC 2000", "SOC 2010"),)
