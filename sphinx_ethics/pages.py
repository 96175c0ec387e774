"""Fill-in review pages: write a new one, bring an existing one up to date.

``sphinx-ethics new`` writes a page with one empty ``ethics-answer`` per slot
and the question beside it as a comment, so the page builds straight away and
the build lists every slot still to answer.  ``sphinx-ethics update`` adds
stubs for slots a page does not have yet (a checklist gained a question)
and does nothing else: it only ever *inserts* text, so every byte a team
wrote, answers above all, stays exactly where it was.

Pages are read with a small line scanner rather than docutils or MyST: a
parser would hand back a tree, not the bytes, and the file must be edited
in place.  The scanner knows just enough of each syntax (indentation and
comments for reStructuredText; fences and ``%`` comments for MyST) to find
each review, its answers and the comments ``new`` wrote, and to skip
literal and code blocks that merely show such text.
"""

from __future__ import annotations

import json
import re
import string
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from sphinx_ethics import answers_file, files
from sphinx_ethics.catalog import Catalog, Checklist, Question, did_you_mean

Format = Literal["rst", "md"]
FORMATS: tuple[Format, ...] = ("rst", "md")
SUFFIXES: dict[str, Format] = {".rst": "rst", ".rest": "rst", ".txt": "rst", ".md": "md"}
WIDTH = 79
RST_INDENT = "   "


class PageError(files.FileError):
    """A page cannot be written or updated; the message is one line for the user."""


@dataclass(frozen=True)
class ReviewMeta:
    """Options ``new`` writes on the ``ethics-review`` directive (empty = left out)."""

    name: str = ""
    title: str = ""
    owner: str = ""
    reviewers: str = ""
    date: str = ""
    review_by: str = ""
    status: str = ""

    def options(self) -> list[tuple[str, str]]:
        pairs = [
            ("name", self.name),
            ("owner", self.owner),
            ("reviewers", self.reviewers),
            ("date", self.date),
            ("review-by", self.review_by),
            ("status", self.status),
        ]
        return [(key, " ".join(value.split())) for key, value in pairs if value.strip()]


def page_format(path: str | None, explicit: str | None) -> Format:
    """``--format`` if given, else the file's extension (.rst or .md)."""
    if explicit:
        return "md" if explicit in ("md", "myst", "markdown") else "rst"
    suffix = Path(path).suffix.lower() if path and path != "-" else ""
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    what = f"the extension {suffix!r}" if suffix else "no file extension"
    raise PageError(f"cannot tell the page format from {what}: use --format rst or --format md")


