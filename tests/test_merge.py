"""``sphinx-ethics merge``: an answers file that came back, merged into the team's.

The command is run as a user runs it for the exit codes, the report and
hostile input; the merge itself is proven on generated files (hypothesis):
every byte of the team's file outside the entries it fills or replaces is
kept in order, every incoming answer is in the result or reported as a
conflict, and the result reads back with no problem.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from helpers import REPO, write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli import CONF, one_error_line, run

from sphinx_ethics.answers import file as answers_file
from sphinx_ethics.answers import merge as answers_merge
from sphinx_ethics.answers.file import FileAnswer
from sphinx_ethics.catalogue import load_catalog, yaml_reading
from sphinx_ethics.cli import main as cli_main
from sphinx_ethics.cli import merge as cli_merge

CATALOG = load_catalog()
IDS = [q.id for q in CATALOG.checklists["plan"].slots()]

OURS = """\
# Team answers for the Safer Steps plan review
plan-1: |
  Our aim is fewer falls.

# 3. What improvement interventions and approaches are being proposed, and why?
plan-3: ""
plan-4: Short answer  # agreed at the May meeting
"""

THEIRS = """\
plan-1: Something else entirely
plan-3: |
  - a leaflet
  - <script>alert(1)</script> {{ x }}
plan-5:
  status: not-applicable
  text: No penalties or rewards.
plan-4: Short answer
plan-6: ""
"""


def files(tmp_path: Path, ours: str = OURS, theirs: str = THEIRS) -> tuple[Path, Path]:
    (tmp_path / "ours.yaml").write_text(ours, "utf-8")
    (tmp_path / "theirs.yaml").write_text(theirs, "utf-8")
    return tmp_path / "theirs.yaml", tmp_path / "ours.yaml"


def test_conflict_without_a_side_writes_nothing(tmp_path: Path) -> None:
    incoming, target = files(tmp_path)
    result = run("merge", incoming.name, "--into", target.name, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert target.read_text("utf-8") == OURS
    assert result.stdout.splitlines() == [
        "theirs.yaml:5: plan-5: added",
        "theirs.yaml:2: plan-3: fills the empty entry in ours.yaml",
        "theirs.yaml:9: plan-6: empty; skipped",
        "theirs.yaml:1: plan-1: conflict",
        "  ours:",
        "    ours.yaml:2:",
        "    | Our aim is fewer falls.",
        "  theirs:",
        "    theirs.yaml:1:",
        "    | Something else entirely",
        "1 answer in theirs.yaml already in ours.yaml.",
        "Not merged: 1 conflict; ours.yaml is unchanged. Rerun with --theirs (take the "
        "incoming answers) or --ours (keep yours), or edit the file by hand.",
    ]


def test_theirs_replaces_only_that_entry(tmp_path: Path) -> None:
    incoming, target = files(tmp_path)
    result = run("merge", incoming.name, "--into", target.name, "--theirs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "Merged theirs.yaml into ours.yaml: 1 added, 1 filled, 1 replaced (--theirs)."
    )
    assert target.read_text("utf-8") == (
        "# Team answers for the Safer Steps plan review\n"
        "plan-1:\n"
        "  format: text\n"
        "  text: Something else entirely\n"
        "\n"
        "# 3. What improvement interventions and approaches are being proposed, and why?\n"
        "plan-3:\n"
        "  format: text\n"
        "  text: |\n"
        "    - a leaflet\n"
        "    - <script>alert(1)</script> {{ x }}\n"
        "plan-4: Short answer  # agreed at the May meeting\n"
        "\n"
        "# 5. Do they involve penalties for non-compliance or rewards for compliance?\n"
        "plan-5:\n"
        "  status: not-applicable\n"
        "  format: text\n"
        "  text: No penalties or rewards.\n"
    )


def test_ours_keeps_every_byte_and_appends(tmp_path: Path) -> None:
    incoming, target = files(tmp_path)
    result = run("merge", incoming.name, "--into", target.name, "--ours", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    new = target.read_text("utf-8")
    # Only the empty entry is filled; everything else is the old text plus the appended entry.
    filled = (
        "plan-3:\n  format: text\n  text: |\n    - a leaflet\n"
        "    - <script>alert(1)</script> {{ x }}\n"
    )
    assert new.replace(filled, 'plan-3: ""\n').startswith(OURS)
    assert "keeping ours" in result.stdout


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    incoming, target = files(tmp_path)
    result = run(
        "merge", incoming.name, "--into", target.name, "--theirs", "--dry-run", cwd=tmp_path
    )
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == (
        "Dry run: ours.yaml would get 1 added, 1 filled, 1 replaced (--theirs); nothing written."
    )
    assert target.read_text("utf-8") == OURS


def test_nothing_to_merge_leaves_the_file_alone(tmp_path: Path) -> None:
    incoming, target = files(tmp_path, theirs="plan-4: Short answer   \n")
    before = target.stat().st_mtime_ns
    result = run("merge", incoming, "--into", target)
    assert result.returncode == 0
    assert result.stdout.endswith("already has every answer in " + str(incoming) + ".\n")
    assert target.stat().st_mtime_ns == before


def test_unknown_id_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    incoming, target = files(tmp_path, theirs="plan-3: fine\nplna-4: typo\n")
    result = run("merge", incoming, "--into", target)
    assert result.returncode == 2
    assert one_error_line(result).endswith(
        f"{incoming}:2: unknown question 'plna-4' (did you mean \"plan-4\"?); nothing merged"
    )
    assert target.read_text("utf-8") == OURS


def test_ids_of_the_project_checklists_are_known(tmp_path: Path) -> None:
    """The nearest conf.py above the team's file names the custom checklists."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "examples" / "custom-checklists", project)
    incoming, target = files(project, ours="", theirs="data-use-2b: Run charts only.\n")
    result = run("merge", incoming, "--into", target)
    assert result.returncode == 0, result.stderr
    assert target.read_text("utf-8") == (
        "# 2b. What will be shared outside the team, and in what form?\n"
        "data-use-2b:\n"
        "  format: text\n"
        "  text: Run charts only.\n"
    )
    missing = run("merge", incoming, "--into", tmp_path / "elsewhere.yaml")
    assert missing.returncode == 2
    assert one_error_line(missing).endswith("elsewhere.yaml not found")
    assert not (tmp_path / "elsewhere.yaml.lock").exists()


