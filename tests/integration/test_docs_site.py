"""`wage docs`: the lineage site documents everything, reaches the exposures, and works offline."""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from dbt.task.docs import DOCS_INDEX_FILE_PATH

from analysis_py.cli import main
from analysis_py.config import Settings, folder_environment
from analysis_py.docs_site import DocsSite, generate_site, offline_page, undocumented
from tests.conftest import REPO

MARTS = {"model.wage.fct_occupation_wages", "model.wage.dim_occupation", "model.wage.dim_area"}
RAW_SOURCE = "source.wage.oews.oews_estimates"
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "seeds", "macros", "tests/dbt")


@pytest.fixture(scope="module")
def real_site(real_warehouse: Settings) -> DocsSite:
    return generate_site(real_warehouse)


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


class ResourceReferences(HTMLParser):
    """What a page's markup makes the browser load: tag attributes, and url()/@import in <style>."""

    LOADING_ATTRIBUTES = {"src", "href", "data", "poster", "srcset"}

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        if tag != "a":  # a link is navigation, not a resource the page needs
            self.references += [value for name, value in attrs if name in self.LOADING_ATTRIBUTES and value]
        self.references += re.findall(r"url\(\s*['\"]?([^'\")]+)", dict(attrs).get("style") or "")

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.references += re.findall(r"(?:url\(\s*['\"]?|@import\s+['\"])([^'\")]+)", data)


def external(reference: str) -> bool:
    return bool(re.match(r"\s*(?:[a-z][a-z0-9+.-]*:)?//", reference, flags=re.IGNORECASE)) and not reference.startswith("data:")


def copy_project(destination: Path) -> Path:
    destination.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            shutil.copy(source, destination / part)
    return destination


# -- the page -------------------------------------------------------------------------


def test_offline_page_puts_the_policy_first_in_head() -> None:
    page = offline_page('<html><head lang="en"><script src="app.js"></script></head></html>')
    assert page.startswith('<html><head lang="en"><meta http-equiv="Content-Security-Policy" content="default-src ')


def test_offline_page_leaves_no_unrendered_template_in_a_loading_attribute() -> None:
    dbt_page = Path(DOCS_INDEX_FILE_PATH).read_text(encoding="utf-8")
    pattern = r"""(?<=\s)(?:src|href|xlink:href)="(?:\{\{|\$\{)"""
    assert re.findall(pattern, dbt_page), "dbt's page no longer has the slips offline_page fixes: drop the fixes"
    assert re.findall(pattern, offline_page(dbt_page)) == []


@pytest.mark.parametrize("page", ["index.html", "static_index.html"])
def test_site_markup_loads_nothing_from_outside(real_site: DocsSite, page: str) -> None:
    parser = ResourceReferences()
    parser.feed((real_site.directory / page).read_text(encoding="utf-8"))
    assert parser.references, "the parser found no resource at all: it is not reading the page"
    assert [reference for reference in parser.references if external(reference)] == []


@pytest.mark.parametrize("page", ["index.html", "static_index.html"])
def test_site_pages_let_the_browser_load_only_their_own_files(real_site: DocsSite, page: str) -> None:
    html = (real_site.directory / page).read_text(encoding="utf-8")
    first_in_head = re.search(r"<head[^>]*>\s*<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\">", html)
    assert first_in_head is not None
    [directive] = [part.split() for part in first_in_head.group(1).split(";") if part.strip()]
    assert directive[0] == "default-src"
    assert set(directive[1:]) <= {"'self'", "data:", "blob:", "'unsafe-inline'", "'unsafe-eval'"}


def test_site_turns_dbt_tracking_off(real_site: DocsSite) -> None:
    # The page loads the Snowplow tracker from cloudfront.net only when this is true.
    assert read_json(real_site.directory / "manifest.json")["metadata"]["send_anonymous_usage_stats"] is False
    assert '"send_anonymous_usage_stats": false' in real_site.static_index.read_text(encoding="utf-8")


# -- what the site documents ----------------------------------------------------------


def test_site_contains_every_declared_exposure(real_site: DocsSite) -> None:
    declared = yaml.safe_load((REPO / "models" / "marts" / "_marts__exposures.yml").read_text())["exposures"]
    exposures = read_json(real_site.directory / "manifest.json")["exposures"]
    assert sorted(exposures) == sorted(f"exposure.wage.{exposure['name']}" for exposure in declared)
    assert {exposure["type"] for exposure in exposures.values()} == {"analysis"}


def test_every_exposure_reads_the_marts_and_reaches_the_raw_source(real_site: DocsSite) -> None:
    manifest = read_json(real_site.directory / "manifest.json")
    parents = manifest["parent_map"]

    def ancestors(unique_id: str) -> set[str]:
        found, todo = set(), [unique_id]
        while todo:
            for parent in parents.get(todo.pop(), []):
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return found

    for unique_id, exposure in manifest["exposures"].items():
        assert set(exposure["depends_on"]["nodes"]) == MARTS, unique_id
        assert RAW_SOURCE in ancestors(unique_id), unique_id


def test_every_resource_and_column_is_described(real_site: DocsSite) -> None:
    assert real_site.undocumented == ()
    n_models = len(list((REPO / "models").rglob("*.sql")))
    n_exposures = len(yaml.safe_load((REPO / "models" / "marts" / "_marts__exposures.yml").read_text())["exposures"])
    assert (real_site.n_models, real_site.n_sources, real_site.n_exposures) == (n_models, 2, n_exposures)


