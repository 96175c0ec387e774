"""Machine-readable results: ``ethics-report.json`` and the JUnit XML file.

Both are written at ``build-finished`` from the review records in the
``ethics`` domain, so they describe the whole project after every build,
incremental ones included, and packaging builders (epub) never see them.
"""

from __future__ import annotations

import json
import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.locale import get_translation
from sphinx.util import logging

from sphinx_ethics.config import project_catalog
from sphinx_ethics.slots import ANSWERED_STATES
from sphinx_ethics.validation import iter_reviews

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from sphinx_ethics.catalog import Catalog
    from sphinx_ethics.domain import ReviewRecord

__ = get_translation("sphinx_ethics", "console")
logger = logging.getLogger("sphinx_ethics")

REPORT_NAME = "ethics-report.json"
SCHEMA_VERSION = 1


def report_data(reviews: list[ReviewRecord], catalog: Catalog) -> dict[str, Any]:
    """The JSON report: every checklist used and every review with every slot."""
    used = {cid for review in reviews for cid in review.checklists}
    checklists = [
        {
            "id": checklist.id,
            "title": checklist.title,
            "version": checklist.version,
            "attribution": checklist.attribution.as_dict() if checklist.attribution else None,
        }
        for checklist in catalog.checklists.values()
        if checklist.id in used
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "checklists": checklists,
        "reviews": [review_data(review) for review in reviews],
    }


def review_data(review: ReviewRecord) -> dict[str, Any]:
    return {
        "name": review.name,
        "docname": review.docname,
        "line": review.line,
        "title": review.title,
        "checklists": list(review.checklists),
        "metadata": review.metadata(),
        "required": review.required,
        "answered": review.answered,
        "slots": [
            {
                "id": slot.id,
                "number": slot.number,
                "text": slot.text,
                "required": slot.required,
                "state": slot.state,
            }
            for slot in review.slots
        ],
    }


def junit_tree(reviews: list[ReviewRecord], source_path: Callable[[str], str]) -> ET.ElementTree:
    """One testsuite per review, one testcase per required slot (unanswered fails)."""
    root = ET.Element("testsuites", name="sphinx-ethics")
    total = failures = 0
    for review in reviews:
        required = [s for s in review.slots if s.required]
        missing = [s for s in required if s.state not in ANSWERED_STATES]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=review.name,
            tests=str(len(required)),
            failures=str(len(missing)),
            errors="0",
            skipped="0",
        )
        properties = ET.SubElement(suite, "properties")
        for key, value in (("docname", review.docname), ("status", review.status)):
            ET.SubElement(properties, "property", name=key, value=value)
        for slot in required:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"ethics.{review.name}",
                name=f"{slot.id}: {slot.text}",
                file=source_path(review.docname),
                line=str(slot.line or review.line),
            )
            if slot.state not in ANSWERED_STATES:
                reason = slot.reason or "no answer"
                failure = ET.SubElement(case, "failure", message=f"{slot.id}: {reason}")
                failure.set("type", slot.state)
                where = f"{source_path(review.docname)}:{slot.line or review.line}"
                failure.text = f"{where}: {slot.id} is {slot.state}: {reason}"
        total += len(required)
        failures += len(missing)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return ET.ElementTree(root)


def write_atomically(path: Path, text: str) -> None:
    """Readers (CI) never see a half-written report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a report is not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None:
        return
    reviews = iter_reviews(app.env)
    outdir = Path(app.outdir)
    if app.config.ethics_report:
        data = report_data(reviews, project_catalog(app.config))
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        write_atomically(outdir / REPORT_NAME, text)
    if app.config.ethics_junit:
        path = outdir / app.config.ethics_junit
        tree = junit_tree(reviews, lambda d: str(app.env.doc2path(d, False)))
        text = ET.tostring(tree.getroot(), encoding="unicode", xml_declaration=True)
        write_atomically(path, text + "\n")
        logger.info(__("ethics: JUnit report written to %s"), path)
