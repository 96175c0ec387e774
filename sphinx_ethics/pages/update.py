"""Bringing a fill-in review page up to date: ``sphinx-ethics update``.

``update`` adds stubs for slots a page does not have yet (a checklist
gained a question) and does nothing else: it only ever *inserts* text, so
every byte a team wrote, answers above all, stays exactly where it was.
A review with an ``:answers:`` file gets entries in that file instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_ethics import files
from sphinx_ethics.answers import file as answers_file
from sphinx_ethics.catalogue import Catalog, Checklist, Question, unknown_id
from sphinx_ethics.pages.new import Format, PageError, stub_pieces
from sphinx_ethics.pages.scan import Block, ReviewBlock, scan_page, split_lines


@dataclass(frozen=True)
class Insertion:
    """Text to insert before line ``line`` (0-based; ``len(lines)`` = at the end)."""

    line: int
    text: str
    ids: tuple[str, ...]


@dataclass
class AnswersFileEntries:
    """Entries ``update`` appends to a review's ``:answers:`` file."""

    path: Path
    display: str
    questions: list[Question]

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]


@dataclass
class UpdatePlan:
    insertions: list[Insertion] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    strays: list[tuple[str, int]] = field(default_factory=list)  # (id, 1-based line)
    file_entries: list[AnswersFileEntries] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "file:line: message", as the build

    @property
    def changed(self) -> bool:
        return bool(self.insertions or self.file_entries)


def answers_file_path(
    review: ReviewBlock, page: Path | None, srcdir: Path | None, where: str
) -> Path | None:
    """The review's ``:answers:`` file, by the extension's rules, or None if it has none.

    The file must lie inside the source directory (the directory of the
    nearest conf.py, else the page's) and be a regular file: the build
    would not read it otherwise, so neither does ``update``.
    """
    name = review.options.get("answers", "").strip()
    if not name or page is None:
        return None
    document_dir = page.parent if str(page.parent) else Path(".")
    path = answers_file.resolve(srcdir or document_dir, document_dir, name)
    line = review.line + 1
    if path is None:
        raise PageError(f"{where}:{line}: :answers: file {name!r} is outside the source directory")
    if not path.exists():
        raise PageError(f"{where}:{line}: :answers: file {name!r} not found")
    if not files.is_regular(path):
        raise PageError(f"{where}:{line}: :answers: file {name!r} is not a regular file")
    return path


def review_checklists(review: ReviewBlock, catalog: Catalog, where: str) -> list[Checklist]:
    if not review.checklists:
        raise PageError(f"{where}:{review.line + 1}: the ethics-review names no checklist")
    found = []
    for name in review.checklists:
        if name not in catalog.checklists:
            message = unknown_id("checklist", name, catalog.checklists, list_known=True)
            raise PageError(f"{where}:{review.line + 1}: {message}")
        found.append(catalog.checklists[name])
    return found


def plan_update(
    text: str,
    fmt: Format,
    catalog: Catalog,
    page: Path | None = None,
    where: str = "page",
    srcdir: Path | None = None,
) -> UpdatePlan:
    """What ``update`` would insert into ``text``; the text itself is not touched."""
    lines = split_lines(text)
    reviews = scan_page(text, fmt)
    if not reviews:
        raise PageError(f"{where}: no ethics-review found (is this a {fmt} page?)")
    plan = UpdatePlan()
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    for review in reviews:
        checklists = review_checklists(review, catalog, where)
        path = answers_file_path(review, page, srcdir, where)
        if path is None:
            _plan_review(review, checklists, fmt, plan)
            continue
        display = str(path)
        items, problems = answers_file.read_answers(path, display)
        plan.problems += [f"{p.location}: {p.message}" for p in problems]
        in_file = {item.question_id for item in items}
        _plan_file_review(review, checklists, in_file, plan, AnswersFileEntries(path, display, []))
    plan.insertions = _merge(plan.insertions, lines, newline)
    return plan


