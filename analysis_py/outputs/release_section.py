"""The report's release section from results.json's `release_changes`: the major groups' real wages over
every release loaded with the SOC breaks, and the largest real changes within the longest comparable run.

It states its sample (which rows, which releases, which dollars), what it leaves out and why, how
many of the changes tested together pass at 5% against what chance alone gives, and never prints
an empty table. Workbook text goes through `markdown_literal`.
"""

from __future__ import annotations

from typing import Any

from analysis_py.formatting import markdown_literal, money
from analysis_py.outputs.numbers import count_text, number_text, p_text
from analysis_py.outputs.prose import Results, chart_lines

__all__ = [
    "ADJUSTED_P_WORDS",
    "NOTES",
    "changes_section",
    "family_words",
    "releases_words",
]

#: The notes a ranked row can carry (its `note` cell), each with what it means under the tables.
NOTES = {
    "is_within_survey_error": (
        "within survey error",
        "|z| below 1.96: the change is no larger than sampling error alone could make it.",
    ),
    "is_not_kept_by_holm": (
        "not kept by Holm",
        "|z| above 1.96 on its own, but its Holm-adjusted p is 5% or more: among this many changes "
        "tested at once, one this large could be a false alarm.",
    ),
    "is_a_mean_at_top_code_bound_either": (
        "mean ≥ top-code bound",
        "the mean is at or above the release's top-code bound in either release: above the bound "
        "BLS's wage intervals are open-ended, so the mean leans on the value assumed for wages there, "
        "and the bound itself rose between releases.",
    ),
    "is_a_median_top_coded_either": (
        "median top-coded",
        "the median is top-coded (`#`) in either release; the mean is published.",
    ),
}

#: The adjusted p-values in two sentences a journalist can repeat (the README says the same).
ADJUSTED_P_WORDS = (
    "A Holm-adjusted p below 5% means that, had no wage really changed, the chance of even one false "
    "alarm among all the changes tested would be under 5%. A Benjamini-Hochberg (BH) adjusted p below "
    "5% means that, of all the changes called real at that level, no more than about one in twenty is "
    "expected to be a false alarm."
)


def releases_words(years: list[int]) -> str:
    """'May 2015, 2019 and 2025'."""
    if len(years) == 1:
        return f"May {years[0]}"
    return f"May {', '.join(map(str, years[:-1]))} and {years[-1]}"


def _vintage(changes: dict[str, Any], year: int) -> str | None:
    return next(
        (row["soc_vintage"] for row in changes["soc_vintages"] if row["release_year"] == year), None
    )


def _breaks_words(changes: dict[str, Any]) -> str:
    """The SOC breaks between loaded releases, and the releases without a recorded vintage."""
    breaks = changes["soc_breaks"]
    if breaks:
        listed = "; ".join(
            f"between May {row['before_year']} ({markdown_literal(row['before_vintage'])}) and "
            f"May {row['after_year']} ({markdown_literal(row['after_vintage'])})"
            for row in breaks
        )
        words = (
            f"The SOC vintage changes {listed} (dashed lines in the chart): a major group holds other "
            "detailed occupations on either side of a break, so part of a step there is reclassification, "
            "not pay."
        )
    else:
        words = "No SOC vintage break lies between the releases loaded."
    unknown = [row["release_year"] for row in changes["soc_vintages"] if not row["soc_vintage"]]
    if unknown:
        words += f" {releases_words(unknown)}: no SOC vintage recorded (seeds/soc_vintages.csv), so no break is marked beside it."
    return words


def _missing_groups_words(changes: dict[str, Any]) -> str:
    """How many major-group means are suppressed or top-coded, so missing from the chart."""
    missing = [row for row in changes["major_groups"] if row["a_mean_real"] is None]
    if not missing:
        return ""
    listed = sorted(
        {
            f"{markdown_literal(row['soc_major_group_code'])} in May {row['release_year']}"
            for row in missing
        }
    )
    means = "mean is" if len(missing) == 1 else "means are"
    return (
        f" {count_text(len(missing))} major-group {means} suppressed or top-coded, marked x in the chart "
        f"({', '.join(listed)})."
    )


