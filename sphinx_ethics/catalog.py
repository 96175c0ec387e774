"""The checklist catalogue: built-in THIS Institute data plus a team's own files.

Checklists are data, kept as YAML in ``sphinx_ethics/checklists/`` and in the
files a project names in ``ethics_checklists``.  This module reads those files
(``yaml`` safe loading only), checks them against the JSON Schema shipped
beside the built-in data, and turns them into small frozen objects that the
directives, the validator and the command line share.

Every problem in a file is reported with its file name and line, so a team
editing its own checklist can find the mistake without reading a traceback.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from sphinx_ethics import yaml_reading

if TYPE_CHECKING:
    import jsonschema

BUILTIN_FILE = "this-values-and-ethics.yaml"
SCHEMA_FILE = "checklist.schema.json"


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    """Where a checklist's words come from; rendered wherever they are shown."""

    title: str
    series: str = ""
    publisher: str = ""
    authors: tuple[str, ...] = ()
    adapted_from: str = ""
    doi: str = ""
    url: str = ""
    licence: str = ""
    licence_url: str = ""

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
        }


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


@dataclass(frozen=True, eq=False)
class Catalog:
    """Everything the extension knows: checklists, questions, tips, definitions.

    One catalogue is cached and shared by every build and command in the
    process, so it cannot be changed: its mappings are read-only views,
    built once by :func:`load_catalog`.  Iteration follows the files'
    order (built-in data first).
    """

    checklists: Mapping[str, Checklist] = field(default_factory=lambda: MappingProxyType({}))
    tips: Mapping[str, Tip] = field(default_factory=lambda: MappingProxyType({}))
    definitions: Mapping[str, Definition] = field(default_factory=lambda: MappingProxyType({}))
    questions: Mapping[str, Question] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for name in ("checklists", "tips", "definitions", "questions"):
            value = getattr(self, name)
            if not isinstance(value, MappingProxyType):
                object.__setattr__(self, name, MappingProxyType(dict(value)))

    def __reduce__(self) -> tuple[Any, ...]:  # read-only views do not pickle
        return (
            Catalog,
            (dict(self.checklists), dict(self.tips), dict(self.definitions), dict(self.questions)),
        )

    def checklist_of(self, question_id: str) -> Checklist | None:
        question = self.questions.get(question_id)
        return self.checklists.get(question.checklist) if question else None


def did_you_mean(name: str, candidates: Sequence[str] | Any) -> str:
    """A ' (did you mean "x"?)' suffix for an unknown id, or an empty string."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a checklist file, at a line (1-based)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ChecklistFileError(Exception):
    """A checklist file cannot be used; carries every problem found in it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# --------------------------------------------------------------------------
# Reading one file
# --------------------------------------------------------------------------


@functools.cache
def checklist_schema() -> dict[str, Any]:
    text = resources.files("sphinx_ethics.checklists").joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


def builtin_path() -> Path:
    return Path(str(resources.files("sphinx_ethics.checklists").joinpath(BUILTIN_FILE)))


