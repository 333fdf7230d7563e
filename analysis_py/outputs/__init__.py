"""What a run leaves for people: schema `analysis` tables, artifacts (atomic writes, manifest), charts, report.

May import: `study`, `stats` and the base modules. Nothing that computes imports `outputs`.

- `tables`: the run's statistics as tables of schema `analysis`.
- `artifacts`: models, charts, the sample, results.json, the report and manifest.json, written.
- `charts/`: one module per family of charts; `charts.style` holds what they share.
- `report`: report.md and report.html from the sections (`report_sections`), as one HTML
  page (`report_html`); `prose`: the sentences; `numbers`: how numbers are printed.
- `readme_findings`: README.md's "Latest findings" from a run's results.json.
"""
