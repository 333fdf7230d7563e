"""Result records shared by the statistics: confidence intervals and effect sizes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from scipy import stats

__all__ = ["LEVEL", "EffectSize", "Interval", "Record", "z_critical"]

LEVEL = 0.95  #: default confidence level of every interval


class Record:
    """`to_dict` of a dataclass whose fields are plain values."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True)
class Interval(Record):
    """A confidence interval of `of` (low and high are None when the test gives none)."""

    of: str
    low: float | None
    high: float | None
    level: float = LEVEL


@dataclass(frozen=True)
class EffectSize(Record):
    """A named effect size with its description and, when there is one, its CI."""

    name: str
    value: float
    description: str
    ci_low: float | None = None
    ci_high: float | None = None


def z_critical(level: float = LEVEL) -> float:
    """The two-sided standard-normal critical value of `level` (1.96 for 0.95)."""
    return float(stats.norm.ppf(0.5 + level / 2))
