"""Workbooks in: file safety checks, reader (xlsx -> Arrow), cell checks, raw store, fetch.

May import: `bls`, `config`, `errors`, `files`, `timing`.
"""
