"""What a run leaves for people: schema `analysis` tables, artifacts (atomic writes, manifest), charts, report.

May import: `study`, `stats` and the base modules. Nothing that computes imports `outputs`.
"""