def _plan_file_review(
    review: ReviewBlock,
    checklists: Sequence[Checklist],
    in_file: set[str],
    plan: UpdatePlan,
    entries: AnswersFileEntries,
) -> None:
    """A review with an answers file: missing slots become entries in that file.

    Empty stubs in the page would be second answers beside the file's, so
    the page itself is not changed.
    """
    known = {q.id for c in checklists for q in c.iter_questions()}
    answered = {a.id for a in review.answers} | in_file
    plan.strays += [(a.id, a.start + 1) for a in review.answers if a.id not in known]
    # Two reviews may share one file: its entries are planned once.
    target = next((e for e in plan.file_entries if e.path == entries.path), entries)
    planned = set(target.ids)
    for checklist in checklists:
        for question in checklist.slots():
            if question.id not in answered and question.id not in planned:
                target.questions.append(question)
                planned.add(question.id)
    if target is entries and entries.questions:
        plan.file_entries.append(entries)


def _plan_review(
    review: ReviewBlock,
    checklists: Sequence[Checklist],
    fmt: Format,
    plan: UpdatePlan,
) -> None:
    questions = [q for c in checklists for q in c.iter_questions()]
    known = {q.id for q in questions}
    answered = {a.id for a in review.answers}
    plan.strays += [(a.id, a.start + 1) for a in review.answers if a.id not in known]
    blocks: dict[str, list[Block]] = {}
    for block in [*review.notes, *review.answers]:
        blocks.setdefault(block.id, []).append(block)

    # Where the next stub goes: after the last block of the nearest earlier
    # question on the page, else at the start of the review's content.
    anchor, indent, fence = review.body_start, review.body_indent, review.stub_fence
    for question in questions:
        own = blocks.get(question.id, [])
        missing = [] if question.is_group else ([] if question.id in answered else [question])
        if question.is_group and not own:
            if any(s.id not in answered for s in question.subquestions):
                pieces = stub_pieces(question, fmt, indent, fence)
                plan.insertions.append(Insertion(anchor, _join(pieces), ()))
        elif missing:
            if own:  # its comment is on the page but its answer was removed
                last = max(own, key=lambda b: b.end)
                pieces = stub_pieces(question, fmt, last.indent, fence, with_note=False)
                plan.insertions.append(Insertion(last.end, _join(pieces), (question.id,)))
            else:
                pieces = stub_pieces(question, fmt, indent, fence)
                plan.insertions.append(Insertion(anchor, _join(pieces), (question.id,)))
            plan.added.append(question.id)
        if own:
            last = max(own, key=lambda b: b.end)
            anchor, indent = last.end, last.indent
            fence = last.fence or fence


def _join(pieces: Sequence[Sequence[str]]) -> str:
    return "\n\n".join("\n".join(piece) for piece in pieces)


def _merge(insertions: Sequence[Insertion], lines: list[str], newline: str) -> list[Insertion]:
    """One insertion per line, with the blank lines that keep blocks apart."""
    by_line: dict[int, list[Insertion]] = {}
    for insertion in insertions:
        by_line.setdefault(insertion.line, []).append(insertion)
    merged = []
    for line in sorted(by_line):
        group = by_line[line]
        before = "\n" if line > 0 and not lines[line - 1].endswith("\n") else ""
        body = "".join("\n" + item.text + "\n" for item in group)
        after = "\n" if line < len(lines) and lines[line].strip() else ""
        text = (before + body + after).replace("\n", newline)
        ids = tuple(i for item in group for i in item.ids)
        merged.append(Insertion(line, text, ids))
    return merged


def apply_insertions(text: str, insertions: Iterable[Insertion]) -> str:
    """``text`` with each insertion placed before its line; nothing else changes."""
    lines = split_lines(text)
    by_line = {i.line: i.text for i in insertions}
    out = []
    for index, line in enumerate(lines):
        out.append(by_line.get(index, ""))
        out.append(line)
    out.append(by_line.get(len(lines), ""))
    return "".join(out)
