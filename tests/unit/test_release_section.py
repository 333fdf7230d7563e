"""The report's release section from a results dict: never an empty table, what is left out said,
workbook text escaped, the caution and the columns fitted to the panels the pair shares."""

from __future__ import annotations

import re

import pytest

from analysis_py.outputs.release_section import changes_section
from analysis_py.stats.multicomp import z_family
from analysis_py.study.change_ranking import ChangeFamily
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


def _section(
    start: int | None,
    gains: tuple = (),
    losses: tuple = (),
    panels: tuple[int | None, int | None] = (None, None),
) -> str:
    years_apart, shared_panels = panels
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
        years_apart=years_apart,
        shared_panels=shared_panels,
        family=ChangeFamily(z_family([2.2, -1.0, 5.0]), 1) if start else None,
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
    assert "<script>" not in row and len(re.findall(r"(?<!\\)\|", row)) == 10  # nine cells
    assert "| forged |" not in text.replace(row, "")


def test_soc_breaks_are_the_consecutive_known_vintages_that_differ() -> None:
    vintages = ((2008, "SOC 2000"), (2010, None), (2012, "SOC 2010"), (2015, "SOC 2010"))
    assert soc_breaks(vintages) == (SocBreak(2008, 2012, "SOC 2000", "SOC 2010"),)


#: Shared panels in words, from BLS's design: six semiannual panels over three years, so k years
#: apart share 6 - 2k (none from three years on).
PANELS_WORDS = {
    1: "one year apart and share four",
    2: "2 years apart and share two",
    3: "3 years apart and share none",
}


def _section_years_apart(years_apart: int) -> str:
    """A ranked pair `years_apart` apart, with the panels BLS's design makes it share."""
    shared = max(0, 6 - 2 * years_apart)
    return _section(
        2021, gains=(_change("Registered Nurses", 1_234.0),), panels=(years_apart, shared)
    )


@pytest.mark.parametrize("years_apart", [1, 2, 3])
def test_the_caution_names_the_panels_the_pair_shares(years_apart: int) -> None:
    text = _section_years_apart(years_apart)
    [caution] = [line for line in text.splitlines() if line.startswith("**Caution.**")]
    assert f"are {PANELS_WORDS[years_apart]} of their six panels" in caution
    assert "sampling error only" in caution and "Employment Cost Index" in caution


@pytest.mark.parametrize(("years_apart", "shown"), [(1, True), (2, True), (3, False)])
def test_a_z_under_shared_panels_is_shown_only_where_the_pair_shares_panels(
    years_apart: int, shown: bool
) -> None:
    text = _section_years_apart(years_apart)
    assert ("| z (shared panels) |" in text) is shown
    assert (f"ρ = {max(0, 6 - 2 * years_apart)}/6, an approximation" in text) is shown


def test_the_family_sentence_counts_what_passes_against_chance() -> None:
    """z of 2.2, -1.0 and 5.0: two beyond 1.96; 2.2's p (0.0278) passes BH (x 3/2) but not Holm (x 2)."""
    text = _section(2021, gains=(_change("Registered Nurses", 1_234.0),))
    assert (
        "**Tested together.** 2 of 3 changes exceed |z| = 1.96; chance alone would give about 0.15 "
        "(5% of them); Holm keeps 1, BH keeps 2 at 5%."
    ) in text
    assert ", 1 of them without a standard error" in text


def test_a_row_within_survey_error_says_so_in_its_note() -> None:
    within = OccupationChange(
        "U.S.", "29-1141", "Nurses", 80_000.0, 90_000.0, 10_000.0, 500.0, 0.6, 1.1, p_value=0.27
    )
    beyond = OccupationChange(
        "U.S.", "11-1011", "Chiefs", 80_000.0, 90_000.0, 10_000.0, 5_000.0, 6.0, 3.0, p_value=0.003
    )
    alone = OccupationChange(
        "U.S.",
        "11-2021",
        "Marketers",
        80_000.0,
        90_000.0,
        10_000.0,
        3_000.0,
        3.6,
        2.2,
        p_value=0.028,
        p_holm=0.31,
    )
    text = _section(2021, gains=(beyond, alone, within))
    [near] = [line for line in text.splitlines() if "(`29-1141`)" in line]
    [far] = [line for line in text.splitlines() if "(`11-1011`)" in line]
    [lone] = [line for line in text.splitlines() if "(`11-2021`)" in line]
    assert near.endswith("| within survey error |") and far.endswith("|  |")
    assert lone.endswith("| not kept by Holm |")
