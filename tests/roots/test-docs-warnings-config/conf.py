# Configuration problems: their build log is part of
# docs/reference/warning-examples.txt (see tests/test_docs.py).
project = "Configuration warning examples"
extensions = ["sphinx_ethics"]
ethics_checklists = ["our-checklist.yaml"]
ethics_placeholder_patterns = "TBD"
ethics_today = "next week"
exclude_patterns = ["_build"]
