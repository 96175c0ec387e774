"""Build-time validation (SPEC section 3): warning subtypes, locations, exit codes.

``roots/test-validation`` has one document per problem; each warning is
checked with its exact ``document:line`` (found by searching the source for
the directive that causes it) and its ``[ethics.<subtype>]`` tag.
Whole-process behaviour (``-W``, ``ethics_fail_on_unanswered``, ``-j 2``,
incremental builds, bad input never crashing) runs ``python -m sphinx``.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from helpers import (
    ROOTS,
    block_with,
    copy_root,
    ethics_warnings,
    no_crash,
    parse_warnings,
    sphinx_build,
    strip_ansi,
)

VALIDATION = ROOTS / "test-validation"

#: Subtypes computed over the whole project at every build (not while reading).
PROJECT_WIDE = {
    "unanswered",
    "not-applicable",
    "approved-unanswered",
    "overdue",
    "duplicate-review",
}


@pytest.fixture(scope="module")
def val(shared_build):
    return shared_build("validation")


def at(docname: str, needle: str, occurrence: int = 1, root: Path = VALIDATION) -> str:
    """``docname.rst:LINE`` of the ``occurrence``-th line containing ``needle``."""
    path = root / f"{docname}.rst"
    lines = path.read_text("utf-8").splitlines()
    hits = [n for n, text in enumerate(lines, start=1) if needle in text]
    assert len(hits) >= occurrence, f"{needle!r} not found {occurrence} time(s) in {path}"
    return f"{path.name}:{hits[occurrence - 1]}"


def found(warnings_text: str, subtype: str) -> list[tuple[str, str]]:
    """(location, message) of every warning of one ethics subtype."""
    return [(w.where, w.message) for w in ethics_warnings(warnings_text, subtype)]


def the_one(warnings_text: str, subtype: str, docname: str) -> tuple[str, str]:
    hits = [
        (where, msg)
        for where, msg in found(warnings_text, subtype)
        if where.startswith(f"{docname}.")
    ]
    assert len(hits) == 1, (subtype, docname, hits)
    return hits[0]


# --------------------------------------------------------------------------
# unanswered
# --------------------------------------------------------------------------

#: question id -> the line (needle) each unanswered warning must point at.
UNANSWERED = {
    "plan-1": ".. ethics-answer:: plan-1",  # empty answer
    "plan-2a": ".. ethics-answer:: plan-2a",  # TBD
    "plan-2b": ".. ethics-answer:: plan-2b",  # todo
    "plan-2c": ".. ethics-answer:: plan-2c",  # n/a
    "plan-2d": ".. ethics-answer:: plan-2d",  # N/A
    "plan-3": ".. ethics-answer:: plan-3",  # "-" (escaped)
    "plan-4": ".. ethics-answer:: plan-4",  # ToDo
    "plan-5": ".. ethics-answer:: plan-5",  # :status: draft
    "plan-7": ".. ethics-review:: plan",  # no answer at all: the review's line
}


def test_one_unanswered_warning_per_slot_with_exact_line(val):
    hits = [
        (where, msg)
        for where, msg in found(val.warnings, "unanswered")
        if where.startswith("unanswered.")
    ]
    assert len(hits) == len(UNANSWERED)
    by_id = {msg.split(":", 1)[0]: where for where, msg in hits}
    assert by_id == {qid: at("unanswered", needle) for qid, needle in UNANSWERED.items()}
    for _, msg in hits:
        assert "unanswered-review" in msg
        assert "\n" not in msg


def test_real_answers_and_non_default_placeholders_do_not_warn(val):
    ids = {msg.split(":", 1)[0] for _, msg in found(val.warnings, "unanswered")}
    assert "plan-6" not in ids  # "Pending review" is not a default placeholder
    assert "plan-8" not in ids


def test_unanswered_messages_say_why(val):
    messages = {
        msg.split(":", 1)[0]: msg
        for where, msg in found(val.warnings, "unanswered")
        if where.startswith("unanswered.")
    }
    assert "empty" in messages["plan-1"]
    assert "TBD" in messages["plan-2a"]
    assert "draft" in messages["plan-5"]


def test_draft_answer_renders_as_draft_not_answered(val):
    page = val.html("unanswered")
    block = block_with(page.find(id="unanswered-review-plan-5"), "ethics-slot")
    assert "ethics-slot-draft" in block["class"]
    assert "A first draft about penalties." in block.get_text()
    progress = page.find("p", class_="ethics-progress").get_text()
    assert "2 of 11 required questions answered" in " ".join(progress.split())


PLACEHOLDERS = ["TBD", "tbd", "TODO", "Todo", "N/A", "n/a", "?", "-"]


def placeholder_project(srcdir: Path, syntax: str, answer: str) -> None:
    srcdir.mkdir()
    (srcdir / "conf.py").write_text(
        'extensions = ["sphinx_ethics", "myst_parser"]\n'
        'myst_enable_extensions = ["colon_fence"]\n'
        'source_suffix = {".rst": "restructuredtext", ".md": "markdown"}\n',
        "utf-8",
    )
    if syntax == "rst":
        page = textwrap.dedent(
            f"""\
            Review
            ======

            .. ethics-review:: collaboration
               :name: placeholder-review

               .. ethics-answer:: collaboration-1

                  {answer}
            """
        )
        (srcdir / "index.rst").write_text(page, "utf-8")
    else:
        page = textwrap.dedent(
            f"""\
            # Review

            ::::{{ethics-review}} collaboration
            :name: placeholder-review

            :::{{ethics-answer}} collaboration-1
            {answer}
            :::
            ::::
            """
        )
        (srcdir / "index.md").write_text(page, "utf-8")


@pytest.mark.parametrize(
    ("syntax", "answer"),
    [(syntax, answer) for syntax in ("rst", "md") for answer in PLACEHOLDERS],
)
def test_default_placeholders_count_as_unanswered(make_app, tmp_path, syntax, answer):
    srcdir = tmp_path / "src"
    placeholder_project(srcdir, syntax, answer)
    app = make_app("html", srcdir=srcdir, freshenv=True)
    app.build()
    hits = ethics_warnings(app.warning.getvalue(), "unanswered")
    assert [w.message.split(":", 1)[0] for w in hits] == ["collaboration-1"]
    expected_line = 7 if syntax == "rst" else 6
    assert hits[0].where == f"index.{syntax}:{expected_line}"
    page = (Path(app.outdir) / "index.html").read_text("utf-8")
    assert "Not yet answered" in page
    assert "0 of 1 required question answered" in page


@pytest.mark.sphinx(
    "html",
    testroot="validation",
    freshenv=True,
    confoverrides={"ethics_placeholder_patterns": ["Pending review"]},
)
def test_custom_placeholder_pattern(app):
    app.build()
    text = app.warning.getvalue()
    hits = {
        msg.split(":", 1)[0]: where
        for where, msg in found(text, "unanswered")
        if where.startswith("unanswered.")
    }
    assert hits["plan-6"] == at("unanswered", ".. ethics-answer:: plan-6")
    # The patterns replace the defaults: "TBD" is now an ordinary answer.
    assert "plan-2a" not in hits
    assert "plan-1" in hits and "plan-5" in hits  # empty and draft answers still count


# --------------------------------------------------------------------------
# The other subtypes
# --------------------------------------------------------------------------


def test_not_applicable_without_reason(val):
    where, msg = the_one(val.warnings, "not-applicable", "notapplicable")
    assert where == at("notapplicable", ".. ethics-answer:: collaboration-1")
    assert "collaboration-1" in msg
    block = val.html("notapplicable").find(id="na-review-collaboration-1")
    assert "ethics-slot-answered" not in block_with(block, "ethics-slot")["class"]


def test_unknown_question_says_did_you_mean(val):
    hits = dict((msg, where) for where, msg in found(val.warnings, "unknown-question"))
    typo = [m for m in hits if "'colaboration-1'" in m]
    assert len(typo) == 1
    assert 'did you mean "collaboration-1"' in typo[0]
    assert hits[typo[0]] == at("unknown", ".. ethics-answer:: colaboration-1")
    other = [m for m in hits if m.startswith("plan-1")]
    assert len(other) == 1 and "'plan'" in other[0]
    assert hits[other[0]] == at("unknown", ".. ethics-answer:: plan-1")
    optional = [m for m in hits if "collaboration-2" in m]
    assert len(optional) == 1 and 'did you mean "collaboration-1"' in optional[0]
    assert hits[optional[0]] == at("unknown", ".. ethics-review:: collaboration")


def test_unknown_checklist_says_did_you_mean(val):
    where, msg = the_one(val.warnings, "unknown-checklist", "unknown")
    assert where == at("unknown", ".. ethics-review:: colaboration")
    assert "'colaboration'" in msg
    assert 'did you mean "collaboration"' in msg


def test_duplicate_answer(val):
    where, msg = the_one(val.warnings, "duplicate-answer", "duplicate")
    assert where == at("duplicate", ".. ethics-answer:: collaboration-1", occurrence=2)
    assert "collaboration-1" in msg
    # Both answers stay visible, so no words are lost.
    text = val.html("duplicate").get_text()
    assert "First answer." in text and "Second answer." in text


def test_orphan_answer(val):
    where, msg = the_one(val.warnings, "orphan-answer", "orphan")
    assert where == at("orphan", ".. ethics-answer:: plan-1")
    assert "plan-1" in msg
    assert "An answer that belongs to no review." in val.html("orphan").get_text()


def test_nested_review(val):
    where, _ = the_one(val.warnings, "nested-review", "nested")
    assert where == at("nested", ".. ethics-review:: co-production")
    text = val.html("nested").get_text()
    assert "The outer answer." in text and "An inner answer." in text


def test_bad_review_status_and_bad_answer_status(val):
    hits = found(val.warnings, "status")
    assert len(hits) == 2
    by_where = dict(hits)
    review_msg = by_where[at("status", ".. ethics-review:: collaboration")]
    answer_msg = by_where[at("status", ".. ethics-answer:: collaboration-1")]
    assert "'finished'" in review_msg
    assert "'done'" in answer_msg and "collaboration-1" in answer_msg


def test_approved_but_unanswered(val):
    where, msg = the_one(val.warnings, "approved-unanswered", "approved")
    assert where == at("approved", ".. ethics-review:: collaboration")
    assert "approved-review" in msg
    assert len(found(val.warnings, "approved-unanswered")) == 1


def test_overdue_uses_ethics_today(val):
    where, msg = the_one(val.warnings, "overdue", "overdue")
    assert where == at("overdue", ".. ethics-review:: collaboration")
    assert "overdue-review" in msg and "2026-06-30" in msg
    assert len(found(val.warnings, "overdue")) == 1


@pytest.mark.sphinx(
    "html", testroot="validation", freshenv=True, confoverrides={"ethics_today": "2026-06-01"}
)
def test_not_overdue_before_review_by(app):
    app.build()
    assert found(app.warning.getvalue(), "overdue") == []


def test_duplicate_review_name(val):
    where, msg = the_one(val.warnings, "duplicate-review", "dupreview-b")
    assert where == at("dupreview-b", ".. ethics-review:: co-production")
    assert "same-name" in msg
    # Both reviews are still validated.
    unanswered = {(w, m.split(":", 1)[0]) for w, m in found(val.warnings, "unanswered")}
    assert (at("dupreview-a", ".. ethics-review::"), "co-production-2") in unanswered
    assert (at("dupreview-b", ".. ethics-review::"), "co-production-1") in unanswered


def test_every_ethics_warning_is_one_located_line(val):
    warnings = ethics_warnings(val.warnings)
    assert {w.subtype for w in warnings} == {
        "unanswered",
        "not-applicable",
        "unknown-question",
        "unknown-checklist",
        "duplicate-answer",
        "orphan-answer",
        "nested-review",
        "status",
        "approved-unanswered",
        "overdue",
        "duplicate-review",
    }
    for warning in warnings:
        assert warning.file is not None and warning.line is not None, warning
        assert warning.level == "WARNING"
    lines = [x for x in strip_ansi(val.warnings).splitlines() if "[ethics." in x]
    assert len(lines) == len(warnings)
    for line in lines:
        assert re.match(r"^\S+\.rst:\d+: WARNING: .+ \[ethics\.[a-z-]+\]$", line), line


@pytest.mark.sphinx(
    "html",
    testroot="validation",
    freshenv=True,
    confoverrides={"suppress_warnings": ["ethics.unanswered"]},
)
def test_suppress_warnings_silences_exactly_one_subtype(app, val):
    app.build()
    text = app.warning.getvalue()
    assert found(text, "unanswered") == []
    others = {(w.where, w.type, w.message) for w in ethics_warnings(text)}
    expected = {
        (w.where, w.type, w.message)
        for w in ethics_warnings(val.warnings)
        if w.subtype != "unanswered"
    }
    assert others == expected
    assert expected  # there is something left to compare


# --------------------------------------------------------------------------
# Custom checklist files: the "checklist" subtype
# --------------------------------------------------------------------------

CHECKLISTS = ROOTS / "test-checklists"


def yaml_line(name: str, needle: str) -> int:
    lines = (CHECKLISTS / name).read_text("utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if needle in text)


@pytest.mark.sphinx("html", testroot="checklists", freshenv=True)
def test_broken_checklist_file_warns_with_file_and_line(app):
    app.build()
    text = strip_ansi(app.warning.getvalue())
    hits = ethics_warnings(text, "checklist")
    assert hits, text
    line = yaml_line("broken.yaml", "     - number: 2")
    assert any(
        f"broken.yaml:{line}" in f"{w.file}:{w.line}" or f"broken.yaml:{line}" in w.message
        for w in hits
    ), hits
    # The built-in checklists still work.
    assert "We listen to everyone." in (Path(app.outdir) / "index.html").read_text("utf-8")
    assert found(text, "unanswered") == []


@pytest.mark.sphinx(
    "html",
    testroot="checklists",
    freshenv=True,
    confoverrides={"ethics_checklists": ["schema-error.yaml"]},
)
def test_schema_error_in_checklist_file_warns_with_line(app):
    app.build()
    hits = ethics_warnings(app.warning.getvalue(), "checklist")
    line = yaml_line("schema-error.yaml", "      - number: 2")
    texts = [f"{w.file}:{w.line}: {w.message}" for w in hits]
    assert any(f"schema-error.yaml:{line}" in t and "'text' is a required" in t for t in texts), (
        texts
    )
    assert any('did you mean "text"' in t for t in texts), texts


# --------------------------------------------------------------------------
# Exit codes and whole-process behaviour
# --------------------------------------------------------------------------


def drop_answer(srcdir: Path, question_id: str) -> None:
    """Remove one ``ethics-answer`` block (directive line, blank line, text)."""
    page = srcdir / "index.rst"
    lines = page.read_text("utf-8").splitlines(keepends=True)
    start = next(i for i, x in enumerate(lines) if f".. ethics-answer:: {question_id}" in x)
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith("      ")):
        end += 1
    page.write_text("".join(lines[:start] + lines[end:]), "utf-8")


def test_complete_root_builds_with_W(tmp_path):
    result = sphinx_build("-W", "-b", "html", ROOTS / "test-complete", tmp_path / "out")
    no_crash(result)
    assert result.returncode == 0, result.stderr
    assert ethics_warnings(result.stderr) == []


def test_W_fails_on_one_unanswered_slot(tmp_path):
    src = copy_root("complete", tmp_path)
    drop_answer(src, "co-production-2")
    result = sphinx_build("-W", "-b", "html", src, tmp_path / "out")
    no_crash(result)
    assert result.returncode != 0
    hits = ethics_warnings(result.stderr, "unanswered")
    assert [h.message.split(":", 1)[0] for h in hits] == ["co-production-2"]


def test_fail_on_unanswered_without_W_lists_every_slot_then_fails(tmp_path):
    src = copy_root("complete", tmp_path)
    drop_answer(src, "collaboration-1")
    drop_answer(src, "co-production-2")
    result = sphinx_build("-b", "html", "-D", "ethics_fail_on_unanswered=1", src, tmp_path / "out")
    no_crash(result)
    assert result.returncode == 1, result.stderr
    stderr = strip_ansi(result.stderr)
    ids = [w.message.split(":", 1)[0] for w in ethics_warnings(stderr, "unanswered")]
    assert sorted(ids) == ["co-production-2", "collaboration-1"]
    errors = [n for n, x in enumerate(stderr.splitlines()) if "ERROR" in x]
    listed = [n for n, x in enumerate(stderr.splitlines()) if "[ethics.unanswered]" in x]
    assert errors and max(listed) < min(errors)  # the list comes before the failure


def test_fail_on_unanswered_passes_when_complete(tmp_path):
    result = sphinx_build(
        "-b", "html", "-D", "ethics_fail_on_unanswered=1", ROOTS / "test-complete", tmp_path / "out"
    )
    no_crash(result)
    assert result.returncode == 0, result.stderr


def warning_set(stderr: str) -> set[tuple[str | None, int | None, str, str | None]]:
    return {(w.file, w.line, w.message, w.type) for w in parse_warnings(stderr)}


def test_parallel_build_gives_the_same_warnings(tmp_path):
    documents = list(VALIDATION.glob("*.rst"))
    assert len(documents) > 5  # Sphinx reads in parallel only with more than 5 documents
    src = copy_root("validation", tmp_path)
    serial = sphinx_build("-E", "-b", "html", src, tmp_path / "serial")
    parallel = sphinx_build("-E", "-j", "2", "-b", "html", src, tmp_path / "parallel")
    no_crash(serial)
    no_crash(parallel)
    assert serial.returncode == parallel.returncode == 0
    assert warning_set(parallel.stderr) == warning_set(serial.stderr)
    assert len(ethics_warnings(serial.stderr)) > 20


def project_wide(stderr: str) -> set[tuple[str, str, str | None]]:
    return {
        (w.where, w.message, w.subtype)
        for w in ethics_warnings(stderr)
        if w.subtype in PROJECT_WIDE
    }


def test_incremental_rebuild_without_changes_lists_unanswered_again(tmp_path):
    src = copy_root("validation", tmp_path)
    out = tmp_path / "out"
    first = sphinx_build("-b", "html", src, out)
    second = sphinx_build("-b", "html", src, out)
    no_crash(second)
    assert project_wide(first.stderr)
    assert project_wide(second.stderr) == project_wide(first.stderr)


def test_incremental_rebuild_without_changes_still_fails_with_W(tmp_path):
    src = copy_root("validation", tmp_path)
    out = tmp_path / "out"
    sphinx_build("-b", "html", src, out)
    again = sphinx_build("-W", "-b", "html", src, out)
    no_crash(again)
    assert again.returncode != 0


def test_editing_a_page_updates_the_warnings(tmp_path):
    src = copy_root("validation", tmp_path)
    out = tmp_path / "out"
    first = sphinx_build("-b", "html", src, out)
    page = src / "unanswered.rst"
    page.write_text(
        page.read_text("utf-8")
        + "\n   .. ethics-answer:: plan-7\n\n      The patients at highest risk.\n",
        "utf-8",
    )
    second = sphinx_build("-b", "html", src, out)
    no_crash(second)
    before, after = project_wide(first.stderr), project_wide(second.stderr)
    gone = before - after
    assert [(where, msg.split(":", 1)[0]) for where, msg, _ in gone] == [
        (at("unanswered", ".. ethics-review:: plan"), "plan-7")
    ]
    assert after == before - gone
    assert "The patients at highest risk." in (out / "unanswered.html").read_text("utf-8")


# --------------------------------------------------------------------------
# Bad input never gives a traceback
# --------------------------------------------------------------------------


def test_bad_input_warns_but_never_crashes(tmp_path):
    root = ROOTS / "test-badinput"
    result = sphinx_build("-b", "html", root, tmp_path / "out")
    no_crash(result)
    assert result.returncode == 0, result.stderr
    warnings = parse_warnings(result.stderr)
    got = {(w.where, w.subtype) for w in warnings if w.subtype}

    def where(doc: str, needle: str, occurrence: int = 1) -> str:
        return at(doc, needle, occurrence, root=root)

    assert (where("empty", ".. ethics-review::"), "unknown-checklist") in got
    assert (where("empty", ".. ethics-answer:: collaboration-1"), "unanswered") in got
    assert (where("noquestions", ".. ethics-review:: team"), "unknown-checklist") in got
    assert (where("noquestions", ".. ethics-review:: nonexistent"), "unknown-checklist") in got
    assert (where("nested", ".. ethics-review:: co-production"), "nested-review") in got
    assert (where("nested", ".. ethics-review:: plan"), "nested-review") in got
    # The answer directive without its argument is reported by docutils.
    assert any(w.where == where("empty", ".. ethics-answer::", 2) for w in warnings)
    html = (tmp_path / "out" / "nested.html").read_text("utf-8")
    assert "Deeply nested." in html


def test_bad_input_with_W_fails_cleanly(tmp_path):
    result = sphinx_build("-W", "-b", "html", ROOTS / "test-badinput", tmp_path / "out")
    no_crash(result)
    assert result.returncode != 0


def test_malformed_checklist_yaml_never_crashes(tmp_path):
    result = sphinx_build("-b", "html", CHECKLISTS, tmp_path / "out")
    no_crash(result)
    assert result.returncode == 0, result.stderr
    assert ethics_warnings(result.stderr, "checklist")
