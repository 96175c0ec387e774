"""Who gave an answer, under the answer: "Answered by J. Okafor (family carer),
received 2026-11-20" (SPEC §12).

The name, role and date come from a form or a merged download: untrusted
text (SPEC §10).  They are shown as one text node, never parsed, never put
in a class, id or attribute; :func:`~sphinx_ethics.answers.slots.who_answered`
has already made them one line of at most 100 characters.  An answer whose
entry does not say who gave it gets nothing: it is not claimed for the team.
"""

from __future__ import annotations

from docutils import nodes

from sphinx_ethics.answers.slots import SlotRecord
from sphinx_ethics.nodes.i18n import _


def answered_by(slot: SlotRecord) -> list[nodes.paragraph]:
    """The line for a slot whose answer says who gave it; none otherwise."""
    if not slot.by or not slot.answer:
        return []
    if slot.received:
        text = _("Answered by %(by)s, received %(date)s") % {"by": slot.by, "date": slot.received}
    else:
        text = _("Answered by %(by)s") % {"by": slot.by}
    para = nodes.paragraph(classes=["ethics-answered-by"])
    # The classed inline carries the style to LaTeX (which ignores paragraph classes).
    para += nodes.inline(text=text, classes=["ethics-answered-by"])
    return [para]
