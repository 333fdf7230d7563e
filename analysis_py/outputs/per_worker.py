"""Headlines a reader cannot misquote: a gap averaged over cells says so, with BLS's per-worker gap beside it.

The tests count each state x occupation estimate once, whatever its employment (they describe
occupations, not workers); the study's `worker_weighted` record carries BLS's own figure per
worker (`study.worker_weighted`). The report and the README quote both in one place.
"""

from __future__ import annotations

from typing import Any

from analysis_py.formatting import markdown_literal, money

__all__ = ["CELL_AVERAGE", "NO_MEDIAN_OF_THE_REST", "per_worker_words"]

#: What a headline over the sample's cells says of itself, in the sentence that gives the number.
CELL_AVERAGE = (
    "Averaged over state × occupation estimates (each counted once, whatever its employment)"
)


#: Why the per-worker figure beside a gap of medians is a gap of means.
NO_MEDIAN_OF_THE_REST = (
    "These are means: BLS publishes no median of all other occupations together."
)


def per_worker_words(test: dict[str, Any], first: str, second: str, of_means: bool = True) -> str:
    """BLS's worker-weighted figure of the test's two groups (`worker_weighted`, from the U.S. or
    the states' group rows), as a sentence to stand beside the cell average; "" without one.
    Larger or smaller is said only when the test's cells are means too (`of_means`)."""
    gap = test.get("worker_weighted")
    if not gap:
        return ""
    cells = test.get("mean_difference")
    size = ""
    if of_means and cells is not None and gap["difference"] != cells:
        size = (
            " the gap is larger" if abs(gap["difference"]) > abs(cells) else " the gap is smaller"
        )
    direction = "more" if gap["difference"] >= 0 else "less"
    return (
        f"Per worker{size}: {markdown_literal(gap['source'])} put the mean annual wage of {first} at "
        f"{money(gap['mean_1'])} against {money(gap['mean_2'])} for {second}, "
        f"**{money(abs(gap['difference']))} {direction}** (May {gap['release_year']})."
    )
