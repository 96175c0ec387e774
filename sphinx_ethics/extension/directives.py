"""The ethics directives that show catalogue content, and what they all share.

:class:`EthicsDirective` gives every directive the catalogue, one way to
report a problem (logged and recorded for the gate), and the page's ids.
``ethics-checklist``, ``ethics-tips`` and ``ethics-definitions`` are here;
``ethics-review`` and ``ethics-answer`` are in :mod:`sphinx_ethics.extension.review`,
``ethics-summary`` in :mod:`sphinx_ethics.extension.summary`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StateMachine
from sphinx import addnodes
from sphinx.domains.std import make_glossary_term
from sphinx.locale import get_translation
from sphinx.util.docutils import SphinxDirective

from sphinx_ethics.catalogue import Catalog, Checklist, did_you_mean, unknown_id
from sphinx_ethics.extension.config import checklist_files, project_catalog, signoff_roles
from sphinx_ethics.extension.domain import EthicsDomain, QuestionTarget, record_problem
from sphinx_ethics.nodes import rendering
from sphinx_ethics.nodes.signoffs import blank_signoffs
from sphinx_ethics.problems import Problem, Subtype

if TYPE_CHECKING:
    from docutils.nodes import Node
    from sphinx.builders import Builder

_ = get_translation("sphinx_ethics")

IDS_KEY = "sphinx_ethics_ids"


def split_ids(text: str) -> list[str]:
    """Ids given as ``plan healthcare-good`` or ``plan-8, healthcare-good-6``."""
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


class PageIds:
    """The HTML ids this extension gives out on one page.

    Ids are chosen deterministically (``falls-plan-plan-2b``, then ``-2``,
    ``-3`` if the page already has one), so links and anchors in the
    question id survive rebuilds; Sphinx's ``make_id`` would fall back to a
    serial number without the question id.  Once the nodes are built,
    :meth:`register_targets` notes each id that is in the tree with
    ``document.note_explicit_target``, so docutils knows every id.
    """

    def __init__(self, document: nodes.document, reserved: set[str]) -> None:
        self.document = document
        self.reserved = reserved

    def reserve(self, base: str) -> str:
        anchor = nodes.make_id(base) or "ethics"
        candidate, count = anchor, 1
        while candidate in self.document.ids or candidate in self.reserved:
            count += 1
            candidate = f"{anchor}-{count}"
        self.reserved.add(candidate)
        return candidate

    def register_targets(self, tree: nodes.Element) -> None:
        """Note every id in ``tree`` that docutils does not know yet."""
        for node in tree.findall(nodes.Element):
            if any(i not in self.document.ids for i in node["ids"]):
                self.document.note_explicit_target(node)


@dataclass(frozen=True)
class BadOption:
    """An option docutils would have rejected, kept so the directive can say so."""

    value: str
    error: str


class LenientOptions(dict):
    """An ``option_spec`` that never makes docutils (or MyST) drop the directive.

    docutils drops a directive outright on an unknown option or a value its
    converter rejects: a typo such as ``:reviewer:`` would make a whole
    review vanish from the gate.  This spec accepts any name and any value,
    keeping a :class:`BadOption` for the ones that cannot be used, so the
    directive runs and reports them (``ethics.option``) with a suggestion.
    """

    def __getitem__(self, name: str) -> Callable[[str | None], Any]:
        convert = self.get(name)
        if convert is None:
            return lambda value: BadOption(value or "", "unknown option")

        def lenient(value: str | None) -> Any:
            try:
                return convert(value)
            except (ValueError, TypeError) as err:
                return BadOption(value or "", " ".join(str(err).split()))

        return lenient


@functools.lru_cache(maxsize=512)
def resolved(path: str) -> Path:
    """``path`` made absolute with its links followed, once per path a build."""
    return Path(path).resolve()


class EthicsDirective(SphinxDirective):
    """What every ethics directive shares: the catalogue, problems, ids, options."""

    def options_problems(self, review: str = "", more: Sequence[str] = ()) -> None:
        """Report (and drop) every option the directive could not use.

        ``more`` are option names the project adds (``ethics_review_fields``):
        a misspelt one is suggested like the directive's own.
        """
        names = [*(self.option_spec or {}), *more]
        for name, value in list(self.options.items()):
            if not isinstance(value, BadOption):
                continue
            del self.options[name]
            if value.error == "unknown option":
                hint = did_you_mean(name, names)
                known = ", ".join(f":{o}:" for o in names)
                msg = (
                    f"{self.name}: unknown option :{name}:{hint}; it is ignored (options: {known})"
                )
            else:
                msg = f"{self.name}: option :{name}: {value.value!r} cannot be used: {value.error}"
            self.problem("option", msg, review=review)

    @functools.cached_property
    def catalog(self) -> Catalog:
        for path in checklist_files(self.config):
            self.env.note_dependency(str(path))
        return project_catalog(self.config)

    @functools.cached_property
    def ids(self) -> PageIds:
        return PageIds(self.state.document, self.env.temp_data.setdefault(IDS_KEY, set()))

    def problem(
        self, subtype: Subtype, message: str, *, line: int = 0, file: str = "", review: str = ""
    ) -> None:
        """Log a problem and record it in the domain (unless suppressed), for the gate."""
        if not file:
            file, line = self.source_line(line or self.lineno)
        found = Problem(
            subtype,
            message,
            file=file,
            line=line or self.lineno,
            docname=self.env.docname,
            review=review,
        )
        record_problem(self.env, found)

    def source_line(self, line: int) -> tuple[str, int]:
        """Where line ``line`` of the parsed input is: ``("", page line)``, or an
        included file and its line (a page's line numbers run on through what
        ``.. include::`` inserts)."""
        try:
            source, where = self.state_machine.get_source_and_line(line)
        except (AttributeError, IndexError, TypeError):
            return "", line
        if not where:
            return "", line
        same = not source or resolved(source) == self.page_path()
        return ("" if same else str(source)), where

    def page_line(self, line: int) -> int:
        """The page's own line for line ``line`` of the input: for a line an
        ``.. include::`` inserted, the line of that include in the page."""
        machine = self.state_machine
        if not isinstance(machine, StateMachine):  # MyST's mock: no included lines
            return line
        lines = machine.input_lines
        page = self.page_path()
        offset = line - machine.input_offset - 1
        # A section's state machine reads a slice of the page's lines (docutils
        # 0.21 and older start it after the include): search the whole input.
        while getattr(lines, "parent", None) is not None:
            offset += lines.parent_offset
            lines = lines.parent
        for index in range(min(offset, len(lines) - 1), -1, -1):
            source, where = lines.info(index)
            if not lines[index].strip() or not source or where is None:
                continue
            if resolved(source) == page:
                return where + 1
        return line

    def page_path(self) -> Path:
        """The page being read, resolved once per page: a review asks for
        every answer's line (issue 25)."""
        cached = self.env.temp_data.get("ethics_page_path")
        if cached is None:
            cached = self.env.temp_data["ethics_page_path"] = resolved(
                str(self.env.doc2path(self.env.docname))
            )
        return cached

    def lookup_checklists(self, names: list[str]) -> tuple[list[Checklist], list[str]]:
        """The checklists named that exist (each once), and the names that do not."""
        found: list[Checklist] = []
        unknown: list[str] = []
        for name in names:
            if name in self.catalog.checklists:
                if self.catalog.checklists[name] not in found:
                    found.append(self.catalog.checklists[name])
            else:
                unknown.append(name)
        return found, unknown

    def report_unknown_checklists(self, unknown: list[str], review: str = "") -> None:
        known = ", ".join(self.catalog.checklists)
        for name in unknown:
            msg = unknown_id("checklist", name, self.catalog.checklists, list_known=True)
            self.problem("unknown-checklist", msg, review=review)
        names = split_ids(self.arguments[0]) if self.arguments else []
        if not names:
            msg = f"{self.name} names no checklist; give one or more of: {known}"
            self.problem("unknown-checklist", msg, review=review)
        for name in sorted({n for n in names if names.count(n) > 1}):
            msg = f"checklist {name!r} is named {names.count(name)} times; it counts once"
            self.problem("option", msg, review=review)


