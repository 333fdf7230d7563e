"""dbt's `var()` for sqlfluff's jinja templater (`.sqlfluff` `library_path`).

sqlfluff's own stand-in for `var()` returns a placeholder string, so a macro that builds a
list from a project var (`bls_wage_columns`: the hourly columns, mean_prse, the annual
columns, all from `vars: bls_numbers`) could not render. This `var()` returns what
dbt_project.yml states, as dbt's does: the models are linted with the project's own values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project.yml"


def var(name: str, default: Any = None) -> Any:
    """The value of `vars: name` in dbt_project.yml, else `default`."""
    with _PROJECT.open(encoding="utf-8") as handle:
        variables = (yaml.safe_load(handle) or {}).get("vars", {})
    return variables.get(name, default)
