"""What changed between releases: fct_wage_changes and the real wages of the SOC major groups.

`release_changes(con)` answers "What changed since <release>?" for the file kind with
two or more releases loaded (national first): the detailed occupations whose real mean
wage rose and fell most from the oldest to the newest release of that kind, with the
conservative z of fct_wage_changes, and each major group's real mean wage by release.
None when no file kind has two releases. Only marts and seeds are read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import duckdb

__all__ = [
    "RELEASE_CAUTION",
    "MajorGroupWage",
    "OccupationChange",
    "ReleaseChanges",
    "release_changes",
]

#: BLS's caution, in the words the report uses (the model's docs say the same).
RELEASE_CAUTION = (
    "OEWS is not designed as a time series: each release pools six semiannual survey panels over three "
    "years, so nearby releases share panels (one year apart, four of six) and their estimates are "
    "correlated. The z treats the two releases as independent, which overstates the standard error of "
    "the change: it is conservative. Only codes published in both releases on SOC 2018 are compared; "
    "suppressed and top-coded means are left out."
)

#: File kinds whose releases are compared, in order of preference (one area: national first).
_KINDS = ("national", "state", "msa")


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
class ReleaseChanges:
    """What changed from `earlier_release_year` to `later_release_year` in the `file_kind` workbooks."""

    file_kind: str
    release_years: tuple[int, ...]
    earlier_release_year: int
    later_release_year: int
    real_dollars_base_year: int
    n_compared: int
    n_not_comparable: int
    n_suppressed_or_top_coded: int
    gains: tuple[OccupationChange, ...]
    losses: tuple[OccupationChange, ...]
    major_groups: tuple[MajorGroupWage, ...]
    caution: str = RELEASE_CAUTION

    def to_dict(self) -> dict[str, Any]:
        return {
            **{
                key: value
                for key, value in asdict(self).items()
                if key not in ("gains", "losses", "major_groups")
            },
            "release_years": list(self.release_years),
            "gains": [row.to_dict() for row in self.gains],
            "losses": [row.to_dict() for row in self.losses],
            "major_groups": [row.to_dict() for row in self.major_groups],
        }


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


def _changes(
    con: duckdb.DuckDBPyConnection, where: dict[str, Any], order: str, n: int
) -> tuple[OccupationChange, ...]:
    rows = con.execute(
        f"""
        select area_title, occ_code, occ_title, a_mean_earlier, a_mean_later, a_mean_change,
            a_mean_real_change, a_mean_real_pct_change, a_mean_real_change_z
        from fct_wage_changes
        where file_kind = $kind and earlier_release_year = $earlier and later_release_year = $later
            and o_group = 'detailed' and is_soc_comparable and a_mean_real_change is not null
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


def release_changes(con: duckdb.DuckDBPyConnection, n: int = 10) -> ReleaseChanges | None:
    """The `n` largest real gains and losses since the oldest release of a kind with two or more; None without."""
    compared = _compared_kind(con)
    if compared is None:
        return None
    kind, years = compared
    where = {"kind": kind, "earlier": years[0], "later": years[-1]}
    [(base, n_compared, n_not_comparable, n_masked)] = con.execute(
        """
        select
            max(real_dollars_base_year),
            count(*) filter (where is_soc_comparable and a_mean_real_change is not null),
            count(*) filter (where not is_soc_comparable),
            count(*) filter (where is_soc_comparable and a_mean_real_change is null),
        from fct_wage_changes
        where file_kind = $kind and earlier_release_year = $earlier and later_release_year = $later
            and o_group = 'detailed'
        """,
        where,
    ).fetchall()
    return ReleaseChanges(
        file_kind=kind,
        release_years=years,
        earlier_release_year=years[0],
        later_release_year=years[-1],
        real_dollars_base_year=int(base),
        n_compared=int(n_compared),
        n_not_comparable=int(n_not_comparable),
        n_suppressed_or_top_coded=int(n_masked),
        gains=_changes(con, where, "desc", n),
        losses=_changes(con, where, "asc", n),
        major_groups=_major_groups(con, kind),
    )