# --------------------------------------------------------------------------
# ethics-checklist, ethics-tips, ethics-definitions
# --------------------------------------------------------------------------


class ChecklistDirective(EthicsDirective):
    """A blank checklist for a handbook; ``:worksheet:`` adds ruled note space."""

    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar = LenientOptions(
        {"worksheet": directives.flag, "class": directives.class_option}
    )

    def run(self) -> list[Node]:
        self.options_problems()
        checklists, unknown = self.lookup_checklists(
            split_ids(self.arguments[0] if self.arguments else "")
        )
        self.report_unknown_checklists(unknown)
        result: list[Node] = []
        for checklist in checklists:
            anchors = {checklist.id: self.ids.reserve(f"ethics-{checklist.id}")}
            for question in checklist.iter_questions():
                anchors[question.id] = self.ids.reserve(f"ethics-{question.id}")
                target = QuestionTarget(question.id, self.env.docname, anchors[question.id], True)
                EthicsDomain.get(self.env).add_target(target)
            box = rendering.blank_checklist(checklist, anchors, "worksheet" in self.options)
            box["classes"] += self.options.get("class", [])
            self.ids.register_targets(box)
            result.append(box)
        if "worksheet" in self.options and result:  # governance: roles to sign by hand
            result += blank_signoffs(signoff_roles(self.config))
        return result


