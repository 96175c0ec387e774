"""Reference sections generated from the sphinx-ethics code, so they stay true.

Directives (used only by these docs):

``.. ethics-config-values::``
    One ``confval`` entry per item of :data:`sphinx_ethics.extension.config.CONFIG_VALUES`.

``.. ethics-warning-subtypes::``
    One ``warning-subtype`` entry per item of
    :data:`sphinx_ethics.problems.SUBTYPES`, each with the real messages of
    that subtype, taken from ``reference/warning-examples.txt`` (a build log of
    a deliberately broken project; ``tests/test_docs.py`` checks it is current).

``.. ethics-options:: DIRECTIVE``
    Inside ``.. rst:directive::``: one ``rst:directive:option`` entry per key
    of the directive's ``option_spec``.  The content is a field list with one
    description per option; a missing or extra description is a warning, so
    ``sphinx-build -W`` fails when the code and the docs disagree.

``.. ethics-slot-states::``
    A table of :data:`sphinx_ethics.answers.slots.SLOT_STATES`, with the label the
    review shows and descriptions from the content (checked the same way).

``.. ethics-builtin-ids::``
    Tables of the built-in checklist, question, tip and definition ids.

``.. ethics-cli::``
    Every ``sphinx-ethics`` command, with its ``--help`` text, from the
    parser in :mod:`sphinx_ethics.cli`.

At the end of reading, every directive that ``sphinx_ethics`` registers must
have been documented by an ``ethics-options`` directive somewhere.
"""

from __future__ import annotations

import contextlib
import os
import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from unittest import mock

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

EXAMPLES_FILE = Path(__file__).parent.parent / "reference" / "warning-examples.txt"
#: Width of generated ``--help`` text: fits a PDF page without wrapping.
HELP_WIDTH = 76
ENV_KEY = "ethics_reference_documented"


# --------------------------------------------------------------------------
# What the extension registers
# --------------------------------------------------------------------------


def registered_directives() -> dict[str, type]:
    """Every directive ``sphinx_ethics.setup`` registers, by name."""
    import sphinx_ethics

    app = mock.MagicMock()
    sphinx_ethics.setup(app)
    return {call.args[0]: call.args[1] for call in app.add_directive.call_args_list}


def option_type(converter: Callable[..., Any]) -> str:
    """A reader's description of what an option accepts."""
    known = {
        directives.flag: "flag (no value)",
        directives.unchanged: "text",
        directives.unchanged_required: "text (a value is required)",
        directives.path: "path",
        directives.class_option: "class names",
    }
    if converter in known:
        return known[converter]
    try:
        converter("\x00not-a-value")
    except ValueError as err:
        choices = re.findall(r'"([^"]+)"', str(err).split("choose from", 1)[-1])
        if choices:
            return "one of: " + ", ".join(choices)
    return "text"


def parse_fields(content: StringList) -> dict[str, list[str]]:
    """``:name: text`` fields (with indented continuation lines), in order."""
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in content:
        match = re.match(r"^:([\w-]+):\s*(.*)$", line)
        if match:
            current = fields.setdefault(match.group(1), [])
            if match.group(2):
                current.append(match.group(2))
        elif current is not None:
            current.append(line[3:] if line.startswith("   ") else line.strip())
    return {name: trim(lines) for name, lines in fields.items()}


def trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def indent(lines: list[str] | str, prefix: str = "   ") -> list[str]:
    if isinstance(lines, str):
        lines = lines.splitlines()
    return [prefix + line if line.strip() else "" for line in lines]


def rst_literal(value: object) -> str:
    return f"``{value!r}``"


class GeneratedDirective(SphinxDirective):
    """Builds reStructuredText and parses it in place."""

    def emit(self, lines: list[str]) -> list[nodes.Node]:
        return self.parse_text_to_nodes("\n".join(lines))

    def complain(self, message: str) -> None:
        logger.warning(message, location=self.get_location(), type="ethics-docs")


# --------------------------------------------------------------------------
# Config values
# --------------------------------------------------------------------------

REBUILD = {
    "env": "every page is read again",
    "html": "the HTML pages are written again",
    "": "nothing is rebuilt (it only affects what happens at the end of the build)",
}


class ConfigValuesDirective(GeneratedDirective):
    def run(self) -> list[nodes.Node]:
        from sphinx_ethics.extension.config import CONFIG_VALUES

        lines: list[str] = []
        for value in CONFIG_VALUES:
            types = " or ".join("None" if t is type(None) else t.__name__ for t in value.types)
            lines += [
                f".. confval:: {value.name}",
                f"   :type: {types}",
                f"   :default: {rst_literal(value.default)}",
                "",
                *indent(value.description),
                "",
                f"   When it changes: {REBUILD.get(value.rebuild, value.rebuild)}.",
                "",
            ]
        return self.emit(lines)


# --------------------------------------------------------------------------
# Warning subtypes, with real messages
# --------------------------------------------------------------------------


