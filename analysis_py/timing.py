"""Step timer every layer may use: how long each step of a run took, logged and kept."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

__all__ = ["timed_step"]

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def timed_step(
    step_seconds: dict[str, float], step: str, log: logging.Logger = logger
) -> Iterator[None]:
    """Time the block into `step_seconds[step]` (seconds, 3 decimals) and log its start and end on `log`."""
    log.info("%s: started", step)
    started = time.perf_counter()
    yield
    step_seconds[step] = round(time.perf_counter() - started, 3)
    log.info("%s: done in %.1f s", step, step_seconds[step])
