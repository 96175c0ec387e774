"""Editing a team's review pages as text (``new`` and ``update``), byte-safe.

Plain Python: reads and writes rST and MyST pages line by line, never
through Sphinx. Built on :mod:`sphinx_ethics.answers` and the catalogue.
"""
