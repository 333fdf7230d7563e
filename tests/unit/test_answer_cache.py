"""The server's answer cache on a small warehouse file the test writes: replay, invalidation by a publish, the byte budget."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import duckdb

from analysis_py.server.cache import AnswerCache
from analysis_py.server.database import Warehouse


def write_warehouse(path: Path, value: int) -> None:
    """A file holding `value`, renamed into place as a build publishes."""
    side = path.with_name(path.name + ".building")
    with duckdb.connect(str(side)) as con:
        con.execute("create table answer as select $v as value", {"v": value})
    os.replace(side, path)


class CountingApp:
    """An ASGI app that reads the warehouse on each call and answers `value` padded to `size` bytes."""

    def __init__(self, warehouse: Warehouse, size: int = 10) -> None:
        self.warehouse, self.size, self.calls = warehouse, size, 0

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        with self.warehouse.cursor() as con:
            value = con.execute("select value from answer").fetchone()[0]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(value).encode().ljust(self.size)})


def ask(cache: AnswerCache, query: bytes = b"", path: str = "/api/wages") -> bytes:
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "headers": []}
    asyncio.run(cache(scope, None, send))
    return b"".join(
        message.get("body", b"") for message in sent if message["type"] == "http.response.body"
    )


def test_an_answer_asked_again_is_replayed_until_a_new_file_is_published(tmp_path: Path) -> None:
    path = tmp_path / "wage.duckdb"
    write_warehouse(path, 1)
    warehouse = Warehouse(path)
    app = CountingApp(warehouse)
    cache = AnswerCache(app, warehouse)
    assert ask(cache).strip() == ask(cache).strip() == b"1" and app.calls == 1
    write_warehouse(path, 2)
    assert ask(cache).strip() == ask(cache).strip() == b"2" and app.calls == 2
    assert ask(cache, path="/api/sql").strip() == b"2" and app.calls == 3  # never kept
    warehouse.close()


def test_the_oldest_answers_leave_when_the_bytes_run_over(tmp_path: Path) -> None:
    path = tmp_path / "wage.duckdb"
    write_warehouse(path, 7)
    warehouse = Warehouse(path)
    app = CountingApp(warehouse, size=1000)
    cache = AnswerCache(app, warehouse, max_bytes=3000)
    for page in (b"offset=0", b"offset=1", b"offset=2", b"offset=3"):
        ask(cache, page)
    assert app.calls == 4
    ask(cache, b"offset=3")  # the newest three are kept
    assert app.calls == 4
    ask(cache, b"offset=0")  # the oldest is gone
    assert app.calls == 5
    warehouse.close()
