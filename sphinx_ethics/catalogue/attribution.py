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

from sphinx_ethics.catalogue.model import Attribution, OriginalWork

Kind = Literal["text", "emphasis", "link"]
Gettext = Callable[[str], str]


@dataclass(frozen=True)
class Segment:
    """A piece of the sentence; a link's text is its address."""

    text: str
    kind: Kind = "text"


def _same(message: str) -> str:
    return message


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def names(people: Sequence[str], _: Gettext = _same) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(people) <= 1:
        return "".join(people)
    return ", ".join(people[:-1]) + str(_(" and ")) + people[-1]


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


def _adaptation(source: Attribution, original: OriginalWork, _: Gettext) -> list[Segment]:
    """'the SERIES resource *TITLE* by PUBLISHER (URL), adapted from *TITLE* by
    AUTHORS, in the series *SERIES* (DOI)'."""
    out = [Segment(str(_("the %s resource ")) % source.series)] if source.series else []
    out.append(Segment(source.title, "emphasis"))
    by = names(source.authors, _) or source.publisher
    if by:
        out.append(Segment(str(_(" by %s")) % by))
    out += _addresses([source.url, doi_url(source.doi) if source.doi else ""])
    out += [Segment(str(_(", adapted from "))), Segment(original.title, "emphasis")]
    if original.authors:
        out.append(Segment(str(_(" by %s")) % names(original.authors, _)))
    if original.series:
        out += [Segment(str(_(", in the series "))), Segment(original.series, "emphasis")]
    return out + _addresses([doi_url(original.doi) if original.doi else "", original.url])


def _work(source: Attribution, _: Gettext) -> list[Segment]:
    """'*TITLE* (SERIES, PUBLISHER, URL), by AUTHORS, adapted from ..., DOI'."""
    out = [Segment(source.title, "emphasis")]
    where = ", ".join(filter(None, [source.series, source.publisher]))
    if where or source.url:
        out += [Segment(f" ({where}, " if where and source.url else f" ({where}")]
        out += [Segment(source.url, "link")] if source.url else []
        out.append(Segment(")"))
    if source.authors:
        out.append(Segment(str(_(", by %s")) % names(source.authors, _)))
    if source.adapted_from:
        out.append(Segment(str(_(", adapted from %s")) % source.adapted_from))
    if source.doi:
        out += [Segment(", "), Segment(doi_url(source.doi), "link")]
    return out


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".?!" else f"{text}."


def segments(source: Attribution, _: Gettext = _same) -> list[Segment]:
    """The attribution sentence(s), in pieces; ``_`` translates the words around them."""
    out = [Segment(str(_("Source: ")))]
    out += _adaptation(source, source.original, _) if source.original else _work(source, _)
    out.append(Segment("."))
    if source.changes:
        out.append(Segment(" " + _sentence(source.changes)))
    if source.licence:
        out.append(Segment(" " + str(_("Licensed under %s")) % source.licence))
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
