"""The package's layers, read from its source with ast: imports only go down."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "analysis_py"

#: Layer of each top-level part of the package; a module may import only lower or equal layers.
LAYERS = {
    "bls": 0,
    "config": 0,
    "errors": 0,
    "files": 0,
    "formatting": 0,
    "timing": 0,
    "landing": 1,
    "warehouse": 2,
    "stats": 3,
    "study": 4,
    "outputs": 5,
    "pipeline": 6,
    "server": 7,
    "cli": 8,
}


#: Layer of each module (or package) of outputs/: one imports only lower layers of outputs.
OUTPUTS_LAYERS = {
    "numbers": 0,
    "tables": 0,
    "prose": 1,
    "report_html": 1,
    "charts": 1,
    "report_sections": 2,
    "report": 3,
    "readme_findings": 3,
    "artifacts": 4,
}


def _part(module: str) -> str:
    """`analysis_py.study.sample` -> `study`."""
    return module.split(".")[1]


def import_edges(package: Path = PACKAGE) -> list[tuple[str, str]]:
    """(importing module, imported analysis_py module) for every import in the package, lazy ones included."""
    edges = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("analysis_py")
            ):
                targets = (
                    [node.module]
                    if node.module != "analysis_py"
                    else [f"analysis_py.{alias.name}" for alias in node.names]
                )
                edges += [(module, target) for target in targets]
            elif isinstance(node, ast.Import):
                edges += [
                    (module, alias.name)
                    for alias in node.names
                    if alias.name.startswith("analysis_py.")
                ]
    return edges


@pytest.fixture(scope="module")
def edges() -> list[tuple[str, str]]:
    """The package's import edges, read once for the module's tests."""
    return import_edges()


def test_the_graph_has_edges_in_every_layer(edges: list[tuple[str, str]]) -> None:
    parts = {_part(source) for source, _ in edges if source != "analysis_py"}
    assert parts >= {"landing", "warehouse", "stats", "study", "outputs", "pipeline", "cli"}


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if path.name != "__pycache__"
    }
    parts -= {"__init__"}
    assert parts == set(LAYERS)


def back_edges(edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges that go from a layer up to a higher one."""
    return [(s, t) for s, t in edges if _part(s) in LAYERS and LAYERS[_part(t)] > LAYERS[_part(s)]]


def test_imports_only_go_down(edges: list[tuple[str, str]]) -> None:
    assert back_edges(edges) == []


def test_stats_imports_nothing_above_it(edges: list[tuple[str, str]]) -> None:
    above = {"study", "outputs", "pipeline", "cli", "landing", "warehouse"}
    assert [(s, t) for s, t in edges if _part(s) == "stats" and _part(t) in above] == []


def test_study_never_imports_outputs(edges: list[tuple[str, str]]) -> None:
    assert [(s, t) for s, t in edges if _part(s) == "study" and _part(t) == "outputs"] == []


def test_every_module_of_outputs_has_a_layer() -> None:
    parts = {path.stem for path in (PACKAGE / "outputs").iterdir() if path.name != "__pycache__"}
    assert parts - {"__init__"} == set(OUTPUTS_LAYERS)


def test_outputs_modules_import_only_lower_layers_of_outputs(
    edges: list[tuple[str, str]],
) -> None:
    def layer(module: str) -> int:
        return OUTPUTS_LAYERS[module.split(".")[2]]

    inside = [
        (s, t)
        for s, t in edges
        if s.startswith("analysis_py.outputs.")
        and t.startswith("analysis_py.outputs.")
        and s.split(".")[2] != t.split(".")[2]
    ]
    assert inside and [(s, t) for s, t in inside if layer(t) >= layer(s)] == []


def test_only_cli_imports_pipeline_or_cli(edges: list[tuple[str, str]]) -> None:
    assert [
        (s, t)
        for s, t in edges
        if _part(t) in ("pipeline", "cli") and _part(s) not in ("cli", _part(t))
    ] == []


def test_a_back_edge_is_caught(tmp_path: Path) -> None:
    """The checker itself, on a package with a lazy import from stats up to study."""
    package = tmp_path / "analysis_py"
    (package / "stats").mkdir(parents=True)
    (package / "stats" / "bad.py").write_text(
        "def f():\n    from analysis_py.study.sample import analysis_sample\n"
    )
    (package / "study").mkdir()
    (package / "study" / "ok.py").write_text("from analysis_py.stats import bad\n")
    assert back_edges(import_edges(package)) == [
        ("analysis_py.stats.bad", "analysis_py.study.sample")
    ]
