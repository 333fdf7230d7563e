"""`wage docs`: the dbt docs lineage site, made to work offline, checked, served on 127.0.0.1.

`dbt docs generate --static` runs against copies of the published warehouse and raw
landing (a reader holding either open is never disturbed), and the site is written to
`artifacts/docs/`: `index.html` (needs the server: it fetches manifest.json and
catalog.json) and `static_index.html` (one file with both inside, opens from disk).

dbt's page must fetch nothing from outside: the project sets
`send_anonymous_usage_stats: false` (the page then never loads its Snowplow tracker from
cloudfront.net), every page gets a Content-Security-Policy that lets the browser load
only what the site itself holds, and two dbt-docs template slips that make the browser
request non-existent files (and log errors) are fixed.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from analysis_py.config import DOCS_PORT, Settings
from analysis_py.errors import BuildError, ConfigError
from analysis_py.files import write_text_atomic
from analysis_py.warehouse.dbt import run_dbt
from analysis_py.warehouse.lock import build_lock
from analysis_py.warehouse.publish import finish_or_discard

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DEFAULT_PORT",
    "DocsSite",
    "generate_site",
    "offline_page",
    "publish_docs",
    "site_dir",
    "undocumented",
]

logger = logging.getLogger(__name__)

DEFAULT_PORT = DOCS_PORT

#: The browser may load only what the site itself holds (inline code, data: URIs, its own
#: files); dbt-docs is AngularJS, which needs 'unsafe-eval'.
CONTENT_SECURITY_POLICY = "default-src 'self' data: blob: 'unsafe-inline' 'unsafe-eval'"

#: dbt-docs slips that make the browser request files that do not exist (each a 404 and a
#: console error), fixed where present: (pattern, replacement).
_PAGE_FIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    # The favicon link is a webpack template left unrendered: `href="${require(...)}"`.
    (
        re.compile(r"""<link rel="shortcut icon" href="\$\{require\([^)]*\)\}"\s*/?>"""),
        '<link rel="icon" href="data:,">',
    ),
    # Sidebar icons bind `xlink:href="{{ getIcon(...) }}"`, which the browser fetches
    # before AngularJS interpolates it; ng-attr-href sets `href` only once it is known.
    (re.compile(r'xlink:href="(\{\{ getIcon\([^)]*\) \}\})"'), r'ng-attr-href="\1"'),
)

_SITE_PAGES = ("index.html", "static_index.html")
_SITE_DATA = ("manifest.json", "catalog.json")
_DOCUMENTED_NODES = ("model", "seed", "snapshot")


@dataclass(frozen=True)
class DocsSite:
    """A generated docs site: where it is, what it documents, and what lacks a description."""

    directory: Path
    n_models: int
    n_seeds: int
    n_sources: int
    n_exposures: int
    undocumented: tuple[str, ...]
    seconds: float

    @property
    def index(self) -> Path:
        return self.directory / "index.html"

    @property
    def static_index(self) -> Path:
        return self.directory / "static_index.html"

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "directory": str(self.directory)}


def site_dir(settings: Settings) -> Path:
    """Where the docs site is written: `artifacts/docs/`."""
    return settings.artifacts_dir / "docs"


def offline_page(html: str, source: str = "index.html") -> str:
    """dbt's docs page with the Content-Security-Policy first in <head> and the slips fixed."""
    head = re.search(r"<head(\s[^>]*)?>", html)
    if head is None:
        raise BuildError(source, "has no <head>: cannot add the Content-Security-Policy")
    policy = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
    html = html[: head.end()] + policy + html[head.end() :]
    for pattern, replacement in _PAGE_FIXES:
        html = pattern.sub(replacement, html)
    return html


def _yaml_path(resource: dict[str, Any]) -> str:
    """The properties file that documents a manifest resource (its own file when none)."""
    patch = resource.get("patch_path") or ""
    return patch.split("://", 1)[-1] if patch else resource["original_file_path"]


