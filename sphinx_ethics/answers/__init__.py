"""The answer model and its rules, in plain Python (no Sphinx).

Slots and their states, the governance rules (sign-off, fields, referral),
answers files read and merged, an answer's text as blocks, and the MyST
fence slips that would hide an answer. Built on :mod:`sphinx_ethics.catalogue`.
"""
