"""The questions: the analysis sample (marts and dims), SOC groups, the state ranking, the tests
(`questions.QUESTIONS`, one row each), the naive-vs-sound comparison, the codes a user types
(`lookup`), and ad-hoc comparisons of two areas, occupations or releases.

May import: `stats` and the base modules (`bls`, `config`, `errors`, `files`, `timing`); never `outputs`.
"""
