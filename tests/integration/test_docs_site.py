"""`wage docs` on a copy of the small build: the lineage site documents everything, reaches the exposures,
and works offline (the site documents the dbt project, not the data: the two-row warehouse has every table)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from analysis_py.config import Settings, folder_environment
from analysis_py.warehouse.docs_site import DocsSite, generate_site
from tests.conftest import REPO, copy_build, copy_project

MARTS = {"model.wage.fct_occupation_wages", "model.wage.dim_occupation", "model.wage.dim_area"}
RAW_SOURCE = "source.wage.oews.oews_estimates"


@pytest.fixture(scope="module")
def small_warehouse(small_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A private copy of the small build (docs and serving write beside it)."""
    return copy_build(small_build, tmp_path_factory.mktemp("docs_build"))


@pytest.fixture(scope="module")
def real_site(small_warehouse: Settings) -> DocsSite:
    return generate_site(small_warehouse)


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


class ResourceReferences(HTMLParser):
    """What a page's markup makes the browser load: tag attributes, and url()/@import in <style>."""

    LOADING_ATTRIBUTES = frozenset({"src", "href", "data", "poster", "srcset"})

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        if tag != "a":  # a link is navigation, not a resource the page needs
            self.references += [
                value for name, value in attrs if name in self.LOADING_ATTRIBUTES and value
            ]
        self.references += re.findall(r"url\(\s*['\"]?([^'\")]+)", dict(attrs).get("style") or "")

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.references += re.findall(r"(?:url\(\s*['\"]?|@import\s+['\"])([^'\")]+)", data)


def external(reference: str) -> bool:
    return bool(
        re.match(r"\s*(?:[a-z][a-z0-9+.-]*:)?//", reference, flags=re.IGNORECASE)
    ) and not reference.startswith("data:")


# -- the page -------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["index.html", "static_index.html"])
def test_site_markup_loads_nothing_from_outside(real_site: DocsSite, page: str) -> None:
    parser = ResourceReferences()
    parser.feed((real_site.directory / page).read_text(encoding="utf-8"))
    assert parser.references, "the parser found no resource at all: it is not reading the page"
    assert [reference for reference in parser.references if external(reference)] == []


@pytest.mark.parametrize("page", ["index.html", "static_index.html"])
def test_site_pages_let_the_browser_load_only_their_own_files(
    real_site: DocsSite, page: str
) -> None:
    html = (real_site.directory / page).read_text(encoding="utf-8")
    first_in_head = re.search(
        r"<head[^>]*>\s*<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\">", html
    )
    assert first_in_head is not None
    [directive] = [part.split() for part in first_in_head.group(1).split(";") if part.strip()]
    assert directive[0] == "default-src"
    assert set(directive[1:]) <= {"'self'", "data:", "blob:", "'unsafe-inline'", "'unsafe-eval'"}


def test_site_turns_dbt_tracking_off(real_site: DocsSite) -> None:
    # The page loads the Snowplow tracker from cloudfront.net only when this is true.
    assert (
        read_json(real_site.directory / "manifest.json")["metadata"]["send_anonymous_usage_stats"]
        is False
    )
    assert '"send_anonymous_usage_stats": false' in real_site.static_index.read_text(
        encoding="utf-8"
    )


# -- what the site documents ----------------------------------------------------------


def test_site_contains_every_declared_exposure(real_site: DocsSite) -> None:
    declared = yaml.safe_load((REPO / "models" / "marts" / "_marts__exposures.yml").read_text())[
        "exposures"
    ]
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
        assert set(exposure["depends_on"]["nodes"]) >= MARTS, unique_id
        assert RAW_SOURCE in ancestors(unique_id), unique_id


def test_every_resource_and_column_is_described(real_site: DocsSite) -> None:
    assert real_site.undocumented == ()
    n_models = len(list((REPO / "models").rglob("*.sql")))
    n_exposures = len(
        yaml.safe_load((REPO / "models" / "marts" / "_marts__exposures.yml").read_text())[
            "exposures"
        ]
    )
    assert (real_site.n_models, real_site.n_sources, real_site.n_exposures) == (
        n_models,
        2,
        n_exposures,
    )


def test_built_tables_and_yaml_list_the_same_columns(real_site: DocsSite) -> None:
    manifest = read_json(real_site.directory / "manifest.json")
    catalog = read_json(real_site.directory / "catalog.json")
    documented = {**manifest["nodes"], **manifest["sources"]}
    built = {**catalog["nodes"], **catalog["sources"]}
    tables = {
        uid
        for uid, node in documented.items()
        if node["resource_type"] in ("model", "seed", "source")
    }
    assert tables == set(built)
    for unique_id in tables:
        assert {c.lower() for c in built[unique_id]["columns"]} == set(
            documented[unique_id]["columns"]
        ), unique_id


def test_a_removed_column_description_is_reported(
    small_warehouse: Settings, tmp_path: Path
) -> None:
    project = copy_project(tmp_path / "project")
    yml = project / "models" / "marts" / "_marts__models.yml"
    text, removed = re.subn(
        r"(- name: census_division\n)\s+description: [^\n]+\n", r"\1", yml.read_text()
    )
    assert removed == 1
    yml.write_text(text)
    settings = dataclasses.replace(
        small_warehouse,
        root=project,
        logs_dir=tmp_path / "logs",
        artifacts_dir=tmp_path / "artifacts",
    )
    site = generate_site(settings)
    assert site.undocumented == (
        "models/marts/_marts__models.yml: model dim_area: column census_division has no description",
    )


# -- the command ----------------------------------------------------------------------


@contextlib.contextmanager
def serve_docs(settings: Settings, folder: Path) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    """`wage docs --serve --port 0` in a child process: (process, base URL, its stderr file)."""
    stderr = folder / "serve.err"
    env = {
        **os.environ,
        **folder_environment(folder, REPO),
        "WAGE_DB": str(settings.warehouse),
        "WAGE_RAW_DB": str(settings.raw_db),  # the warehouse under test
    }
    with stderr.open("w") as err:
        command = [sys.executable, "-m", "analysis_py.cli", "docs", "--serve", "--port", "0"]
        child = subprocess.Popen(
            command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=err
        )
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


@pytest.fixture(scope="module")
def serving(
    small_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    """One `wage docs --serve` for the module (each start runs `dbt docs generate`); the last test interrupts it."""
    with serve_docs(small_warehouse, tmp_path_factory.mktemp("serve")) as served:
        yield served


def test_serve_redirects_the_root_to_the_site_on_localhost(
    serving: tuple[subprocess.Popen, str, Path],
) -> None:
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
