"""Configuration values, read once into :class:`Settings`, and the catalogue they select.

The ``ethics_*`` values are checked once, at ``config-inited``
(:func:`check_config`), into a frozen :class:`Settings` kept on the
configuration for the build (sphinx-design's ``get_sd_config`` pattern):
every reader below returns what the settings hold, and the settings'
``problems`` are what the report lists.  Values we check ourselves are
registered with ``types=Any``, so a wrong type gives our one warning
(``ethics.config``, with what is used instead), not Sphinx's as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx_ethics.answers.slots import parse_date
from sphinx_ethics.catalogue import Catalog, load_catalog_skipping_bad
from sphinx_ethics.problems import Problem, log

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config


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
        [
            "TBD",
            "TBC",
            "TBA",
            "TODO",
            "To do",
            "To be confirmed",
            "To be decided",
            "N/A",
            "NA",
            "None yet",
            "See above",
            "As above",
            "See below",
            "xx",
            "xxx",
            "?",
            "-",
            "...",
            "…",
        ],
        "env",
        (list, tuple),
        "Literal strings; an answer whose seen text equals one counts as unanswered "
        "(case, surrounding whitespace and a trailing ``.`` ``!`` ``:`` or ``…`` are "
        "ignored, so ``TBD.`` and ``tbc`` match), and so does one followed by a dash "
        "between spaces, a colon, a comma or a bracket and more words (``TBC - awaiting "
        "finance``; but ``To do this we…`` and ``None yet identified`` are answers). "
        "Text with no letter or digit, and ``Not applicable`` as a whole answer, are "
        "never answers, whatever the list. A placeholder that means not applicable "
        "(``N/A``, ``Not applicable``) is reported with a hint to use ``:status: "
        "not-applicable``. The same rules judge not-applicable reasons, the fields of "
        "``ethics_review_fields`` and the ``:by:`` and comment of each sign-off.",
    ),
    ConfigValue(
        "ethics_report",
        True,
        "",
        (bool,),
        "Write ``ethics-report.json`` into the output directory.",
    ),
    ConfigValue(
        "ethics_report_pretty",
        False,
        "",
        (bool,),
        "Indent ``ethics-report.json`` for people to read. By default it is compact "
        "JSON, written faster and a third smaller; ``sphinx-ethics check --json`` "
        "always prints it indented.",
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
        "ethics_path_prefix",
        None,
        "",
        (str, type(None)),
        "How the JUnit report names files. ``None`` (the default): relative to the root of "
        "the git work tree the source folder is in (``docs/ethics-review.rst``), found with "
        "``git rev-parse --show-toplevel`` when the report is written, so CI can place each "
        "failure on the pull request; without git or a work tree, relative to the source "
        'folder. A string such as ``"docs/"`` is put before paths relative to the source '
        'folder instead (``""`` keeps them relative to it). ``sphinx-ethics check --format`` '
        "has ``--path-prefix`` for the same.",
    ),
    ConfigValue(
        "ethics_source_url",
        None,
        "",
        (str, type(None)),
        "The address of the published site (``https://...``), written into "
        "``ethics-report.json`` as ``project.source_url`` so a programme page can link "
        "to it; when unset, ``html_baseurl`` is used, if set.",
    ),
    ConfigValue(
        "ethics_today",
        None,
        "html",
        (str, type(None)),
        "ISO date (YYYY-MM-DD) used instead of today for the ``overdue`` check, "
        "for reproducible builds.",
    ),
    ConfigValue(
        "ethics_signoff_roles",
        [],
        "env",
        (list, tuple),
        'Roles (for example ``["Clinical lead", "Patient partner"]``) that must each '
        "record an ``approved`` or ``approved-with-conditions`` ``ethics-signoff`` before a "
        "review may be ``:status: approved`` (else ``ethics.signoff``). Each role gets a "
        "row in the sign-off table of every review, left blank to sign by hand on paper.",
    ),
    ConfigValue(
        "ethics_signoff_digest",
        "optional",
        "env",
        (str,),
        '``"optional"`` (default): an ``ethics-signoff`` without ``:digest:`` is accepted '
        'and shown as not tied to a version of the answers. ``"required"``: such a sign-off '
        "is an ``ethics.signoff`` problem (record sign-offs with ``sphinx-ethics signoff``). "
        'Any other value is a ``config`` problem and counts as ``"required"``.',
    ),
    ConfigValue(
        "ethics_review_fields",
        {},
        "env",
        (dict,),
        "Extra review options every review must fill, as name → label, for example "
        '``{"registration": "QI registration number", "dpia": "DPIA reference"}`` '
        "(then ``:registration: QI-2026-114`` on the review). A missing or empty one is "
        "``ethics.field``. Shown with the details of the review, in the report (``fields``) "
        "and, when asked for with ``:fields:``, in ``ethics-summary``.",
    ),
)


#: Values whose type and form :func:`read_settings` checks (and says what it uses
#: instead): Sphinx is not asked to check their type too.
CHECKED_HERE = frozenset(
    {
        "ethics_checklists",
        "ethics_placeholder_patterns",
        "ethics_junit",
        "ethics_path_prefix",
        "ethics_today",
        "ethics_signoff_roles",
        "ethics_signoff_digest",
        "ethics_review_fields",
    }
)


def add_config_values(app: Sphinx) -> None:
    for value in CONFIG_VALUES:
        types = Any if value.name in CHECKED_HERE else value.types
        app.add_config_value(value.name, value.default, value.rebuild, types=types)


DEFAULTS: dict[str, Any] = {v.name: v.default for v in CONFIG_VALUES}


@dataclass(frozen=True)
class Settings:
    """The ``ethics_*`` values as the build uses them, checked once.

    A value that cannot be used is replaced by its fallback (said in
    ``problems``, logged once at ``config-inited``).
    """

    checklists: tuple[Path, ...] = ()
    placeholders: tuple[str, ...] = tuple(DEFAULTS["ethics_placeholder_patterns"])
    signoff_roles: tuple[str, ...] = ()
    signoff_digest_required: bool = False
    review_fields: tuple[tuple[str, str], ...] = ()
    today: str | None = None
    path_prefix: str | None = None
    junit: str | None = None
    problems: tuple[Problem, ...] = field(default=(), compare=False)


#: Where the settings are kept on the configuration.  The leading underscore
#: keeps them out of the pickled environment (Sphinx pickles only public
#: values) and out of its comparison of configurations between builds; a
#: forked parallel reader or writer inherits them.
SETTINGS_KEY = "_ethics_settings"


def settings(config: Config) -> Settings:
    """The build's settings (read at ``config-inited``; read now if they were not)."""
    found = config.__dict__.get(SETTINGS_KEY)
    if found is None:
        found = read_settings(config, ".")
        setattr(config, SETTINGS_KEY, found)
    return found


