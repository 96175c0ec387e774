# A deliberately broken project: every ethics warning subtype, at least once.
# Its build log is docs/reference/warning-examples.txt (see tests/test_docs.py).
project = "Warning examples"
extensions = ["sphinx_ethics"]
ethics_today = "2026-11-01"
exclude_patterns = ["_build"]
