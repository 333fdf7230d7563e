"""Ingest refuses, per row, what the build's tests would refuse: the row rules (landing/row_rules.py).

Each workbook is written here (the two-row workbook of tests/conftest.py, with one cell or
row changed); none needs dbt or a child process (the console script's refusal is
tests/integration/test_wage_processes.py's). The rules' parameters have one owner, `vars: row_rules` in
dbt_project.yml, which the dbt tests read too: the last tests check that no test holds a copy.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
import yaml

from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.landing import cell_checks
from analysis_py.landing.row_rules import (
    RowRules,
    keeps_row_rules_sql,
    project_row_rules,
    row_checks,
    with_numbers_sql,
)
from tests.conftest import REPO, bls_row, two_state_rows, write_workbook

#: The detailed row of `two_state_rows` (Chief Executives, sheet row 3), as printed there.
CHIEF = two_state_rows()[1]


@pytest.fixture(scope="module")
def rules() -> RowRules:
    return project_row_rules(REPO)


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("wage: ")]


def _refused(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The one `error:` line `wage ingest` prints for `path` (exit 2, nothing else on stderr)."""
    code = main(["ingest", str(path)])
    lines = _error_lines(capsys.readouterr().err)
    assert code == 2, lines
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: "), lines
    return lines[0].removeprefix(f"error: {path}: ")


def _landed(settings: Settings, columns: str) -> list[tuple]:
    with duckdb.connect(str(settings.raw_db), read_only=True) as con:
        return con.execute(f"select {columns} from oews_estimates order by sheet_row").fetchall()


def _as_landed(value: object) -> str | None:
    """A cell written by openpyxl as the raw landing keeps it: text, `true` for TRUE, NULL for ''."""
    if value == "":
        return None
    return str(value).lower() if isinstance(value, bool) else str(value)


# ---------- each rule: refused naming its sheet, row and column


def _annual_off(hourly: float, annual: float) -> str:
    """How far apart BLS's rule puts them, as the refusal prints it."""
    return f"{abs(annual - hourly * 2080):,.2f} away from H_MEAN x 2,080 = {hourly * 2080:,.2f}"


