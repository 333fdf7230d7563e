"""`wage serve` over real HTTP: uvicorn on 127.0.0.1, port 0, on the real warehouse.

Every endpoint, every kind of parameter error, the SQL guard, the Host check, the docs
page's local assets, 503 without a warehouse, and zero failed requests while builds
publish new warehouse files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from scipy import stats

from analysis_py.config import Settings, folder_environment
from analysis_py.stats.survey import estimate_difference_z
from analysis_py.warehouse.build import finish_side_file
from tests.conftest import REPO

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen
    stderr: Path

    def get(
        self,
        path: str,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
        client: bool = True,
    ) -> Answer:
        """GET `path`; with `client`, the header /api/sql requires of a request made on purpose."""
        sent = {"X-Wage-Client": "tests"} if client else {}
        request = urllib.request.Request(self.url + path, headers={**sent, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Answer(
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    response.read(),
                )
        except urllib.error.HTTPError as error:
            return Answer(
                error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()
            )


@contextmanager
def serve_api(
    warehouse: Path, folder: Path, *args: str, prefix: tuple[str, ...] = ()
) -> Iterator[Server]:
    """`wage serve --port 0 ARGS` in a child process on `warehouse`, until the block ends
    (started through `prefix`, e.g. prlimit, when given)."""
    folder.mkdir(parents=True, exist_ok=True)
    stderr = folder / "serve.err"
    env = {**os.environ, **folder_environment(folder, REPO), "WAGE_DB": str(warehouse)}
    with stderr.open("w") as err:
        command = [
            *prefix,
            sys.executable,
            "-m",
            "analysis_py.cli",
            "serve",
            "--port",
            "0",
            *args,
        ]
        child = subprocess.Popen(
            command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=err
        )
    try:
        deadline = time.monotonic() + 120
        while not (
            found := re.search(r"Uvicorn running on (http://[^ ]+:\d+)", stderr.read_text())
        ):
            assert child.poll() is None, stderr.read_text()
            assert time.monotonic() < deadline, "no `Uvicorn running` line within 120 s"
            time.sleep(0.1)
        yield Server(found.group(1), child, stderr)
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


@pytest.fixture(scope="module")
def server(real_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve_api(
        real_warehouse.warehouse, tmp_path_factory.mktemp("serve"), "--sql-time-limit", "1.5"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def mart(real_warehouse: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse read directly, to check the API against."""
    con = duckdb.connect(":memory:")
    con.execute(f"attach '{real_warehouse.warehouse}' as wage (read_only)")
    con.execute("use wage")
    yield con
    con.close()


