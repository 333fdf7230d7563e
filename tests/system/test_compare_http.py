"""`/api/compare` over real HTTP on data/raw's default run: the same sentences as `wage compare`
(tests/integration/test_compare_cli.py) for nested areas, exact figures, hourly-only occupations
and SOC vintages, and a 400 naming `release` for a release compared with itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_compare_cli import national_cell
from tests.system.test_server import Server, serve_api

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(default_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve_api(default_build / "wage.duckdb", tmp_path_factory.mktemp("serve")) as running:
        yield running


def compared(server: Server, query: str) -> dict:
    answer = server.get(f"/api/compare?{query}")
    assert answer.status == 200, answer.body
    return answer.json()


def test_a_state_against_the_us_never_says_separate_samples(server: Server) -> None:
    result = compared(server, "occ_code=29-1141&area=CA&area=99")
    assert "separate samples" not in result["caution"]
    assert result["caution"].startswith("California is part of U.S.:")


def test_two_occupations_of_one_area_may_be_correlated_either_way(server: Server) -> None:
    caution = compared(server, "area=CA&occ_code=29-1141&occ_code=29-2061")["caution"]
    assert "may be correlated either way" in caution and "positively" not in caution.split("(")[0]


def test_a_mean_prse_of_zero_gives_a_standard_error_of_zero(server: Server) -> None:
    result = compared(server, "occ_code=43-5052&area=99&release=2024&release=2025")
    difference = float(national_cell(2024, "43-5052", "A_MEAN")) - float(
        national_cell(2025, "43-5052", "A_MEAN")
    )
    assert (result["first"]["a_mean_se"], result["second"]["a_mean_se"]) == (0, 0)
    assert (result["z"], result["p_value"], result["is_exact"]) == (None, None, True)
    assert (result["difference"], result["ci_low"], result["ci_high"]) == (difference,) * 3
    assert result["sentence"].endswith("(exact on both sides: the difference is exact).")


def test_a_release_compared_with_itself_is_a_400_naming_release(server: Server) -> None:
    answer = server.get("/api/compare?occ_code=29-1141&area=99&release=2025&release=2025")
    assert answer.status == 400
    assert answer.json()["parameter"] == "release"


def test_an_hourly_only_occupation_is_compared_on_its_hourly_mean(server: Server) -> None:
    result = compared(server, "occ_code=27-2011&area=99&release=2024&release=2025")
    assert result["measure"] == "h_mean"
    assert result["second"]["h_mean"] == float(national_cell(2025, "27-2011", "H_MEAN"))
    assert result["difference"] == pytest.approx(
        result["first"]["h_mean"] - result["second"]["h_mean"], rel=1e-12
    )
    assert "(hourly means: BLS publishes only hourly wages for Actors)" in result["sentence"]


def test_releases_of_different_soc_vintages_carry_the_codes_rule(server: Server) -> None:
    result = compared(server, "occ_code=11-9199&area=99&release=2018&release=2025")
    rule = "not comparable: split and merged from SOC 2010 to SOC 2018"
    assert (result["is_soc_comparable"], result["soc_comparability_rule"]) == (False, rule)
    assert result["sentence"].endswith(f"; but for 11-9199, {rule}.")


def test_national_prices_divide_each_side_by_its_rpp_from_beas_csv(server: Server) -> None:
    from tests.integration.test_price_parities import _bea_all_items

    local = compared(server, "occ_code=29-1141&area=CA&area=MS")
    national = compared(server, "occ_code=29-1141&area=CA&area=MS&prices=national")
    rpps = [
        _bea_all_items("SARPP_STATE_2008_2024.csv", fips, "2024") for fips in ("06000", "28000")
    ]
    assert (national["prices"], local["prices"]) == ("national", "local")
    first, second = local["first"], local["second"]
    assert (national["estimate_1"], national["se_2"]) == (
        pytest.approx(first["a_mean"] * 100 / rpps[0], rel=1e-12),
        pytest.approx(second["a_mean_se"] * 100 / rpps[1], rel=1e-12),
    )
    assert national["first"]["rpp_year"] == 2024
    assert "no standard errors for RPPs" in national["caution"]
