"""The built-in checklist data against its source, and the checklist file loader.

SPEC: every question, sub-question, prompt, top tip and definition of THIS
Institute's "Values and Ethics" is in the built-in data, worded as in the
source, with the source's numbering and with attribution; nothing is added.
The source text is read from ``$SPHINX_ETHICS_SOURCE`` or from
``tests/source/values-and-ethics.md``, a verbatim copy shipped as test data
under its CC BY-NC-ND 4.0 licence (see ``tests/source/README.md``), so these
tests run, and never skip, on any machine.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers import ATTRIBUTION

from sphinx_ethics.catalogue import (
    ChecklistFileError,
    builtin_path,
    load_catalog,
    validate_file,
)
from sphinx_ethics.catalogue import attribution as attribution_wording

# --------------------------------------------------------------------------
# The source text
# --------------------------------------------------------------------------


def source_path() -> Path:
    env = os.environ.get("SPHINX_ETHICS_SOURCE")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent / "source" / "values-and-ethics.md"


@pytest.fixture(scope="module")
def source_lines() -> list[str]:
    path = source_path()
    # Never a skip: the source ships with the tests (tests/source/), so a
    # missing file is a broken checkout and must fail loudly.
    assert path.is_file(), f"source text not found at {path} (see tests/source/README.md)"
    return path.read_text("utf-8").splitlines()


def plain(text: str) -> str:
    """Markdown emphasis removed and whitespace collapsed."""
    return " ".join(text.replace("**", "").split())


@pytest.fixture(scope="module")
def source_text(source_lines: list[str]) -> str:
    return plain("\n".join(source_lines))


@dataclass
class SourceQuestion:
    number: str
    text: str
    prompts: list[str] = field(default_factory=list)
    subquestions: list[SourceQuestion] = field(default_factory=list)


HEADING = re.compile(r"^(#+)\s+(.*)$")
NUMBERED = re.compile(r"^(\d+)\.\s+(.+)$")
LETTERED = re.compile(r"^\s+-\s+([a-z])\.\s+(.+)$")
NESTED_BULLET = re.compile(r"^\s+-\s+(.+)$")
TOP_BULLET = re.compile(r"^-\s+(.+)$")
EMPTY_BULLET = re.compile(r"^\s*-\s*$")


def sections(lines: list[str]) -> dict[str, list[str]]:
    """Heading text (emphasis removed) -> the lines up to the next heading."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        match = HEADING.match(line)
        if match:
            current = found.setdefault(plain(match[2]), [])
        elif current is not None:
            current.append(line)
    return found


def parse_questions(lines: list[str]) -> tuple[list[SourceQuestion], list[str]]:
    """Questions (numbered items or top-level bullets) and intro paragraphs of a section.

    Numbered items are questions with the source's numbers; ``- a.`` items are
    lettered sub-questions; other nested bullets are prompts.  In sections
    that use top-level bullets instead of numbers (collaboration,
    co-production), each bullet is a question numbered in order.
    """
    questions: list[SourceQuestion] = []
    intro: list[str] = []
    for line in lines:
        if not line.strip() or EMPTY_BULLET.match(line) or set(line.strip()) == {"-"}:
            continue
        if match := NUMBERED.match(line):
            questions.append(SourceQuestion(match[1], plain(match[2])))
        elif match := LETTERED.match(line):
            parent = questions[-1]
            parent.subquestions.append(SourceQuestion(parent.number + match[1], plain(match[2])))
        elif match := NESTED_BULLET.match(line):
            questions[-1].prompts.append(plain(match[1]))
        elif match := TOP_BULLET.match(line):
            questions.append(SourceQuestion(str(len(questions) + 1), plain(match[1])))
        elif not questions:
            intro.append(plain(line))
    return questions, intro


# --------------------------------------------------------------------------
# The data, as loaded by the package
# --------------------------------------------------------------------------