def nurses_in_states(mart: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = mart.execute(
        """select area, a_mean, a_mean_se, a_median, mean_prse from fct_occupation_wages
           where occ_code = '29-1141' and area_type = 2 and is_cross_industry_all_ownerships"""
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


# ---------- acceptance


def test_wages_of_registered_nurses_in_states_are_the_mart_rows_with_their_cis(
    server: Server, mart: duckdb.DuckDBPyConnection
) -> None:
    answer = server.get("/api/wages?occ_code=29-1141&area_type=2")
    assert answer.status == 200
    rows = answer.json()["rows"]
    expected = nurses_in_states(mart)
    assert len(rows) == 51 == len(expected)
    z = stats.norm.ppf(0.975)
    for row in rows:
        a_mean, a_mean_se, a_median, mean_prse = expected[row["area"]]
        assert (row["a_mean"], row["a_mean_se"], row["a_median"], row["mean_prse"]) == (
            a_mean,
            a_mean_se,
            a_median,
            mean_prse,
        )
        assert row["a_mean_ci_low"] == pytest.approx(a_mean - z * a_mean_se, rel=1e-12)
        assert row["a_mean_ci_high"] == pytest.approx(a_mean + z * a_mean_se, rel=1e-12)
        assert isinstance(row["flags"], list)


def test_compare_of_two_states_gives_the_z_of_stats_on_the_same_rows(
    server: Server, mart: duckdb.DuckDBPyConnection
) -> None:
    answer = server.get("/api/compare?occ_code=29-1141&area=CA&area=TX")
    assert answer.status == 200
    result = answer.json()
    rows = nurses_in_states(mart)
    (ca_mean, ca_se, *_), (tx_mean, tx_se, *_) = rows["6"], rows["48"]
    expected = estimate_difference_z(ca_mean, ca_se, tx_mean, tx_se)
    assert result["z"] == pytest.approx(expected.z, rel=1e-12)
    assert result["p_value"] == pytest.approx(expected.p_value)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx(
        (expected.ci_low, expected.ci_high)
    )
    assert result["kind"] == "areas" and result["distinguishable"] is True
    assert "California" in result["sentence"] and "Texas" in result["sentence"]


def test_docs_page_loads_its_assets_from_this_server_only(server: Server) -> None:
    page = server.get("/docs").body.decode()
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    for url in urls:
        assert server.get(url).status == 200, url


@pytest.mark.parametrize(
    "query",
    [
        "copy (select 1) to '/tmp/wage-api-copy.csv'",
        "attach '/tmp/wage-api-other.duckdb' as other",
        "install httpfs",
        "load httpfs",
        "select * from read_csv('/etc/passwd')",
        "select * from read_text('/etc/passwd')",
        "select * from glob('/etc/*')",
        "set enable_external_access = true",
        "create table t as select 1",
        "select 1; select 2",
        "detach wage",
        "select * from nope_no_such_table",
    ],
)
def test_sql_refuses_what_is_not_one_read_only_query(server: Server, query: str) -> None:
    answer = server.get("/api/sql?" + urllib.parse.urlencode({"q": query}))
    assert answer.status == 400, answer.body
    assert answer.json()["parameter"] == "q"
    assert not Path("/tmp/wage-api-copy.csv").exists()


def test_sql_over_the_row_cap_says_it_was_capped(server: Server) -> None:
    result = server.get(
        "/api/sql?" + urllib.parse.urlencode({"q": "select * from range(5000)"})
    ).json()
    assert result["truncated"] is True
    assert len(result["rows"]) == result["row_cap"] == 1000


def test_sql_under_the_row_cap_is_complete(server: Server) -> None:
    result = server.get(
        "/api/sql?"
        + urllib.parse.urlencode({"q": "select count(*) as n from fct_occupation_wages"})
    ).json()
    assert result["truncated"] is False and result["columns"] == ["n"] and result["rows"][0][0] > 0


def test_sql_stops_a_query_at_the_time_limit(server: Server) -> None:
    started = time.monotonic()
    answer = server.get(
        "/api/sql?" + urllib.parse.urlencode({"q": "select count(*) from range(1000000000000)"})
    )
    assert (
        answer.status == 400 and "ran longer than the time limit of 1.5 s" in answer.json()["error"]
    )  # wage serve --sql-time-limit 1.5
    assert 1.5 <= time.monotonic() - started < 10
    assert server.get("/api/sql?q=select%201").json()["time_limit_seconds"] == 1.5


# ---------- every endpoint


def test_releases_lists_the_release(server: Server) -> None:
    assert [r["release_year"] for r in server.get("/api/releases").json()["releases"]] == [2025]


def test_areas_of_type_2_are_the_50_states_and_dc(server: Server) -> None:
    areas = server.get("/api/areas?area_type=2").json()["areas"]
    assert len(areas) == 51 and {"CA", "DC", "TX"} <= {a["prim_state"] for a in areas}


def test_occupation_search_ranks_the_exact_title_first(server: Server) -> None:
    found = server.get("/api/occupations?q=registered%20nurses").json()["occupations"]
    assert found[0]["occ_code"] == "29-1141"


def test_occupation_search_finds_a_code(server: Server) -> None:
    assert (
        server.get("/api/occupations?q=15-1252").json()["occupations"][0]["occ_title"]
        == "Software Developers"
    )


def test_wages_next_links_walk_every_row_once(server: Server) -> None:
    path, seen, total = "/api/wages?area=CA&o_group=detailed&limit=250&sort=-a_mean", [], None
    while path:
        page = server.get(path).json()
        total = page["total"]
        seen += [row["occ_code"] for row in page["rows"]]
        path = page["next"]
    assert len(seen) == len(set(seen)) == total > 250


def test_wages_sort_descending(server: Server) -> None:
    rows = server.get("/api/wages?occ_code=29-1141&area_type=2&sort=-a_mean").json()["rows"]
    means = [row["a_mean"] for row in rows if row["a_mean"] is not None]
    assert means == sorted(means, reverse=True)


def test_wages_flag_top_coded_means(server: Server, mart: duckdb.DuckDBPyConnection) -> None:
    occ, area = mart.execute(
        "select occ_code, area from fct_occupation_wages where is_a_mean_top_coded limit 1"
    ).fetchone()
    row = server.get(f"/api/wages?occ_code={occ}&area={area}").json()["rows"][0]
    assert (
        "a_mean_top_coded" in row["flags"]
        and row["a_mean"] is None
        and row["a_mean_ci_low"] is None
    )


def test_compare_two_occupations_in_one_area(server: Server) -> None:
    result = server.get("/api/compare?area=CA&occ_code=29-1141&occ_code=29-2061").json()
    assert result["kind"] == "occupations" and "may be correlated either way" in result["caution"]


def test_results_has_the_runs_tests_and_regressions(server: Server) -> None:
    result = server.get("/api/results").json()
    assert result["source"] == "warehouse" and len(result["tests"]) >= 6 and result["regressions"]


def test_openapi_documents_every_endpoint(server: Server) -> None:
    paths = set(server.get("/openapi.json").json()["paths"])
    assert paths == {
        "/api/releases",
        "/api/areas",
        "/api/occupations",
        "/api/wages",
        "/api/compare",
        "/api/results",
        "/api/sql",
    }


def test_explorer_page_is_served_with_a_strict_policy(server: Server) -> None:
    answer = server.get("/")
    assert answer.status == 200 and b"explorer.js" in answer.body
    assert "script-src 'self';" in answer.headers["content-security-policy"]


# ---------- formats


def test_csv_by_format_parameter(server: Server) -> None:
    answer = server.get("/api/wages?occ_code=29-1141&area_type=2&format=csv")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert len(rows) == 51 and "a_mean_ci_low" in rows[0]


def test_csv_by_accept_header(server: Server) -> None:
    answer = server.get("/api/areas?area_type=2", headers={"Accept": "text/csv"})
    assert answer.headers["content-type"].startswith("text/csv") and answer.body.startswith(
        b"area,area_title"
    )


def test_csv_neutralises_formula_cells(server: Server) -> None:
    answer = server.get(
        "/api/sql?"
        + urllib.parse.urlencode({"q": "select '=1+1' as a, '@x' as b, 5 as c", "format": "csv"})
    )
    assert answer.body.decode().splitlines()[1] == "'=1+1,'@x,5"


# ---------- errors


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/wages?area_type=abc", "area_type"),
        ("/api/wages?area_type=9", "area_type"),
        ("/api/wages?limit=0", "limit"),
        ("/api/wages?limit=100000", "limit"),
        ("/api/wages?offset=-1", "offset"),
        ("/api/wages?sort=password", "sort"),
        ("/api/wages?o_group=everything", "o_group"),
        ("/api/wages?release=abc", "release"),
        ("/api/wages?occ=29-1141", "occ"),
        ("/api/wages?format=xml", "format"),
        ("/api/areas?area_type=x", "area_type"),
        ("/api/occupations?limit=-3", "limit"),
        ("/api/occupations?o_group=huge", "o_group"),
        ("/api/compare?occ_code=29-1141&area=CA", "area"),
        ("/api/compare?occ_code=29-1141&area=CA&area=TX&area=NY", "area"),
        ("/api/compare?occ_code=29-1141&area=CA&area=TX&dollars=real", "dollars"),
        ("/api/compare?occ_code=29-1141&area=CA&area=TX&prices=cheap", "prices"),
        ("/api/compare?area=CA&area=TX", "occ_code"),
        ("/api/sql", "q"),
        ("/api/sql?q=", "q"),
        ("/api/releases?x=1", "x"),
        # numbers past any bound: DuckDB's BIGINT would overflow on the first three
        ("/api/wages?offset=9223372036854775808", "offset"),
        ("/api/wages?offset=99999999999999999999999999", "offset"),
        ("/api/wages?offset=1000000001", "offset"),
        ("/api/wages?limit=-9223372036854775809", "limit"),
        ("/api/wages?release=9223372036854775808", "release"),
        ("/api/areas?area_type=9223372036854775808", "area_type"),
        ("/api/areas?release=-2025", "release"),
        ("/api/occupations?limit=9223372036854775808", "limit"),
        ("/api/occupations?release=1996", "release"),
        (
            "/api/compare?occ_code=29-1141&area=CA&release=9223372036854775808&release=2025",
            "release",
        ),
        ("/api/compare?occ_code=29-1141&area=CA&release=2025&release=-5", "release"),
        ("/api/compare?occ_code=29-1141&area=CA&release=2101&release=2025", "release"),
    ],
)
def test_a_bad_parameter_gets_400_naming_it(server: Server, path: str, parameter: str) -> None:
    answer = server.get(path)
    assert answer.status == 400, answer.body
    assert answer.json()["parameter"] == parameter
    assert parameter in answer.json()["error"]


