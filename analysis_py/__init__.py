"""Wage warehouse: BLS OEWS workbooks -> DuckDB (dbt) -> statistics and artifacts."""
