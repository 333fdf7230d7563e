"""The report's release section from results.json's `release_changes`: the major groups' real wages over
every release loaded with the SOC breaks, and the largest real changes within the longest comparable run.

It states its sample (which rows, which releases, which dollars), what it leaves out and why, and
never prints an empty table. Workbook text goes through `markdown_literal`.
"""

from __future__ import annotations

from typing import Any

from analysis_py.formatting import markdown_literal, money
from analysis_py.outputs.numbers import count_text, number_text
from analysis_py.outputs.prose import Results, chart_lines

__all__ = ["TOP_CODED_MEDIAN_MARK", "changes_section", "releases_words"]

#: Marks a ranked occupation whose median is top-coded in either release (its mean is published).
TOP_CODED_MEDIAN_MARK = "†"


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
        f"`is_soc_comparable`), by their change of real mean annual wage in dollars (which favours "
        f"well-paid occupations; the real % column gives each change relative to its level): "
        f"{count_text(changes['n_compared'])} compared. Left out: {count_text(changes['n_not_comparable'])} codes "
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


def _change_table(changes: dict[str, Any], title: str, rows: list[dict[str, Any]]) -> list[str]:
    earlier, later, base = (
        changes["earlier_release_year"],
        changes["later_release_year"],
        changes["real_dollars_base_year"],
    )
    lines = [
        f"### {title}, May {earlier} to May {later}",
        "",
        f"| occupation | May {earlier} | May {later} | nominal change | real change (May {base} $) | real % | z |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        area = "" if row["area_title"] == "U.S." else ", " + markdown_literal(row["area_title"])
        mark = f" {TOP_CODED_MEDIAN_MARK}" if row.get("is_a_median_top_coded_either") else ""
        lines.append(
            f"| {markdown_literal(row['occ_title'])} (`{markdown_literal(row['occ_code'])}`){area}{mark} "
            f"| {money(row['a_mean_earlier'])} | {money(row['a_mean_later'])} | {money(row['a_mean_change'])} "
            f"| {money(row['a_mean_real_change'])} | {row['a_mean_real_pct_change']:+.1f}% | {number_text(row['a_mean_real_change_z'], 2)} |"
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
    if any(row.get("is_a_median_top_coded_either") for row in changes["gains"] + changes["losses"]):
        lines += [
            f"{TOP_CODED_MEDIAN_MARK} The median is top-coded (`#`) in either release; the mean is published.",
            "",
        ]
    return lines


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
        *(
            [
                "z = real change / √(se₁² + se₂²) from each release's MEAN_PRSE.",
                "",
            ]
            if changes["earlier_release_year"] is not None
            else []
        ),
        f"**Caution.** {changes['caution']}",
        "",
        *_tables(changes),
    ]
    return lines