def _integer_schemas(schema: object) -> list[dict]:
    """Every `"type": "integer"` schema inside `schema` (in anyOf, array items...)."""
    if isinstance(schema, list):
        return [found for item in schema for found in _integer_schemas(item)]
    if not isinstance(schema, dict):
        return []
    own = [schema] if schema.get("type") == "integer" else []
    return own + [found for value in schema.values() for found in _integer_schemas(value)]


def test_every_integer_parameter_has_a_lower_and_an_upper_bound(server: Server) -> None:
    """So that no number a client sends reaches DuckDB beyond what its columns hold."""
    bounded = {}
    for path, methods in server.get("/openapi.json").json()["paths"].items():
        for parameter in methods["get"].get("parameters", []):
            for schema in _integer_schemas(parameter["schema"]):
                bounded[f"{path}?{parameter['name']}"] = (
                    schema.get("minimum"),
                    schema.get("maximum"),
                )
    assert {
        "/api/wages?offset",
        "/api/wages?limit",
        "/api/compare?release",
        "/api/occupations?limit",
    } <= set(bounded)
    assert [name for name, bounds in bounded.items() if None in bounds] == []


def test_the_largest_offset_allowed_is_an_empty_last_page(
    server: Server, mart: duckdb.DuckDBPyConnection
) -> None:
    answer = server.get("/api/wages?offset=1000000000")
    [(rows,)] = mart.execute(
        """select count(*) from fct_occupation_wages where is_cross_industry_all_ownerships
           and release_year = (select max(release_year) from fct_occupation_wages)"""
    ).fetchall()
    assert answer.status == 200, answer.body
    assert (answer.json()["rows"], answer.json()["total"], answer.json()["next"]) == (
        [],
        rows,
        None,
    )


