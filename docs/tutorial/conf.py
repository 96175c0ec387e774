# conf.py: the smallest Sphinx project that uses sphinx-ethics.
project = "Time-critical medicines on Ward 5"
extensions = ["sphinx_ethics"]
exclude_patterns = ["_build"]
