"""Machine-readable results: ``ethics-report.json`` and the JUnit XML file.

Both are written at ``build-finished`` from the review records in the
``ethics`` domain and the one problem list of :mod:`sphinx_ethics.extension.checks`,
so they describe the whole project after every build, incremental ones
included, and packaging builders (epub) never see them.  ``sphinx-ethics
check`` prints the very file the ``ethics-check`` builder writes here: one
model, one schema (``schemas/report.schema.json``).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

from sphinx_ethics import files
from sphinx_ethics.answers import digest as answers_digest
from sphinx_ethics.answers.slots import ANSWERED_STATES, ReviewRecord, today
from sphinx_ethics.catalogue import attribution as wording
from sphinx_ethics.catalogue import migrations
from sphinx_ethics.extension.checks import all_problems, is_overdue
from sphinx_ethics.extension.config import (
    junit_path,
    path_prefix,
    project_catalog,
    signoff_roles,
    today_setting,
)
from sphinx_ethics.extension.domain import EthicsDomain
from sphinx_ethics.extension.programme.site import (
    CALENDAR_NAME,
    calendar_text,
    header,
    review_uri,
)
from sphinx_ethics.repository import RepoPaths

if TYPE_CHECKING:
    import datetime as dt

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from sphinx_ethics.catalogue import Catalog
    from sphinx_ethics.problems import Problem

logger = logging.getLogger("sphinx_ethics")

REPORT_NAME = "ethics-report.json"
SCHEMA_VERSION = 3


class ReportContext:
    """What the report needs besides the records: paths and today's date."""

    def __init__(
        self, env: BuildEnvironment, when: dt.date, catalog: Catalog, builder: Any = None
    ) -> None:
        self.env = env
        self.srcdir = Path(env.srcdir).resolve()
        self.when = when
        self.questions = catalog.questions
        self.versions = {c.id: c.version for c in catalog.checklists.values()}
        self.builder = builder
        self.pages: dict[str, str] = {}

    def uri(self, review: ReviewRecord) -> str | None:
        """Schema 3: the review's address relative to the site root (None without URIs)."""
        return (
            None
            if self.builder is None
            else review_uri(self.builder, review.docname, review.anchor)
        )

    def question(self, question_id: str) -> tuple[str, str]:
        """Number and text of a question (the catalogue keeps them, not the records)."""
        question = self.questions.get(question_id)
        return (question.number, question.text) if question is not None else ("", "")

    def question_digest(self, question_id: str) -> str:
        """The digest of a question's text now (what ``:answered-under:`` records)."""
        question = self.questions.get(question_id)
        return migrations.question_digest(question.text) if question is not None else ""

    def page(self, docname: str) -> str:
        """The page's path, worked out once per page (every slot of it asks)."""
        if docname not in self.pages:
            self.pages[docname] = str(self.env.doc2path(docname, False))
        return self.pages[docname]

    def file(self, problem_or_slot_file: str, docname: str) -> str:
        """A path relative to the source directory where it lies inside it."""
        if not problem_or_slot_file:
            return self.page(docname) if docname else ""
        path = Path(problem_or_slot_file)
        try:
            return str(path.resolve().relative_to(self.srcdir))
        except ValueError:
            return str(path)

    def problem(self, problem: Problem) -> dict[str, Any]:
        return {
            "subtype": problem.subtype,
            "message": problem.message,
            "file": self.file(problem.file, problem.docname),
            "line": problem.line,
        }


def report_data(app: Sphinx) -> dict[str, Any]:
    """The JSON report: every checklist used, every review with every slot, every problem."""
    reviews = EthicsDomain.get(app.env).all_reviews()
    catalog = project_catalog(app.config)
    when = today(today_setting(app.config))
    context = ReportContext(app.env, when, catalog, app.builder)
    by_review: dict[tuple[str, str], list[Problem]] = {}
    loose: list[Problem] = []
    names = {(r.docname, r.name) for r in reviews}
    for problem in all_problems(app):
        key = (problem.docname, problem.review)
        if key in names:
            by_review.setdefault(key, []).append(problem)
        else:
            loose.append(problem)
    items = [review_data(r, by_review.get((r.docname, r.name), []), context) for r in reviews]
    return {
        "schema_version": SCHEMA_VERSION,
        **header(app, when),
        "signoff_roles": signoff_roles(app.config),
        "complete": not loose and all(item["complete"] for item in items),
        "checklists": checklists_data(reviews, catalog),
        "reviews": items,
        "problems": [context.problem(p) for p in loose],
    }


