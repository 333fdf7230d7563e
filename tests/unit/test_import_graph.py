"""The package's layers, read from its source with ast: every import is one `analysis_py.LAYERS` allows,
and the layer table of docs/contributing.md says what `LAYERS` says."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analysis_py import BASE, LAYERS

PACKAGE = Path(__file__).resolve().parents[2] / "analysis_py"
CONTRIBUTING = PACKAGE.parent / "docs" / "contributing.md"

#: The layer table's header row (docs/contributing.md), whose rows list the layers.
TABLE_HEADER = "| layer | what lives there | may import |"

#: Layer of each module (or package) of outputs/: one imports only lower layers of outputs.
OUTPUTS_LAYERS = {
    "numbers": 0,
    "per_worker": 0,
    "tables": 0,
    "prose": 1,
    "report_html": 1,
    "charts": 1,
    "report_sections": 2,
    "release_section": 2,
    "prices_section": 2,
    "report": 3,
    "readme_findings": 3,
    "artifacts": 4,
}


def _part(module: str) -> str:
    """`analysis_py.study.sample` -> `study`."""
    return module.split(".")[1]


def _layer(part: str) -> str:
    """The layer of a top-level part of the package: `study` -> `study`, `errors` -> `base`."""
    return "base" if part in BASE else part


def _parts(names: tuple[str, ...]) -> set[str]:
    """The top-level parts that the names of a LAYERS entry stand for ("base": every BASE module)."""
    return {part for name in names for part in (BASE if name == "base" else (name,))}


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


def forbidden_edges(edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges LAYERS does not allow: to a part that is neither in the importer's layer nor listed for it."""
    return [
        (source, target)
        for source, target in edges
        if source != "analysis_py"
        and _layer(_part(target)) != _layer(_part(source))
        and _part(target) not in _parts(LAYERS[_layer(_part(source))])
    ]


@pytest.fixture(scope="module")
def edges() -> list[tuple[str, str]]:
    """The package's import edges, read once for the module's tests."""
    return import_edges()


def test_the_graph_has_edges_in_every_layer(edges: list[tuple[str, str]]) -> None:
    parts = {_part(source) for source, _ in edges if source != "analysis_py"}
    assert parts >= {
        "landing",
        "warehouse",
        "stats",
        "study",
        "outputs",
        "pipeline",
        "server",
        "cli",
    }


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if path.name != "__pycache__"
    }
    parts -= {"__init__"}
    assert {_layer(part) for part in parts} == set(LAYERS)
    assert set(BASE) <= parts


def test_each_layer_may_import_only_layers_below_it() -> None:
    order = list(LAYERS)
    assert [
        (layer, name)
        for layer, names in LAYERS.items()
        for name in names
        if order.index(_layer(name)) <= order.index(layer)
    ] == []


def test_every_import_is_one_the_layers_allow(edges: list[tuple[str, str]]) -> None:
    assert forbidden_edges(edges) == []


def test_a_back_edge_is_caught(tmp_path: Path) -> None:
    """The checker itself, on a package with a lazy import from stats up to study."""
    package = tmp_path / "analysis_py"
    (package / "stats").mkdir(parents=True)
    (package / "stats" / "bad.py").write_text(
        "def f():\n    from analysis_py.study.sample import analysis_sample\n"
    )
    (package / "study").mkdir()
    (package / "study" / "ok.py").write_text("from analysis_py.stats import bad\n")
    assert forbidden_edges(import_edges(package)) == [
        ("analysis_py.stats.bad", "analysis_py.study.sample")
    ]


def test_a_base_module_stats_may_not_use_is_caught() -> None:
    assert forbidden_edges([("analysis_py.stats.parametric", "analysis_py.bls")]) == [
        ("analysis_py.stats.parametric", "analysis_py.bls")
    ]


def layer_table(page: Path = CONTRIBUTING) -> list[tuple[str, str, tuple[str, ...]]]:
    """(layer, what lives there, may import) of each row of the layer table of docs/contributing.md, in order."""
    lines = [line.strip() for line in page.read_text(encoding="utf-8").splitlines()]
    start = lines.index(TABLE_HEADER) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        name, lives, may_import = (cell.strip() for cell in line.strip("|").split("|"))
        layer = name.strip("`").removesuffix(".py").removesuffix("/")
        names = () if may_import == "one another" else tuple(may_import.split(", "))
        rows.append((layer, lives, names))
    return rows


def test_the_layer_table_lists_the_layers_in_order_with_what_they_may_import() -> None:
    assert [(layer, names) for layer, _, names in layer_table()] == list(LAYERS.items())


def test_the_layer_table_names_every_base_module() -> None:
    [lives] = [lives for layer, lives, _ in layer_table() if layer == "base"]
    assert [module for module in BASE if f"`{module}.py`" not in lives] == []


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