#: name -> (cells changed on sheet row 3, the column the refusal names, what it says of it)
REFUSED = {
    "annual is not hourly x 2,080": (
        dict(A_MEAN=201230),
        "S (A_MEAN)",
        f"201230 is {_annual_off(96.73, 201230)} (96.73 in H_MEAN, column R), "
        "more than BLS's rounding allows ($25)",
    ),
    "annual 25.50 below hourly x 2,080": (
        dict(H_MEAN=100.5, A_MEAN=209014.5),
        "S (A_MEAN)",
        f"209014.5 is {_annual_off(100.5, 209014.5)} (100.5 in H_MEAN, column R), "
        "more than BLS's rounding allows ($25)",
    ),
    "hourly percentiles out of order": (
        dict(H_PCT25=80.02),  # a cent above H_MEDIAN
        "V (H_PCT25)",
        "80.02 is above H_MEDIAN (80.01, column W): percentiles never decrease "
        "(H_PCT10 <= H_PCT25 <= H_MEDIAN <= H_PCT75 <= H_PCT90)",
    ),
    "out of order across a suppressed percentile": (
        dict(A_PCT25="*", A_MEDIAN=101660, H_PCT25="*", H_MEDIAN=48.88),
        "Z (A_PCT10)",
        "101670 is above A_MEDIAN (101660, column AB): percentiles never decrease "
        "(A_PCT10 <= A_PCT25 <= A_MEDIAN <= A_PCT75 <= A_PCT90)",
    ),
    "a negative percentile": (
        dict(A_PCT10=-101670),
        "Z (A_PCT10)",
        "-101670 is negative",
    ),
    "a fraction of an employee": (
        dict(TOT_EMP=810.5),
        "L (TOT_EMP)",
        "810.5 is not a whole number, as TOT_EMP always is",
    ),
    "no area": (dict(AREA=None), "A (AREA)", "is empty, and every row needs its AREA"),
    "a symbol for the area type": (
        dict(AREA_TYPE="**"),
        "C (AREA_TYPE)",
        "** is not a number, and every row needs its AREA_TYPE",
    ),
    "no occupation title": (
        dict(OCC_TITLE=None),
        "J (OCC_TITLE)",
        "is empty, and every row needs its OCC_TITLE",
    ),
    "not an SOC code": (
        dict(OCC_CODE="11-101"),
        "I (OCC_CODE)",
        "11-101 is not an SOC occupation code (NN-NNNN)",
    ),
    "no such SOC major group": (
        dict(OCC_CODE="98-1011"),
        "I (OCC_CODE)",
        "98-1011 is in no SOC major group (98-0000 is not one of seeds/soc_major_groups.csv)",
    ),
    "the all-occupations code as a detailed row": (
        dict(OCC_CODE="00-0000"),
        "I (OCC_CODE)",
        "00-0000 is in no SOC major group (00-0000 is not one of seeds/soc_major_groups.csv)",
    ),
    "not a level": (
        dict(O_GROUP="detail"),
        "K (O_GROUP)",
        "detail is not a level BLS publishes (total, major, minor, broad, detailed)",
    ),
    "an industry row in a state workbook": (
        dict(I_GROUP="sector"),
        "G (I_GROUP)",
        "sector is not cross-industry, as every row of a state workbook is "
        "(pass --kind if it is another BLS workbook)",
    ),
    "one ownership in a state workbook": (
        dict(OWN_CODE=5),
        "H (OWN_CODE)",
        "5 is not 1235 (all ownerships), as every row of a state workbook is "
        "(pass --kind if it is another BLS workbook)",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_ingest_refuses_a_row_the_build_would_refuse(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    changed, column, said = REFUSED[case]
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(**changed))
    assert _refused(path, capsys) == f"sheet 'data', row 3, column {column}: {said}"
    assert not settings.raw_db.exists()


def test_a_cell_that_breaks_several_rules_is_named_once_and_the_others_counted(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A_PCT10 above the three percentiles after it and off H_PCT10 x 2,080 is one bad cell; the
    next row's O_GROUP another."""
    rows = [*two_state_rows(A_PCT10=999999), bls_row(OCC_CODE="11-1021", O_GROUP="detail")]
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", rows)
    assert _refused(path, capsys).endswith("(2 bad cells in all; next: K4)")


# ---------- what the rules let through: the boundaries, and what is not a number


#: name -> cells changed on sheet row 3 (each keeps every rule, as the build's tests read them)
ACCEPTED = {
    "annual exactly $25 above hourly x 2,080": dict(H_MEAN=100.5, A_MEAN=209065),
    "annual exactly $25 below hourly x 2,080": dict(H_MEAN=100.5, A_MEAN=209015),
    "equal neighbouring percentiles": dict(H_PCT25=48.88, A_PCT25=101670),
    "top-coded 90th percentile beside a 75th above the bound": dict(
        H_PCT75=120.19, A_PCT75=250000, H_PCT90="#", A_PCT90="#"
    ),
    "top-coded 75th and 90th percentiles": dict(H_PCT75="#", A_PCT75="#"),
    "suppressed percentiles between numbers in order": dict(
        H_PCT25="*", A_PCT25="*", H_MEDIAN="", A_MEDIAN=""
    ),
    "hourly-only occupation without annual wages": dict(
        HOURLY="TRUE", A_MEAN="*", A_PCT10="*", A_PCT25="*", A_MEDIAN="*", A_PCT75="*", A_PCT90="*"
    ),
    "annual-only occupation: hourly figures are not compared": dict(ANNUAL=True, H_MEAN=50),
    "a code printed without its dash, a level in capitals": dict(
        OCC_CODE=111011, O_GROUP="DETAILED"
    ),
    "thousands separators": dict(A_MEAN="201,200", A_PCT25="134,650"),
}


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_ingest_lands_a_row_that_keeps_the_rules(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    changed = ACCEPTED[case]
    path = write_workbook(tmp_path / "state_M2025_dl.xlsx", two_state_rows(**changed))
    assert main(["ingest", str(path)]) == 0, capsys.readouterr().err
    landed = _landed(settings, ", ".join(["sheet_row", *(column.lower() for column in changed)]))
    assert [row for row, *_ in landed] == [2, 3]
    assert landed[1][1:] == tuple(_as_landed(value) for value in changed.values())


def test_an_industry_workbook_holds_industry_and_ownership_rows(
    settings: Settings, tmp_path: Path
) -> None:
    path = write_workbook(
        tmp_path / "natsector_M2025_dl.xlsx", two_state_rows(I_GROUP="sector", OWN_CODE=5)
    )
    assert main(["ingest", str(path)]) == 0
    assert _landed(settings, "i_group, own_code") == [
        ("cross-industry", "1235"),
        ("sector", "5"),
    ]


# ---------- the SQL against the rules computed here, on many rows (an independent computation)


def _number(cell: str | None) -> float | None:
    try:
        return float(cell.replace(",", "")) if cell else None
    except ValueError:  # a symbol
        return None


def _keeps_percentile_order(cells: list[str | None]) -> bool:
    values = [value for value in map(_number, cells) if value is not None]
    return all(low <= high for low, high in itertools.pairwise(values))


def test_the_percentile_rule_compares_every_pair_of_published_numbers(rules: RowRules) -> None:
    """Random annual percentiles (numbers, symbols, empty cells) against their order computed here."""
    draw = random.Random(7)
    choices = ["#", "*", None, "", "1,000", "2000", "2,500.5", "3000", "40000", "3000"]
    rows = [[draw.choice(choices) for _ in range(5)] for _ in range(3000)]
    order = rules.percentile_orders[1]
    assert order == ("a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90")
    one_order = _only(rules, percentile_orders=(order,))
    table = pa.table(
        {column: [row[i] for row in rows] for i, column in enumerate(order)}
        | {column: pa.nulls(len(rows), pa.string()) for column in ("occ_code", "o_group", "annual")}
    )
    with duckdb.connect() as con:
        con.register("cells", table)
        kept = [
            keeps
            for (keeps,) in con.execute(
                f"select {keeps_row_rules_sql(one_order, 'all')} "
                f"from {with_numbers_sql('cells', one_order)} as cells"
            ).fetchall()
        ]
    assert kept == [_keeps_percentile_order(row) for row in rows]
    assert 0 < sum(kept) < len(kept)


def test_the_annual_rule_allows_the_tolerance_and_skips_annual_only_rows(rules: RowRules) -> None:
    """Random hourly and annual means, both ways of the tolerance, against the rule computed here."""
    draw = random.Random(11)
    hourly = [draw.choice(["*", "#", None, f"{draw.uniform(10, 200):.2f}"]) for _ in range(3000)]
    annual = [
        f"{_number(h) * 2080 + draw.choice([-25.5, -25, -3, 0, 12.5, 25, 25.01, 400]):.2f}"
        if _number(h) is not None and draw.random() < 0.9
        else draw.choice(["*", "#", "50000"])
        for h in hourly
    ]
    annual_only = [draw.choice([None, "TRUE", "true", "FALSE", True]) for _ in hourly]
    expected = [
        str(flag).lower() == "true"
        or _number(a) is None
        or _number(h) is None
        or abs(_number(a) - _number(h) * 2080) <= 25
        for h, a, flag in zip(hourly, annual, annual_only, strict=False)
    ]
    table = pa.table(
        {
            "h_mean": hourly,
            "a_mean": annual,
            "annual": [None if flag is None else str(flag) for flag in annual_only],
        }
        | {column: pa.nulls(len(hourly), pa.string()) for column in ("occ_code", "o_group")}
    )
    one_pair = _only(rules, annual_hourly_columns=(("a_mean", "h_mean"),))
    with duckdb.connect() as con:
        con.register("cells", table)
        kept = [
            keeps
            for (keeps,) in con.execute(
                f"select {keeps_row_rules_sql(one_pair, 'all')} from {with_numbers_sql('cells', one_pair)} as cells"
            ).fetchall()
        ]
    assert kept == expected
    assert 0 < sum(kept) < len(kept)


def _only(rules: RowRules, **kept: object) -> RowRules:
    """`rules` with only the column rules named in `kept` (the required cells, percentile orders and
    annual-hourly pairs otherwise emptied), for SQL over a few columns (OCC_CODE, O_GROUP, ANNUAL NULL where not given)."""
    emptied = dict(required_cells=(), percentile_orders=(), annual_hourly_columns=())
    return dataclasses.replace(rules, **{**emptied, **kept})


# ---------- one owner: the dbt tests read `vars: row_rules`, they hold no copy


def _data_tests(path: str) -> dict[str, dict]:
    """Test name -> arguments of every data test of a models YAML file (model-level and column-level)."""
    models = yaml.safe_load((REPO / path).read_text(encoding="utf-8"))["models"]
    found: dict[str, dict] = {}
    for model in models:
        tests = [*model.get("data_tests", [])]
        tests += [
            test for column in model.get("columns", []) for test in column.get("data_tests", [])
        ]
        for test in tests:
            if isinstance(test, dict):
                [(kind, body)] = test.items()
                found[body.get("name", kind)] = body.get("arguments", {})
    return found


def test_the_marts_tests_read_the_row_rules_from_the_project_var() -> None:
    tests = _data_tests("models/marts/_marts__models.yml")
    assert tests["columns_ordered_fct_occupation_wages"] == {
        "orders": "{{ var('row_rules')['percentile_orders'] }}"
    }
    assert tests["annual_matches_hourly_fct_occupation_wages"] == {
        "hourly_columns": "{{ var('row_rules')['annual_hourly_columns'] }}",
        "hours_per_year": "{{ var('row_rules')['hours_per_year'] }}",
        "tolerance": "{{ var('row_rules')['annual_hourly_tolerance'] }}",
    }
    accepted = tests["accepted_values_columns_fct_occupation_wages"]["columns"]
    assert "o_group" not in [rule["column"] for rule in accepted]
    assert {"column": "o_group", "to": "ref('o_group_levels')", "field": "o_group"} in tests[
        "relationships_columns_fct_occupation_wages"
    ]["columns"]
    [cross_industry] = [
        rule for rule in accepted if rule["column"] == "is_cross_industry_all_ownerships"
    ]
    assert "var('row_rules')['cross_industry_file_kinds']" in cross_industry["where"]


def test_the_staging_tests_read_the_row_rules_from_the_project_var() -> None:
    tests = _data_tests("models/staging/_staging__models.yml")
    assert tests["not_null_columns_stg_oews__estimates"] == {
        "columns": "{{ var('row_rules')['required_cells'] }}"
    }
    assert tests["matches_pattern_stg_oews__estimates_occ_code"] == {
        "pattern": "{{ var('row_rules')['occ_code_pattern'] }}"
    }


def test_the_row_rules_are_read_from_the_project(rules: RowRules) -> None:
    """What ingest applies is what dbt_project.yml says (and the seed of SOC major groups holds)."""
    stated = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))["vars"][
        "row_rules"
    ]
    assert rules.percentile_orders == tuple(map(tuple, stated["percentile_orders"]))
    assert dict(rules.annual_hourly_columns) == stated["annual_hourly_columns"]
    assert (rules.hours_per_year, rules.annual_hourly_tolerance) == (2080, 25)
    assert {"area", "area_type", "occ_code", "o_group"} <= set(rules.required_cells)
    assert len(rules.soc_major_groups) == 22 and "11-0000" in rules.soc_major_groups


def test_the_row_rules_carry_the_number_rules_of_their_own_project(tmp_path: Path) -> None:
    """Ingest checks cells by the number rules of the project whose row rules it applies (not of
    the folder it runs in): a project that narrows a bound narrows what its ingest keeps."""
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))
    project["vars"]["bls_numbers"]["number_bounds"]["area_type"] = [1, 4]
    narrowed = project_row_rules(_project_in(tmp_path, project)).numbers
    keeps = cell_checks.keeps_number_rules_sql(narrowed, ["area_type"])
    assert narrowed.number_bounds["area_type"] == (1, 4)
    assert duckdb.sql(f"select {keeps} from (select '5' as area_type)").fetchone() == (False,)


