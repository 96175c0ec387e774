# MyST fence slips (ethics.markup): their build log is part of
# docs/reference/warning-examples.txt (see tests/test_docs.py).
# colon_fence is deliberately not enabled.
project = "MyST warning examples"
extensions = ["sphinx_ethics", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
ethics_today = "2026-11-01"
exclude_patterns = ["_build"]
suppress_warnings = ["ethics.unanswered"]