@pytest.mark.parametrize(
    ("theirs", "message"),
    [
        ("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
         "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
         "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
         "plan-1: [*d, *d]\n",
         "aliases expand to more than"),
        ("plan-1: !!python/object/apply:os.system [echo hi]\n",
         "plan-1: expected answer text or a mapping"),
        ("plan-1: ok\nplan-1: twice\n", "key 'plan-1' appears twice"),
        ("plan-1:\n  status: done\n  text: x\n", "unknown answer status 'done'"),
        ("- plan-1\n", "an answers file maps question ids to answers"),
    ],
    ids=["alias-bomb", "python-tag-on-a-list", "duplicate", "bad-status", "not-a-mapping"],
)  # fmt: skip
def test_hostile_incoming_is_refused(tmp_path: Path, theirs: str, message: str) -> None:
    incoming, target = files(tmp_path, theirs=theirs)
    result = run("merge", incoming, "--into", target)
    assert result.returncode == 2
    assert message in one_error_line(result)
    assert target.read_text("utf-8") == OURS


def test_hostile_text_is_contained(tmp_path: Path) -> None:
    """Tags are dropped, control characters escaped, markup and long lines kept as text."""
    long = "x" * 20_000
    theirs = (
        'plan-5: !!python/object:os.system "tagged"\n'
        'plan-6: "bell\\a escape\\e[31m nul\\0 {{ 7*7 }} <script>"\n'
        f"plan-7: {long}\n"
    )
    incoming, target = files(tmp_path, theirs=theirs)
    result = run("merge", incoming, "--into", target)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    new = target.read_text("utf-8")
    assert "!!python" not in new and "\x1b" not in new and "\x07" not in new
    answers, problems = answers_file.read_answers(target, "ours.yaml")
    assert problems == []
    got = {a.question_id: a.text for a in answers}
    assert got["plan-5"] == "tagged"
    assert got["plan-6"] == "bell\x07 escape\x1b[31m nul\x00 {{ 7*7 }} <script>"
    assert got["plan-7"] == long