def _line_of(root: yaml.Node | None, path: Sequence[Any]) -> int:
    """The 1-based line of the deepest node on a JSON path (a key's own line)."""
    node, line = root, (root.start_mark.line + 1 if root is not None else 1)
    for key in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == key), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _describe_path(path: Sequence[Any]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def _error_path(error: jsonschema.ValidationError) -> list[Any]:
    """Where an error points: an unknown key's own line, not its mapping's."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        path += extra[:1]
    return path


def _schema_message(error: jsonschema.ValidationError) -> str:
    where = _describe_path(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = sorted(error.schema.get("properties", {}))
        names = ", ".join(f'"{e}"' for e in extra)
        hint = "".join(did_you_mean(e, allowed) for e in extra[:1])
        message = f"unknown key {names}{hint}; allowed keys: {', '.join(allowed)}"
    elif error.validator == "pattern" and error.schema.get("description"):
        message = f"{error.instance!r} is not valid: {error.schema['description']}"
    elif error.validator == "anyOf" and not error.absolute_path:
        message = "the file defines nothing: add checklists, extends, tips or definitions"
    else:
        message = error.message
    return f"{where}: {message}" if where else message


@dataclass(frozen=True)
class ParsedFile:
    data: dict[str, Any]
    root: yaml.Node  # the node tree, for line numbers


def read_file(
    path: str | Path, display_name: str | None = None, *, check_schema: bool = True
) -> ParsedFile:
    """Parse and schema-check one checklist file; raise with every problem found.

    The built-in file is checked by the test suite, not on every build
    (``check_schema=False``), which keeps jsonschema out of a plain build.
    Reading goes through :mod:`sphinx_ethics.yaml_reading`: no FIFOs or
    devices, no alias bombs, no keys given twice, no huge files.
    """
    name = display_name or str(path)
    try:
        document = yaml_reading.read_yaml(path)
        root = document.root
        data = yaml_reading.construct(root)
    except yaml_reading.YamlReadError as err:
        message = f"file {err.message}" if err.about_file else err.message
        raise ChecklistFileError([Problem(name, err.line, message)]) from None
    problems = [Problem(name, d.line, d.message) for d in document.duplicates]
    if not isinstance(data, dict) or root is None:
        line = root.start_mark.line + 1 if root is not None else 1
        problems.append(
            Problem(name, line, "expected a mapping with 'schema_version' and 'checklists'")
        )
        raise ChecklistFileError(sorted(problems, key=lambda p: p.line))
    flagged: set[tuple[Any, ...]] = set()
    if check_schema:
        schema_problems, flagged = _schema_problems(data, root, name)
        problems += schema_problems
    problems += _strict_problems(data, root, name, flagged)
    problems += _duplicate_problems(data, root, name)
    if problems:
        raise ChecklistFileError(sorted(problems, key=lambda p: p.line))
    return ParsedFile(data, root)


def _schema_problems(
    data: dict[str, Any], root: yaml.Node, name: str
) -> tuple[list[Problem], set[tuple[Any, ...]]]:
    """The schema's problems, and the paths they are about."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(checklist_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = [Problem(name, _line_of(root, _error_path(e)), _schema_message(e)) for e in errors]
    return problems, {tuple(e.absolute_path) for e in errors}


#: Checklist, question, tip and definition ids.  The schema's ``pattern``
#: says the same, but Python's ``re.search`` lets ``$`` match before a
#: trailing newline, so ids are checked again here with ``fullmatch``.
ID = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
LETTER = re.compile(r"[a-z]")
#: Links in checklist data: http(s) with a host, or mailto; nothing else.
LINK = re.compile(r"(https?://[^\s/?#@]+([/?#][^\s]*)?|mailto:[^\s/]+@[^\s]+)")
DOI = re.compile(r"10\.[0-9]+(\.[0-9]+)*/[^\s]+")
ID_RULE = "lower-case letters, digits and single hyphens, starting with a letter"
LINK_RULE = "links must be http://, https:// or mailto: addresses"
DOI_RULE = "a DOI such as 10.1017/9781009325233, without https://doi.org/"


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) for the mappings in a list; nothing for any other value."""
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _strict_problems(
    data: dict[str, Any], root: yaml.Node, name: str, flagged: set[tuple[Any, ...]]
) -> list[Problem]:
    """Ids, letters and links checked in full (what the schema's patterns let by)."""
    problems = []

    def check(path: list[Any], value: Any, rule: re.Pattern[str], what: str) -> None:
        if tuple(path) in flagged or not isinstance(value, str):
            return
        if not rule.fullmatch(value):
            line = _line_of(root, path)
            problems.append(Problem(name, line, f"{_describe_path(path)}: {value!r} {what}"))

    for group in ("tips", "definitions"):
        for index, item in _items(data.get(group)):
            check([group, index, "id"], item.get("id"), ID, f"is not a valid id ({ID_RULE})")
    for group, key in (("checklists", "id"), ("extends", "checklist")):
        for ci, checklist in _items(data.get(group)):
            check([group, ci, key], checklist.get(key), ID, f"is not a valid id ({ID_RULE})")
            for qi, question in _items(checklist.get("questions")):
                for si, sub in _items(question.get("subquestions")):
                    path = [group, ci, "questions", qi, "subquestions", si, "letter"]
                    check(path, sub.get("letter"), LETTER, "is not one lower-case letter")
    source = data.get("source")
    if isinstance(source, dict):
        for key in ("url", "licence_url"):
            if source.get(key):
                check(["source", key], source[key], LINK, f"is not allowed: {LINK_RULE}")
        if source.get("doi"):
            check(["source", "doi"], source["doi"], DOI, f"is not valid: {DOI_RULE}")
    return problems


def _duplicate_problems(data: dict[str, Any], root: yaml.Node | None, name: str) -> list[Problem]:
    """Ids and numbers that the schema cannot see are repeated."""
    problems = []

    def check(items: Any, key: str, path: list[Any], what: str) -> None:
        seen: set[Any] = set()
        for index, item in _items(items):
            value = item.get(key)
            if value is None or not isinstance(value, (str, int)):
                continue
            if value in seen:
                line = _line_of(root, [*path, index, key])
                problems.append(Problem(name, line, f"{what} {value!r} is defined twice"))
            seen.add(value)

    check(data.get("checklists"), "id", ["checklists"], "checklist")
    check(data.get("tips"), "id", ["tips"], "tip")
    check(data.get("definitions"), "id", ["definitions"], "definition")
    for group in ("checklists", "extends"):
        for ci, checklist in _items(data.get(group)):
            questions = checklist.get("questions")
            check(questions, "number", [group, ci, "questions"], "question number")
            for qi, question in _items(questions):
                path = [group, ci, "questions", qi, "subquestions"]
                check(question.get("subquestions"), "letter", path, "sub-question letter")
    return problems


# --------------------------------------------------------------------------
# Building the catalogue
# --------------------------------------------------------------------------


def _attribution(data: dict[str, Any] | None) -> Attribution | None:
    if not data:
        return None
    values = {k: v for k, v in data.items() if k != "authors"}
    return Attribution(authors=tuple(data.get("authors", ())), **values)


def _questions(
    checklist_id: str, items: list[dict[str, Any]], added_by: str = ""
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
            )
        )
    return tuple(questions)


