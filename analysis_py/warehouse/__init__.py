"""The warehouse: the one dbt runner, side-file build, lock and publish, build fingerprint, docs site,
read-only SQL (`query`: the guard of `wage sql`, `wage export` and `/api/sql`) and `export`.

May import: `bls`, `config`, `errors`, `files`, `formatting`, `timing`, `landing` (the raw landing it builds from).
"""