def test_crlf_target_keeps_crlf(tmp_path: Path) -> None:
    incoming, target = files(tmp_path, ours=OURS.replace("\n", "\r\n"))
    assert run("merge", incoming, "--into", target, "--theirs").returncode == 0
    new = target.read_bytes().decode("utf-8")
    assert "\n" not in new.replace("\r\n", "") and "\r" not in new.replace("\r\n", "")
    assert new.startswith("# Team answers for the Safer Steps plan review\r\nplan-1:\r\n  format")


@pytest.mark.parametrize(
    ("ours", "message"),
    [
        ("{plan-1: x}\n", "not a block mapping"),
        ("plan-1: x\nplan-1: y\n", "appears twice"),
        ("plan-1: [unclosed\n", "invalid YAML"),
    ],
)
def test_target_that_cannot_be_edited_is_refused(tmp_path: Path, ours: str, message: str) -> None:
    incoming, target = files(tmp_path, ours=ours, theirs="plan-2a: new\n")
    result = run("merge", incoming, "--into", target)
    assert result.returncode == 2
    assert message in one_error_line(result)
    assert target.read_text("utf-8") == ours


def test_merged_file_builds_as_answers(tmp_path: Path) -> None:
    page = (
        "Review\n======\n\n.. ethics-review:: plan\n   :name: merged\n   :answers: answers.yaml\n"
    )
    src = write_project(tmp_path, {"review.rst": page, "answers.yaml": OURS}, CONF)
    incoming = tmp_path / "form.yaml"
    incoming.write_text(THEIRS, "utf-8")
    assert run("merge", incoming, "--into", src / "answers.yaml", "--theirs").returncode == 0
    report = json.loads(run("check", src, "--json").stdout)
    states = {s["id"]: s["state"] for s in report["reviews"][0]["slots"]}
    assert states["plan-1"] == states["plan-3"] == states["plan-4"] == "answered"
    assert states["plan-5"] == "not-applicable"
    assert states["plan-6"] == "unanswered"


# --------------------------------------------------------------------------
# Properties, on generated files
# --------------------------------------------------------------------------

WORDS = st.text(alphabet="abcdefghij klm", min_size=1, max_size=30).map(str.strip).filter(bool)
#: Any text a form could send: markup, control characters, quotes, line breaks.
ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=60
) | st.lists(WORDS, min_size=1, max_size=4).map("\n".join)


@st.composite
def entry_text(draw: st.DrawFn, qid: str) -> str:
    """One entry of a team's file, in one of the ways people write YAML."""
    words = draw(WORDS)
    style = draw(st.sampled_from(["plain", "comment", "double", "single", "literal", "folded",
                                  "stub", "mapping", "null"]))  # fmt: skip
    quoted = json.dumps(words + ' \\ " done')
    return {
        "plain": f"{qid}: {words}\n",
        "comment": f"{qid}: {words}  # a note\n",
        "double": f"{qid}: {quoted}\n",
        "single": f"{qid}: '{words} it''s'\n",
        "literal": f"{qid}: |\n  {words}\n\n  {words}\n\n",
        "folded": f"{qid}: >-\n  {words}\n  {words}\n",
        "stub": f'{qid}: ""\n',
        "mapping": f"{qid}:\n  status: not-applicable\n  text: {words}\n",
        "null": f"{qid}:\n",
    }[style]


@st.composite
def team_files(draw: st.DrawFn) -> str:
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=6))
    parts = []
    for qid in ids:
        parts.append(draw(st.sampled_from(["", "\n", "# a comment\n", "\n# 3. Question?\n"])))
        parts.append(draw(entry_text(qid)))
    text = "".join(parts)
    if draw(st.booleans()):
        text = text.rstrip("\n")
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


@st.composite
def incoming_answers(draw: st.DrawFn) -> list[FileAnswer]:
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=6))
    return [
        FileAnswer(qid, draw(st.sampled_from(["answered", "not-applicable", "draft"])),
                   draw(ANY_TEXT), "in.yaml", n + 1,
                   choice=draw(st.sampled_from(["", "", "yes", "no", "unsure"])),
                   format=draw(st.sampled_from(["", "text", "markup"])))
        for n, qid in enumerate(ids)
    ]  # fmt: skip


def fields(answer: FileAnswer) -> tuple[str, str, str, str]:
    return (answer.status, answer.text, answer.choice, answer.format)


def read_back(text: str) -> list[FileAnswer]:
    answers, problems = answers_merge.read_entries(yaml_reading.compose(text), "x.yaml")
    assert problems == []
    return answers