def checklists_data(reviews: list[ReviewRecord], catalog: Catalog) -> list[dict[str, Any]]:
    used = {cid for review in reviews for cid in review.checklists}
    return [
        {
            "id": checklist.id,
            "title": checklist.title,
            "version": checklist.version,
            "attribution": checklist.attribution.as_dict() if checklist.attribution else None,
            "sources": [wording.text(s) for s in wording.checklist_sources(checklist)],
            "added_questions": [
                {"id": q.id, "added_by": q.added_by, "source": wording.text(q.added_source)}
                for q in checklist.iter_questions()
                if q.added_by and q.added_source
            ],
        }
        for checklist in catalog.checklists.values()
        if checklist.id in used
    ]


def review_data(
    review: ReviewRecord, problems: list[Problem], context: ReportContext
) -> dict[str, Any]:
    slot_digests = answers_digest.slot_digests(review.slots)
    under = dict(review.answered_questions)
    return {
        "name": review.name,
        "docname": review.docname,
        "file": context.page(review.docname),
        "line": review.line,
        "title": review.title,
        "checklists": list(review.checklists),
        "checklist_versions": {c: context.versions.get(c, "") for c in review.checklists},
        "answered_under": dict(review.answered_under),
        "uri": context.uri(review),
        "metadata": review.metadata(),
        "required": review.required,
        "answered": review.answered,
        "complete": not problems and review.answered == review.required,
        "overdue": is_overdue(review, context.when),
        "digest": review.digest,
        "screening_digest": review.screening_digest,
        "problems": [context.problem(p) for p in problems],
        "signoffs": [
            {
                "role": s.role,
                "by": s.by,
                "date": s.date,
                "decision": s.decision,
                "comment": s.comment,
                "file": context.file(s.file, review.docname),
                "line": s.line,
                "digest": s.digest,
                "stale": s.stale,
                "slots": dict(s.slots),
            }
            for s in review.signoffs
        ],
        "fields": {name: {"label": label, "value": value} for name, label, value in review.fields},
        "referrals": [
            {
                "to": r.to,
                "because": r.because,
                "question": r.question,
                "answer": r.answer,
                "outcome": r.outcome,
                "open": r.open,
                "reopened": r.reopened,
            }
            for r in review.referrals
        ],
        "slots": [
            {
                "id": slot.id,
                "number": context.question(slot.id)[0],
                "text": context.question(slot.id)[1],
                "required": slot.required,
                "state": slot.state,
                "answer": slot.answer,
                "file": context.file(slot.file, review.docname) if slot.line else "",
                "line": slot.line,
                "choice": slot.choice,
                "digest": slot_digests.get(slot.id, ""),
                "question_digest": context.question_digest(slot.id),
                "answered_under": under.get(slot.id, ""),
                # Who answered (SPEC §12): only when the entry says so.
                **({"by": slot.by, "received": slot.received} if slot.by else {}),
            }
            for slot in review.slots
        ],
    }


# --------------------------------------------------------------------------
# JUnit
# --------------------------------------------------------------------------

#: Characters XML 1.0 cannot hold, even escaped.
XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return XML_INVALID.sub("\ufffd", text)


def junit_tree(report: dict[str, Any], repo_path: Callable[[str], str] = str) -> ET.ElementTree:
    """One testsuite per review: a testcase per required slot (unanswered fails),
    one for the review-by date (overdue fails), one for its other problems.
    ``repo_path`` turns the report's paths into the ones CI shows (see
    :class:`sphinx_ethics.repository.RepoPaths`)."""
    root = ET.Element("testsuites", name="sphinx-ethics")
    total = failures = 0
    for review in report["reviews"]:
        cases = junit_cases(review)
        suite = ET.SubElement(root, "testsuite", name=xml_text(review["name"]))
        properties = ET.SubElement(suite, "properties")
        for key, value in (
            ("docname", review["docname"]),
            ("status", review["metadata"]["status"]),
        ):
            ET.SubElement(properties, "property", name=key, value=xml_text(value))
        failed = 0
        file = repo_path(review["file"])
        attribution = _junit_attribution(report, review, properties)
        for name, line, failure in cases:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=xml_text(f"ethics.{review['name']}"),
                name=xml_text(name),
                file=file,
                line=str(line),
            )
            if failure is not None:
                failed += 1
                kind, message = failure
                element = ET.SubElement(case, "failure", message=xml_text(message), type=kind)
                element.text = xml_text(f"{file}:{line}: {message}")
        if attribution:  # after the test cases, as the JUnit schema orders them
            ET.SubElement(suite, "system-out").text = attribution
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(failed))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total += len(cases)
        failures += failed
    failures += project_suite(root, report["problems"], repo_path)
    total += 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return ET.ElementTree(root)


