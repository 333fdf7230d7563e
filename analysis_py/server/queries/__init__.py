"""The SQL behind the API's look-ups: each module reads the published warehouse for one router.

    lookups   /api/releases, /api/areas, /api/occupations: releases, areas, occupation search
    wages     /api/wages: filters, sort order and pages of estimates with their CIs and flags
    results   /api/results: the run's tests and regressions

Every function takes a read-only connection and returns frozen records (the response
models' rows). Codes a user types are resolved by `study.lookup`, which `wage compare`
shares; unknown ones raise its `UnknownCode` (404), bad arguments `AnalysisError` (400).
"""
