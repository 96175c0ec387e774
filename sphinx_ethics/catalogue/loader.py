"""The checklist catalogue: built-in THIS Institute data plus a team's own files.

Checklists are data, kept as YAML in ``sphinx_ethics/checklists/`` and in the
files a project names in ``ethics_checklists``.  This module loads those
files, in order, into one immutable, cached :class:`Catalog`: each file is
read and checked by :mod:`sphinx_ethics.catalogue.checklist_file`, then built into
the small frozen objects of :mod:`sphinx_ethics.catalogue.model` that the
directives, the validator and the command line share.

Import the model and the loaders from here; the names below are this
module's public interface.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sphinx_ethics.catalogue.checklist_file import (
    BUILTIN_FILE,
    SCHEMA_FILE,
    ParsedFile,
    anchor_clashes,
    anchor_ids,
    builtin_path,
    checklist_schema,
    line_of,
    read_file,
)
from sphinx_ethics.catalogue.migrations import migrations_from
from sphinx_ethics.catalogue.model import (
    Attribution,
    Catalog,
    Checklist,
    ChecklistFileError,
    ChecklistProblem,
    Definition,
    Introduction,
    OriginalWork,
    Question,
    ReferRule,
    Resource,
    Tip,
    did_you_mean,
    unknown_id,
)

__all__ = [
    "BUILTIN_FILE",
    "SCHEMA_FILE",
    "Attribution",
    "Catalog",
    "Checklist",
    "ChecklistFileError",
    "ChecklistProblem",
    "Definition",
    "Introduction",
    "OriginalWork",
    "ParsedFile",
    "Question",
    "ReferRule",
    "Resource",
    "Tip",
    "builtin_path",
    "checklist_schema",
    "did_you_mean",
    "load_catalog",
    "load_catalog_skipping_bad",
    "read_file",
    "unknown_id",
    "validate_file",
]


# --------------------------------------------------------------------------
# Building the catalogue
# --------------------------------------------------------------------------


def _attribution(data: dict[str, Any] | None) -> Attribution | None:
    if not data:
        return None
    values = {k: v for k, v in data.items() if k not in ("authors", "original")}
    original = data.get("original")
    return Attribution(
        authors=tuple(data.get("authors", ())),
        original=_original(original) if original else None,
        **values,
    )


def _original(data: dict[str, Any]) -> OriginalWork:
    values = {k: v for k, v in data.items() if k != "authors"}
    return OriginalWork(authors=tuple(data.get("authors", ())), **values)


def _refer(data: dict[str, Any] | None) -> ReferRule | None:
    if not data:
        return None
    return ReferRule(tuple(data["when"]), data["to"], data.get("because", ""))


def _questions(
    checklist_id: str,
    items: list[dict[str, Any]],
    added_by: str = "",
    screening: bool = False,
    added_source: Attribution | None = None,
) -> tuple[Question, ...]:
    questions = []
    for item in items:
        number = str(item["number"])
        parent_id = f"{checklist_id}-{number}"
        subs = tuple(
            Question(
                id=f"{parent_id}{sub['letter']}",
                checklist=checklist_id,
                number=f"{number}{sub['letter']}",
                text=sub["text"],
                prompts=tuple(sub.get("prompts", ())),
                parent=parent_id,
                added_by=added_by,
                added_source=added_source,
                screening=screening,
                refer=_refer(sub.get("refer")),
            )
            for sub in item.get("subquestions", ())
        )
        questions.append(
            Question(
                id=parent_id,
                checklist=checklist_id,
                number=number,
                text=item["text"],
                prompts=tuple(item.get("prompts", ())),
                subquestions=subs,
                added_by=added_by,
                added_source=added_source,
                screening=screening,
                refer=_refer(item.get("refer")),
            )
        )
    return tuple(questions)


@dataclass
class _Builder:
    """The catalogue while files are added, before it is frozen."""

    checklists: dict[str, Checklist] = field(default_factory=dict)
    tips: dict[str, Tip] = field(default_factory=dict)
    definitions: dict[str, Definition] = field(default_factory=dict)
    introductions: dict[str, Introduction] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)

    def freeze(self) -> Catalog:
        questions = {
            q.id: q for checklist in self.checklists.values() for q in checklist.iter_questions()
        }
        return Catalog(
            self.checklists,
            self.tips,
            self.definitions,
            questions,
            self.introductions,
            self.resources,
        )


def _add_file(catalog: _Builder, data: dict[str, Any], name: str, root: yaml.Node | None) -> None:
    """Add one checked file's data to the catalogue; raise with every clash in it."""
    before = anchor_ids(catalog.checklists, catalog.tips)
    adding = _FileAdder(catalog, data, name, root, _attribution(data.get("source")))
    adding.add_checklists()
    adding.add_extensions()
    adding.add_tips()
    adding.add_definitions()
    adding.add_introductions()
    adding.add_resources()
    problems = adding.problems + anchor_clashes(before, data, name, root)
    if problems:
        raise ChecklistFileError(sorted(problems, key=lambda p: p.line))


