"""Wage warehouse: BLS OEWS workbooks -> DuckDB (dbt) -> statistics and artifacts.

The package is layered and imports only go down: `LAYERS` below says what each part may
import. `tests/unit/test_import_graph.py` holds every import of the package to it, and the
layer table of docs/contributing.md (what lives in each layer, and what it may import) too.
"""

#: The modules at the bottom, which every layer may use.
BASE = ("bls", "config", "errors", "files", "formatting", "timing")

#: The layers, top to bottom, and what each may import besides its own modules
#: ("base": every module of BASE; a module name alone: only that one).
LAYERS: dict[str, tuple[str, ...]] = {
    "cli": ("server", "pipeline", "outputs", "study", "stats", "warehouse", "landing", "base"),
    "server": ("study", "stats", "warehouse", "base"),
    "pipeline": ("outputs", "study", "stats", "warehouse", "landing", "base"),
    "outputs": ("study", "stats", "base"),
    "study": ("stats", "base"),
    "stats": ("errors",),
    "warehouse": ("landing", "base"),
    "landing": ("base",),
    "base": (),
}
