"""What changed across the releases loaded: the real wages of the SOC major groups over time, and the
largest real changes of detailed occupations within the longest comparable run.

`release_changes(con)` answers for the file kind with two or more releases loaded (national
first): each major group's real mean wage in every release, the SOC vintage of each release
(a major group holds other occupations across a vintage break), and the detailed occupations
whose real mean wage rose and fell most from the start of the longest comparable run to the
newest release. The run starts at the oldest release whose pair with the newest has more than
half of the detailed codes published in both comparable (`fct_wage_changes.is_soc_comparable`);
without one, nothing is ranked. None when no file kind has two releases. Only marts and seeds
are read.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

__all__ = [
    "RELEASE_CAUTION",
    "MajorGroupWage",
    "OccupationChange",
    "ReleaseChanges",
    "RunCandidate",
    "SocBreak",
    "release_changes",
    "soc_breaks",
]

#: BLS's caution, in the words the report uses (the model's docs say the same).
RELEASE_CAUTION = (
    "OEWS is not designed as a time series: each release pools six semiannual survey panels over three "
    "years, so nearby releases share panels (one year apart, four of six) and their estimates are "
    "correlated. The z treats the two releases as independent, which overstates the standard error of "
    "the change: it is conservative. Only codes published in both releases and comparable across their "
    "SOC vintages are ranked; suppressed and top-coded means are left out."
)

#: File kinds whose releases are compared, in order of preference (one area: national first).
_KINDS = ("national", "state", "msa")

#: A run is comparable when more than this share of the codes published in both releases is.
COMPARABLE_SHARE = 0.5


@dataclass(frozen=True)
class OccupationChange:
    """One occupation's change of mean annual wage between two releases, in one area."""

    area_title: str
    occ_code: str
    occ_title: str
    a_mean_earlier: float
    a_mean_later: float
    a_mean_change: float
    a_mean_real_change: float
    a_mean_real_pct_change: float
    a_mean_real_change_z: float | None
    is_a_median_top_coded_either: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    caution: str = RELEASE_CAUTION

    @property
    def breaks(self) -> tuple[SocBreak, ...]:
        return soc_breaks(self.soc_vintages)

    def to_dict(self) -> dict[str, Any]:
        nested = ("gains", "losses", "major_groups", "soc_vintages", "candidates")
        return {
            **{key: value for key, value in asdict(self).items() if key not in nested},
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


def _changes(
    con: duckdb.DuckDBPyConnection, where: dict[str, Any], sign: str, n: int
) -> tuple[OccupationChange, ...]:
    """The `n` largest real rises (`sign` '>') or falls ('<') of comparable detailed codes."""
    order = "desc" if sign == ">" else "asc"
    rows = con.execute(
        f"""
        select area_title, occ_code, occ_title, a_mean_earlier, a_mean_later, a_mean_change,
            a_mean_real_change, a_mean_real_pct_change, a_mean_real_change_z,
            is_a_median_top_coded_either
        from fct_wage_changes
        where file_kind = $kind and earlier_release_year = $earlier and later_release_year = $later
            and o_group = 'detailed' and is_soc_comparable and a_mean_real_change {sign} 0
        order by a_mean_real_change {order}, occ_code, area
        limit {int(n)}
        """,
        where,
    ).fetchall()
    return tuple(OccupationChange(*row) for row in rows)


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
        gains=_changes(con, where, ">", n) if start is not None else (),
        losses=_changes(con, where, "<", n) if start is not None else (),
        major_groups=_major_groups(con, kind),
        soc_vintages=_vintages(con, years),
        candidates=candidates,
    )