@dataclass
class _FileAdder:
    """One file's data being added to the catalogue, and the clashes found so far."""

    catalog: _Builder
    data: dict[str, Any]
    name: str
    root: yaml.Node | None
    attribution: Attribution | None
    problems: list[ChecklistProblem] = field(default_factory=list)

    def clash(self, path: list[Any], what: str, value: str, where: str) -> None:
        line = line_of(self.root, path)
        message = f"{what} {value!r} is already defined in {where}"
        self.problems.append(ChecklistProblem(self.name, line, message))

    def add_checklists(self) -> None:
        checklists = self.catalog.checklists
        version = str(self.data.get("version", "1"))
        for index, item in enumerate(self.data.get("checklists", ())):
            if item["id"] in checklists:
                other = checklists[item["id"]].file
                self.clash(["checklists", index, "id"], "checklist", item["id"], other)
                continue
            checklists[item["id"]] = Checklist(
                id=item["id"],
                title=item["title"],
                version=version,
                questions=_questions(
                    item["id"], item["questions"], screening=item.get("kind") == "screening"
                ),
                intro=tuple(item.get("intro", ())),
                attribution=self.attribution,
                file=self.name,
                kind=item.get("kind", "checklist"),
                migrations=migrations_from(item.get("migrations", ())),
            )

    def add_extensions(self) -> None:
        for index, item in enumerate(self.data.get("extends", ())):
            base = self.catalog.checklists.get(item["checklist"])
            if base is None:
                line = line_of(self.root, ["extends", index, "checklist"])
                hint = did_you_mean(item["checklist"], self.catalog.checklists)
                msg = f"extends unknown checklist {item['checklist']!r}{hint}"
                self.problems.append(ChecklistProblem(self.name, line, msg))
                continue
            self.catalog.checklists[base.id] = self._extended(base, index, item)

    def _extended(self, base: Checklist, index: int, item: dict[str, Any]) -> Checklist:
        """``base`` with the questions of ``extends`` entry ``index`` added."""
        # Added questions are marked, so they are never shown as the source's words.
        added_by = self.attribution.title if self.attribution else Path(self.name).name
        extra = _questions(
            base.id, item["questions"], added_by, base.kind == "screening", self.attribution
        )
        for qi, question in enumerate(item["questions"]):
            if base.kind != "screening" and _has_refer(question):
                path = ["extends", index, "questions", qi, "number"]
                message = f"refer: checklist {base.id!r} is not a screening checklist "
                message += "(only questions of a 'kind: screening' checklist can refer)"
                self.problems.append(ChecklistProblem(self.name, line_of(self.root, path), message))
        taken = {q.number for q in base.questions}
        for qi, question in enumerate(extra):
            if question.number in taken:
                path = ["extends", index, "questions", qi, "number"]
                self.clash(path, "question", question.id, base.file)
        combined = base.questions + tuple(q for q in extra if q.number not in taken)
        return Checklist(
            id=base.id,
            title=base.title,
            version=f"{base.version}+{Path(self.name).stem}",
            questions=combined,
            intro=base.intro,
            attribution=base.attribution,
            file=base.file,
            kind=base.kind,
            migrations=base.migrations,
        )

    def add_tips(self) -> None:
        tips = self.catalog.tips
        for index, item in enumerate(self.data.get("tips", ())):
            if item["id"] in tips:
                self.clash(["tips", index, "id"], "tip", item["id"], "another file")
                continue
            tips[item["id"]] = Tip(item["id"], item["title"], item["text"], self.attribution)

    def add_definitions(self) -> None:
        definitions = self.catalog.definitions
        for index, item in enumerate(self.data.get("definitions", ())):
            if item["id"] in definitions:
                self.clash(["definitions", index, "id"], "definition", item["id"], "another file")
                continue
            definitions[item["id"]] = Definition(
                id=item["id"],
                term=item["term"],
                text=tuple(item["text"]),
                items=tuple(item.get("items", ())),
                closing=tuple(item.get("closing", ())),
                attribution=self.attribution,
            )

    def add_introductions(self) -> None:
        introductions = self.catalog.introductions
        for index, item in enumerate(self.data.get("introductions", ())):
            if item["id"] in introductions:
                self.clash(
                    ["introductions", index, "id"], "introduction", item["id"], "another file"
                )
                continue
            text = tuple(item["text"])
            introductions[item["id"]] = Introduction(
                item["id"], item["title"], text, self.attribution
            )

    def add_resources(self) -> None:
        resources = self.catalog.resources
        for index, item in enumerate(self.data.get("resources", ())):
            if item["id"] in resources:
                self.clash(["resources", index, "id"], "resource", item["id"], "another file")
                continue
            resources[item["id"]] = Resource(
                id=item["id"],
                publisher=item["publisher"],
                title=item["title"],
                url=item["url"],
                authors=item.get("authors", ""),
                attribution=self.attribution,
            )


