project = "Custom checklists"
extensions = ["sphinx_ethics"]
ethics_today = "2026-11-01"
ethics_checklists = ["broken.yaml"]
exclude_patterns = ["_build"]