def keeps_bytes(old: str, new: str, spans: list[tuple[int, int]]) -> bool:
    """Every part of ``old`` outside ``spans`` is in ``new``, in order."""
    position, start = 0, 0
    for span_start, span_end in [*spans, (len(old), len(old))]:
        piece = old[start:span_start]
        found = new.find(piece, position)
        if found < 0 or (start == 0 and found != 0):
            return False
        position, start = found + len(piece), span_end
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(team_files(), incoming_answers(), st.sampled_from(["", "ours", "theirs"]))
def test_merge_keeps_every_byte_and_every_answer(
    old: str, theirs: list[FileAnswer], side: str
) -> None:
    ours = read_back(old)
    merge = answers_merge.plan(ours, theirs, side)
    if merge.conflicts:
        return  # the command writes nothing (tested above)
    try:
        new, spans = answers_merge.apply(old, merge, CATALOG.questions, "x.yaml")
    except answers_merge.MergeError as err:  # the one case that needs the user
        assert "no line break after it" in str(err) and not old.endswith(("\n", "\r"))
        return
    result = {a.question_id: fields(a) for a in read_back(new)}
    assert keeps_bytes(old, new, spans)
    if not merge.filled and not merge.replaced:
        assert new.startswith(old)
    replaced = {c.theirs.question_id for c in merge.replaced}
    for answer in theirs:
        if answers_merge.is_empty(answer):
            continue  # an empty incoming answer is skipped (and reported)
        kept = any(c.theirs is answer for c in merge.kept)
        same = answer in merge.same
        written = fields(answers_merge.as_written(answer))
        assert kept or same or result[answer.question_id] == written
    for answer in ours:
        if answer.question_id not in replaced and not answers_merge.is_empty(answer):
            assert result[answer.question_id] == fields(answer)
    again = answers_merge.plan(read_back(new), theirs, "")
    assert again.changes == 0 and not [c for c in again.conflicts if side != "ours"]


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.sampled_from(["answered", "not-applicable", "draft"]))
def test_any_text_is_written_as_data(text: str, status: str) -> None:
    answer = FileAnswer("plan-1", status, text, "in.yaml", 1, format="text")
    # In a file every entry ends with a line break (a block scalar's last
    # line needs one to keep a final "\n" of the text).
    value = yaml.safe_load("plan-1" + answers_merge.value_text(answer) + "\n")["plan-1"]
    status_field = {} if status == "answered" else {"status": status}
    assert value == {**status_field, "format": "text", "text": text}


# --------------------------------------------------------------------------
# Every field of an entry (SPEC §10): answer, format, by, received
# --------------------------------------------------------------------------

SCREENING = REPO / "examples" / "falls-prevention" / "screening-checklist.yaml"
SCREENING_PAGE = (
    "Screening\n=========\n\n.. ethics-review:: screening\n   :name: scr\n"
    "   :answers: answers.yaml\n"
)
SCREENING_CONF = CONF + 'ethics_checklists = ["screening-checklist.yaml"]\n'


def screening_project(tmp_path: Path, answers: str) -> Path:
    src = write_project(
        tmp_path, {"review.rst": SCREENING_PAGE, "answers.yaml": answers}, SCREENING_CONF
    )
    shutil.copy(SCREENING, src / "screening-checklist.yaml")
    return src


def referrals(src: Path) -> tuple[int, list[tuple[str, str, bool]]]:
    result = run("check", src, "--json")
    (review,) = json.loads(result.stdout)["reviews"]
    return result.returncode, [(r["question"], r["answer"], r["open"]) for r in review["referrals"]]


def test_a_screening_choice_is_not_empty_and_the_gate_stays_shut(tmp_path: Path) -> None:
    """The issue's example: ``{answer: yes}`` is an answer, an incoming ``no`` a conflict."""
    src = screening_project(tmp_path, "screening-1: {answer: yes}\n")
    before = referrals(src)
    assert before == (1, [("screening-1", "yes", True)])
    incoming = tmp_path / "form.yaml"
    incoming.write_text("screening-1: {answer: 'no'}\n", "utf-8")
    result = run("merge", incoming, "--into", src / "answers.yaml")
    assert result.returncode == 1, result.stdout
    assert f"{incoming}:1: screening-1: conflict" in result.stdout
    assert (src / "answers.yaml").read_text("utf-8") == "screening-1: {answer: yes}\n"
    assert referrals(src) == before


