"""Files made for people who do not use Sphinx, with no Sphinx import.

Blank checklists, the completed review (md, html, csv, json, docx) and the
offline answer form. Built on :mod:`sphinx_ethics.answers` and the catalogue.
"""