@dataclass
class _Builder:
    """The catalogue while files are added, before it is frozen."""

    checklists: dict[str, Checklist] = field(default_factory=dict)
    tips: dict[str, Tip] = field(default_factory=dict)
    definitions: dict[str, Definition] = field(default_factory=dict)

    def freeze(self) -> Catalog:
        questions = {
            q.id: q for checklist in self.checklists.values() for q in checklist.iter_questions()
        }
        return Catalog(self.checklists, self.tips, self.definitions, questions)


def _anchor_ids(catalog: _Builder) -> dict[str, tuple[str, str]]:
    """Checklist, question and tip ids (one namespace: page anchors, roles).

    Each id maps to its kind and a description for messages.
    """
    taken: dict[str, tuple[str, str]] = {}
    for checklist in catalog.checklists.values():
        where = f"checklist {checklist.id!r} ({checklist.file})"
        taken.setdefault(checklist.id, ("checklist", where))
        for question in checklist.iter_questions():
            where = f"question {question.id!r} of checklist {checklist.id!r} ({checklist.file})"
            taken.setdefault(question.id, ("question", where))
    for tip in catalog.tips.values():
        taken.setdefault(tip.id, ("tip", f"tip {tip.id!r}"))
    return taken


def _new_anchor_ids(data: dict[str, Any]) -> list[tuple[str, str, list[Any]]]:
    """(id, kind, path) of each checklist, question and tip id a file adds."""
    found: list[tuple[str, str, list[Any]]] = []
    for group, key in (("checklists", "id"), ("extends", "checklist")):
        for ci, checklist in _items(data.get(group)):
            base = str(checklist.get(key))
            if group == "checklists":
                found.append((base, "checklist", [group, ci, key]))
            for qi, question in _items(checklist.get("questions")):
                path = [group, ci, "questions", qi, "number"]
                number = f"{base}-{question.get('number')}"
                found.append((number, "question", path))
                for si, sub in _items(question.get("subquestions")):
                    path = [group, ci, "questions", qi, "subquestions", si, "letter"]
                    found.append((f"{number}{sub.get('letter')}", "question", path))
    for index, tip in _items(data.get("tips")):
        found.append((str(tip.get("id")), "tip", ["tips", index, "id"]))
    return found


