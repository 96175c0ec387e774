"""The one wording of an attribution, shared by every renderer.

:func:`segments` turns an :class:`~sphinx_ethics.catalogue.model.Attribution`
into a sentence made of pieces: plain text, emphasis (titles) and links.
Every link's text is its address, so a reader of the text builder's output
or of a printed PDF sees the address, not only a link target.  The Sphinx
renderer (:mod:`sphinx_ethics.nodes.rendering`) makes docutils nodes of them; the
exports (:mod:`sphinx_ethics.outputs.blank`) write them as Markdown, reST, HTML or
plain text.  No Sphinx here: the command line uses it too.

For the built-in data this reads::

   Source: the Explain THIS resource *Values and Ethics* by THIS Institute
   (https://ths.im/explain-this), adapted from *Values and Ethics* by Alan
   Cribb, Vikki Entwistle and Polly Mitchell, in the series *Elements of
   Improving Quality and Safety in Healthcare*
   (https://doi.org/10.1017/9781009325233). Excerpted and reformatted; ...
   Licensed under CC BY-NC-ND 4.0
   (https://creativecommons.org/licenses/by-nc-nd/4.0/).

A file without ``original`` (a team's own, in the keys it has always had)
reads ``Source: *title* (series, publisher, url), by authors, adapted from
..., https://doi.org/DOI. Licensed under ...``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from sphinx_ethics.catalogue.model import Attribution, Checklist, OriginalWork, Question

Kind = Literal["text", "emphasis", "link"]
Gettext = Callable[[str], str]
NGettext = Callable[[str, str, int], str]


@dataclass(frozen=True)
class Segment:
    """A piece of the sentence; a link's text is its address."""

    text: str
    kind: Kind = "text"


def _same(message: str) -> str:
    return message


def _plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


# --------------------------------------------------------------------------
# Which attribution covers a question (the one rule every output follows)
# --------------------------------------------------------------------------


def question_source(checklist: Checklist, question: Question) -> Attribution | None:
    """The attribution that covers ``question``: the adding file's for a
    question a team added with ``extends``, its checklist's otherwise.

    A team's question is never shown under the checklist's source alone:
    that would attribute the team's words to the guide's authors.
    """
    if question.added_by:
        return question.added_source
    return checklist.attribution


def checklist_sources(checklist: Checklist) -> list[Attribution]:
    """Every source of the words in ``checklist``, its own first, then each
    team's that added questions to it, in first-seen order."""
    seen: list[Attribution] = []
    for source in [checklist.attribution, *(q.added_source for q in checklist.iter_questions())]:
        if source is not None and source not in seen:
            seen.append(source)
    return seen


def added_words(source: str, _: Gettext = _same) -> str:
    """'Added by SOURCE; not part of the checklist's source': how a team's question is marked."""
    return str(_("Added by %(source)s; not part of the checklist's source")) % {"source": source}


def added_mark(question: Question, _: Gettext = _same) -> str:
    """:func:`added_words` for a team's question (``extends``), else ''."""
    return added_words(question.added_by, _) if question.added_by else ""


def added_notes(checklist: Checklist, ngettext: NGettext = _plural) -> list[str]:
    """One sentence per team that added questions to ``checklist``, naming them."""
    by_source: dict[str, list[str]] = {}
    for question in checklist.questions:
        if question.added_by:
            by_source.setdefault(question.added_by, []).append(question.number)
    return [
        str(
            ngettext(
                "Question %(numbers)s was added by %(source)s; "
                "it is not part of the checklist's source.",
                "Questions %(numbers)s were added by %(source)s; "
                "they are not part of the checklist's source.",
                len(numbers),
            )
        )
        % {"numbers": ", ".join(numbers), "source": source}
        for source, numbers in by_source.items()
    ]


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def names(people: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(people) <= 1:
        return "".join(people)
    return ", ".join(people[:-1]) + " and " + people[-1]


def _addresses(urls: Sequence[str]) -> list[Segment]:
    """' (url, url)' with each address a link; nothing when there is none."""
    urls = [u for u in urls if u]
    if not urls:
        return []
    out = [Segment(" (")]
    for index, url in enumerate(urls):
        out += [Segment(", ")] if index else []
        out.append(Segment(url, "link"))
    return [*out, Segment(")")]


def _adaptation(source: Attribution, original: OriginalWork) -> list[Segment]:
    """'the SERIES resource *TITLE* by PUBLISHER (URL), adapted from *TITLE* by
    AUTHORS, in the series *SERIES* (DOI)'."""
    out = [Segment(f"the {source.series} resource ")] if source.series else []
    out.append(Segment(source.title, "emphasis"))
    by = names(source.authors) or source.publisher
    if by:
        out.append(Segment(f" by {by}"))
    out += _addresses([source.url, doi_url(source.doi) if source.doi else ""])
    out += [Segment(", adapted from "), Segment(original.title, "emphasis")]
    if original.authors:
        out.append(Segment(f" by {names(original.authors)}"))
    if original.series:
        out += [Segment(", in the series "), Segment(original.series, "emphasis")]
    return out + _addresses([doi_url(original.doi) if original.doi else "", original.url])


def _work(source: Attribution) -> list[Segment]:
    """'*TITLE* (SERIES, PUBLISHER, URL), by AUTHORS, adapted from ..., DOI'."""
    out = [Segment(source.title, "emphasis")]
    where = ", ".join(filter(None, [source.series, source.publisher]))
    if where or source.url:
        out += [Segment(f" ({where}, " if where and source.url else f" ({where}")]
        out += [Segment(source.url, "link")] if source.url else []
        out.append(Segment(")"))
    if source.authors:
        out.append(Segment(f", by {names(source.authors)}"))
    if source.adapted_from:
        out.append(Segment(f", adapted from {source.adapted_from}"))
    if source.doi:
        out += [Segment(", "), Segment(doi_url(source.doi), "link")]
    return out


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".?!" else f"{text}."


def segments(source: Attribution) -> list[Segment]:
    """The attribution sentence(s), in pieces.

    Never translated: it is the licensor's notice over words that are shown
    in their language, English (a translation would be an adaptation).
    """
    out = [Segment("Source: ")]
    out += _adaptation(source, source.original) if source.original else _work(source)
    out.append(Segment("."))
    if source.changes:
        out.append(Segment(" " + _sentence(source.changes)))
    if source.licence:
        out.append(Segment(f" Licensed under {source.licence}"))
        out += _addresses([source.licence_url])
        out.append(Segment("."))
    return out


def plain(pieces: Sequence[Segment]) -> str:
    """The sentence as plain text (titles unmarked, addresses as written)."""
    return "".join(piece.text for piece in pieces)


def text(source: Attribution) -> str:
    """The attribution as one line of plain text (CSV, JSON, reports)."""
    return plain(segments(source))


def write(
    source: Attribution,
    escape: Callable[[str], str],
    emphasis: Callable[[str], str],
    link: Callable[[str], str],
) -> str:
    """The attribution in a markup: ``escape`` writes text, ``emphasis`` a
    title, ``link`` an address (shown as its own text)."""
    writers = {"text": escape, "emphasis": emphasis, "link": link}
    return "".join(writers[piece.kind](piece.text) for piece in segments(source))
