import os

project = "Translation test"
extensions = ["sphinx_ethics"]
ethics_today = "2026-11-01"
exclude_patterns = ["_build"]
# The project's own pages are translated from locales/ (tests write the .po);
# the extension's interface from team-locale/ (added below).
locale_dirs = ["locales"]


def setup(app):
    # How a team adds a translation of the extension's interface.
    app.add_message_catalog("sphinx_ethics", os.path.join(os.path.dirname(__file__), "team-locale"))
