project = "MyST test"
extensions = ["sphinx_ethics", "myst_parser"]
myst_enable_extensions = ["colon_fence"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
ethics_today = "2026-11-01"
exclude_patterns = ["_build"]