class TipsDirective(EthicsDirective):
    """The top tips: all of them, or the ids given."""

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar = LenientOptions({"class": directives.class_option})

    def run(self) -> list[Node]:
        self.options_problems()
        catalog = self.catalog
        wanted = split_ids(self.arguments[0]) if self.arguments else list(catalog.tips)
        tips = []
        for tip_id in wanted:
            if tip_id in catalog.tips:
                tips.append(catalog.tips[tip_id])
            else:
                self.problem("unknown-tip", unknown_id("tip", tip_id, catalog.tips))
        if not tips:
            return []
        box = rendering.tips_block(tips, {tip.id: self.ids.reserve(tip.id) for tip in tips})
        box["classes"] += self.options.get("class", [])
        self.ids.register_targets(box)
        return [box]


class DefinitionsDirective(EthicsDirective):
    """The definitions, as a glossary whose terms ``:term:`` can reference.

    ``:no-index:`` shows them without registering the terms again, for a
    second copy in the same project (Sphinx warns on duplicate terms).
    """

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar = LenientOptions(
        {"no-index": directives.flag, "class": directives.class_option}
    )

    def run(self) -> list[Node]:
        self.options_problems()
        catalog = self.catalog
        wanted = split_ids(self.arguments[0]) if self.arguments else list(catalog.definitions)
        items = []
        for definition_id in wanted:
            if definition_id in catalog.definitions:
                items.append(catalog.definitions[definition_id])
            else:
                msg = unknown_id("definition", definition_id, catalog.definitions)
                self.problem("unknown-definition", msg)
        if not items:
            return []
        glossary = addnodes.glossary()
        glossary["sorted"] = False
        dlist = nodes.definition_list(classes=["glossary", "ethics-definitions"])
        source, line = self.get_source_info()
        for definition in items:
            if "no-index" in self.options:
                term = nodes.term("", definition.term)
            else:
                term = make_glossary_term(
                    self.env,
                    [nodes.Text(definition.term)],
                    None,
                    source,
                    line,
                    None,
                    self.state.document,
                )
            rendering.guide_text(term)
            dlist += nodes.definition_list_item("", term, rendering.definition_body(definition))
        glossary += dlist
        box = nodes.container(
            "", glossary, classes=["ethics-glossary", *self.options.get("class", [])]
        )
        box += rendering.attributions(d.attribution for d in items)
        return [box]


def takes_inline_svg(builder: Builder) -> bool:
    """Whether a page may carry our inline SVG (progress bars, the programme chart).

    HTML builders, except EPUB: EPUB 3 wants every page with inline SVG declared
    as such in its package file, which Sphinx's EPUB builder does not do
    (EPUBCheck OPF-014).  The numbers are always in the table beside it.
    """
    return builder.format == "html" and not builder.name.startswith("epub")
