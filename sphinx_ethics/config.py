"""Configuration values, their checks, and the checklist catalogue they select."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.locale import get_translation

from sphinx_ethics.catalog import Catalog, load_catalog_skipping_bad
from sphinx_ethics.slots import parse_date
from sphinx_ethics.validation import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

__ = get_translation("sphinx_ethics", "console")


@dataclass(frozen=True)
class ConfigValue:
    name: str
    default: Any
    rebuild: str
    types: tuple[type, ...]
    description: str


#: The ``conf.py`` settings; the reference docs are generated from this list.
CONFIG_VALUES: tuple[ConfigValue, ...] = (
    ConfigValue(
        "ethics_checklists",
        [],
        "env",
        (list, tuple),
        "Extra checklist YAML files, relative to the configuration directory. "
        "They add checklists, tips and definitions, or extend built-in checklists.",
    ),
    ConfigValue(
        "ethics_fail_on_unanswered",
        False,
        "",
        (bool,),
        "If true, ``sphinx-build`` exits non-zero when any required slot is unanswered, "
        "even without ``-W``, after listing them all.",
    ),
    ConfigValue(
        "ethics_placeholder_patterns",
        ["TBD", "TODO", "N/A", "?", "-"],
        "env",
        (list, tuple),
        "Literal strings; an answer whose whole text equals one (case-insensitive, "
        "whitespace stripped) counts as unanswered.",
    ),
    ConfigValue(
        "ethics_report",
        True,
        "",
        (bool,),
        "Write ``ethics-report.json`` into the output directory.",
    ),
    ConfigValue(
        "ethics_junit",
        None,
        "",
        (str, type(None)),
        "Path, relative to the output directory, for a JUnit XML report: one testsuite "
        "per review, one testcase per required slot, unanswered = failure.",
    ),
    ConfigValue(
        "ethics_today",
        None,
        "html",
        (str, type(None)),
        "ISO date (YYYY-MM-DD) used instead of today for the ``overdue`` check, "
        "for reproducible builds.",
    ),
)


def add_config_values(app: Sphinx) -> None:
    for value in CONFIG_VALUES:
        app.add_config_value(value.name, value.default, value.rebuild, types=value.types)


#: Where conf.py lives, kept on the config object (private names are not
#: pickled, so this never looks like a configuration change).
CONFDIR_ATTR = "_sphinx_ethics_confdir"


def check_config(app: Sphinx, config: Config) -> None:
    """Fall back to a default, with a warning, for a value that cannot be used."""
    setattr(config, CONFDIR_ATTR, str(app.confdir or app.srcdir))
    defaults = {v.name: v.default for v in CONFIG_VALUES}
    for name in ("ethics_checklists", "ethics_placeholder_patterns"):
        value = getattr(config, name)
        if isinstance(value, str) or not all(isinstance(v, str) for v in value):
            msg = __("%s must be a list of strings; using the default %r")
            warn("config", msg % (name, defaults[name]), None)
            setattr(config, name, list(defaults[name]))
    if config.ethics_today and parse_date(str(config.ethics_today)) is None:
        msg = __("ethics_today must be an ISO date (YYYY-MM-DD), not %r; using today's date")
        warn("config", msg % config.ethics_today, None)
        config.ethics_today = None
    _catalog, problems = load_catalog_skipping_bad(checklist_files(config))
    for problem in problems:
        warn("checklist", problem.message, f"{problem.file}:{problem.line}")


def checklist_files(config: Config) -> list[Path]:
    """``ethics_checklists``, resolved against the configuration directory."""
    confdir = getattr(config, CONFDIR_ATTR, ".")
    return [Path(confdir, name) for name in config.ethics_checklists]


def project_catalog(config: Config) -> Catalog:
    """The catalogue for directives, leaving out any invalid file.

    Invalid files were already reported (``ethics.checklist``) when the
    configuration was read, so this does not warn again.
    """
    return load_catalog_skipping_bad(checklist_files(config))[0]
