"""Answers kept per warehouse file: a look-up asked again is sent from memory, not re-queried.

The warehouse file is never changed in place: a build publishes a new file by renaming it
over the old one. So an answer is keyed by the file's identity (device, inode, size, mtime)
with the request's path, query and Accept header; once a build publishes, the identity
changes and every older answer is never looked up again (they age out of the LRU).

Only the look-ups whose answer depends on nothing but the warehouse are kept (`CACHED`), and
only 200 answers; `/api/results` (which may read artifacts/results.json) and `/api/sql` (user
queries, each on a cursor of its own) always run. The middleware runs on the event loop's one
thread, so its dictionaries need no lock.

Right after a publish, the first request of a question queries the new file; requests of the
same question arriving while it does get the newest answer kept from an earlier file (as
requests that were already running on the old file do), else they wait for the new answer
instead of each querying.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from analysis_py.server.database import Warehouse, files_read

__all__ = ["CACHED", "AnswerCache"]

CACHED = frozenset(
    {"/api/releases", "/api/areas", "/api/occupations", "/api/wages", "/api/compare"}
)


@dataclass(frozen=True)
class _Answer:
    start: Message
    body: bytes


class AnswerCache:
    """ASGI middleware: GET answers of `CACHED` paths, at most `entries` of them, `max_bytes` of bodies
    in all, none over `max_body` bytes (a 1,000-row page of /api/wages is about 1 MB)."""

    def __init__(
        self,
        app: ASGIApp,
        warehouse: Warehouse,
        entries: int = 2048,
        max_bytes: int = 64 * 2**20,
        max_body: int = 4 * 2**20,
    ) -> None:
        self.app = app
        self.warehouse = warehouse
        self.entries = entries
        self.max_bytes = max_bytes
        self.max_body = max_body
        self._answers: OrderedDict[tuple, _Answer] = OrderedDict()
        self._bytes = 0
        self._pending: dict[tuple, asyncio.Future[None]] = {}
        self._newest: dict[
            tuple, tuple
        ] = {}  # (path, query, accept) -> the key of its newest kept answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in CACHED:
            await self.app(scope, receive, send)
            return
        identity = self.warehouse.file_identity()
        if identity is None:  # no warehouse: the app answers 503
            await self.app(scope, receive, send)
            return
        accept = next((value for name, value in scope["headers"] if name == b"accept"), b"")
        key = (identity, scope["path"], scope["query_string"], accept)
        while not await self._replay(key, send):
            pending = self._pending.get(key)
            if pending is None:
                break
            older = self._newest.get(key[1:])
            if older is not None and await self._replay(older, send):
                return  # an earlier file's answer, while the new file's is worked out
            await asyncio.shield(
                pending
            )  # the same question is being answered: wait for that answer
        else:
            return
        done = self._pending[key] = asyncio.get_running_loop().create_future()
        try:
            await self._answer(key, scope, receive, send)
        finally:
            del self._pending[key]
            done.set_result(None)

    async def _replay(self, key: tuple, send: Send) -> bool:
        answer = self._answers.get(key)
        if answer is None:
            return False
        self._answers.move_to_end(key)
        await send(answer.start)
        await send({"type": "http.response.body", "body": answer.body})
        return True

    async def _answer(self, key: tuple, scope: Scope, receive: Receive, send: Send) -> None:
        identity = key[0]
        start: Message | None = None
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        read: list[tuple[int, int, int, int]] = []
        token = files_read.set(read)
        try:
            await self.app(scope, receive, keep)
        finally:
            files_read.reset(token)
        body = b"".join(chunks)
        # Kept only when every cursor of the answer read the file that was there when it was asked.
        if (
            start is None
            or start["status"] != 200
            or len(body) > self.max_body
            or not read
            or set(read) != {identity}
        ):
            return
        if key not in self._answers:
            self._answers[key] = _Answer(start, body)
            self._bytes += len(body)
            self._newest[key[1:]] = key
        while len(self._answers) > self.entries or self._bytes > self.max_bytes:
            gone, answer = self._answers.popitem(last=False)
            self._bytes -= len(answer.body)
            if self._newest.get(gone[1:]) == gone:
                del self._newest[gone[1:]]