@pytest.mark.parametrize(
    ("path", "parameter", "noun", "which"),
    [
        ("/api/compare?occ_code=29-1141&area=CA&area=CA", "area", "area", "California, BLS code 6"),
        ("/api/compare?occ_code=29-1141&area=CA&area=06", "area", "area", "California, BLS code 6"),
        (
            "/api/compare?occ_code=29-1141&occ_code=29-1141&area=TX",
            "occ_code",
            "occupation",
            "Registered Nurses, 29-1141",
        ),
        (
            "/api/compare?occ_code=29-1141&area=CA&release=2025&release=2025",
            "release",
            "release",
            "May 2025",
        ),
    ],
    ids=["area-twice", "postal-code-and-fips", "occupation-twice", "release-twice"],
)
def test_compare_refuses_an_estimate_compared_with_itself(
    server: Server, path: str, parameter: str, noun: str, which: str
) -> None:
    answer = server.get(path)
    assert answer.status == 400, answer.body
    assert answer.json() == {
        "error": f"{parameter}: names the same {noun} twice ({which}): an estimate compared "
        f"with itself says nothing; give two different {noun}s",
        "parameter": parameter,
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/wages?occ_code=99-9999",
        "/api/wages?area=ZZ",
        "/api/wages?release=1999",
        "/api/areas?release=2001",
        "/api/compare?occ_code=29-1141&area=CA&area=ZZ",
        "/api/compare?occ_code=99-9999&area=CA&area=TX",
        "/api/no-such-endpoint",
    ],
)
def test_an_unknown_code_gets_404(server: Server, path: str) -> None:
    answer = server.get(path)
    assert answer.status == 404, answer.body
    assert "error" in answer.json()


def test_no_error_answer_carries_a_traceback(server: Server) -> None:
    for path in (
        "/api/wages?area_type=abc",
        "/api/compare?occ_code=29-1141&area=CA&area=ZZ",
        "/api/sql?q=select%201%2F%27a%27",
    ):
        assert b"Traceback" not in server.get(path).body


def test_a_foreign_host_header_gets_400(server: Server) -> None:
    answer = server.get("/api/releases", headers={"Host": "attacker.example"})
    assert answer.status == 400 and answer.json()["parameter"] == "Host"


def test_localhost_host_header_is_answered(server: Server) -> None:
    port = server.url.rsplit(":", 1)[1]
    assert server.get("/api/releases", headers={"Host": f"localhost:{port}"}).status == 200


def test_no_cors_header_unless_asked(server: Server) -> None:
    answer = server.get("/api/releases", headers={"Origin": "http://elsewhere.example"})
    assert "access-control-allow-origin" not in answer.headers


