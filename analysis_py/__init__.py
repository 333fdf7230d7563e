"""Wage warehouse: BLS OEWS workbooks -> DuckDB (dbt) -> statistics and artifacts.

Layers, each importing only the ones below it:

    cli          `wage`: arguments, logging, one library call per command, error -> exit 2
    pipeline     the steps of a run, in order, no callbacks
    outputs/     schema `analysis` tables, artifacts (models, charts, results.json, report, manifest)
    study/       the questions: analysis sample (marts and dims), SOC groups, the five questions,
                 naive vs sound, ad-hoc comparisons
    stats/       generic statistics -> frozen result dataclasses (no SOC codes, no prose)
    warehouse/   the one dbt runner, side-file build, lock and publish, fingerprint, docs site,
                 read-only SQL (the guard of `wage sql`, `wage export` and /api/sql), export
    landing/     workbook checks, reader (xlsx -> Arrow), cell checks, raw store, fetch
    bls, config, errors, files, formatting, timing   what every layer may use
"""
