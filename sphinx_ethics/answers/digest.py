"""What a sign-off approved: a short digest of a review's answers (SPEC §12).

Plain Python, no Sphinx.  A sign-off's ``:digest:`` holds the digest of the
answers as they stood when it was given; when the answers change, the
digest changes and the sign-off is stale.

The serialisation, exactly: for each *required* slot of the review, in the
review's order, the list ``[id, state, text, choice]`` where ``text`` is the
slot's seen text (what a reader sees, SPEC §11) with its white space made
single spaces and invisible characters dropped
(:func:`~sphinx_ethics.answers.slots.visible`), and ``choice`` a screening
question's ``yes``/``no``/``unsure`` ("" otherwise).  The list of those lists
is written as JSON (``ensure_ascii=False``, separators ``","`` and ``":"``),
encoded as UTF-8, and hashed with SHA-256; the digest is the first 12
lowercase hex characters.

What changes it: a slot's answer text (beyond white space), its state
(answered, not-applicable, draft, placeholder, unanswered), a screening
choice, a required slot added or removed.  What does not: the review's
metadata (owner, dates, ``:status:``), its sign-offs, its title, optional
slots, markup that shows the same text, re-wrapping a paragraph.

A referral's decision covers the screening slots only
(:func:`screening_digest`), so an edit to another checklist's answer
leaves the research ethics committee's decision standing, and a changed
screening answer re-opens it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable

from sphinx_ethics.answers.slots import SlotRecord, visible

#: What a ``:digest:`` looks like.
DIGEST_PATTERN = re.compile(r"[0-9a-f]{12}")
DIGEST_LENGTH = 12


def serialise(slots: Iterable[SlotRecord]) -> bytes:
    """The bytes the digest is taken of (see the module's docstring)."""
    items = [[s.id, s.state, visible(s.answer), s.choice] for s in slots if s.required]
    return json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest(slots: Iterable[SlotRecord]) -> str:
    """The 12-hex digest of the required slots' ids, states, seen text and choices."""
    return hashlib.sha256(serialise(slots)).hexdigest()[:DIGEST_LENGTH]


def screening_digest(slots: Iterable[SlotRecord], screening: Iterable[str]) -> str:
    """The digest of the screening slots only (``screening``: their ids)."""
    ids = set(screening)
    return digest(s for s in slots if s.id in ids)


def is_digest(text: str) -> bool:
    """Whether ``text`` is a well-formed ``:digest:`` (12 lowercase hex characters)."""
    return DIGEST_PATTERN.fullmatch(text) is not None


# --------------------------------------------------------------------------
# Per-slot digests: which slots changed since a sign-off
# --------------------------------------------------------------------------

#: Hex characters of one slot's digest in ``:slots:`` (enough to tell which
#: slot changed; the sign-off's 12-hex ``:digest:`` says *whether* any did).
SLOT_DIGEST_LENGTH = 6
_SLOT_TOKEN = re.compile(r"([a-z][a-z0-9]*(?:-[a-z0-9]+)*)=([0-9a-f]{6})")


def slot_digests(slots: Iterable[SlotRecord]) -> dict[str, str]:
    """Each required slot's own digest: the serialisation above of that slot alone."""
    return {
        s.id: hashlib.sha256(serialise([s])).hexdigest()[:SLOT_DIGEST_LENGTH]
        for s in slots
        if s.required
    }


def format_slot_digests(digests: dict[str, str]) -> str:
    """``:slots:`` as ``sphinx-ethics signoff`` writes it: ``plan-1=3fa2c1 plan-2=…``."""
    return " ".join(f"{sid}={value}" for sid, value in digests.items())


def parse_slot_digests(text: str) -> tuple[tuple[str, str], ...] | None:
    """The (id, digest) pairs of a ``:slots:`` value; None when it is not well formed."""
    tokens = text.split()
    pairs = [_SLOT_TOKEN.fullmatch(token) for token in tokens]
    if not tokens or not all(pairs):
        return None
    return tuple((m.group(1), m.group(2)) for m in pairs if m)


def changed_slots(
    recorded: Iterable[tuple[str, str]], slots: Iterable[SlotRecord], only: set[str] | None = None
) -> list[str]:
    """The slot ids whose answer, state or choice differs from ``recorded``,
    in the review's order, then slots recorded but no longer required.

    ``only`` limits the comparison to those ids (a referral body's sign-off
    covers the screening slots).
    """
    then = {sid: value for sid, value in recorded if only is None or sid in only}
    now = {sid: value for sid, value in slot_digests(slots).items() if only is None or sid in only}
    changed = [sid for sid, value in now.items() if then.get(sid) != value]
    return changed + [sid for sid in then if sid not in now]
