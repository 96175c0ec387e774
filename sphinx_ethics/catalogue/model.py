"""The checklist data model: checklists, questions, tips, definitions, introductions,
resources, attribution.

These small frozen objects are what :func:`sphinx_ethics.catalogue.load_catalog`
builds from the checklist files, and what the directives, the validator and
the command line share.  :class:`ChecklistProblem` and :class:`ChecklistFileError`
carry what is wrong with a file, by file name and line.

Import these through :mod:`sphinx_ethics.catalogue`, which re-exports them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sphinx_ethics.catalogue.migrations import Migration

# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class OriginalWork:
    """The work a checklist's source is adapted from (``source.original``)."""

    title: str
    authors: tuple[str, ...] = ()
    series: str = ""
    doi: str = ""
    url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "authors": list(self.authors),
            "series": self.series,
            "doi": self.doi,
            "url": self.url,
        }


@dataclass(frozen=True)
class Attribution:
    """Where a checklist's words come from; rendered wherever they are shown.

    ``original`` is the work the source is adapted from, and ``changes``
    what this reproduction changed (both optional); the wording is
    :func:`sphinx_ethics.catalogue.attribution.segments`.
    """

    title: str
    series: str = ""
    publisher: str = ""
    authors: tuple[str, ...] = ()
    adapted_from: str = ""
    doi: str = ""
    url: str = ""
    licence: str = ""
    licence_url: str = ""
    original: OriginalWork | None = None
    changes: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "series": self.series,
            "publisher": self.publisher,
            "authors": list(self.authors),
            "adapted_from": self.adapted_from,
            "doi": self.doi,
            "url": self.url,
            "licence": self.licence,
            "licence_url": self.licence_url,
            "original": self.original.as_dict() if self.original else None,
            "changes": self.changes,
        }


#: What a screening question is answered with (``kind: screening`` checklists).
SCREENING_CHOICES = ("yes", "no", "unsure")


@dataclass(frozen=True)
class ReferRule:
    """A screening question's ``refer``: which answers send the project to whom, and why."""

    when: tuple[str, ...]
    to: str
    because: str = ""


@dataclass(frozen=True)
class Question:
    """One numbered question; lettered sub-questions are questions of their own.

    A question with sub-questions is a *group*: shown as a heading, and an
    answer to it is optional.  Every other question is an *answer slot*.
    """

    id: str
    checklist: str
    number: str
    text: str
    prompts: tuple[str, ...] = ()
    subquestions: tuple[Question, ...] = ()
    parent: str | None = None
    #: Who added the question through ``extends`` (empty for the checklist's own).
    added_by: str = ""
    #: The attribution of the file that added it (``extends``); see
    #: :func:`sphinx_ethics.catalogue.attribution.question_source`.
    added_source: Attribution | None = None
    #: A screening question is answered yes, no or unsure (``kind: screening``).
    screening: bool = False
    refer: ReferRule | None = None

    @property
    def is_group(self) -> bool:
        return bool(self.subquestions)


@dataclass(frozen=True)
class Checklist:
    id: str
    title: str
    version: str
    questions: tuple[Question, ...]
    intro: tuple[str, ...] = ()
    attribution: Attribution | None = None
    file: str = ""
    #: ``checklist`` (answers in words) or ``screening`` (yes / no / unsure).
    kind: str = "checklist"
    #: ``migrations:``: what became of its questions between versions (SPEC §12).
    migrations: tuple[Migration, ...] = ()

    def iter_questions(self) -> Iterator[Question]:
        """Every question in source order: a group, then its sub-questions."""
        for question in self.questions:
            yield question
            yield from question.subquestions

    def slots(self) -> list[Question]:
        """The answer slots, in source order (groups left out)."""
        return [q for q in self.iter_questions() if not q.is_group]


@dataclass(frozen=True)
class Tip:
    id: str
    title: str
    text: str
    attribution: Attribution | None = None


@dataclass(frozen=True)
class Definition:
    id: str
    term: str
    text: tuple[str, ...]
    items: tuple[str, ...] = ()
    closing: tuple[str, ...] = ()
    attribution: Attribution | None = None


@dataclass(frozen=True)
class Introduction:
    """Paragraphs of the source under one of its headings, shown as they are
    (the guide's case for improvement ethics, the practical questions' introduction)."""

    id: str
    title: str
    text: tuple[str, ...]
    attribution: Attribution | None = None


@dataclass(frozen=True)
class Resource:
    """One item of further reading: who published it, its title, its link."""

    id: str
    publisher: str
    title: str
    url: str
    authors: str = ""
    attribution: Attribution | None = None


#: The catalogue's mappings, in the order :class:`Catalog` takes them.
FIELDS = ("checklists", "tips", "definitions", "questions", "introductions", "resources")


@dataclass(frozen=True, eq=False)
class Catalog:
    """Everything the extension knows: checklists, questions, tips, definitions,
    introductions from the source and further reading.

    One catalogue is cached and shared by every build and command in the
    process, so it cannot be changed: its mappings are read-only views,
    built once by :func:`load_catalog`.  Iteration follows the files'
    order (built-in data first).
    """

    checklists: Mapping[str, Checklist] = field(default_factory=lambda: MappingProxyType({}))
    tips: Mapping[str, Tip] = field(default_factory=lambda: MappingProxyType({}))
    definitions: Mapping[str, Definition] = field(default_factory=lambda: MappingProxyType({}))
    questions: Mapping[str, Question] = field(default_factory=lambda: MappingProxyType({}))
    introductions: Mapping[str, Introduction] = field(default_factory=lambda: MappingProxyType({}))
    resources: Mapping[str, Resource] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for name in FIELDS:
            value = getattr(self, name)
            if not isinstance(value, MappingProxyType):
                object.__setattr__(self, name, MappingProxyType(dict(value)))

    def __reduce__(self) -> tuple[Any, ...]:  # read-only views do not pickle
        return (Catalog, tuple(dict(getattr(self, name)) for name in FIELDS))

    def checklist_of(self, question_id: str) -> Checklist | None:
        question = self.questions.get(question_id)
        return self.checklists.get(question.checklist) if question else None


def did_you_mean(name: str, candidates: Sequence[str] | Any) -> str:
    """A ' (did you mean "x"?)' suffix for an unknown id, or an empty string."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def unknown_id(kind: str, name: str, known: Iterable[str], *, list_known: bool = False) -> str:
    """The one wording for an id that is not known: 'unknown checklist 'x' (did you
    mean "y"?)', with '; known checklists: ...' when the list is short enough to help."""
    names = list(known)
    text = f"unknown {kind} {name!r}{did_you_mean(name, names)}"
    if list_known and names:
        text += f"; known {kind}s: {', '.join(names)}"
    return text


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistProblem:
    """One thing wrong in a checklist file, at a line (1-based)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ChecklistFileError(Exception):
    """A checklist file cannot be used; carries every problem found in it."""

    def __init__(self, problems: Sequence[ChecklistProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