# --------------------------------------------------------------------------
# Reading the values, once: each falls back to its default on a value it
# cannot use, and says why in the settings' problems.  Nothing is changed on
# the Config object except the one documented resolution (resolve_checklists).
# --------------------------------------------------------------------------


def _strings(config: Config, name: str) -> list[str] | None:
    value = getattr(config, name)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def placeholders(config: Config) -> list[str]:
    return list(settings(config).placeholders)


def checklist_files(config: Config) -> list[Path]:
    """``ethics_checklists`` as absolute paths (see :func:`resolve_checklists`)."""
    return list(settings(config).checklists)


def signoff_roles(config: Config) -> list[str]:
    """``ethics_signoff_roles``, each role once, in order ([] when unusable)."""
    return list(settings(config).signoff_roles)


def signoff_digest_required(config: Config) -> bool:
    """``ethics_signoff_digest``: whether a sign-off needs ``:digest:`` (fail closed)."""
    return settings(config).signoff_digest_required


#: ``ethics-review``'s own options (a test checks they match its ``option_spec``):
#: a review field cannot take one of these names.
REVIEW_OPTIONS = (
    "name",
    "title",
    "owner",
    "reviewers",
    "date",
    "review-by",
    "status",
    "optional",
    "answers",
    "answered-under",
    "class",
)

#: A review field's name: it becomes a directive option, so option-name rules.
FIELD_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


def review_fields(config: Config) -> dict[str, str]:
    """``ethics_review_fields`` as name → label, leaving out names it cannot use."""
    return dict(settings(config).review_fields)