def _vintages_words(earlier: str | None, later: str | None) -> str:
    """'SOC 2010 → SOC 2018', or the one vintage of both."""
    earlier, later = earlier or "SOC vintage not recorded", later or "SOC vintage not recorded"
    return earlier if earlier == later else f"{earlier} → {later}"


def _candidate_words(changes: dict[str, Any], years: list[int]) -> str:
    """'May 2015: 0 of 8 (SOC 2010 → SOC 2018)' for each earlier release in `years`."""
    later = changes["later_release_year"]
    parts = []
    for row in changes["candidates"]:
        if row["release_year"] not in years:
            continue
        parts.append(
            f"May {row['release_year']}, {count_text(row['n_comparable'])} of {count_text(row['n_in_both'])} "
            f"comparable, {markdown_literal(_vintages_words(row['soc_vintage'], _vintage(changes, later)))}"
        )
    return "; ".join(parts)


def _run_words(changes: dict[str, Any]) -> list[str]:
    """Which run is ranked, what it leaves out and why; or why nothing is ranked."""
    earlier, later = changes["earlier_release_year"], changes["later_release_year"]
    before = [row["release_year"] for row in changes["candidates"]]
    if earlier is None:
        return [
            f"**No change is ranked.** No earlier release shares more than half of the detailed codes it "
            f"publishes with May {later} comparably across their SOC vintages (of the codes in both: "
            f"{_candidate_words(changes, before)}); a ranking across a break would compare different "
            "occupations under one code.",
            "",
        ]
    dropped = [year for year in before if year < earlier]
    vintages = _vintages_words(_vintage(changes, earlier), _vintage(changes, later))
    words = (
        f"**Longest comparable run: May {earlier} to May {later}.** Ranked: the detailed occupations "
        f"published in both releases and comparable across their SOC vintages ({markdown_literal(vintages)}; "
        f"`is_soc_comparable`), by their real percent change of mean annual wage, with its standard "
        f"error (a dollar ranking would favour well-paid occupations, a ranking by z large, precisely "
        f"measured ones): {count_text(changes['n_compared'])} compared"
        f"{_without_se_words(changes)}. Left out: {count_text(changes['n_not_comparable'])} codes "
        f"published in both but not comparable, "
        f"{count_text(changes['n_in_one_release_only'])} published in only one of the two, "
        f"{count_text(changes['n_suppressed'])} whose mean is suppressed (`*`) and "
        f"{count_text(changes['n_top_coded'])} whose mean is top-coded (`#`) in either release."
    )
    if dropped:
        words += (
            f" {releases_words(dropped)} {'is' if len(dropped) == 1 else 'are'} not in the run: fewer than half "
            f"of the codes published both then and in May {later} are comparable "
            f"({_candidate_words(changes, dropped)})."
        )
    return [words, ""]


def _without_se_words(changes: dict[str, Any]) -> str:
    """', 3 of them without a standard error (not tested, not ranked)', or nothing."""
    family = changes.get("family") or {}
    missing = family.get("n_without_se", 0)
    if not missing:
        return ""
    return f", {count_text(missing)} of them without a standard error (MEAN_PRSE not published: not tested, not ranked)"


def family_words(changes: dict[str, Any]) -> str:
    """'n of N changes exceed |z| = 1.96; chance alone would give about 0.05 N; Holm keeps h, BH keeps b at 5%.'"""
    family = changes["family"]
    return (
        f"{count_text(family['n_exceeding'])} of {count_text(family['n'])} changes exceed |z| = 1.96; chance "
        f"alone would give about {number_text(family['expected_by_chance'], 2)} (5% of them); Holm keeps "
        f"{count_text(family['n_holm'])}, BH keeps {count_text(family['n_bh'])} at 5%."
    )


def _tests_words(changes: dict[str, Any]) -> list[str]:
    """How each change is tested, the shared-panel z where the pair shares panels, and the family's counts."""
    shared = changes.get("shared_panels") or 0
    lines = [
        "z = real change / √(se₁² + se₂²) from each release's MEAN_PRSE, as if the two releases were "
        "independent (conservative); p is its two-sided normal p, adjusted across every change compared "
        "(Holm, Benjamini-Hochberg)."
        + (
            f" z (shared panels) = real change / √(se₁² + se₂² − 2ρ se₁ se₂) with ρ = {shared}/6, an "
            "approximation that assumes equal panel weights and shared panels fully correlated."
            if shared
            else ""
        ),
        "",
    ]
    if changes.get("family"):
        lines += [f"**Tested together.** {family_words(changes)} {ADJUSTED_P_WORDS}", ""]
    return lines


