# A tiny Sphinx project that uses a team's own checklists.
#
# Build it from this folder with warnings as errors:
#     sphinx-build -W -b html . _build/html
# Check that every question is answered (no HTML written):
#     sphinx-ethics check .

project = "Custom checklists example"
author = "Northfield QI team"

extensions = ["sphinx_ethics"]

# Our own checklists, tips and definitions, relative to this folder. They are
# loaded after the built-in THIS Institute data.
ethics_checklists = ["ward-checklists.yaml"]

# Fail the build when a required question is unanswered, even without -W.
ethics_fail_on_unanswered = True

# A fixed "today" for the review-by check, so the build is reproducible.
ethics_today = "2026-11-01"

exclude_patterns = ["_build", "README.md"]
