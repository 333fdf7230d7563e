"""Multiple-testing adjustment of a family of p-values, and a family of z statistics tested at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis_py.stats.results import LEVEL, Record, z_critical

__all__ = ["ZFamily", "benjamini_hochberg", "holm", "z_family"]


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values of the family, in the order given."""
    _, adjusted, _, _ = multipletests(list(p_values), method="holm")
    return [float(p) for p in adjusted]


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (false discovery rate, independent or positively
    dependent tests) of the family, in the order given."""
    _, adjusted, _, _ = multipletests(list(p_values), method="fdr_bh")
    return [float(p) for p in adjusted]


@dataclass(frozen=True)
class ZFamily(Record):
    """A family of z statistics tested at once: each two-sided normal p, Holm- and BH-adjusted across
    the family, and how many pass at 1 - `level` against how many chance alone would pass."""

    n: int
    n_exceeding: int  #: |z| above the two-sided critical value of `level` (1.96 at 95%)
    expected_by_chance: float  #: (1 - level) x n: the count with no true change at all
    n_holm: int  #: Holm-adjusted p below 1 - level (the family-wise error rate held)
    n_bh: int  #: BH-adjusted p below 1 - level (the false discovery rate held)
    p_values: tuple[float, ...]
    p_holm: tuple[float, ...]
    p_bh: tuple[float, ...]
    level: float = LEVEL


def z_family(z_values: Sequence[float], level: float = LEVEL) -> ZFamily:
    """The two-sided p of each z, adjusted across the family by Holm and by Benjamini-Hochberg."""
    alpha, critical = 1 - level, z_critical(level)
    p_values = [float(2 * stats.norm.sf(abs(z))) for z in z_values]
    p_holm = holm(p_values) if p_values else []
    p_bh = benjamini_hochberg(p_values) if p_values else []
    return ZFamily(
        n=len(p_values),
        n_exceeding=sum(abs(z) > critical for z in z_values),
        expected_by_chance=alpha * len(p_values),
        n_holm=sum(p < alpha for p in p_holm),
        n_bh=sum(p < alpha for p in p_bh),
        p_values=tuple(p_values),
        p_holm=tuple(p_holm),
        p_bh=tuple(p_bh),
        level=level,
    )