def _note(row: dict[str, Any]) -> str:
    return "; ".join(words for key, (words, _) in NOTES.items() if row.get(key))


def _change_table(changes: dict[str, Any], title: str, rows: list[dict[str, Any]]) -> list[str]:
    earlier, later, base = (
        changes["earlier_release_year"],
        changes["later_release_year"],
        changes["real_dollars_base_year"],
    )
    shared = bool(changes.get("shared_panels"))
    lines = [
        f"### {title}, May {earlier} to May {later}",
        "",
        f"| occupation | May {earlier} | May {later} | real change (May {base} $) | real % (SE) | z "
        f"{'| z (shared panels) ' if shared else ''}| p Holm | p BH | note |",
        f"| --- | ---: | ---: | ---: | ---: | ---: {'| ---: ' if shared else ''}| ---: | ---: | --- |",
    ]
    for row in rows:
        area = "" if row["area_title"] == "U.S." else ", " + markdown_literal(row["area_title"])
        se = row.get("a_mean_real_pct_change_se")
        shared_z = (
            f"| {number_text(row.get('a_mean_real_change_z_shared_panels'), 2)} " if shared else ""
        )
        lines.append(
            f"| {markdown_literal(row['occ_title'])} (`{markdown_literal(row['occ_code'])}`){area} "
            f"| {money(row['a_mean_earlier'])} | {money(row['a_mean_later'])} "
            f"| {money(row['a_mean_real_change'])} | {row['a_mean_real_pct_change']:+.1f}%"
            f"{'' if se is None else f' ({se:.1f})'} | {number_text(row['a_mean_real_change_z'], 2)} {shared_z}"
            f"| {p_text(row.get('p_holm'))} | {p_text(row.get('p_bh'))} | {_note(row)} |"
        )
    return [*lines, ""]


def _tables(changes: dict[str, Any]) -> list[str]:
    """The gains and losses tables, each only when it has a row; a sentence where one has none."""
    if changes["earlier_release_year"] is None:
        return []
    lines: list[str] = []
    for title, key, verb in (
        ("Largest real gains", "gains", "rose"),
        ("Largest real losses", "losses", "fell"),
    ):
        rows = changes[key]
        if rows:
            lines += _change_table(changes, title, rows)
        else:
            lines += [f"No compared occupation's real mean annual wage {verb}.", ""]
    ranked = changes["gains"] + changes["losses"]
    lines += [
        f"- *{words}*: {meaning}"
        for key, (words, meaning) in NOTES.items()
        if any(row.get(key) for row in ranked)
    ]
    return [*lines, ""] if ranked else lines


def changes_section(results: Results) -> list[str]:
    """The releases over time (chart, SOC breaks) and the largest real changes within the longest comparable run."""
    changes = results.get("release_changes")
    if not changes:
        return []
    years, base = changes["release_years"], changes["real_dollars_base_year"]
    kind = changes["file_kind"]
    rows = "The U.S. rows" if kind == "national" else f"The {markdown_literal(kind)} rows"
    lines = [
        f"## How wages changed, May {years[0]} to May {years[-1]}",
        "",
        f"**Sample.** {rows} of the {markdown_literal(kind)} workbooks (cross-industry, all ownerships) of "
        f"{releases_words(years)} ({len(years)} releases). Mean annual wages in May {base} dollars: each release's "
        "deflated by the CPI-U (U.S. city average, all items, not seasonally adjusted) of its May, the "
        "survey's reference month.",
        "",
        f"**Major groups over time.** Each SOC major group's real mean annual wage in every release. "
        f"{_breaks_words(changes)}{_missing_groups_words(changes)}",
        "",
        *chart_lines(
            results,
            "real_wage_by_release",
            "Real mean annual wage by SOC major group over the releases, SOC breaks dashed",
        ),
        *_run_words(changes),
        *(_tests_words(changes) if changes["earlier_release_year"] is not None else []),
        f"**Caution.** {changes['caution']}",
        "",
        *_tables(changes),
    ]
    return lines