CATALOG = load_catalog()
RESOURCE_KEYS = ("publisher", "authors", "title", "url")
CHECKLIST_IDS = ["plan", "healthcare-good", "process-good", "collaboration", "co-production"]


def catalog_strings() -> list[tuple[str, str]]:
    """(label, text) for every piece of source wording in the built-in data."""
    items: list[tuple[str, str]] = []
    for checklist in CATALOG.checklists.values():
        items.append((f"{checklist.id} title", checklist.title))
        items += [(f"{checklist.id} intro {i}", p) for i, p in enumerate(checklist.intro, 1)]
        for question in checklist.iter_questions():
            items.append((question.id, question.text))
            items += [(f"{question.id} prompt {i}", p) for i, p in enumerate(question.prompts, 1)]
    for tip in CATALOG.tips.values():
        items += [(f"{tip.id} title", tip.title), (f"{tip.id} text", tip.text)]
    for definition in CATALOG.definitions.values():
        items.append((f"{definition.id} term", definition.term))
        items += [(f"{definition.id} text {i}", p) for i, p in enumerate(definition.text, 1)]
        items += [(f"{definition.id} item {i}", p) for i, p in enumerate(definition.items, 1)]
        items += [(f"{definition.id} closing {i}", p) for i, p in enumerate(definition.closing, 1)]
    for intro in CATALOG.introductions.values():
        items.append((f"{intro.id} title", intro.title))
        items += [(f"{intro.id} text {i}", p) for i, p in enumerate(intro.text, 1)]
    for resource in CATALOG.resources.values():
        items += [(f"{resource.id} {key}", getattr(resource, key)) for key in RESOURCE_KEYS]
    return items


@pytest.mark.parametrize(
    ("label", "text"), catalog_strings(), ids=[x[0] for x in catalog_strings()]
)
def test_every_data_string_occurs_verbatim_in_source(source_text: str, label: str, text: str):
    if label.endswith(" authors") and not text:
        return  # a resource the source lists without authors
    assert text == text.strip() and text, label
    if label.endswith(" term"):
        # Terms are shown in bold in running text ("**Improvement ethics** focuses").
        assert text.casefold() in source_text.casefold(), label
    else:
        assert plain(text) in source_text, f"{label}: {text!r} is not in the source"


def test_definition_terms_are_the_source_s_terms(source_lines: list[str]):
    bold = {
        plain(m).casefold()
        for line in sections(source_lines)["Definitions"]
        for m in re.findall(r"\*\*(.+?)\*\*", line)
    }
    terms = [d.term for d in CATALOG.definitions.values()]
    assert terms == ["Ethics", "Improvement ethics", "Implicit normativity", "Ethical analysis"]
    assert {t.casefold() for t in terms[1:]} <= bold


@pytest.mark.parametrize("checklist_id", CHECKLIST_IDS)
def test_checklist_matches_source_section_exactly(source_lines: list[str], checklist_id: str):
    """Every numbered or bulleted item of the section is in the data, and nothing else."""
    checklist = CATALOG.checklists[checklist_id]
    found = sections(source_lines)
    assert checklist.title in found, f"no source heading {checklist.title!r}"
    expected, intro = parse_questions(found[checklist.title])
    actual = [
        SourceQuestion(
            q.number,
            q.text,
            list(q.prompts),
            [SourceQuestion(s.number, s.text, list(s.prompts)) for s in q.subquestions],
        )
        for q in checklist.questions
    ]
    assert actual == expected
    if checklist_id in ("collaboration", "co-production"):
        assert list(checklist.intro) == intro


def test_practical_questions_sections_are_all_covered(source_lines: list[str]):
    """Every heading that introduces questions or ethical issues is a checklist."""
    titles = {c.title for c in CATALOG.checklists.values()}
    question_headings = {
        heading
        for heading in sections(source_lines)
        if heading.startswith(("Questions to", "Ethical issues around"))
    }
    assert question_headings == titles