def _review_fields(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple(
        (name, label)
        for name, label in value.items()
        if isinstance(name, str) and isinstance(label, str) and not _field_problem(name)
    )


def _field_problem(name: str) -> str:
    if not FIELD_NAME.fullmatch(name):
        return "is not an option name (lower-case letters, digits and single hyphens)"
    if name in REVIEW_OPTIONS:
        return "is already an ethics-review option"
    return ""


def _governance_problems(config: Config) -> list[Problem]:
    problems = []
    if _strings(config, "ethics_signoff_roles") is None:
        msg = "ethics_signoff_roles must be a list of strings, not %r; no roles are required"
        problems.append(Problem("config", msg % (config.ethics_signoff_roles,)))
    if config.ethics_signoff_digest not in ("optional", "required"):
        msg = "ethics_signoff_digest must be 'optional' or 'required', not %r; 'required' is used"
        problems.append(Problem("config", msg % (config.ethics_signoff_digest,)))
    value = config.ethics_review_fields
    if not isinstance(value, dict):
        msg = "ethics_review_fields must be a dict of option name to label, not %r; ignored"
        return [*problems, Problem("config", msg % (value,))]
    for name, label in value.items():
        why = _field_problem(name) if isinstance(name, str) else "is not a string"
        if not why and not isinstance(label, str):
            why = f"has the label {label!r}, which is not a string"
        if why:
            msg = f"ethics_review_fields: {name!r} {why}; it is ignored"
            problems.append(Problem("config", msg))
    return problems


def path_prefix(config: Config) -> str | None:
    """``ethics_path_prefix`` when it is a string; None (find the git root) otherwise."""
    return settings(config).path_prefix


def today_setting(config: Config) -> str | None:
    return settings(config).today


def _today(value: object) -> str | None:
    return str(value) if value and parse_date(str(value)) else None


def junit_path(config: Config, outdir: str | Path) -> Path | None:
    """Where the JUnit report goes, or None (not asked for, or unusable)."""
    value = settings(config).junit
    return Path(outdir, value) if value else None


def _junit_target(config: Config, outdir: str | Path) -> Path | None:
    value = config.ethics_junit
    return Path(outdir, value) if isinstance(value, str) and value.strip() else None


def _junit_problem(config: Config, outdir: str | Path) -> str:
    value = config.ethics_junit
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        return f"ethics_junit must be a file name ending in .xml, not {value!r}"
    target = Path(outdir, value).resolve()
    if not value.lower().endswith(".xml"):
        return f"ethics_junit must name a file ending in .xml, not {value!r}"
    if not target.is_relative_to(Path(outdir).resolve()):
        return f"ethics_junit {value!r} is outside the output directory"
    if target.exists() and not target.is_file():
        return f"ethics_junit {value!r} is not a regular file"
    return ""


def resolve_checklists(app: Sphinx, config: Config) -> None:
    """Make ``ethics_checklists`` absolute, against the configuration directory:
    at ``config-inited``, before Sphinx compares the configuration with the saved
    one (so it never looks like a change); nothing else need know where conf.py was."""
    names = _strings(config, "ethics_checklists")
    if names is not None:
        confdir = Path(app.confdir or app.srcdir)
        config.ethics_checklists = [str(confdir / name) for name in names]


def read_settings(config: Config, outdir: str | Path) -> Settings:
    """Check every ``ethics_*`` value once: what the build uses, and what is wrong."""
    problems = _config_problems(config, outdir)
    checklists = [Path(name) for name in _strings(config, "ethics_checklists") or []]
    _catalog, bad_files = load_catalog_skipping_bad(checklists)
    for bad in bad_files:
        problems.append(Problem("checklist", bad.message, file=str(bad.file), line=bad.line))
    patterns = _strings(config, "ethics_placeholder_patterns")
    roles = [" ".join(r.split()) for r in _strings(config, "ethics_signoff_roles") or []]
    prefix = config.ethics_path_prefix
    junit = None if _junit_problem(config, outdir) else _junit_target(config, outdir)
    return Settings(
        checklists=tuple(checklists),
        placeholders=tuple(
            DEFAULTS["ethics_placeholder_patterns"] if patterns is None else patterns
        ),
        signoff_roles=tuple(dict.fromkeys(r for r in roles if r)),
        signoff_digest_required=config.ethics_signoff_digest != "optional",
        review_fields=_review_fields(config.ethics_review_fields),
        today=_today(config.ethics_today),
        path_prefix=prefix if isinstance(prefix, str) else None,
        junit=config.ethics_junit if junit is not None else None,
        problems=tuple(problems),
    )


def _config_problems(config: Config, outdir: str | Path) -> list[Problem]:
    problems = []
    for name in ("ethics_checklists", "ethics_placeholder_patterns"):
        if _strings(config, name) is None:
            msg = "%s must be a list of strings, not %r; using the default %r"
            problems.append(Problem("config", msg % (name, getattr(config, name), DEFAULTS[name])))
    if config.ethics_today and _today(config.ethics_today) is None:
        msg = "ethics_today must be an ISO date (YYYY-MM-DD), not %r; using today's date"
        problems.append(Problem("config", msg % config.ethics_today))
    if config.ethics_path_prefix is not None and not isinstance(config.ethics_path_prefix, str):
        msg = "ethics_path_prefix must be a string or None, not %r; using the git work tree"
        problems.append(Problem("config", msg % (config.ethics_path_prefix,)))
    problems += _governance_problems(config)
    junit = _junit_problem(config, outdir)
    if junit:
        problems.append(Problem("config", junit + "; no JUnit report is written"))
    return problems


def config_problems(config: Config) -> list[Problem]:
    """Every configuration value that cannot be used, and every bad checklist file."""
    return list(settings(config).problems)


def check_config(app: Sphinx, config: Config) -> None:
    """Read the settings for this build, and log their problems once."""
    found = read_settings(config, app.outdir)
    setattr(config, SETTINGS_KEY, found)
    for problem in found.problems:
        log(problem)


def project_catalog(config: Config) -> Catalog:
    """The catalogue for directives, leaving out any invalid file (already
    reported as ``ethics.checklist`` when the settings were read: no second warning)."""
    return load_catalog_skipping_bad(checklist_files(config))[0]