def test_a_changed_choice_with_the_same_text_is_a_change(tmp_path: Path) -> None:
    ours = "screening-2:\n  answer: unsure\n  text: We may keep names.\n"
    incoming, target = files(tmp_path, ours=ours, theirs=ours.replace("unsure", "no"))
    result = run("merge", incoming, "--into", target, "--conf-dir", SCREENING.parent)
    assert result.returncode == 1 and "screening-2: conflict" in result.stdout
    assert "already in" not in result.stdout
    result = run("merge", incoming, "--into", target, "--theirs", "--conf-dir", SCREENING.parent)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(target.read_text("utf-8")) == {
        "screening-2": {"answer": False, "format": "text", "text": "We may keep names."}
    }


def test_added_and_filled_entries_keep_every_field(tmp_path: Path) -> None:
    ours = 'screening-1: ""\n'
    theirs = (
        "screening-1: {answer: yes, text: A trial of two leaflets.}\n"
        "screening-2: {answer: unsure}\n"
        "screening-3:\n  answer: 'no'\n  format: markup\n  by: Ann (patient partner)\n"
        "  received: 2026-11-20\n  text: '*Nobody* outside.'\n"
    )
    incoming, target = files(tmp_path, ours=ours, theirs=theirs)
    result = run("merge", incoming, "--into", target, "--conf-dir", SCREENING.parent)
    assert result.returncode == 0, result.stderr
    new = target.read_text("utf-8")
    assert yaml.safe_load(new) == {
        "screening-1": {"answer": True, "format": "text", "text": "A trial of two leaflets."},
        "screening-2": {"answer": "unsure", "format": "text"},
        "screening-3": {
            "answer": False,
            "format": "markup",
            "by": "Ann (patient partner)",
            "received": "2026-11-20",
            "text": "*Nobody* outside.",
        },
    }
    got, problems = answers_merge.read_entries(yaml_reading.compose(new), "x")
    assert problems == []
    assert [(a.choice, a.format, a.by) for a in got] == [
        ("yes", "text", ""),
        ("unsure", "text", ""),
        ("no", "markup", "Ann (patient partner)"),
    ]
    # Merged again: every field is already there.
    again = run("merge", incoming, "--into", target, "--conf-dir", SCREENING.parent)
    assert again.returncode == 0 and "already has every answer" in again.stdout


def test_theirs_keeps_the_incoming_choice(tmp_path: Path) -> None:
    incoming, target = files(
        tmp_path, ours="screening-1: {answer: yes}\n", theirs="screening-1: {answer: unsure}\n"
    )
    result = run("merge", incoming, "--into", target, "--theirs", "--conf-dir", SCREENING.parent)
    assert result.returncode == 0, result.stderr
    assert target.read_text("utf-8") == "screening-1:\n  answer: unsure\n  format: text\n"


def test_a_different_format_is_a_conflict_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    ours = "plan-1:\n  format: text\n  text: '*as typed*'\n"
    incoming, target = files(tmp_path, ours=ours, theirs=ours.replace("text\n", "markup\n", 1))
    assert run("merge", incoming, "--into", target).returncode == 1
    incoming.write_text("plan-2a:\n  format: html\n  text: x\n", "utf-8")
    result = run("merge", incoming, "--into", target)
    assert result.returncode == 2
    assert "plan-2a: unknown format 'html'; use 'text'" in one_error_line(result)
    assert target.read_text("utf-8") == ours


def test_an_empty_entry_with_a_comment_under_it_blames_the_comment(tmp_path: Path) -> None:
    ours = 'plan-3: ""\n      # ask the panel in May\nplan-4: x\n'
    incoming, target = files(tmp_path, ours=ours, theirs="plan-3: |\n  A leaflet.\n  Posters.\n")
    result = run("merge", incoming, "--into", target)
    assert result.returncode == 2
    line = one_error_line(result)
    assert "the comment under plan-3 at line 2 would become part of its new text" in line
    assert "'...'" not in line and "anchors" not in line
    assert target.read_text("utf-8") == ours


