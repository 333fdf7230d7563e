"""Multiple-testing adjustment of a family of p-values."""

from __future__ import annotations

from collections.abc import Sequence

from statsmodels.stats.multitest import multipletests

__all__ = ["holm"]


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values of the family, in the order given."""
    _, adjusted, _, _ = multipletests(list(p_values), method="holm")
    return [float(p) for p in adjusted]
