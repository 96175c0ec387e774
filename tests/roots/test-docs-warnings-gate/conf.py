# The build's own lines: a report that cannot be written (the test makes
# ethics-report.json a folder first) and the gate of ethics_fail_on_unanswered.
# Their log is part of docs/reference/warning-examples.txt (see tests/test_docs.py).
project = "Gate warning examples"
extensions = ["sphinx_ethics"]
ethics_fail_on_unanswered = True
ethics_today = "2026-11-01"
exclude_patterns = ["_build"]