def warning_examples(path: Path = EXAMPLES_FILE) -> dict[str, list[str]]:
    """Lines of the stored build log, by the subtype in their ``[ethics.x]`` tag."""
    found: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        match = re.search(r"\[ethics\.([\w-]+)\]$", line)
        if match:
            found.setdefault(match.group(1), []).append(line)
    return found


class WarningSubtypesDirective(GeneratedDirective):
    def run(self) -> list[nodes.Node]:
        from sphinx_ethics.problems import SUBTYPES

        self.env.note_dependency(str(EXAMPLES_FILE))
        examples = warning_examples()
        lines: list[str] = []
        for subtype, description in SUBTYPES.items():
            lines += [f".. warning-subtype:: ethics.{subtype}", "", *indent(description), ""]
            if subtype not in examples:
                self.complain(f"no example message for warning subtype {subtype!r}")
                continue
            label = "Example" if len(examples[subtype]) == 1 else "Examples"
            lines += [f"   {label}:", "", "   .. code-block:: text", "      :class: wrap-lines", ""]
            lines += [*indent(examples[subtype], "      "), ""]
        for subtype in sorted(set(examples) - set(SUBTYPES)):
            self.complain(f"example for warning subtype {subtype!r}, which the code lacks")
        return self.emit(lines)


# --------------------------------------------------------------------------
# Directive options and slot states: code names, hand-written descriptions
# --------------------------------------------------------------------------


class OptionsDirective(GeneratedDirective):
    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        directive_class = registered_directives().get(name)
        if directive_class is None:
            self.complain(f"sphinx_ethics registers no directive {name!r}")
            return []
        documented = getattr(self.env, ENV_KEY, {})
        documented.setdefault(self.env.docname, set()).add(name)
        setattr(self.env, ENV_KEY, documented)

        spec = getattr(directive_class, "option_spec", None) or {}
        descriptions = parse_fields(self.content)
        for option in spec:
            if option not in descriptions:
                self.complain(f"option :{option}: of {name} is not documented")
        for option in descriptions:
            if option not in spec:
                self.complain(f"{name} has no option :{option}: (documented here)")
        lines: list[str] = []
        for option, converter in spec.items():
            kind = option_type(converter)
            lines += [f".. rst:directive:option:: {option}", f"   :type: {kind}", ""]
            lines += [*indent(descriptions.get(option, ["(not documented)"])), ""]
        if not spec:
            lines = [f"``{name}`` has no options."]
        return self.emit(lines)


class SlotStatesDirective(GeneratedDirective):
    has_content = True

    def run(self) -> list[nodes.Node]:
        from sphinx_ethics.answers.slots import ANSWERED_STATES, SLOT_STATES
        from sphinx_ethics.nodes.rendering import state_labels

        labels = state_labels()
        descriptions = parse_fields(self.content)
        for state in SLOT_STATES:
            if state not in descriptions:
                self.complain(f"slot state {state!r} is not documented")
        for state in descriptions:
            if state not in SLOT_STATES:
                self.complain(f"{state!r} is not a slot state")
        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 22 20 12 46",
            "",
            "   * - ``state``",
            "     - Shown in the review as",
            "     - Counts as answered",
            "     - When",
        ]
        for state in SLOT_STATES:
            text = " ".join(descriptions.get(state, ["(not documented)"]))
            lines += [
                f"   * - ``{state}``",
                f"     - {labels.get(state, state)}",
                f"     - {'yes' if state in ANSWERED_STATES else 'no'}",
                f"     - {text}",
            ]
        return self.emit(lines)


# --------------------------------------------------------------------------
# Built-in ids
# --------------------------------------------------------------------------


class BuiltinIdsDirective(GeneratedDirective):
    """The built-in checklists, tips and definitions, by id."""

    def run(self) -> list[nodes.Node]:
        from sphinx_ethics.catalogue import load_catalog

        catalog = load_catalog()
        lines = [
            ".. list-table:: Checklists",
            "   :header-rows: 1",
            "   :widths: 20 30 50",
            "",
            "   * - Checklist",
            "     - Answer slots",
            "     - Groups (answer optional) and prompts",
        ]
        for checklist in catalog.checklists.values():
            slots = ", ".join(f"``{q.id}``" for q in checklist.slots())
            notes = [f"``{q.id}`` (group)" for q in checklist.questions if q.is_group]
            notes += [
                f"``{q.id}``: {len(q.prompts)} prompt(s)"
                for q in checklist.iter_questions()
                if q.prompts
            ]
            lines += [
                f"   * - ``{checklist.id}``",
                f"     - {slots}",
                f"     - {', '.join(notes) or '—'}",
            ]
        lines += ["", ".. list-table:: Top tips and definitions", "   :header-rows: 1", ""]
        lines += ["   * - Id", "     - Title or term"]
        for tip in catalog.tips.values():
            lines += [f"   * - ``{tip.id}``", f"     - {tip.title}"]
        for definition in catalog.definitions.values():
            lines += [f"   * - ``{definition.id}``", f"     - {definition.term}"]
        out = self.emit(lines)
        # The titles and terms are the guide's: not for translation (see licence).
        for node in out:
            for element in node.findall(nodes.TextElement):
                element["translatable"] = False
        return out


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


