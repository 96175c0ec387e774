"""Text from outside the team (answers files, the form, merged downloads).

It is data, never a document: ``format: text`` is shown as typed
(:mod:`.typed`); ``format: markup`` is parsed, one entry at a time
(:mod:`.parse`), with an allow-list enforced while parsing (:mod:`.allowlist`
for reStructuredText, :mod:`.myst` for MyST). The extension puts the result
in the page; see ``docs/security.rst``.
"""
