"""Reading and checking one checklist file, with every problem's line.

A file is read through :mod:`sphinx_ethics.catalogue.yaml_reading` (``yaml`` safe
loading only), checked against the JSON Schema shipped beside the built-in
data, then checked for what the schema cannot see: ids, letters and links
matched in full, ids and numbers given twice, and ids that would take another
kind's page anchor.  Every problem is reported with its file name and line,
so a team editing its own checklist can find the mistake without reading a
traceback.  :mod:`sphinx_ethics.catalogue` turns checked files into the model.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sphinx_ethics.catalogue import yaml_reading
from sphinx_ethics.catalogue.migrations import migration_problems
from sphinx_ethics.catalogue.model import ChecklistFileError, ChecklistProblem, did_you_mean

if TYPE_CHECKING:
    import jsonschema

    from sphinx_ethics.catalogue.model import Checklist, Tip

BUILTIN_FILE = "this-values-and-ethics.yaml"
SCHEMA_FILE = "checklist.schema.json"


@functools.cache
def checklist_schema() -> dict[str, Any]:
    text = resources.files("sphinx_ethics.checklists").joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


def builtin_path() -> Path:
    return Path(str(resources.files("sphinx_ethics.checklists").joinpath(BUILTIN_FILE)))


def line_of(root: yaml.Node | None, path: Sequence[Any]) -> int:
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
        message = (
            "the file defines nothing: add checklists, extends, tips, definitions, "
            "introductions or resources"
        )
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
    Reading goes through :mod:`sphinx_ethics.catalogue.yaml_reading`: no FIFOs or
    devices, no alias bombs, no keys given twice, no huge files.
    """
    name = display_name or str(path)
    try:
        document = yaml_reading.read_yaml(path)
        root = document.root
        data = yaml_reading.construct(root)
    except yaml_reading.YamlReadError as err:
        message = f"file {err.message}" if err.about_file else err.message
        raise ChecklistFileError([ChecklistProblem(name, err.line, message)]) from None
    problems = [ChecklistProblem(name, d.line, d.message) for d in document.duplicates]
    if not isinstance(data, dict) or root is None:
        line = root.start_mark.line + 1 if root is not None else 1
        problems.append(
            ChecklistProblem(
                name, line, "expected a mapping with 'schema_version' and 'checklists'"
            )
        )
        raise ChecklistFileError(sorted(problems, key=lambda p: p.line))
    _refer_words(data, root)
    flagged: set[tuple[Any, ...]] = set()
    if check_schema:
        schema_problems, flagged = _schema_problems(data, root, name)
        problems += schema_problems
    problems += _strict_problems(data, root, name, flagged)
    problems += _duplicate_problems(data, root, name)
    problems += _refer_problems(data, root, name)
    found = migration_problems(data, lambda path: line_of(root, path))
    problems += [ChecklistProblem(name, line, message) for line, message in found]
    if problems:
        raise ChecklistFileError(sorted(problems, key=lambda p: p.line))
    return ParsedFile(data, root)


