# A programme page whose snapshots have problems: its build log is part of
# docs/reference/warning-examples.txt (see tests/test_docs.py).
project = "Programme warning examples"
extensions = ["sphinx_ethics"]
ethics_today = "2026-11-01"
exclude_patterns = ["_build"]