def test_tips_match_source(source_lines: list[str]):
    tips: list[tuple[str, str]] = []
    in_tips = False
    for line in source_lines:
        match = HEADING.match(line)
        if match and match[1] == "#":
            in_tips = plain(match[2]) == "Top tips for improvement ethics"
            continue
        if not in_tips:
            continue
        if match:
            if plain(match[2]) == "Practical questions":
                break
            tips.append((plain(match[2]), ""))
        elif line.strip() and tips:
            title, text = tips[-1]
            tips[-1] = (title, plain(f"{text} {line}"))
    assert len(tips) == 6
    assert [(t.title, t.text) for t in CATALOG.tips.values()] == tips


def test_definitions_match_source(source_lines: list[str]):
    lines = sections(source_lines)["Definitions"]
    paragraphs = [plain(x) for x in lines if x.strip() and not x.startswith("- ")]
    bullets = [plain(x[2:]) for x in lines if x.startswith("- ")]
    data_paragraphs = [p for d in CATALOG.definitions.values() for p in (*d.text, *d.closing)]
    assert sorted(data_paragraphs) == sorted(paragraphs)
    assert list(CATALOG.definitions["ethical-analysis"].items) == bullets


# --------------------------------------------------------------------------
# Ids, counts, attribution (SPEC section 1)
# --------------------------------------------------------------------------

EXPECTED_SLOTS = {
    "plan": [
        "plan-1",
        "plan-2a",
        "plan-2b",
        "plan-2c",
        "plan-2d",
        "plan-3",
        "plan-4",
        "plan-5",
        "plan-6",
        "plan-7",
        "plan-8",
    ],
    "healthcare-good": [
        "healthcare-good-1",
        "healthcare-good-2",
        "healthcare-good-3a",
        "healthcare-good-3b",
        "healthcare-good-3c",
        "healthcare-good-4",
        "healthcare-good-5",
        "healthcare-good-6",
        "healthcare-good-7",
        "healthcare-good-8",
    ],
    "process-good": [
        "process-good-1a",
        "process-good-1b",
        "process-good-1c",
        "process-good-1d",
        "process-good-2",
        "process-good-3",
    ],
    "collaboration": ["collaboration-1"],
    "co-production": ["co-production-1", "co-production-2"],
}


def test_builtin_checklist_ids_in_order():
    assert list(CATALOG.checklists) == CHECKLIST_IDS


@pytest.mark.parametrize(("checklist_id", "slots"), EXPECTED_SLOTS.items())
def test_answer_slot_ids(checklist_id: str, slots: list[str]):
    assert [q.id for q in CATALOG.checklists[checklist_id].slots()] == slots


def test_slot_counts():
    counts = {cid: len(c.slots()) for cid, c in CATALOG.checklists.items()}
    assert counts == {
        "plan": 11,
        "healthcare-good": 10,
        "process-good": 6,
        "collaboration": 1,
        "co-production": 2,
    }


def test_groups_and_prompts():
    questions = CATALOG.questions
    groups = sorted(q.id for q in questions.values() if q.is_group)
    assert groups == ["healthcare-good-3", "plan-2", "process-good-1"]
    assert [s.id for s in questions["plan-2"].subquestions] == [
        "plan-2a",
        "plan-2b",
        "plan-2c",
        "plan-2d",
    ]
    assert questions["healthcare-good-5"].prompts == (
        "different aspects of quality or different kinds of better in healthcare",
        "the needs of and potential benefits to different groups of people",
        "actions and effects at different levels in the healthcare system.",
    )
    assert not questions["healthcare-good-5"].is_group
    assert questions["collaboration-1"].prompts == ("Are we genuinely listening to all voices?",)
    assert len(questions["process-good-2"].prompts) == 3
    assert questions["plan-2b"].number == "2b" and questions["plan-2b"].parent == "plan-2"


