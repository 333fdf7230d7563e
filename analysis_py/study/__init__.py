"""The questions: the analysis sample (marts and dims), SOC groups, the five questions, the
naive-vs-sound comparison, and ad-hoc comparisons of two areas, occupations or releases.

May import: `stats` and the base modules (`bls`, `config`, `errors`, `files`, `timing`); never `outputs`.
"""