@contextlib.contextmanager
def help_width(width: int) -> Iterator[None]:
    """argparse wraps help text to ``$COLUMNS``."""
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def cli_parser() -> Any:
    """The ``argparse`` parser of ``sphinx-ethics``."""
    from sphinx_ethics import cli

    for name in ("build_parser", "make_parser", "create_parser", "get_parser", "parser"):
        factory = getattr(cli, name, None)
        if callable(factory):
            return factory()
    raise LookupError("sphinx_ethics.cli has no function that builds its parser")


def subcommands(parser: Any) -> dict[str, Any]:
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


class CliDirective(GeneratedDirective):
    """``--help`` of ``sphinx-ethics`` and of each command, from the parser."""

    option_spec: ClassVar = {"command": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        try:
            parser = cli_parser()
        except (ImportError, LookupError) as err:
            self.complain(f"cannot document the command line: {err}")
            return []
        commands = subcommands(parser)
        wanted = self.options.get("command")
        if wanted:
            first, _, step = wanted.partition(" ")
            if first not in commands or (step and step not in subcommands(commands[first])):
                self.complain(f"sphinx-ethics has no command {wanted!r}")
                return []
            chosen = {wanted: subcommands(commands[first])[step] if step else commands[first]}
        else:
            chosen = {"": parser}
        lines: list[str] = []
        with help_width(HELP_WIDTH):
            for command, sub in chosen.items():
                sub.prog = f"sphinx-ethics {command}".strip()
                text = textwrap.dedent(sub.format_help()).rstrip()
                lines += [".. code-block:: text", "", *indent(text), ""]
        documented = getattr(self.env, "ethics_reference_cli", {})
        documented.setdefault(self.env.docname, set()).update(c.split(" ")[0] for c in chosen)
        self.env.ethics_reference_cli = documented  # type: ignore[attr-defined]
        return self.emit(lines)


# --------------------------------------------------------------------------
# Completeness checks over the whole project
# --------------------------------------------------------------------------


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    for key in (ENV_KEY, "ethics_reference_cli"):
        getattr(env, key, {}).pop(docname, None)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: Any) -> None:
    for key in (ENV_KEY, "ethics_reference_cli"):
        mine = getattr(env, key, {})
        for docname, names in getattr(other, key, {}).items():
            if docname in docnames:
                mine[docname] = names
        setattr(env, key, mine)


def check_complete(app: Sphinx, env: BuildEnvironment) -> None:
    """Every registered directive and every CLI command is documented somewhere."""
    documented = set().union(*getattr(env, ENV_KEY, {}).values())
    for name in registered_directives():
        if name not in documented:
            logger.warning(
                f"directive {name!r} is not documented (add an ethics-options directive)",
                type="ethics-docs",
            )
    commands = set().union(*getattr(env, "ethics_reference_cli", {}).values())
    if not commands:
        return
    try:
        known = subcommands(cli_parser())
    except (ImportError, LookupError):
        return
    for command in known:
        if command not in commands:
            logger.warning(
                f"command 'sphinx-ethics {command}' is not documented (add an ethics-cli)",
                type="ethics-docs",
            )


class GuideNoticeDirective(GeneratedDirective):
    """The notice on a page that quotes the guide outside the extension's
    directives (examples, command output, screenshots): whose words they are,
    under which licence, in the one wording the extension uses."""

    def run(self) -> list[nodes.Node]:
        from sphinx_ethics.catalogue import load_catalog
        from sphinx_ethics.outputs.blank import RST

        source = load_catalog().checklists["plan"].attribution
        assert source is not None
        return self.emit(
            [
                ".. admonition:: Quoted from THIS Institute's guide",
                "   :class: ethics-guide-notice",
                "",
                "   The questions, prompts and other words of the built-in checklists",
                "   shown on this page (in examples, command output or pictures) are",
                "   THIS Institute's, quoted unchanged; see :doc:`/licence`.",
                "",
                f"   {RST.attribution(source)}",
            ]
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_object_type(
        "warning-subtype",
        "warning-subtype",
        objname="warning subtype",
        indextemplate="pair: %s; warning subtype",
    )
    app.add_directive("ethics-config-values", ConfigValuesDirective)
    app.add_directive("ethics-warning-subtypes", WarningSubtypesDirective)
    app.add_directive("ethics-options", OptionsDirective)
    app.add_directive("ethics-slot-states", SlotStatesDirective)
    app.add_directive("ethics-builtin-ids", BuiltinIdsDirective)
    app.add_directive("ethics-cli", CliDirective)
    app.add_directive("ethics-guide-notice", GuideNoticeDirective)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-check-consistency", check_complete)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