def test_question_ids_follow_the_pattern():
    for question in CATALOG.questions.values():
        assert re.fullmatch(rf"{question.checklist}-\d+[a-z]?", question.id), question.id
        assert question.id == f"{question.checklist}-{question.number}"


def test_six_tips():
    assert list(CATALOG.tips) == [
        "tip-ethical-analysis-is-integral",
        "tip-create-space-for-debates",
        "tip-strike-a-balance",
        "tip-collaborate-with-specialists",
        "tip-divide-up-tasks",
        "tip-examine-assumptions",
    ]


def test_four_definitions():
    assert list(CATALOG.definitions) == [
        "ethics",
        "improvement-ethics",
        "implicit-normativity",
        "ethical-analysis",
    ]
    assert len(CATALOG.definitions["ethical-analysis"].items) == 4


def test_attribution_is_carried_in_the_data():
    attributions = {c.attribution for c in CATALOG.checklists.values()}
    attributions |= {t.attribution for t in CATALOG.tips.values()}
    attributions |= {d.attribution for d in CATALOG.definitions.values()}
    attributions |= {i.attribution for i in CATALOG.introductions.values()}
    attributions |= {r.attribution for r in CATALOG.resources.values()}
    assert len(attributions) == 1
    (attribution,) = attributions
    assert attribution is not None
    # The adaptation: the Explain THIS resource, by THIS Institute, at its address.
    assert (attribution.title, attribution.series) == ("Values and Ethics", "Explain THIS")
    assert attribution.publisher == "THIS Institute"
    assert attribution.url == "https://ths.im/explain-this"
    assert attribution.authors == () and attribution.doi == ""
    # The original: the book's authors, series and DOI.
    original = attribution.original
    assert original is not None
    assert original.title == "Values and Ethics"
    assert original.authors == ("Alan Cribb", "Vikki Entwistle", "Polly Mitchell")
    assert original.series == "Elements of Improving Quality and Safety in Healthcare"
    assert original.doi == "10.1017/9781009325233"
    assert attribution.changes.startswith("Excerpted and reformatted")
    assert attribution.licence == "CC BY-NC-ND 4.0"
    assert attribution.licence_url == "https://creativecommons.org/licenses/by-nc-nd/4.0/"
    assert hash(attribution) == hash(load_catalog().checklists["plan"].attribution)


def test_attribution_states_the_source_s_own_account(source_text: str):
    """Every fact of the attribution is in the source ("This resource is adapted
    from 'Values and Ethics', by ..., part of THIS Institute's series '...'")."""
    attribution = CATALOG.checklists["plan"].attribution
    assert attribution is not None and attribution.original is not None
    original = attribution.original
    names = ", ".join(original.authors[:-1]) + ", and " + original.authors[-1]
    adapted = f"This resource is adapted from '{original.title}', by {names}, part of "
    unlinked = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", source_text)  # '[series](#)'
    assert adapted + f"THIS Institute's series '{original.series}'" in unlinked
    for fact in (attribution.series, attribution.publisher, attribution.url, original.doi):
        assert fact in source_text, fact
    assert attribution_wording.text(attribution) == ATTRIBUTION


def test_attribution_claims_nothing_the_source_does_not_say():
    """No publisher or licensor that the source does not name."""
    text = builtin_path().read_text("utf-8")
    for claim in ("Cambridge", "University"):
        assert claim not in text, claim


def test_introductions_are_whole_source_paragraphs(source_lines: list[str]):
    """Each introduction is the paragraphs under its source heading, whole and in order."""
    found = sections(source_lines)
    for intro in CATALOG.introductions.values():
        assert intro.title in found, intro.title
        paragraphs = [plain(x) for x in found[intro.title] if x.strip()]
        assert list(intro.text) == paragraphs[: len(intro.text)], intro.id
    assert list(CATALOG.introductions) == [
        "why-improvement-ethics",
        "practical-questions",
        "useful-resources",
    ]