# --------------------------------------------------------------------------
# Writing stubs and pages
# --------------------------------------------------------------------------


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    wrapper = textwrap.TextWrapper(
        width=max(width, 30),
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapper.wrap(" ".join(text.split())) or [first.rstrip()]


def question_note(question: Question, width: int) -> list[str]:
    """The comment text for a question: id and text, then its prompts."""
    lines = _wrap(f"{question.id}: {question.text}", width, "", "  ")
    for prompt in question.prompts:
        lines += _wrap(prompt, width, "  - ", "    ")
    if question.is_group:
        note = f"(Answer its lettered parts below; an answer to {question.id} is optional.)"
        lines += _wrap(note, width, "  ", "  ")
    return lines


def comment(lines: Sequence[str], fmt: Format, indent: str = "") -> list[str]:
    """A comment block that neither docutils nor MyST renders."""
    if fmt == "md":
        return [f"{indent}% {line}".rstrip() for line in lines]
    return [f"{indent}.."] + [f"{indent}{RST_INDENT}{line}".rstrip() for line in lines]


def answer_stub(question_id: str, fmt: Format, indent: str = "", fence: str = ":::") -> list[str]:
    """An empty answer: the build reports it as unanswered until it is filled in."""
    if fmt == "md":
        return [f"{indent}{fence}{{ethics-answer}} {question_id}", f"{indent}{fence}"]
    return [f"{indent}.. ethics-answer:: {question_id}"]


def stub_pieces(
    question: Question,
    fmt: Format,
    indent: str = "",
    fence: str = ":::",
    with_note: bool = True,
    with_answer: bool = True,
) -> list[list[str]]:
    """The blocks (separated by blank lines) that stand for one question."""
    width = WIDTH - len(indent) - (len(RST_INDENT) if fmt == "rst" else 2)
    pieces = []
    if with_note:
        pieces.append(comment(question_note(question, width), fmt, indent))
    if with_answer and not question.is_group:
        pieces.append(answer_stub(question.id, fmt, indent, fence))
    return pieces


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _rst_title(text: str) -> list[str]:
    escaped = re.sub(r"([\\*`_|])", r"\\\1", text)
    if not escaped[:1].isalnum() and not escaped.startswith("\\"):
        escaped = "\\" + escaped  # "- x", ".. x", "1. x" would not be a title
    return [escaped, "=" * max(_display_width(escaped), 3)]


def _md_title(text: str) -> str:
    """A Markdown heading; characters that could start inline markup are escaped."""
    return "# " + re.sub(r"([\\`*_\[\]<>{}!|~$&#])", r"\\\1", text)


def default_title(checklists: Sequence[Checklist]) -> str:
    """A page title from the checklists' own titles, so no two pages read alike."""
    titles = [c.title.strip() for c in checklists if c.title.strip()]
    if not titles:
        return "Ethics review"
    return "Ethics review: " + "; ".join(titles)


def _myst_value(value: str) -> str:
    """An option value MyST reads back unchanged (quoted when YAML would not)."""
    if re.fullmatch(r"[A-Za-z0-9][\w .,;/()@+'-]*", value) and not value.endswith(" "):
        return value
    return json.dumps(value, ensure_ascii=False)


HOW_TO = (
    "Written by 'sphinx-ethics new'. Write each answer under its "
    "'ethics-answer' line{where}. An empty answer is reported as unanswered "
    "when the docs are built. If a question does not apply, give the reason "
    "as the answer and add ':status: not-applicable'{status}. "
    "'sphinx-ethics update' adds questions a checklist gains later; "
    "'sphinx-ethics check' lists what is still unanswered."
)


def render_page(
    checklists: Sequence[Checklist], fmt: Format, meta: ReviewMeta, colon_fence: bool = True
) -> str:
    """A complete fill-in review page for ``checklists``, ending with a newline.

    The title is the page's heading only (a ``:title:`` option as well would
    show it twice).  MyST pages use colon fences when the project enables
    ``colon_fence``, else backtick fences, which work without it.
    """
    title = meta.title or default_title(checklists)
    ids = " ".join(c.id for c in checklists)
    out: list[str] = []
    if fmt == "md":
        how = HOW_TO.format(where=" (before its closing fence)", status=" as an option line")
        outer, fence = ("::::", ":::") if colon_fence else ("````", "```")
        out += [_md_title(title), "", *comment(_wrap(how, WIDTH - 2), "md"), ""]
        out += [f"{outer}{{ethics-review}} {ids}"]
        out += [f":{key}: {_myst_value(value)}" for key, value in meta.options()]
        indent = ""
    else:
        how = HOW_TO.format(where=", indented, after a blank line", status=" under that line")
        out += [*_rst_title(title), "", *comment(_wrap(how, WIDTH - 3), "rst"), ""]
        out += [f".. ethics-review:: {ids}"]
        out += [f"{RST_INDENT}:{key}: {value}" for key, value in meta.options()]
        indent, fence, outer = RST_INDENT, "", ""
    for checklist in checklists:
        for question in checklist.iter_questions():
            for piece in stub_pieces(question, fmt, indent, fence):
                out += ["", *piece]
    if fmt == "md":
        out += [outer]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------
# Reading pages
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """Lines ``start`` to ``end`` (exclusive, trailing blank lines left out)."""

    id: str
    start: int
    end: int
    indent: str
    fence: str = ""  # MyST answers: the fence they use (":::", "```", ...)


@dataclass
class ReviewBlock:
    line: int  # 0-based line of the directive
    checklists: list[str]
    options: dict[str, str]
    body_start: int  # where stubs go when no earlier question is on the page
    body_indent: str
    stub_fence: str = ""
    answers: list[Block] = field(default_factory=list)
    notes: list[Block] = field(default_factory=list)  # comments that start "<id>:"


NOTE_ID = re.compile(r"^\s*([a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+[a-z]?)\s*:")


def split_lines(text: str) -> list[str]:
    """Lines with their endings; only ``\\n`` ends a line (``\\r\\n`` stays whole)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _blank(line: str) -> bool:
    return not line.strip()


def _indent(line: str) -> int:
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())


def _leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _trim(lines: Sequence[str], start: int, end: int) -> int:
    """``end`` moved back over blank lines (but not before ``start + 1``)."""
    while end > start + 1 and _blank(lines[end - 1]):
        end -= 1
    return end


def _split_ids(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


def scan_page(text: str, fmt: Format) -> list[ReviewBlock]:
    """Every ``ethics-review`` on a page, with its answers and question comments."""
    lines = split_lines(text)
    return _scan_rst(lines) if fmt == "rst" else _scan_md(lines, 0, len(lines))


# -- reStructuredText -------------------------------------------------------

RST_REVIEW = re.compile(r"^([ \t]*)\.\.[ \t]+ethics-review[ \t]*::(.*)$")
RST_ANSWER = re.compile(r"^([ \t]*)\.\.[ \t]+ethics-answer[ \t]*::[ \t]*(\S*)")
RST_DIRECTIVE = re.compile(r"^[ \t]*\.\.[ \t]+([\w:.+-]+)[ \t]*::")
RST_EXPLICIT = re.compile(r"^([ \t]*)\.\.(?:[ \t]|$)")
RST_OPAQUE = {"code-block", "code", "sourcecode", "literalinclude", "parsed-literal", "raw", "math"}
QUOTE_CHARS = frozenset(string.punctuation)
RST_OPTION = re.compile(r"^[ \t]*:([\w-]+):(?:[ \t]+(.*))?$")


def _rst_block_end(lines: Sequence[str], start: int, limit: int) -> int:
    """End of the block opened at ``start``: the next line indented no deeper."""
    indent = _indent(lines[start])
    end = start + 1
    while end < limit and (_blank(lines[end]) or _indent(lines[end]) > indent):
        end += 1
    return end


def _rst_comment(line: str) -> bool:
    line = line.rstrip("\r\n")
    match = RST_EXPLICIT.match(line)
    if not match:
        return False
    rest = line[match.end() :].strip()
    return not (RST_DIRECTIVE.match(line) or rest[:1] in ("_", "[", "|"))


def _rst_opaque_end(lines: Sequence[str], index: int, limit: int) -> int | None:
    """Where a comment, literal or code block that starts at ``index`` ends."""
    line = lines[index].rstrip("\r\n")
    directive = RST_DIRECTIVE.match(line)
    if _rst_comment(line) or (directive and directive.group(1) in RST_OPAQUE):
        return _rst_block_end(lines, index, limit)
    stripped = line.rstrip()
    if stripped.endswith("::") and not RST_EXPLICIT.match(line):
        after = index + 1
        while after < limit and _blank(lines[after]):
            after += 1
        if after >= limit or after == index + 1:
            return None
        if _indent(lines[after]) > _indent(line):
            end = after
            while end < limit and (_blank(lines[end]) or _indent(lines[end]) > _indent(line)):
                end += 1
            return end
        quote = lines[after].strip()[:1]
        if _indent(lines[after]) == _indent(line) and quote in QUOTE_CHARS:
            # A "quoted" literal block: unindented lines that all start with
            # the same punctuation character (even ".. ethics-answer::").
            end = after
            while end < limit and lines[end].strip()[:1] == quote:
                end += 1
            return end
    return None


def _scan_rst(lines: list[str]) -> list[ReviewBlock]:
    reviews = []
    index = 0
    while index < len(lines):
        match = RST_REVIEW.match(lines[index].rstrip("\r\n"))
        if match:
            end = _rst_block_end(lines, index, len(lines))
            reviews.append(_rst_review(lines, index, end, match.group(2)))
            index = end
            continue
        opaque = _rst_opaque_end(lines, index, len(lines))
        index = opaque if opaque is not None else index + 1
    return reviews


def _rst_review(lines: list[str], start: int, end: int, args: str) -> ReviewBlock:
    options: dict[str, str] = {}
    index = start + 1
    last = ""
    while index < end and not _blank(lines[index]):
        option = RST_OPTION.match(lines[index].rstrip("\r\n"))
        if option:
            last = option.group(1)
            options[last] = (option.group(2) or "").strip()
        elif last:
            options[last] = f"{options[last]} {lines[index].strip()}".strip()
        else:
            args += " " + lines[index].strip()
        index += 1
    review_indent = _leading(lines[start])
    first = next((i for i in range(index, end) if not _blank(lines[i])), None)
    body_indent = _leading(lines[first]) if first is not None else review_indent + RST_INDENT
    review = ReviewBlock(start, _split_ids(args), options, index, body_indent)
    _rst_body(lines, index, end, _indent(lines[start]), review)
    return review


def _rst_body(lines: list[str], index: int, end: int, floor: int, review: ReviewBlock) -> None:
    while index < end:
        line = lines[index]
        if _blank(line) or _indent(line) <= floor:
            index += 1
            continue
        answer = RST_ANSWER.match(line)
        if answer:
            block_end = _rst_block_end(lines, index, end)
            stop = _trim(lines, index, block_end)
            review.answers.append(Block(answer.group(2), index, stop, answer.group(1)))
            index = block_end
            continue
        opaque = _rst_opaque_end(lines, index, end)
        if opaque is None:
            index += 1
            continue
        if _rst_comment(line):
            content = line.rstrip("\r\n")
            text = content[RST_EXPLICIT.match(content).end() :]  # type: ignore[union-attr]
            if not text.strip():
                text = next(
                    (lines[i] for i in range(index + 1, opaque) if not _blank(lines[i])), ""
                )
            note = NOTE_ID.match(text)
            if note:
                stop = _trim(lines, index, opaque)
                review.notes.append(Block(note.group(1), index, stop, _leading(line)))
        index = opaque


# -- MyST Markdown ----------------------------------------------------------

MD_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,}|:{3,})(.*)$")
MD_DIRECTIVE = re.compile(r"^\{([\w:.+-]+)\}\s*(.*)$")
MD_OPAQUE = {"code-block", "code", "sourcecode", "literalinclude", "eval-rst", "eval-md", "raw"}
MD_OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*)$")
MD_COMMENT = re.compile(r"^ {0,3}%")


def _md_closer(lines: Sequence[str], start: int, limit: int, fence: str) -> int:
    """The closing fence of the fence opened at ``start`` (``limit`` if none)."""
    pattern = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    for index in range(start + 1, limit):
        if pattern.match(lines[index].rstrip("\r\n")):
            return index
    return limit


def _md_fence(line: str) -> tuple[str, str, str] | None:
    """(indent, fence, info) of a fence opener, if ``line`` is one."""
    match = MD_FENCE.match(line.rstrip("\r\n"))
    if not match or (match.group(2)[0] == "`" and "`" in match.group(3)):
        return None
    return match.group(1), match.group(2), match.group(3).strip()


def _scan_md(lines: list[str], start: int, limit: int) -> list[ReviewBlock]:
    reviews: list[ReviewBlock] = []
    index = start
    while index < limit:
        opener = _md_fence(lines[index])
        if opener is None:
            index += 1
            continue
        indent, fence, info = opener
        close = _md_closer(lines, index, limit, fence)
        directive = MD_DIRECTIVE.match(info)
        if directive and directive.group(1) == "ethics-review":
            reviews.append(_md_review(lines, index, close, fence, indent, directive.group(2)))
        elif directive and directive.group(1) not in MD_OPAQUE:
            reviews += _scan_md(lines, index + 1, close)
        index = close + 1
    return reviews


def _md_review(
    lines: list[str], start: int, close: int, fence: str, indent: str, args: str
) -> ReviewBlock:
    options: dict[str, str] = {}
    index = start + 1
    if index < close and lines[index].strip() == "---":
        end = next((i for i in range(index + 1, close) if lines[i].strip() == "---"), None)
        if end is not None:
            try:
                data = yaml.safe_load("".join(lines[index + 1 : end]))
            except yaml.YAMLError:
                data = None
            if isinstance(data, dict):
                options = {str(k): str(v) for k, v in data.items()}
            index = end + 1
    while index < close and (option := MD_OPTION.match(lines[index].rstrip("\r\n"))):
        options[option.group(1)] = _unquote(option.group(2).strip())
        index += 1
    # A stub's fence must not close the review's: shorter, or another character.
    other = "~~~" if fence[0] == "`" else "```"
    stub_fence = fence[:-1] if len(fence) > 3 else other
    review = ReviewBlock(start, _split_ids(args), options, index, indent, stub_fence)
    _md_body(lines, index, close, review)
    if review.answers:
        review.stub_fence = review.answers[0].fence
    return review


def _unquote(value: str) -> str:
    if value[:1] in ('"', "'"):
        try:
            loaded = yaml.safe_load(value)
        except yaml.YAMLError:
            return value
        return str(loaded)
    return value


def _md_body(lines: list[str], index: int, limit: int, review: ReviewBlock) -> None:
    while index < limit:
        line = lines[index]
        if MD_COMMENT.match(line):
            end = index
            while end < limit and MD_COMMENT.match(lines[end]):
                end += 1
            note = NOTE_ID.match(line.lstrip()[1:])
            if note:
                review.notes.append(Block(note.group(1), index, end, _leading(line)))
            index = end
            continue
        opener = _md_fence(line)
        if opener is None:
            index += 1
            continue
        indent, fence, info = opener
        close = _md_closer(lines, index, limit, fence)
        directive = MD_DIRECTIVE.match(info)
        if directive and directive.group(1) == "ethics-answer":
            question_id = directive.group(2).split()[0] if directive.group(2).split() else ""
            end = min(close + 1, limit)
            review.answers.append(Block(question_id, index, end, indent, fence))
        elif directive and directive.group(1) not in MD_OPAQUE | {"ethics-review"}:
            _md_body(lines, index + 1, close, review)
        index = close + 1


# --------------------------------------------------------------------------
# Updating pages
# --------------------------------------------------------------------------


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
            hint = did_you_mean(name, catalog.checklists)
            raise PageError(
                f"{where}:{review.line + 1}: unknown checklist {name!r}{hint}; "
                f"known checklists: {', '.join(catalog.checklists)}"
            )
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
        after = "\n" if line < len(lines) and not _blank(lines[line]) else ""
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
