"""`wage serve` as an attacker tries it, over real HTTP: every probe is refused and the warehouse
file keeps its bytes; cross-site requests cannot act; huge answers and many slow queries leave
the server answering look-ups, under an address-space limit too.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis_py.config import Settings
from analysis_py.server.options import ServerOptions
from tests.system.test_server import Answer, Server, serve_api

pytestmark = pytest.mark.slow

#: The large-answer probe: three gigabytes of text in 1,001 rows.
LARGE_ANSWER = "select repeat('x', 3000000) from range(1001)"
SLOW = "select count(*) from range(1000000000000)"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def folder(real_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's working folder: its own copy of the warehouse and a `.tmp/` holding a secret."""
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copyfile(real_warehouse.warehouse, folder / "wage.duckdb")
    (folder / ".tmp").mkdir()
    (folder / ".tmp" / "secret.txt").write_text("the user's secret")
    return folder


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[Server]:
    with serve_api(folder / "wage.duckdb", folder, "--sql-time-limit", "2") as running:
        yield running


def sql(server: Server, query: str, **headers: str) -> Answer:
    return server.get("/api/sql?" + urllib.parse.urlencode({"q": query}), headers=headers)


#: The probes that broke the promise before, and their kin.
PROBES = [
    "explain analyze copy (select 'x' as x) to 'wage.duckdb' (use_tmp_file false)",
    "explain analyze copy (select 'x' as x) to 'wage.duckdb.wal' (use_tmp_file false)",
    "explain analyze create table memory.main.planted as select 1",
    "explain analyze insert into memory.main.planted values (1)",
    "explain analyze create macro planted() as 1",
    "explain /**/ analyse copy (select 1) to 'planted.csv'",
    "explain (analyze) select 1",
    "select * from read_text('.tmp/*')",
    "select * from read_text('.tmp/secret.txt')",
    "select * from read_blob('wage.duckdb')",
    "select content from read_blob('wage.duckdb.wal')",
    "pragma disable_optimizer",
    "call checkpoint()",
    "checkpoint",
    "attach 'wage.duckdb' as writable",
    "copy (select 1) to 'planted.csv'",
    "install httpfs",
    "set memory_limit = '64GB'",
    LARGE_ANSWER,
]


@pytest.mark.parametrize("query", PROBES)
def test_every_probe_is_refused_and_the_file_keeps_its_bytes(
    server: Server, folder: Path, query: str
) -> None:
    before = digest(folder / "wage.duckdb")
    names = sorted(p.name for p in folder.iterdir())
    answer = sql(server, query)
    assert answer.status == 400, answer.body
    assert answer.json()["parameter"] == "q"
    assert b"secret" not in answer.body
    assert digest(folder / "wage.duckdb") == before
    assert sorted(p.name for p in folder.iterdir()) == names
    assert server.get("/api/areas?area_type=2").status == 200


def test_nothing_a_query_planted_is_seen_by_the_next(server: Server) -> None:
    sql(server, "explain analyze create table memory.main.planted as select 1")
    answer = sql(server, "select count(*) from duckdb_tables() where database_name = 'memory'")
    assert answer.status == 200 and answer.json()["rows"] == [[0]]


def test_blobs_intervals_and_maps_are_rendered(server: Server) -> None:
    answer = sql(
        server,
        "select 'ab'::blob as b, interval 1 day as i, map([1], ['x']) as m,"
        " 'nan'::double as n, 1.5::decimal(4, 2) as d",
    )
    assert answer.status == 200, answer.body
    assert answer.json()["rows"] == [["6162", "1 day, 0:00:00", [[1, "x"]], None, "1.50"]]


def test_an_answer_over_the_byte_cap_is_cut_and_says_so(server: Server) -> None:
    result = sql(server, "select repeat('x', 100000) as text from range(1000)").json()
    assert result["truncated"] is True and result["truncated_by"] == "bytes"
    assert result["byte_cap"] == ServerOptions.byte_cap
    assert len(result["rows"]) == ServerOptions.byte_cap // (100000 + 8)


# ---------- cross-site requests


def test_sql_needs_the_client_header(server: Server) -> None:
    answer = server.get("/api/sql?q=select%201", client=False)
    assert answer.status == 403 and "X-Wage-Client" in answer.json()["error"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://attacker.example"},
        {"Origin": "http://127.0.0.1:1"},
        {"Origin": "null"},
    ],
)
@pytest.mark.parametrize("path", ["/api/sql?q=select%201", "/api/areas", "/api/wages"])
def test_a_request_from_another_site_is_refused(
    server: Server, path: str, headers: dict[str, str]
) -> None:
    answer = server.get(path, headers=headers)
    assert answer.status == 403, answer.body
    assert "another site" in answer.json()["error"]


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_a_request_of_the_page_itself_or_typed_is_answered(server: Server, site: str) -> None:
    host = server.url.removeprefix("http://")
    headers = {"Sec-Fetch-Site": site, "Origin": f"http://{host}"}
    assert server.get("/api/sql?q=select%201", headers=headers).status == 200
    assert server.get("/api/areas", headers=headers).status == 200


# ---------- exhaustion


def test_under_an_address_space_limit_the_server_survives_and_look_ups_stay_fast(
    real_warehouse: Settings, tmp_path: Path
) -> None:
    """`prlimit --as=2000000000`: the large answer is refused, then ten slow queries run while
    look-ups (each a different question, so none is served from memory) answer under a second."""
    if shutil.which("prlimit") is None:
        pytest.fail("prlimit (util-linux) is missing")
    with serve_api(
        real_warehouse.warehouse,
        tmp_path,
        "--sql-time-limit",
        "3",
        prefix=("prlimit", "--as=2000000000"),
    ) as running:
        large = sql(running, LARGE_ANSWER)
        # Refused as too large, or stopped at the time limit on a busy machine: cleanly either way.
        assert large.status == 400, large.body
        assert "memory" in large.json()["error"] or "time limit" in large.json()["error"]
        statuses: list[int] = []

        def slow() -> None:
            statuses.append(sql(running, SLOW).status)

        threads = [threading.Thread(target=slow) for _ in range(10)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        look_ups = []
        for path in (
            "/api/areas",
            "/api/areas?area_type=2",
            "/api/areas?release=2025",
            *(f"/api/wages?occ_code=29-1141&area_type=2&limit={n}" for n in range(1, 4)),
        ):
            started = time.monotonic()
            answer = running.get(path)
            look_ups.append((answer.status, time.monotonic() - started))
        for thread in threads:
            thread.join()
        assert running.process.poll() is None
        assert sql(running, "select 42").json()["rows"] == [[42]]
    assert all(status == 200 for status, _ in look_ups), look_ups
    assert max(seconds for _, seconds in look_ups) < 1.0, look_ups
    # Two run to the time limit (400), the rest are refused at once (429).
    assert sorted(statuses) == [400] * ServerOptions.sql_workers + [429] * (
        10 - ServerOptions.sql_workers
    )
