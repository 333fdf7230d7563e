"""`wage docs` without dbt: the offline page rewrite, the description checker, and refusals before generating."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from dbt.task.docs import DOCS_INDEX_FILE_PATH

from analysis_py.cli import main
from analysis_py.config import Settings
from analysis_py.warehouse.docs_site import offline_page, undocumented


def test_offline_page_puts_the_policy_first_in_head() -> None:
    page = offline_page('<html><head lang="en"><script src="app.js"></script></head></html>')
    assert page.startswith(
        '<html><head lang="en"><meta http-equiv="Content-Security-Policy" content="default-src '
    )


def test_offline_page_leaves_no_unrendered_template_in_a_loading_attribute() -> None:
    dbt_page = Path(DOCS_INDEX_FILE_PATH).read_text(encoding="utf-8")
    pattern = r"""(?<=\s)(?:src|href|xlink:href)="(?:\{\{|\$\{)"""
    assert re.findall(pattern, dbt_page), (
        "dbt's page no longer has the slips offline_page fixes: drop the fixes"
    )
    assert re.findall(pattern, offline_page(dbt_page)) == []


def manifest_with(node: dict) -> dict:
    return {
        "metadata": {"project_name": "wage"},
        "nodes": {node["unique_id"]: node},
        "sources": {},
        "exposures": {},
    }


def model(columns: dict[str, str], description: str = "One row per area.") -> dict:
    return {
        "unique_id": "model.wage.dim_area",
        "resource_type": "model",
        "package_name": "wage",
        "name": "dim_area",
        "description": description,
        "patch_path": "wage://models/marts/_marts__models.yml",
        "original_file_path": "models/marts/dim_area.sql",
        "columns": {name: {"name": name, "description": text} for name, text in columns.items()},
    }


def catalog_with(*columns: str) -> dict:
    return {
        "nodes": {
            "model.wage.dim_area": {"columns": {name.upper(): {"name": name} for name in columns}}
        },
        "sources": {},
    }


def test_a_built_column_missing_from_the_yaml_is_reported() -> None:
    gaps = undocumented(
        manifest_with(model({"area": "Area code."})), catalog_with("area", "area_title")
    )
    assert gaps == [
        "models/marts/_marts__models.yml: model dim_area: column area_title is in the built table but not documented"
    ]


def test_a_documented_column_missing_from_the_table_is_reported() -> None:
    gaps = undocumented(
        manifest_with(model({"area": "Area code.", "gone": "Dropped."})), catalog_with("area")
    )
    assert gaps == [
        "models/marts/_marts__models.yml: model dim_area: column gone is documented but not in the built table"
    ]


def test_a_model_without_description_is_reported() -> None:
    gaps = undocumented(
        manifest_with(model({"area": "Area code."}, description=" ")), catalog_with("area")
    )
    assert gaps == ["models/marts/_marts__models.yml: model dim_area: no description"]


def test_an_exposure_without_owner_email_is_reported() -> None:
    exposure = {
        "unique_id": "exposure.wage.charts",
        "package_name": "wage",
        "name": "charts",
        "description": "Charts.",
        "original_file_path": "models/marts/_marts__exposures.yml",
        "owner": {"name": "Team", "email": None},
        "depends_on": {"nodes": ["model.wage.dim_area"]},
    }
    manifest = {
        **manifest_with(model({"area": "Area code."})),
        "exposures": {exposure["unique_id"]: exposure},
    }
    assert undocumented(manifest, catalog_with("area")) == [
        "models/marts/_marts__exposures.yml: exposure charts: owner has no email"
    ]


def test_docs_before_any_build_says_to_run_first(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["docs"]) == 2
    assert (
        capsys.readouterr().err.strip().splitlines()[-1]
        == f"error: {settings.warehouse}: no warehouse yet: run `wage run` (or `make run`) first"
    )


def test_docs_refuses_a_port_in_use_before_generating(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["docs", "--serve", "--port", str(port)]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(
        f"error: {settings.artifacts_dir / 'docs'}: cannot serve on 127.0.0.1:{port}"
    )
