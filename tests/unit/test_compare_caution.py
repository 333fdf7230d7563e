"""`study.compare_caution`'s sentences, word for word, for each kind of pair: which areas hold
which, how many years apart two releases are, and what the code's SOC rule says."""

from __future__ import annotations

import pytest

from analysis_py.study.compare import Estimate
from analysis_py.study.compare_caution import (
    SocComparability,
    area_caution,
    occupation_caution,
    release_caution,
)

_NESTED = (
    "count in both estimates, so the two are not independent samples: their errors are "
    "positively correlated, and the z from independent standard errors is conservative (the "
    "difference's true standard error is smaller)."
)
_SEPARATE = "their estimates come from separate samples of establishments, so their standard errors combine as independent ones."


def area(title: str, area_type: int, prim_state: str | None, year: int = 2025) -> Estimate:
    return Estimate(
        release_year=year,
        area=title[:5],
        area_title=title,
        occ_code="29-1141",
        occ_title="Registered Nurses",
        o_group="detailed",
        a_mean=100_000.0,
        a_mean_se=500.0,
        mean_prse=0.5,
        is_a_mean_top_coded=False,
        tot_emp=1000,
        area_type=area_type,
        prim_state=prim_state,
    )


US = area("U.S.", 1, "US")
CALIFORNIA = area("California", 2, "CA")
TEXAS = area("Texas", 2, "TX")
PUERTO_RICO = area("Puerto Rico", 3, "PR")
LOS_ANGELES = area("Los Angeles-Long Beach-Anaheim, CA", 4, "CA")
WASHINGTON_DC = area("Washington-Arlington-Alexandria, DC-VA-MD-WV", 4, "DC")
VIRGINIA = area("Virginia", 2, "VA")
DIVISION = area("Arlington-Alexandria-Reston, VA-WV Metropolitan Division", 5, None)
TITLE_ONLY = area("Abilene, TX", 4, None)
SAN_DIEGO = area("San Diego-Chula Vista-Carlsbad, CA", 4, "CA")


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (CALIFORNIA, US, f"California is part of U.S.: the establishments sampled there {_NESTED}"),
        (US, TEXAS, f"Texas is part of U.S.: the establishments sampled there {_NESTED}"),
        (PUERTO_RICO, US, f"Puerto Rico and U.S. are separate areas: {_SEPARATE}"),
        (
            LOS_ANGELES,
            CALIFORNIA,
            f"Los Angeles-Long Beach-Anaheim, CA is part of California: the establishments sampled there {_NESTED}",
        ),
        (
            VIRGINIA,
            WASHINGTON_DC,
            "Washington-Arlington-Alexandria, DC-VA-MD-WV lies partly in Virginia: the "
            f"establishments sampled there {_NESTED}",
        ),
        (
            TITLE_ONLY,
            TEXAS,
            f"Abilene, TX is part of Texas: the establishments sampled there {_NESTED}",
        ),
        (
            LOS_ANGELES,
            TEXAS,
            f"Los Angeles-Long Beach-Anaheim, CA and Texas are separate areas: {_SEPARATE}",
        ),
        (CALIFORNIA, TEXAS, f"California and Texas are separate areas: {_SEPARATE}"),
        (
            LOS_ANGELES,
            SAN_DIEGO,
            "Los Angeles-Long Beach-Anaheim, CA and San Diego-Chula Vista-Carlsbad, CA are "
            f"separate areas: {_SEPARATE}",
        ),
        (
            DIVISION,
            WASHINGTON_DC,
            "A metropolitan division lies within its metropolitan area: if one of these holds the "
            "other, they are not independent samples and the z from independent standard errors "
            "is conservative; if not, they are separate samples.",
        ),
        (
            DIVISION,
            LOS_ANGELES,
            "Arlington-Alexandria-Reston, VA-WV Metropolitan Division and Los Angeles-Long "
            f"Beach-Anaheim, CA are separate areas: {_SEPARATE}",
        ),
    ],
    ids=[
        "state in U.S.",
        "U.S. first",
        "territory outside the U.S.",
        "metro in its state",
        "metro partly in a state",
        "metro's states from its title",
        "metro in another state",
        "two states",
        "two metros of one state",
        "division and its metro",
        "division and another metro",
    ],
)
def test_area_caution_says_which_area_holds_which(
    first: Estimate, second: Estimate, expected: str
) -> None:
    assert area_caution(first, second) == expected


def test_two_occupations_of_one_area_may_be_correlated_either_way() -> None:
    assert occupation_caution(CALIFORNIA, CALIFORNIA) == (
        "Both estimates come from one sample of establishments in California: where the two "
        "occupations share employers their errors may be correlated either way (positively or "
        "negatively; BLS publishes no covariance), and where they do not, hardly at all, so the z "
        "from independent standard errors may be too large or too small."
    )


_POOLED = "OEWS is not designed as a time series: each release pools three years of survey panels, and releases"


@pytest.mark.parametrize(
    ("earlier", "expected"),
    [
        (
            2024,
            f"{_POOLED} 1 year apart share panels, so the two are not independent samples: their "
            "errors are positively correlated, and the z from independent standard errors is "
            "conservative (the difference's true standard error is smaller); dollars are nominal.",
        ),
        (
            2023,
            f"{_POOLED} 2 years apart share panels, so the two are not independent samples: their "
            "errors are positively correlated, and the z from independent standard errors is "
            "conservative (the difference's true standard error is smaller); dollars are nominal.",
        ),
        (
            2022,
            f"{_POOLED} 3 years apart share none, so their standard errors combine as independent "
            "ones; dollars are nominal.",
        ),
    ],
    ids=["k=1", "k=2", "k=3"],
)
def test_release_caution_names_shared_panels_by_distance(earlier: int, expected: str) -> None:
    assert release_caution(area("U.S.", 1, "US", earlier), US, None) == expected
    assert release_caution(US, area("U.S.", 1, "US", earlier), None) == expected


@pytest.mark.parametrize(
    ("comparable", "after"),
    [(True, ": comparable"), (False, ": the two rows may not be the same occupation"), (None, "")],
)
def test_release_caution_names_the_codes_soc_rule(comparable: bool | None, after: str) -> None:
    soc = SocComparability("SOC 2010", "SOC 2018", comparable, "renamed, one to one")
    text = release_caution(area("U.S.", 1, "US", 2018), US, soc)
    assert text.endswith(
        " The releases use different SOC vintages (May 2018: SOC 2010; May 2025: SOC 2018): for "
        f"29-1141, renamed, one to one{after}."
    )
    assert "7 years apart share none" in text
