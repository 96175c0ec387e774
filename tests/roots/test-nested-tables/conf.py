# Reviews and worksheets inside tables, for the sign-off list and the LaTeX
# anchors (tests/test_tables.py, tests/test_builders.py).
project = "Nested tables"
extensions = ["sphinx_ethics"]
ethics_today = "2026-11-01"
ethics_signoff_roles = ["Clinical lead", "Patient partner"]
exclude_patterns = ["_build"]
