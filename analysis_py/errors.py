"""Exceptions the CLI turns into `error: <file>: <problem>` and exit code 2."""

from __future__ import annotations

__all__ = ["AnalysisError", "BuildError", "BusyError", "ConfigError", "InputError", "WageError"]


class WageError(Exception):
    """A problem the user can act on, tied to one file."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class ConfigError(WageError):
    """The project or its settings are not usable."""


class InputError(WageError):
    """A workbook (or other input) that cannot be ingested as it is."""


class BuildError(WageError):
    """dbt failed to build or test the warehouse; the published warehouse is unchanged."""


class BusyError(WageError):
    """Another build holds the warehouse lock."""


class AnalysisError(WageError):
    """The warehouse holds too little data for an analysis (e.g. an empty group)."""
