"""Numbers as the report, the README and the charts print them, and the level they are judged at.

Counts with thousands separators, a few significant digits, p-values (rounded, or in
scientific notation down to what a double holds) and SOC major group codes as people cite
them. Money has its own format in `analysis_py.formatting.money`.
"""

from __future__ import annotations

import math

__all__ = [
    "ALPHA",
    "INDISTINGUISHABLE",
    "count_text",
    "number_text",
    "p_exact_text",
    "p_phrase",
    "p_text",
    "soc_text",
]

#: The significance level of every verdict: p < ALPHA is significant, and two estimates
#: whose difference has p >= ALPHA cannot be told apart.
ALPHA = 0.05
#: Two estimates that cannot be told apart, in words: two-sided p >= ALPHA.
INDISTINGUISHABLE = "|z| < 1.96"


def count_text(value: int | None) -> str:
    """1,234; '?' for None."""
    return "?" if value is None else f"{value:,}"


def number_text(value: float | None, digits: int = 3) -> str:
    """`digits` significant digits for people: 75,039 / 70.2 / -0.0253 / 2.2e-09 (whole numbers from 10^digits)."""
    if value is None:
        return "n/a"
    size = abs(value)
    if size == 0:
        return "0"
    if size >= 10**digits:
        return f"{value:,.0f}"
    if size < 1e-4:
        return f"{value:.{digits}g}"
    return f"{value:,.{max(digits - 1 - math.floor(math.log10(size)), 0)}f}"


def p_text(value: float | None) -> str:
    """A p-value to four decimals: '0.0123', '< 0.0001'."""
    if value is None:
        return "n/a"
    return "< 0.0001" if value < 1e-4 else f"{value:.4f}"


def p_exact_text(value: float | None, digits: int = 3) -> str:
    """A p-value in scientific notation to `digits` digits; 0.0 (below what a double holds) as < 1e-300."""
    if value is None:
        return "n/a"
    return "< 1e-300" if value == 0 else f"{value:.{digits}g}"


def p_phrase(text: str) -> str:
    """'p < 0.0001' or 'p = 0.0123' from a p-value's text (`p_text`, `p_exact_text`)."""
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def soc_text(code: str) -> str:
    """'SOC 11' for the major group 11-0000."""
    return f"SOC {code.split('-')[0]}"