def test_a_second_document_is_named_as_the_cause(tmp_path: Path) -> None:
    ours = "plan-4: x\n...\n"
    incoming, target = files(tmp_path, ours=ours, theirs="plan-3: new\n")
    result = run("merge", incoming, "--into", target)
    assert result.returncode == 2
    assert "has '---' or '...'" in one_error_line(result)
    assert target.read_text("utf-8") == ours


# --------------------------------------------------------------------------
# Compare before replace, under a lock
# --------------------------------------------------------------------------


def test_two_merges_at_once_never_lose_an_answer(tmp_path: Path) -> None:
    """Two people merge their downloads into one file at the same moment, 20 times."""
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    first.write_text("plan-1: Fewer falls.\n", "utf-8")
    second.write_text("plan-2a: Falls hurt people.\n", "utf-8")
    target = tmp_path / "answers.yaml"
    command = [sys.executable, "-m", "sphinx_ethics", "merge"]
    for attempt in range(20):
        target.write_text("# Team answers\n", "utf-8")
        runs = [
            subprocess.Popen(
                [*command, incoming, "--into", target],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for incoming in (first, second)
        ]
        results = [(p.wait(timeout=60), *p.communicate()) for p in runs]
        merged = yaml.safe_load(target.read_text("utf-8"))
        # The second waits for the first (the lock), then merges into what it wrote.
        assert [code for code, _out, _err in results] == [0, 0], (attempt, results)
        assert set(merged) == {"plan-1", "plan-2a"}, (attempt, merged)
        assert not (tmp_path / "answers.yaml.lock").exists()


def test_an_edit_while_merging_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file changed on disk after merge read it (an editor saved): nothing is written."""
    incoming, target = files(tmp_path, theirs="plan-2a: From the panel.\n")
    edited = OURS + "plan-6: typed in the editor meanwhile\n"
    real_apply = answers_merge.apply

    def apply_while_editing(*args: object, **kwargs: object) -> object:
        target.write_text(edited, "utf-8")
        return real_apply(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(answers_merge, "apply", apply_while_editing)
    assert cli_main(["merge", str(incoming), "--into", str(target)]) == 2
    error = capsys.readouterr().err.strip()
    assert error == (
        f"sphinx-ethics: error: {target} changed on disk while merge was reading it; "
        "nothing written (save your edits, then merge again)"
    )
    assert target.read_text("utf-8") == edited


def test_a_held_lock_is_waited_for_then_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fcntl = pytest.importorskip("fcntl")
    incoming, target = files(tmp_path, theirs="plan-2a: From the panel.\n")
    monkeypatch.setattr(cli_merge, "LOCK_TIMEOUT", 0.3)
    with open(tmp_path / "ours.yaml.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        assert cli_main(["merge", str(incoming), "--into", str(target)]) == 2
        assert 0.3 <= time.monotonic() - started < 5
    assert "another merge into" in capsys.readouterr().err
    assert target.read_text("utf-8") == OURS
    # Released: the next merge goes through and leaves no lock file behind.
    assert cli_main(["merge", str(incoming), "--into", str(target)]) == 0
    assert "plan-2a" in target.read_text("utf-8")


def test_the_read_back_check_covers_every_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer that dropped ``answer:`` (or ``format:``) is caught before anything is written."""
    theirs = [FileAnswer("screening-1", "answered", "A trial.", "in.yaml", 1, choice="yes")]
    merge = answers_merge.plan([], theirs)
    real = answers_merge.value_text
    for dropped in ("answer", "format"):
        monkeypatch.setattr(
            answers_merge,
            "value_text",
            lambda answer, real=real, dropped=dropped: "\n".join(
                line for line in real(answer).split("\n") if not line.startswith(f"  {dropped}:")
            ),
        )
        with pytest.raises(answers_merge.MergeError, match="would read back differently"):
            answers_merge.apply("", merge, CATALOG.questions, "x.yaml")


def test_a_choice_written_back_by_the_form_is_already_in(tmp_path: Path) -> None:
    """``screening-2: unsure`` in the team's file, sent through ``form --answers`` and
    downloaded as ``{answer: unsure}``: the same answer, nothing to merge."""
    incoming, target = files(
        tmp_path,
        ours="screening-2: unsure\n",
        theirs="screening-2:\n  answer: unsure\n  format: text\n",
    )
    result = run("merge", incoming, "--into", target, "--conf-dir", SCREENING.parent)
    assert result.returncode == 0, result.stdout
    assert "already has every answer" in result.stdout
