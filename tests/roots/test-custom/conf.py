project = "Custom checklist"
extensions = ["sphinx_ethics"]
ethics_today = "2026-11-01"
ethics_checklists = ["team.yaml"]
exclude_patterns = ["_build"]
