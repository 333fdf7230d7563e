"""`python -m analysis_py.cli`: the `wage` command."""

from analysis_py.cli import console_main

console_main()
