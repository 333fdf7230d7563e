"""What changed across the releases loaded: the real wages of the SOC major groups over time, and the
largest real changes of detailed occupations within the longest comparable run.

`release_changes(con)` answers for the file kind with two or more releases loaded (national
first): each major group's real mean wage in every release, the SOC vintage of each release
(a major group holds other occupations across a vintage break), and the detailed occupations
whose real mean wage rose and fell most from the start of the longest comparable run to the
newest release. The run starts at the oldest release whose pair with the newest has more than
half of the detailed codes published in both comparable (`fct_wage_changes.is_soc_comparable`);
without one, nothing is ranked. The ranking and its tests across the family of compared codes are
`change_ranking`'s; the caution names the survey panels the pair shares. None when no file kind
has two releases. Only marts and seeds are read.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from analysis_py.study.change_ranking import ChangeFamily, OccupationChange, ranked_changes

__all__ = [
    "MajorGroupWage",
    "OccupationChange",
    "ReleaseChanges",
    "RunCandidate",
    "SocBreak",
    "release_caution",
    "release_changes",
    "soc_breaks",
]

#: Shared panels in words (a pair shares an even number of its six panels: 6 - 2k, or none).
_PANELS_WORDS = {0: "none", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "all six"}


def release_caution(years_apart: int | None, shared_panels: int | None) -> str:
    """BLS's caution about a pair of releases `years_apart` apart that share `shared_panels` of their
    six survey panels (fct_wage_changes' columns), in the words the report uses; the model's docs
    (`release_caution`, `shared_panels_approximation`) say the same."""
    pooled = (
        "OEWS is not designed as a time series: each release pools six semiannual survey panels over "
        "three years, and releases k years apart share max(0, 6 − 2k) of them."
    )
    if years_apart is None or shared_panels is None:
        panels = ""
    elif shared_panels == 0:
        panels = (
            f" The two releases compared are {years_apart} years apart and share none of their six panels: "
            "as far as the sample goes they are independent, and the z needs no correction for shared panels."
        )
    else:
        apart = "one year" if years_apart == 1 else f"{years_apart} years"
        panels = (
            f" The two releases compared are {apart} apart and share {_PANELS_WORDS.get(shared_panels, shared_panels)} "
            "of their six panels, so their estimates are correlated: the z, which treats them as independent, "
            "overstates the standard error of the change and is conservative. The z under shared panels is an "
            f"approximation: it assumes equal panel weights and shared panels fully correlated (ρ = {shared_panels}/6)."
        )
    return (
        f"{pooled}{panels} Standard errors are sampling error only: BLS ages the wages of older panels to "
        "May with the Employment Cost Index, so a change between nearby releases is partly that model's. "
        "Only codes published in both releases and comparable across their SOC vintages are ranked; "
        "suppressed and top-coded means are left out."
    )


#: File kinds whose releases are compared, in order of preference (one area: national first).
_KINDS = ("national", "state", "msa")

#: A run is comparable when more than this share of the codes published in both releases is.
COMPARABLE_SHARE = 0.5


@dataclass(frozen=True)
class MajorGroupWage:
    """A SOC major group's mean annual wage in one release, nominal and in base-release dollars."""

    soc_major_group_code: str
    soc_major_group_title: str
    release_year: int
    a_mean: float | None
    a_mean_real: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RunCandidate:
    """An earlier release paired with the newest: its detailed codes published in both, and how many
    of those are comparable across the two releases' SOC vintages."""

    release_year: int
    soc_vintage: str | None
    n_in_both: int
    n_comparable: int

    @property
    def is_comparable_run(self) -> bool:
        return self.n_in_both > 0 and self.n_comparable > COMPARABLE_SHARE * self.n_in_both

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "is_comparable_run": self.is_comparable_run}


