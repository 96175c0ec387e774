# An ethics review that is NOT finished, for the real-browser checks in
# tests/test_browser.py: unanswered required questions, a placeholder answer
# ("TBD"), a draft and a not-applicable answer, an optional question left
# blank, and a status page with the summary table.
project = "Browser check: incomplete review"
extensions = ["sphinx_ethics"]
ethics_today = "2026-11-01"
exclude_patterns = ["_build"]
