"""Standard docutils nodes with ``ethics-*`` classes, for every builder.

What a review, a checklist or a sign-off panel looks like, built from the
records of :mod:`sphinx_ethics.answers`; the extension puts them in pages.
"""