def _column_gaps(resource: dict[str, Any], built: dict[str, Any] | None) -> list[str]:
    """Columns without a description, and columns in only one of the YAML and the built table."""
    documented = {name.lower(): column for name, column in resource.get("columns", {}).items()}
    gaps = [
        f"column {name} has no description"
        for name, column in documented.items()
        if not (column.get("description") or "").strip()
    ]
    if built is None:
        return [*gaps, "is not in the catalog: not built?"]
    in_table = {name.lower() for name in built["columns"]}
    gaps += [
        f"column {name} is in the built table but not documented"
        for name in sorted(in_table - documented.keys())
    ]
    gaps += [
        f"column {name} is documented but not in the built table"
        for name in sorted(documented.keys() - in_table)
    ]
    return gaps


def _described(resource: dict[str, Any], key: str = "description") -> bool:
    return bool((resource.get(key) or "").strip())


def undocumented(manifest: dict[str, Any], catalog: dict[str, Any]) -> list[str]:
    """Every gap in the project's docs, as `<yaml file>: <resource>: <problem>`; [] when none.

    Models, seeds, snapshots, sources (and their source) and exposures of the project
    each need a description, and each column in the YAML one too; the YAML's columns
    and the built table's columns (catalog.json) must be the same set. An exposure
    needs an owner with name and email and at least one dependency.
    """
    project = manifest["metadata"]["project_name"]
    gaps: list[str] = []

    def report(resource: dict[str, Any], label: str, problems: list[str]) -> None:
        gaps.extend(f"{_yaml_path(resource)}: {label}: {problem}" for problem in problems)

    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] in _DOCUMENTED_NODES and node["package_name"] == project:
            problems = [] if _described(node) else ["no description"]
            report(
                node,
                f"{node['resource_type']} {node['name']}",
                problems + _column_gaps(node, catalog["nodes"].get(unique_id)),
            )
    for unique_id, source in sorted(manifest["sources"].items()):
        if source["package_name"] == project:
            problems = [] if _described(source) else ["no description"]
            problems += (
                []
                if _described(source, "source_description")
                else [f"source {source['source_name']} has no description"]
            )
            label = f"source {source['source_name']}.{source['name']}"
            report(
                source, label, problems + _column_gaps(source, catalog["sources"].get(unique_id))
            )
    for _, exposure in sorted(manifest["exposures"].items()):
        if exposure["package_name"] == project:
            owner = exposure.get("owner") or {}
            problems = [] if _described(exposure) else ["no description"]
            problems += [f"owner has no {key}" for key in ("name", "email") if not owner.get(key)]
            problems += [] if exposure["depends_on"]["nodes"] else ["depends on nothing"]
            report(exposure, f"exposure {exposure['name']}", problems)
    return gaps


def _dbt_docs_generate(settings: Settings, warehouse: Path, raw_db: Path, target: Path) -> None:
    """`dbt docs generate --static` on the given database copies, into `target`."""
    run = run_dbt(settings, ["docs", "generate", "--static"], warehouse, raw_db, target)
    if run.returncode != 0:
        raise BuildError(
            str(settings.root / "dbt_project.yml"), f"dbt docs generate failed: {run.error_text()}"
        )


