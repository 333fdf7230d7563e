"""`wage serve`: a local HTTP API and explorer over the published warehouse.

Read-only. `queries/` reads the warehouse for the look-ups; comparisons and the codes a user
types come from `study`, statistics from `stats`: the server computes nothing of its own.
Layer: above `study`, `stats` and `warehouse`; below `cli`.

    app          FastAPI app: routers, Host check, CORS (opt-in), JSON errors, static files
    database     the warehouse file per generation, a cursor per request thread (SQL guard: warehouse.query)
    routers/     one per resource: lookups, wages, compare, results, sql, pages (explorer, docs)
    queries/     the SQL of the look-up routers: releases, areas, occupation search, wage pages, results
    models       pydantic response models (what /openapi.json documents)
    options      ServerOptions: bind address, port, Host check, SQL limits (no FastAPI import)
    formats      JSON or CSV, spreadsheet-safe cells
    serve        uvicorn
    static/      the explorer (index.html, explorer.js, explorer.css) and vendored, licensed assets
"""