@dataclass(frozen=True)
class SocBreak:
    """Consecutive loaded releases on different SOC vintages: the major groups' contents change between them."""

    before_year: int
    after_year: int
    before_vintage: str
    after_vintage: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReleaseChanges:
    """The `file_kind` releases loaded, and what changed from the start of their longest comparable run
    (`earlier_release_year`, None when no earlier release is comparable) to `later_release_year`."""

    file_kind: str
    release_years: tuple[int, ...]
    earlier_release_year: int | None
    later_release_year: int
    real_dollars_base_year: int
    n_compared: int
    n_not_comparable: int
    n_in_one_release_only: int
    n_suppressed: int
    n_top_coded: int
    gains: tuple[OccupationChange, ...]
    losses: tuple[OccupationChange, ...]
    major_groups: tuple[MajorGroupWage, ...]
    soc_vintages: tuple[tuple[int, str | None], ...] = ()
    candidates: tuple[RunCandidate, ...] = ()
    years_apart: int | None = None
    shared_panels: int | None = None  #: of the six survey panels, shared by the pair ranked
    #: the compared changes tested together (each p adjusted across the family)
    family: ChangeFamily | None = None

    @property
    def breaks(self) -> tuple[SocBreak, ...]:
        return soc_breaks(self.soc_vintages)

    @property
    def caution(self) -> str:
        return release_caution(self.years_apart, self.shared_panels)

    def to_dict(self) -> dict[str, Any]:
        nested = ("gains", "losses", "major_groups", "soc_vintages", "candidates", "family")
        return {
            **{key: value for key, value in asdict(self).items() if key not in nested},
            "caution": self.caution,
            "family": None if self.family is None else self.family.to_dict(),
            "release_years": list(self.release_years),
            "gains": [row.to_dict() for row in self.gains],
            "losses": [row.to_dict() for row in self.losses],
            "major_groups": [row.to_dict() for row in self.major_groups],
            "soc_vintages": [
                {"release_year": year, "soc_vintage": vintage}
                for year, vintage in self.soc_vintages
            ],
            "soc_breaks": [row.to_dict() for row in self.breaks],
            "candidates": [row.to_dict() for row in self.candidates],
        }


def soc_breaks(vintages: tuple[tuple[int, str | None], ...]) -> tuple[SocBreak, ...]:
    """Each pair of consecutive releases (by year) whose recorded SOC vintages differ; a release
    without a recorded vintage neither makes nor hides a break."""
    known = sorted((year, vintage) for year, vintage in vintages if vintage)
    return tuple(
        SocBreak(before_year, after_year, before_vintage, after_vintage)
        for (before_year, before_vintage), (after_year, after_vintage) in itertools.pairwise(known)
        if before_vintage != after_vintage
    )


def _compared_kind(con: duckdb.DuckDBPyConnection) -> tuple[str, tuple[int, ...]] | None:
    rows = con.execute(
        """
        select file_kind, list(distinct release_year order by release_year)
        from fct_occupation_wages
        group by file_kind
        having count(distinct release_year) >= 2
        """
    ).fetchall()
    by_kind = {kind: tuple(years) for kind, years in rows}
    kind = next((kind for kind in _KINDS if kind in by_kind), None)
    return None if kind is None else (kind, by_kind[kind])


def _vintages(
    con: duckdb.DuckDBPyConnection, years: tuple[int, ...]
) -> tuple[tuple[int, str | None], ...]:
    """Each loaded release's SOC vintage (dim_release.soc_vintage; None where the seed has no row)."""
    rows = dict(con.execute("select release_year, soc_vintage from dim_release").fetchall())
    return tuple((year, rows.get(year)) for year in years)


def _candidates(
    con: duckdb.DuckDBPyConnection, kind: str, years: tuple[int, ...]
) -> tuple[RunCandidate, ...]:
    """Each earlier release against the newest, oldest first: detailed codes in both, and comparable."""
    counts = {
        year: (int(n_in_both), int(n_comparable))
        for year, n_in_both, n_comparable in con.execute(
            """
            select
                earlier_release_year,
                count(*) filter (where has_earlier_row and has_later_row),
                count(*) filter (where has_earlier_row and has_later_row and is_soc_comparable),
            from fct_wage_changes
            where file_kind = $kind and later_release_year = $later and o_group = 'detailed'
            group by all
            """,
            {"kind": kind, "later": years[-1]},
        ).fetchall()
    }
    vintages = dict(_vintages(con, years))
    return tuple(
        RunCandidate(year, vintages.get(year), *counts.get(year, (0, 0))) for year in years[:-1]
    )