def generate_site(settings: Settings) -> DocsSite:
    """Generate the docs site into `artifacts/docs/` from copies of the published databases."""
    started = time.perf_counter()
    for database in (settings.warehouse, settings.raw_db):
        if not database.exists():
            raise BuildError(
                str(database), "no warehouse yet: run `wage run` (or `make run`) first"
            )
    with tempfile.TemporaryDirectory(prefix="wage-docs-") as scratch:
        folder = Path(scratch)
        warehouse, raw_db = folder / settings.warehouse.name, folder / settings.raw_db.name
        with build_lock(settings):  # no build or ingest rewrites the files while they are copied
            finish_or_discard(
                settings
            )  # a publish a killed run left half done: the three agree first
            shutil.copyfile(settings.warehouse, warehouse)
            shutil.copyfile(settings.raw_db, raw_db)
        _dbt_docs_generate(settings, warehouse, raw_db, folder / "target")
        texts = {
            name: (folder / "target" / name).read_text(encoding="utf-8")
            for name in _SITE_PAGES + _SITE_DATA
        }
    manifest, catalog = json.loads(texts["manifest.json"]), json.loads(texts["catalog.json"])
    directory = site_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    for name in _SITE_DATA:
        write_text_atomic(directory / name, texts[name])
    for name in _SITE_PAGES:
        write_text_atomic(directory / name, offline_page(texts[name], name))
    gaps = undocumented(manifest, catalog)
    for gap in gaps:
        logger.warning("docs: undocumented: %s", gap)
    kinds = [node["resource_type"] for node in manifest["nodes"].values()]
    site = DocsSite(
        directory=directory,
        n_models=kinds.count("model"),
        n_seeds=kinds.count("seed"),
        n_sources=len(manifest["sources"]),
        n_exposures=len(manifest["exposures"]),
        undocumented=tuple(gaps),
        seconds=round(time.perf_counter() - started, 3),
    )
    logger.info(
        "docs: wrote %s (%d models, %d seeds, %d sources, %d exposures, %d gaps) in %.1f s",
        site.index,
        site.n_models,
        site.n_seeds,
        site.n_sources,
        site.n_exposures,
        len(gaps),
        site.seconds,
    )
    return site


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves the artifacts folder; `/` goes to the docs site, so exposure links resolve.

    It lists no directory, serves no file whose real path (symbolic links resolved) is
    outside the folder, and answers only requests whose Host is 127.0.0.1 or localhost
    (with this server's port, or none): a page of another site that a DNS rebinding points
    at 127.0.0.1 gets 421, not the artifacts.
    """

    def _host_allowed(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        port = self.server.server_address[1]
        return host in {
            f"{name}{suffix}" for name in ("127.0.0.1", "localhost") for suffix in ("", f":{port}")
        }

    def do_GET(self) -> None:
        if not self._host_allowed():
            self.send_error(
                421, "Misdirected Request", "this server answers only Host 127.0.0.1 or localhost"
            )
            return
        if self.path in ("/", "/index.html"):
            self.send_response(302)
            self.send_header("Location", "/docs/")
            self.end_headers()
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        if not self._host_allowed():
            self.send_error(
                421, "Misdirected Request", "this server answers only Host 127.0.0.1 or localhost"
            )
            return
        super().do_HEAD()

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        root = Path(os.path.realpath(self.directory))
        real = Path(os.path.realpath(path))
        if real != root and root not in real.parents:
            self.send_error(404, "File not found")
            return None
        if (
            path.is_dir()
            and not (path / "index.html").is_file()
            and self.path.split("?", 1)[0].endswith("/")
        ):
            self.send_error(404, "File not found")  # no listing
            return None
        return super().send_head()

    def list_directory(self, path):  # type: ignore[no-untyped-def]
        self.send_error(404, "File not found")
        return None

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("docs: %s %s", self.address_string(), format % args)


def _bound_server(settings: Settings, port: int) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1:port for `artifacts/` (the site at /docs/); port 0 picks one."""
    if not 0 <= port <= 65535:
        raise ConfigError(str(site_dir(settings)), f"port {port} is not between 0 and 65535")
    handler = functools.partial(_SiteHandler, directory=str(settings.artifacts_dir))
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise ConfigError(
            str(site_dir(settings)),
            f"cannot serve on 127.0.0.1:{port} ({exc.strerror}); pass another --port",
        ) from exc


def publish_docs(settings: Settings, serve_port: int | None = None) -> DocsSite:
    """`wage docs`: generate the site; with `serve_port`, then serve it until interrupted."""
    if serve_port is None:
        return generate_site(settings)
    with _bound_server(settings, serve_port) as server:  # taken first, so a busy port fails at once
        site = generate_site(settings)
        logger.info(
            "docs: serving http://127.0.0.1:%d/ until interrupted (Ctrl+C)",
            server.server_address[1],
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            logger.info("docs: stopped")
    return site
