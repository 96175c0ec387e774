# MyST without colon_fence: colon-fenced reviews are plain text to MyST, and
# equal-length backtick fences close a review early (tests/test_myst_markup.py).
project = "MyST fences"
extensions = ["sphinx_ethics", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
ethics_today = "2026-11-01"
exclude_patterns = ["_build"]
suppress_warnings = ["ethics.unanswered"]