def _panels(con: duckdb.DuckDBPyConnection, where: dict[str, Any]) -> tuple[int, int]:
    """(years_apart, shared_panels) of the pair, as fct_wage_changes states them."""
    [(years_apart, shared_panels)] = con.execute(
        """
        select distinct years_apart, shared_panels
        from fct_wage_changes
        where file_kind = $kind and earlier_release_year = $earlier and later_release_year = $later
        """,
        where,
    ).fetchall()
    return int(years_apart), int(shared_panels)


def _major_groups(con: duckdb.DuckDBPyConnection, kind: str) -> tuple[MajorGroupWage, ...]:
    """Each major group's mean wage by release: the area's own row with one area, else employment-weighted over areas."""
    rows = con.execute(
        """
        select
            f.soc_major_group_code,
            g.soc_major_group_title,
            f.release_year,
            case when count(*) = 1 then any_value(f.a_mean) else sum(f.a_mean * f.tot_emp) / sum(f.tot_emp) end,
            case when count(*) = 1 then any_value(f.a_mean_real) else sum(f.a_mean_real * f.tot_emp) / sum(f.tot_emp) end,
        from fct_occupation_wages as f
        inner join soc_major_groups as g
            on f.soc_major_group_code = g.soc_major_group_code
        where f.file_kind = $kind and f.o_group = 'major' and f.is_cross_industry_all_ownerships
            and f.area_type = (select min(area_type) from fct_occupation_wages where file_kind = $kind)
        group by all
        order by 1, 3
        """,
        {"kind": kind},
    ).fetchall()
    return tuple(MajorGroupWage(*row) for row in rows)


def _left_out(con: duckdb.DuckDBPyConnection, where: dict[str, Any]) -> tuple[int, ...]:
    """(compared, in both but not comparable, in one release only, suppressed, top-coded) codes of the pair."""
    [counts] = con.execute(
        """
        select
            count(*) filter (where is_soc_comparable and a_mean_real_change is not null),
            count(*) filter (where has_earlier_row and has_later_row and not is_soc_comparable),
            count(*) filter (where not (has_earlier_row and has_later_row)),
            count(*) filter (where is_soc_comparable and is_a_mean_suppressed_either),
            count(*) filter (where is_soc_comparable and is_a_mean_top_coded_either
                and not is_a_mean_suppressed_either),
        from fct_wage_changes
        where file_kind = $kind and earlier_release_year = $earlier and later_release_year = $later
            and o_group = 'detailed'
        """,
        where,
    ).fetchall()
    return tuple(int(count) for count in counts)


def release_changes(con: duckdb.DuckDBPyConnection, n: int = 10) -> ReleaseChanges | None:
    """The major groups over every release, and the `n` largest real gains and losses within the longest
    comparable run; None without a file kind of two or more releases."""
    compared = _compared_kind(con)
    if compared is None:
        return None
    kind, years = compared
    candidates = _candidates(con, kind, years)
    start = next((row.release_year for row in candidates if row.is_comparable_run), None)
    [(base,)] = con.execute(
        "select max(real_dollars_base_year) from fct_occupation_wages"
    ).fetchall()
    where = {"kind": kind, "earlier": start, "later": years[-1]}
    counts = _left_out(con, where) if start is not None else (0, 0, 0, 0, 0)
    family, gains, losses = ranked_changes(con, where, n) if start is not None else (None, (), ())
    years_apart, shared_panels = _panels(con, where) if start is not None else (None, None)
    return ReleaseChanges(
        file_kind=kind,
        release_years=years,
        earlier_release_year=start,
        later_release_year=years[-1],
        real_dollars_base_year=int(base),
        n_compared=counts[0],
        n_not_comparable=counts[1],
        n_in_one_release_only=counts[2],
        n_suppressed=counts[3],
        n_top_coded=counts[4],
        gains=gains,
        losses=losses,
        major_groups=_major_groups(con, kind),
        soc_vintages=_vintages(con, years),
        candidates=candidates,
        years_apart=years_apart,
        shared_panels=shared_panels,
        family=family,
    )