def _has_refer(question: dict[str, Any]) -> bool:
    return "refer" in question or any("refer" in s for s in question.get("subquestions", ()))


def load_catalog(extra_files: Sequence[str | Path] = (), *, builtin: bool = True) -> Catalog:
    """The built-in data followed by each extra file; raise on the first bad file."""
    # The same file named twice (conf.py and --checklists) is loaded once.
    unique: dict[str, str] = {}
    for path in extra_files:
        unique.setdefault(str(Path(path).resolve()), str(path))
    key = tuple((p, _stamp(p)) for p in unique.values())
    return _load_catalog_cached(key, builtin)


def _stamp(path: str | Path) -> tuple[int, int]:
    try:
        stat = Path(path).stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load_catalog_cached(key: tuple[tuple[str, tuple[int, int]], ...], builtin: bool) -> Catalog:
    # Loading once per set of files (and their modification times) keeps the
    # cost per build constant: directives on every page share this catalogue.
    catalog = _Builder()
    paths = ([builtin_path()] if builtin else []) + [Path(p) for p, _ in key]
    for index, path in enumerate(paths):
        is_builtin = builtin and index == 0
        name = BUILTIN_FILE if is_builtin else str(path)
        parsed = read_file(path, name, check_schema=not is_builtin)
        _add_file(catalog, parsed.data, name, parsed.root)
    return catalog.freeze()


def load_catalog_skipping_bad(
    extra_files: Sequence[str | Path] = (),
) -> tuple[Catalog, list[ChecklistProblem]]:
    """The catalogue of every file that loads, and the problems of those that don't.

    A build goes on with the good files (and warns about the others) rather
    than losing every custom checklist to one typo.
    """
    good: list[str | Path] = []
    problems: list[ChecklistProblem] = []
    for path in extra_files:
        try:
            load_catalog([*good, path])
        except ChecklistFileError as err:
            problems += err.problems
        else:
            good.append(path)
    return load_catalog(good), problems


def validate_file(
    path: str | Path, extra_files: Sequence[str | Path] = ()
) -> list[ChecklistProblem]:
    """Every problem in one custom file, as it would load beside the built-in data."""
    try:
        load_catalog([*extra_files, path])
    except ChecklistFileError as err:
        return err.problems
    return []
