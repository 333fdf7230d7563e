"""Generic statistics, pingouin-shaped: arrays or frames in, frozen result dataclasses out.

No SOC codes, no column names of the warehouse, no prose about wages: `study` asks the
questions and names the groups. May import: `errors` only (and scipy, statsmodels).
"""
