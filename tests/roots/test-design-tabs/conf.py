# A review inside the second (unselected) tab of a sphinx-design tab set,
# for tests/test_browser_themes.py: a link to one of its questions (from the
# summary, from :ethics-question:) must open the tab (sphinx-design 0.8+
# opens the tab holding a URL's #fragment target).
project = "Tabs"
extensions = ["sphinx_ethics", "sphinx_design"]
ethics_today = "2026-11-01"
ethics_signoff_roles = ["Clinical lead"]
exclude_patterns = ["_build"]
