project = "MyST test (rst twin)"
extensions = ["sphinx_ethics"]
ethics_today = "2026-11-01"
exclude_patterns = ["_build"]