def _schema_problems(
    data: dict[str, Any], root: yaml.Node, name: str
) -> tuple[list[ChecklistProblem], set[tuple[Any, ...]]]:
    """The schema's problems, and the paths they are about."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(checklist_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = [
        ChecklistProblem(name, line_of(root, _error_path(e)), _schema_message(e)) for e in errors
    ]
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


#: A value to check in full: its path, the value, the rule, and what a mismatch is.
_Field = tuple[list[Any], Any, re.Pattern[str], str]


def _strict_problems(
    data: dict[str, Any], root: yaml.Node, name: str, flagged: set[tuple[Any, ...]]
) -> list[ChecklistProblem]:
    """Ids, letters and links checked in full (what the schema's patterns let by)."""
    problems = []
    for path, value, rule, what in [*_id_fields(data), *_source_fields(data)]:
        if tuple(path) in flagged or not isinstance(value, str) or rule.fullmatch(value):
            continue
        line = line_of(root, path)
        problems.append(ChecklistProblem(name, line, f"{_describe_path(path)}: {value!r} {what}"))
    return problems


def _id_fields(data: dict[str, Any]) -> Iterator[_Field]:
    """Every tip, definition, introduction, resource and checklist id, and every letter."""
    bad_id = f"is not a valid id ({ID_RULE})"
    for group in ("tips", "definitions", "introductions", "resources"):
        for index, item in _items(data.get(group)):
            yield [group, index, "id"], item.get("id"), ID, bad_id
    for group, key in (("checklists", "id"), ("extends", "checklist")):
        for ci, checklist in _items(data.get(group)):
            yield [group, ci, key], checklist.get(key), ID, bad_id
            for qi, question in _items(checklist.get("questions")):
                for si, sub in _items(question.get("subquestions")):
                    path = [group, ci, "questions", qi, "subquestions", si, "letter"]
                    yield path, sub.get("letter"), LETTER, "is not one lower-case letter"


def _source_fields(data: dict[str, Any]) -> Iterator[_Field]:
    """The links and DOIs of the file's ``source`` (and its ``original``) and resources."""
    source = data.get("source")
    if not isinstance(source, dict):
        return
    original = source.get("original")
    for path, where in ((["source"], source), (["source", "original"], original)):
        if not isinstance(where, dict):
            continue
        for key in ("url", "licence_url"):
            if where.get(key):
                yield [*path, key], where[key], LINK, f"is not allowed: {LINK_RULE}"
        if where.get("doi"):
            yield [*path, "doi"], where["doi"], DOI, f"is not valid: {DOI_RULE}"
    for index, item in _items(data.get("resources")):
        if item.get("url"):
            yield ["resources", index, "url"], item["url"], LINK, f"is not allowed: {LINK_RULE}"


def _node_at(root: yaml.Node | None, path: Sequence[Any]) -> yaml.Node | None:
    node = root
    for key in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return None
    return node


def _refer_words(data: dict[str, Any], root: yaml.Node | None) -> None:
    """``when: [yes, no]`` as the words written: YAML 1.1 reads them as booleans."""
    for group in ("checklists", "extends"):
        for ci, checklist in _items(data.get(group)):
            for qi, question in _items(checklist.get("questions")):
                path: list[Any] = [group, ci, "questions", qi]
                items = [(path, question)]
                items += [
                    ([*path, "subquestions", si], sub)
                    for si, sub in _items(question.get("subquestions"))
                ]
                for where, item in items:
                    refer = item.get("refer")
                    if not isinstance(refer, dict) or not isinstance(refer.get("when"), list):
                        continue
                    for wi, value in enumerate(refer["when"]):
                        node = _node_at(root, [*where, "refer", "when", wi])
                        if isinstance(value, bool) and isinstance(node, yaml.ScalarNode):
                            refer["when"][wi] = str(node.value).casefold()


def _refer_problems(
    data: dict[str, Any], root: yaml.Node | None, name: str
) -> list[ChecklistProblem]:
    """``refer`` belongs to screening questions: elsewhere nothing could fire it."""
    problems = []
    for ci, checklist in _items(data.get("checklists")):
        if checklist.get("kind") == "screening":
            continue
        for qi, question in _items(checklist.get("questions")):
            paths = [["checklists", ci, "questions", qi]]
            paths += [
                [*paths[0], "subquestions", si] for si, _ in _items(question.get("subquestions"))
            ]
            for path in paths:
                item = question if len(path) == 4 else question["subquestions"][path[-1]]
                if "refer" in item:
                    message = f"{_describe_path([*path, 'refer'])}: only a question of a "
                    message += "'kind: screening' checklist can refer (add 'kind: screening' "
                    message += f"to checklist {checklist.get('id')!r}, or remove 'refer')"
                    problems.append(
                        ChecklistProblem(name, line_of(root, [*path, "refer"]), message)
                    )
    return problems


def _duplicate_problems(
    data: dict[str, Any], root: yaml.Node | None, name: str
) -> list[ChecklistProblem]:
    """Ids and numbers that the schema cannot see are repeated."""
    problems = []

    def check(items: Any, key: str, path: list[Any], what: str) -> None:
        seen: set[Any] = set()
        for index, item in _items(items):
            value = item.get(key)
            if value is None or not isinstance(value, (str, int)):
                continue
            if value in seen:
                line = line_of(root, [*path, index, key])
                problems.append(ChecklistProblem(name, line, f"{what} {value!r} is defined twice"))
            seen.add(value)

    check(data.get("checklists"), "id", ["checklists"], "checklist")
    check(data.get("tips"), "id", ["tips"], "tip")
    check(data.get("definitions"), "id", ["definitions"], "definition")
    check(data.get("introductions"), "id", ["introductions"], "introduction")
    check(data.get("resources"), "id", ["resources"], "resource")
    for group in ("checklists", "extends"):
        for ci, checklist in _items(data.get(group)):
            questions = checklist.get("questions")
            check(questions, "number", [group, ci, "questions"], "question number")
            for qi, question in _items(questions):
                path = [group, ci, "questions", qi, "subquestions"]
                check(question.get("subquestions"), "letter", path, "sub-question letter")
    return problems


# --------------------------------------------------------------------------
# Ids that share page anchors
# --------------------------------------------------------------------------


def anchor_ids(
    checklists: Mapping[str, Checklist], tips: Mapping[str, Tip]
) -> dict[str, tuple[str, str]]:
    """Checklist, question and tip ids (one namespace: page anchors, roles).

    Each id maps to its kind and a description for messages.
    """
    taken: dict[str, tuple[str, str]] = {}
    for checklist in checklists.values():
        where = f"checklist {checklist.id!r} ({checklist.file})"
        taken.setdefault(checklist.id, ("checklist", where))
        for question in checklist.iter_questions():
            where = f"question {question.id!r} of checklist {checklist.id!r} ({checklist.file})"
            taken.setdefault(question.id, ("question", where))
    for tip in tips.values():
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


def anchor_clashes(
    before: dict[str, tuple[str, str]], data: dict[str, Any], name: str, root: yaml.Node | None
) -> list[ChecklistProblem]:
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
            line = line_of(root, path)
            message = f"{kind} id {value!r} is already used by {other[1]}"
            problems.append(ChecklistProblem(name, line, message))
        taken.setdefault(value, (kind, f"{kind} {value!r} ({name}, line {line_of(root, path)})"))
    return problems
