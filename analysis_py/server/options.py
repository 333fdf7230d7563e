"""How `wage serve` runs (kept apart from the app, so `wage --help` needs no FastAPI import)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LOCAL_HOSTS", "ServerOptions"]

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})


@dataclass(frozen=True)
class ServerOptions:
    """How `wage serve` runs: where it binds, which Host headers it answers, CORS, SQL limits."""

    host: str = "127.0.0.1"
    port: int = 8765
    cors: bool = False
    row_cap: int = 1000
    #: Bytes of values an /api/sql answer carries at most (text and blobs by length).
    byte_cap: int = 4 << 20
    time_limit: float = 5.0
    #: /api/sql queries that run at once, each in a worker process; more are refused (429).
    sql_workers: int = 2
    threads: int = 1
    cache_entries: int = 2048
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)

    @property
    def hosts(self) -> frozenset[str] | None:
        """Host header names answered (None: any, when bound to every address)."""
        if self.host in ANY_ADDRESS and not self.allowed_hosts:
            return None
        return LOCAL_HOSTS | {self.host.lower()} | {host.lower() for host in self.allowed_hosts}