def test_cors_when_asked(real_warehouse: Settings, tmp_path: Path) -> None:
    with serve_api(real_warehouse.warehouse, tmp_path, "--cors") as running:
        answer = running.get("/api/releases", headers={"Origin": "http://elsewhere.example"})
    assert answer.headers["access-control-allow-origin"] == "*"


def test_without_a_warehouse_the_api_answers_503_saying_to_run(tmp_path: Path) -> None:
    with serve_api(tmp_path / "wage.duckdb", tmp_path) as running:
        answer = running.get("/api/releases")
    assert answer.status == 503 and "wage run" in answer.json()["error"]


# ---------- republishing


def publish_marked_copy(source: Path, target: Path, mark: int) -> None:
    """A copy of `source` with meta.server_mark = mark, renamed over `target` as a build does."""
    side = target.with_name(target.name + ".building")
    shutil.copyfile(source, side)
    with duckdb.connect(str(side)) as con:
        con.execute(
            "create or replace table meta.server_mark as select $mark as mark", {"mark": mark}
        )
    finish_side_file(side)
    os.replace(side, target)  # the rename a build publishes with


def test_requests_while_builds_publish_never_fail(real_warehouse: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "live"
    folder.mkdir()
    target = folder / "wage.duckdb"
    shutil.copyfile(real_warehouse.warehouse, target)
    paths = [
        "/api/wages?occ_code=29-1141&area_type=2",
        "/api/occupations?q=nurse",
        "/api/compare?occ_code=29-1141&area=CA&area=TX",
        "/api/areas",
    ]
    failures: list[str] = []
    done = threading.Event()
    counts = [0] * 4

    def hammer(index: int, running: Server) -> None:
        while not done.is_set():
            answer = running.get(paths[index])
            counts[index] += 1
            if answer.status != 200:
                failures.append(f"{paths[index]}: {answer.status} {answer.body[:200]!r}")

    with serve_api(target, folder) as running:
        workers = [threading.Thread(target=hammer, args=(i, running)) for i in range(4)]
        for worker in workers:
            worker.start()
        try:
            for mark in range(1, 6):
                publish_marked_copy(real_warehouse.warehouse, target, mark)
                time.sleep(0.5)
            sql = "/api/sql?" + urllib.parse.urlencode({"q": "select mark from meta.server_mark"})
            assert running.get(sql).json()["rows"] == [[5]]
        finally:
            done.set()
            for worker in workers:
                worker.join()
    assert failures == []
    assert min(counts) >= 3 and sum(counts) > 20


def test_a_published_file_replaces_the_remembered_answers(
    real_warehouse: Settings, tmp_path: Path
) -> None:
    """Answers are kept per warehouse file: asked again they are the same, after a publish they are the new file's."""
    folder = tmp_path / "cached"
    folder.mkdir()
    target = folder / "wage.duckdb"
    shutil.copyfile(real_warehouse.warehouse, target)
    path = "/api/wages?occ_code=29-1141&area=CA"
    with serve_api(target, folder) as running:
        first = running.get(path)
        again = running.get(path)
        assert first.status == again.status == 200 and first.body == again.body
        side = folder / "wage.duckdb.building"
        shutil.copyfile(real_warehouse.warehouse, side)
        with duckdb.connect(str(side)) as con:
            con.execute(
                "update main.fct_occupation_wages set a_mean = a_mean + 1000 where occ_code = '29-1141' and area = '6'"
            )
        finish_side_file(side)
        os.replace(side, target)
        after = running.get(path)
        as_csv = running.get(path + "&format=csv")
    assert after.json()["rows"][0]["a_mean"] == first.json()["rows"][0]["a_mean"] + 1000
    assert str(int(first.json()["rows"][0]["a_mean"] + 1000)) in as_csv.body.decode()


def test_many_clients_asking_the_same_new_question_get_the_same_answer(server: Server) -> None:
    """Concurrent first askings of one question wait for one answer (and an unknown code still gets its 404)."""
    paths = ["/api/wages?occ_code=29-1141&area_type=2&sort=-a_mean", "/api/wages?occ_code=99-9999"]
    answers: list[Answer] = []

    def ask(index: int) -> None:
        answers.append(server.get(paths[index % 2]))

    workers = [threading.Thread(target=ask, args=(i,)) for i in range(12)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    found = [a for a in answers if a.status == 200]
    assert len(found) == 6 and len({a.body for a in found}) == 1
    assert [a.json()["rows"][0]["a_mean"] for a in found[:1]] == [
        max(r["a_mean"] for r in found[0].json()["rows"] if r["a_mean"])
    ]
    assert sorted(a.status for a in answers if a.status != 200) == [404] * 6