def _junit_attribution(
    report: dict[str, Any], review: dict[str, Any], properties: ET.Element
) -> str:
    """The test names quote the checklists' questions: say whose words they are
    (a property, and the sentences in system-out), and which are a team's."""
    used = [c for c in report["checklists"] if c["id"] in review["checklists"]]
    sources: list[str] = []
    for checklist in used:
        sources += [s for s in checklist.get("sources", []) if s not in sources]
    added = [
        f"{q['id']}: {wording.added_words(q['added_by'])}"
        for checklist in used
        for q in checklist.get("added_questions", [])
    ]
    if sources:
        ET.SubElement(properties, "property", name="attribution", value=xml_text(" ".join(sources)))
    return xml_text("\n".join([*sources, *added]))


def project_suite(
    root: ET.Element, problems: list[dict[str, Any]], repo_path: Callable[[str], str] = str
) -> int:
    """A suite for the problems that belong to no review (orphan answers, markup,
    configuration): one case, failing while there is any (SPEC §11)."""
    suite = ET.SubElement(root, "testsuite", name="(project)", tests="1", errors="0", skipped="0")
    suite.set("failures", str(int(bool(problems))))
    case = ET.SubElement(
        suite, "testcase", classname="ethics.project", name="no problems outside reviews"
    )
    if problems:
        lines = [
            f"{repo_path(p['file']) if p['file'] else ''}:{p['line']}: "
            f"[ethics.{p['subtype']}] {p['message']}"
            for p in problems
        ]
        message = f"{len(problems)} problem(s) outside any review"
        element = ET.SubElement(case, "failure", message=message, type="problems")
        element.text = xml_text("\n".join(lines))
    return int(bool(problems))


Case = tuple[str, int, "tuple[str, str] | None"]


def junit_cases(review: dict[str, Any]) -> list[Case]:
    slot_problems = {"unanswered", "not-applicable", "screening"}
    cases: list[Case] = []
    reasons = {
        p["message"].split(":", 1)[0]: p
        for p in review["problems"]
        if p["subtype"] in slot_problems
    }
    for slot in review["slots"]:
        if not slot["required"]:
            continue
        failure = None
        if slot["state"] not in ANSWERED_STATES:
            found = reasons.get(slot["id"])
            message = found["message"] if found else f"{slot['id']} is {slot['state']}"
            failure = (slot["state"], message)
        cases.append((f"{slot['id']}: {slot['text']}", slot["line"] or review["line"], failure))
    for referral in review["referrals"]:
        name = f"referral to {referral['to']} ({referral['question']} is {referral['answer']})"
        message = f"{name}: no outcome recorded (ethics-signoff:: {referral['to']})"
        cases.append((name, review["line"], ("referral", message) if referral["open"] else None))
    if review["metadata"]["review_by"]:
        due = review["metadata"]["review_by"]
        failure = ("overdue", f"review was due by {due}") if review["overdue"] else None
        cases.append((f"review by {due}", review["line"], failure))
    shown = slot_problems | {"overdue", "referral"}
    others = [p for p in review["problems"] if p["subtype"] not in shown]
    message = "; ".join(f"[ethics.{p['subtype']}] {p['message']}" for p in others)
    cases.append(("no other problems", review["line"], ("problems", message) if others else None))
    return cases


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def write_report_file(path: Path, text: str) -> None:
    """Readers (CI) never see a half-written report; a special file is never written."""
    if path.exists() and not path.is_file():
        msg = "ethics: not writing %s: it exists and is not a regular file"
        logger.warning(msg, path, type="ethics", subtype="report")
        return
    try:
        files.write_atomic(path, text, refuse_read_only=False, make_parents=True)
    except (OSError, files.FileError) as err:
        logger.warning("ethics: cannot write %s: %s", path, err, type="ethics", subtype="report")


def report_text(report: dict[str, Any], pretty: bool = False) -> str:
    """The report as JSON text: compact by default (json's C encoder writes it,
    several times faster than indenting and about a third smaller, issue 25);
    indented for people with ``ethics_report_pretty = True``."""
    if pretty:
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    return json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_reports(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None:
        return
    junit = junit_path(app.config, app.outdir)
    if not (app.config.ethics_report or junit):
        return
    report = report_data(app)  # worked out once for every file written here
    if app.config.ethics_report:
        text = report_text(report, pretty=bool(app.config.ethics_report_pretty))
        write_report_file(Path(app.outdir) / REPORT_NAME, text)
        calendar = calendar_text(app)  # one event per review-by date, beside the report
        if calendar is not None:
            write_report_file(Path(app.outdir) / CALENDAR_NAME, calendar)
    if junit:
        paths = RepoPaths.find(Path(app.srcdir), path_prefix(app.config))
        root = junit_tree(report, paths).getroot()
        text = ET.tostring(root, encoding="unicode", xml_declaration=True)
        write_report_file(junit, text + "\n")
        logger.info("ethics: JUnit report written to %s", junit)