def _project_in(folder: Path, project: dict, o_group_levels: str | None = None) -> Path:
    """`folder` made a dbt project for the row rules: `project` as its dbt_project.yml, the
    repository's seeds, the seed of o_group levels replaced by `o_group_levels` when given."""
    (folder / "dbt_project.yml").write_text(yaml.safe_dump(project), encoding="utf-8")
    (folder / "seeds").mkdir()
    for seed in ("soc_major_groups.csv", "o_group_levels.csv"):
        text = (REPO / "seeds" / seed).read_text(encoding="utf-8")
        (folder / "seeds" / seed).write_text(text, encoding="utf-8")
    if o_group_levels is not None:
        (folder / "seeds" / "o_group_levels.csv").write_text(o_group_levels, encoding="utf-8")
    return folder


def test_the_level_rule_takes_the_levels_of_its_projects_seed(tmp_path: Path) -> None:
    """The levels are the seed's, by its level_rank (not its row order): a project whose seed
    drops `broad` and adds `cluster` refuses a broad row, keeps a cluster row, and names its
    own levels in the refusal."""
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))
    seed = "o_group,level_rank,level_description\ndetailed,9,x\ntotal,0,x\ncluster,5,x\n"
    rules = _only(project_row_rules(_project_in(tmp_path, project, seed)))
    [level_rule] = [check for check in row_checks(rules, "all", {}) if check.column == "o_group"]
    table = pa.table(
        {
            "o_group": ["broad", " Cluster ", "detailed", None],
            "occ_code": pa.nulls(4, pa.string()),
            "annual": pa.nulls(4, pa.string()),
        }
    )
    with duckdb.connect() as con:
        con.register("cells", table)
        found = con.execute(
            f"select {level_rule.keeps}, case when not {level_rule.keeps} then {level_rule.reason} end "
            f"from {with_numbers_sql('cells', rules)} as cells"
        ).fetchall()
    assert found == [
        (False, "broad is not a level BLS publishes (total, cluster, detailed)"),
        (True, None),
        (True, None),
        (True, None),
    ]
