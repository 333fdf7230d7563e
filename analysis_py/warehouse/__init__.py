"""The warehouse: the one dbt runner, side-file build, lock and publish, build fingerprint, docs site.

May import: `bls`, `config`, `errors`, `files`, `timing`, `landing` (the raw landing it builds from).
"""
