project = "Complete review"
author = "Ward 7 QI team"
copyright = "2026, Ward 7 QI team"
version = release = "1.0"
extensions = ["sphinx_ethics"]
ethics_today = "2026-11-01"
exclude_patterns = ["_build"]