def test_resources_match_source(source_lines: list[str]):
    """The "Useful resources": under each publisher heading, authors (if any),
    title and link, exactly, in the source's order."""
    listed: list[tuple[str, ...]] = []
    in_resources = False
    for line in source_lines:
        match = HEADING.match(line)
        if match and len(match[1]) <= 2:
            in_resources = plain(match[2]) == "Useful resources"
        elif match and in_resources:
            listed.append((plain(match[2]),))
        elif in_resources and listed and plain(line) not in ("", "THIS.Institute"):
            listed[-1] += (plain(line).removeprefix("<").split(">")[0],)
    expected = [(p, "", *rest) if len(rest) == 2 else (p, *rest) for p, *rest in listed]
    actual = [(r.publisher, r.authors, r.title, r.url) for r in CATALOG.resources.values()]
    assert actual == expected
    assert len(actual) == 4


def test_builtin_file_carries_its_licence_notice():
    text = builtin_path().read_text("utf-8")
    assert builtin_path().parent.name == "checklists"
    assert "CC BY-NC-ND 4.0" in text
    assert "10.1017/9781009325233" in text


def test_builtin_file_validates_against_shipped_schema():
    schema_file = builtin_path().parent / "checklist.schema.json"
    schema = json.loads(schema_file.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.safe_load(builtin_path().read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


# --------------------------------------------------------------------------
# The loader: errors with file:line
# --------------------------------------------------------------------------

GOOD = """\
schema_version: 1
version: "2026.1"
source:
  title: "Ward 7 team questions"
checklists:
  - id: team
    title: "Team questions"
    questions:
      - number: 1
        text: "Who is on the team?"
      - number: 2
        text: "How do we decide?"
        subquestions:
          - letter: a
            text: "Who has the final say?"
          - letter: b
            text: "How are disagreements settled?"
tips:
  - id: tip-ask-early
    title: "Ask early"
    text: "Ask the questions before the first cycle."
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def problems_of(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(ChecklistFileError) as info:
        load_catalog([path])
    return [(p.line, p.message) for p in info.value.problems]


def test_custom_file_loads_beside_builtin(tmp_path: Path):
    path = write(tmp_path, "team.yaml", GOOD)
    catalog = load_catalog([path])
    assert [q.id for q in catalog.checklists["team"].slots()] == ["team-1", "team-2a", "team-2b"]
    assert "plan" in catalog.checklists and "tip-ask-early" in catalog.tips
    assert validate_file(path) == []


def test_malformed_yaml_reports_file_and_line(tmp_path: Path):
    text = GOOD.replace("      - number: 2", "     - number: 2")  # bad indentation
    bad_line = text.splitlines().index("     - number: 2") + 1
    path = write(tmp_path, "bad-indent.yaml", text)
    with pytest.raises(ChecklistFileError) as info:
        load_catalog([path])
    assert f"bad-indent.yaml:{bad_line}:" in str(info.value)
    assert "YAML" in str(info.value)
    assert "Traceback" not in str(info.value)


def test_missing_text_reports_the_question_line(tmp_path: Path):
    text = GOOD.replace('        text: "How do we decide?"\n', "")
    path = write(tmp_path, "missing-text.yaml", text)
    line = text.splitlines().index("      - number: 2") + 1
    problems = problems_of(path)
    assert any(n == line and "'text' is a required property" in m for n, m in problems), problems
    assert any(f"{path}:{line}:" in str(p) for p in validate_file(path))


def test_unknown_key_says_did_you_mean(tmp_path: Path):
    text = GOOD.replace('        text: "Who is on the team?"', '        txt: "Who is on the team?"')
    path = write(tmp_path, "unknown-key.yaml", text)
    problems = problems_of(path)
    messages = " | ".join(m for _, m in problems)
    assert 'unknown key "txt"' in messages
    assert 'did you mean "text"' in messages


def test_unknown_key_on_first_line_of_mapping_reports_that_line(tmp_path: Path):
    text = GOOD.replace("      - number: 1\n", "      - numbr: 1\n")
    path = write(tmp_path, "unknown-first.yaml", text)
    line = text.splitlines().index("      - numbr: 1") + 1
    problems = problems_of(path)
    assert any(n == line and 'unknown key "numbr"' in m for n, m in problems), problems
    assert any('did you mean "number"' in m for _, m in problems)


def test_unknown_key_reports_its_own_line(tmp_path: Path):
    text = GOOD.replace(
        '        text: "Who is on the team?"\n',
        '        text: "Who is on the team?"\n        promts:\n          - "A prompt"\n',
    )
    path = write(tmp_path, "unknown-key-line.yaml", text)
    line = text.splitlines().index("        promts:") + 1
    problems = problems_of(path)
    assert any('did you mean "prompts"' in m for _, m in problems), problems
    assert [n for n, m in problems if 'unknown key "promts"' in m] == [line]


def test_duplicate_checklist_id(tmp_path: Path):
    text = GOOD.replace(
        "tips:",
        '  - id: team\n    title: "Again"\n    questions:\n      - number: 1\n'
        '        text: "Again?"\ntips:',
    )
    path = write(tmp_path, "dup.yaml", text)
    line = text.splitlines().index("  - id: team", 6) + 1
    assert (line, "checklist 'team' is defined twice") in problems_of(path)


def test_duplicate_question_number(tmp_path: Path):
    text = GOOD.replace("      - number: 2", "      - number: 1")
    path = write(tmp_path, "dup-number.yaml", text)
    line = [n for n, t in enumerate(text.splitlines(), 1) if t == "      - number: 1"][1]
    assert (line, "question number 1 is defined twice") in problems_of(path)


def test_duplicate_tip_id(tmp_path: Path):
    text = GOOD + '  - id: tip-ask-early\n    title: "Again"\n    text: "Again."\n'
    path = write(tmp_path, "dup-tip.yaml", text)
    line = len(GOOD.splitlines()) + 1
    assert (line, "tip 'tip-ask-early' is defined twice") in problems_of(path)


def test_id_clashing_with_builtin_checklist(tmp_path: Path):
    path = write(tmp_path, "clash.yaml", GOOD.replace("id: team", "id: plan"))
    problems = problems_of(path)
    assert any(n == 6 and "'plan' is already defined" in m for n, m in problems), problems


def test_validate_file_lists_every_problem_with_line(tmp_path: Path):
    text = GOOD.replace("      - number: 2", "      - numbr: 2").replace(
        "  - id: tip-ask-early", "  - id: Tip Ask Early"
    )
    path = write(tmp_path, "two-problems.yaml", text)
    problems = validate_file(path)
    assert len(problems) >= 2
    assert all(p.file == str(path) and p.line > 1 for p in problems)
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    rendered = [str(p) for p in problems]
    assert all(re.match(rf"{re.escape(str(path))}:\d+: ", r) for r in rendered)


def test_validate_file_missing_file(tmp_path: Path):
    problems = validate_file(tmp_path / "nope.yaml")
    assert len(problems) == 1 and "not found" in problems[0].message


def test_yaml_is_loaded_safely(tmp_path: Path):
    marker = tmp_path / "pwned"
    text = GOOD.replace(
        'version: "2026.1"', f'version: !!python/object/apply:os.system ["touch {marker}"]'
    )
    path = write(tmp_path, "unsafe.yaml", text)
    with pytest.raises(ChecklistFileError):
        load_catalog([path])
    assert not marker.exists()


def test_empty_file_is_an_error_not_a_crash(tmp_path: Path):
    path = write(tmp_path, "empty.yaml", "")
    assert problems_of(path)[0][0] == 1