def test_built_tables_and_yaml_list_the_same_columns(real_site: DocsSite) -> None:
    manifest = read_json(real_site.directory / "manifest.json")
    catalog = read_json(real_site.directory / "catalog.json")
    documented = {**manifest["nodes"], **manifest["sources"]}
    built = {**catalog["nodes"], **catalog["sources"]}
    tables = {uid for uid, node in documented.items() if node["resource_type"] in ("model", "seed", "source")}
    assert tables == set(built)
    for unique_id in tables:
        assert {c.lower() for c in built[unique_id]["columns"]} == set(documented[unique_id]["columns"]), unique_id


def test_a_removed_column_description_is_reported(real_warehouse: Settings, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    yml = project / "models" / "marts" / "_marts__models.yml"
    text, removed = re.subn(r"(- name: census_division\n)\s+description: [^\n]+\n", r"\1", yml.read_text())
    assert removed == 1
    yml.write_text(text)
    settings = dataclasses.replace(real_warehouse, root=project, logs_dir=tmp_path / "logs", artifacts_dir=tmp_path / "artifacts")
    site = generate_site(settings)
    assert site.undocumented == ("models/marts/_marts__models.yml: model dim_area: column census_division has no description",)


def manifest_with(node: dict) -> dict:
    return {"metadata": {"project_name": "wage"}, "nodes": {node["unique_id"]: node}, "sources": {}, "exposures": {}}


def model(columns: dict[str, str], description: str = "One row per area.") -> dict:
    return {
        "unique_id": "model.wage.dim_area", "resource_type": "model", "package_name": "wage", "name": "dim_area",
        "description": description, "patch_path": "wage://models/marts/_marts__models.yml",
        "original_file_path": "models/marts/dim_area.sql",
        "columns": {name: {"name": name, "description": text} for name, text in columns.items()},
    }  # fmt: skip


def catalog_with(*columns: str) -> dict:
    return {"nodes": {"model.wage.dim_area": {"columns": {name.upper(): {"name": name} for name in columns}}}, "sources": {}}


def test_a_built_column_missing_from_the_yaml_is_reported() -> None:
    gaps = undocumented(manifest_with(model({"area": "Area code."})), catalog_with("area", "area_title"))
    assert gaps == ["models/marts/_marts__models.yml: model dim_area: column area_title is in the built table but not documented"]


def test_a_documented_column_missing_from_the_table_is_reported() -> None:
    gaps = undocumented(manifest_with(model({"area": "Area code.", "gone": "Dropped."})), catalog_with("area"))
    assert gaps == ["models/marts/_marts__models.yml: model dim_area: column gone is documented but not in the built table"]


def test_a_model_without_description_is_reported() -> None:
    gaps = undocumented(manifest_with(model({"area": "Area code."}, description=" ")), catalog_with("area"))
    assert gaps == ["models/marts/_marts__models.yml: model dim_area: no description"]


def test_an_exposure_without_owner_email_is_reported() -> None:
    exposure = {
        "unique_id": "exposure.wage.charts", "package_name": "wage", "name": "charts", "description": "Charts.",
        "original_file_path": "models/marts/_marts__exposures.yml", "owner": {"name": "Team", "email": None},
        "depends_on": {"nodes": ["model.wage.dim_area"]},
    }  # fmt: skip
    manifest = {**manifest_with(model({"area": "Area code."})), "exposures": {exposure["unique_id"]: exposure}}
    assert undocumented(manifest, catalog_with("area")) == ["models/marts/_marts__exposures.yml: exposure charts: owner has no email"]


# -- the command ----------------------------------------------------------------------


def test_docs_before_any_build_says_to_run_first(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"error: {settings.warehouse}: no warehouse yet: run `wage run` (or `make run`) first"


def test_docs_refuses_a_port_in_use_before_generating(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["docs", "--serve", "--port", str(port)]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"error: {settings.artifacts_dir / 'docs'}: cannot serve on 127.0.0.1:{port}")


@contextlib.contextmanager
def serve_docs(settings: Settings, folder: Path) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    """`wage docs --serve --port 0` in a child process: (process, base URL, its stderr file)."""
    stderr = folder / "serve.err"
    env = {
        **os.environ, **folder_environment(folder, REPO),
        "WAGE_DB": str(settings.warehouse), "WAGE_RAW_DB": str(settings.raw_db),  # the warehouse under test
    }  # fmt: skip
    with stderr.open("w") as err:
        command = [sys.executable, "-m", "analysis_py.cli", "docs", "--serve", "--port", "0"]
        child = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 120
        while not (found := re.search(r"serving (http://127\.0\.0\.1:\d+/)", stderr.read_text())):
            assert child.poll() is None, stderr.read_text()
            assert time.monotonic() < deadline, "no `serving` line within 120 s"
            time.sleep(0.1)
        yield child, found.group(1), stderr
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


@pytest.fixture
def serving(real_warehouse: Settings, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    with serve_docs(real_warehouse, tmp_path) as served:
        yield served


def test_serve_redirects_the_root_to_the_site_on_localhost(serving: tuple[subprocess.Popen, str, Path]) -> None:
    _, base, _ = serving
    with urllib.request.urlopen(base) as response:
        assert response.url == base + "docs/"
        assert response.status == 200
        assert b'ng-app="dbt"' in response.read()


def test_serve_runs_until_interrupted(serving: tuple[subprocess.Popen, str, Path]) -> None:
    child, base, stderr = serving
    assert child.poll() is None
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=30) == 0
    assert "docs: stopped" in stderr.read_text()
    with pytest.raises(OSError):
        urllib.request.urlopen(base, timeout=5)