def _anchor_clashes(
    before: dict[str, tuple[str, str]], data: dict[str, Any], name: str, root: yaml.Node | None
) -> list[Problem]:
    """A checklist, question or tip id this file adds that is already another kind's.

    Such ids share page anchors (``ethics-plan-1``) and cross-references, so
    a checklist called ``plan-1`` would take over question ``plan-1``'s.
    Repeats within one kind are reported where they are defined.
    """
    problems = []
    taken = dict(before)
    for value, kind, path in _new_anchor_ids(data):
        other = taken.get(value)
        if other is not None and other[0] != kind:
            line = _line_of(root, path)
            message = f"{kind} id {value!r} is already used by {other[1]}"
            problems.append(Problem(name, line, message))
        taken.setdefault(value, (kind, f"{kind} {value!r} ({name}, line {_line_of(root, path)})"))
    return problems


def _add_file(catalog: _Builder, data: dict[str, Any], name: str, root: yaml.Node | None) -> None:
    before = _anchor_ids(catalog)
    attribution = _attribution(data.get("source"))
    version = str(data.get("version", "1"))
    problems: list[Problem] = []

    def clash(path: list[Any], what: str, value: str, where: str) -> None:
        line = _line_of(root, path)
        problems.append(Problem(name, line, f"{what} {value!r} is already defined in {where}"))

    for index, item in enumerate(data.get("checklists", ())):
        if item["id"] in catalog.checklists:
            other = catalog.checklists[item["id"]].file
            clash(["checklists", index, "id"], "checklist", item["id"], other)
            continue
        catalog.checklists[item["id"]] = Checklist(
            id=item["id"],
            title=item["title"],
            version=version,
            questions=_questions(item["id"], item["questions"]),
            intro=tuple(item.get("intro", ())),
            attribution=attribution,
            file=name,
        )
    for index, item in enumerate(data.get("extends", ())):
        base = catalog.checklists.get(item["checklist"])
        if base is None:
            line = _line_of(root, ["extends", index, "checklist"])
            hint = did_you_mean(item["checklist"], catalog.checklists)
            msg = f"extends unknown checklist {item['checklist']!r}{hint}"
            problems.append(Problem(name, line, msg))
            continue
        # Added questions are marked, so they are never shown as the source's words.
        added_by = attribution.title if attribution else Path(name).name
        extra = _questions(base.id, item["questions"], added_by)
        taken = {q.number for q in base.questions}
        for qi, question in enumerate(extra):
            if question.number in taken:
                path = ["extends", index, "questions", qi, "number"]
                clash(path, "question", question.id, base.file)
        combined = base.questions + tuple(q for q in extra if q.number not in taken)
        catalog.checklists[base.id] = Checklist(
            id=base.id,
            title=base.title,
            version=f"{base.version}+{Path(name).stem}",
            questions=combined,
            intro=base.intro,
            attribution=base.attribution,
            file=base.file,
        )
    for index, item in enumerate(data.get("tips", ())):
        if item["id"] in catalog.tips:
            clash(["tips", index, "id"], "tip", item["id"], "another file")
            continue
        catalog.tips[item["id"]] = Tip(item["id"], item["title"], item["text"], attribution)
    for index, item in enumerate(data.get("definitions", ())):
        if item["id"] in catalog.definitions:
            clash(["definitions", index, "id"], "definition", item["id"], "another file")
            continue
        catalog.definitions[item["id"]] = Definition(
            id=item["id"],
            term=item["term"],
            text=tuple(item["text"]),
            items=tuple(item.get("items", ())),
            closing=tuple(item.get("closing", ())),
            attribution=attribution,
        )
    problems += _anchor_clashes(before, data, name, root)
    if problems:
        raise ChecklistFileError(sorted(problems, key=lambda p: p.line))


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
) -> tuple[Catalog, list[Problem]]:
    """The catalogue of every file that loads, and the problems of those that don't.

    A build goes on with the good files (and warns about the others) rather
    than losing every custom checklist to one typo.
    """
    good: list[str | Path] = []
    problems: list[Problem] = []
    for path in extra_files:
        try:
            load_catalog([*good, path])
        except ChecklistFileError as err:
            problems += err.problems
        else:
            good.append(path)
    return load_catalog(good), problems


def validate_file(path: str | Path, extra_files: Sequence[str | Path] = ()) -> list[Problem]:
    """Every problem in one custom file, as it would load beside the built-in data."""
    try:
        load_catalog([*extra_files, path])
    except ChecklistFileError as err:
        return err.problems
    return []
