# The programme's own site: one page over every project's snapshots.
project = "Ward QI programme"
extensions = ["sphinx_ethics"]
# Fixed "today", so the example gives the same page whenever it is built.
ethics_today = "2026-12-01"
exclude_patterns = ["_build", "snapshots"]
