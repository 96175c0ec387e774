"""Blank checklists for workshops: Markdown, reST, printable HTML, CSV, JSON.

Every format carries the attribution of the words it shows (title, authors,
DOI, licence: the built-in text is CC BY-NC-ND, which requires it) and,
except CSV, the top tips.  CSV is one row per answer slot, so that it can be
opened as a spreadsheet and filled in; its ``source`` column carries the
attribution on every row instead.

The reST output is plain docutils (no extension needed) and builds cleanly
with warnings as errors; all text from the data is escaped for each format.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sphinx_ethics.catalogue import Attribution, Catalog, Checklist, Question, Tip
from sphinx_ethics.catalogue import attribution as wording
from sphinx_ethics.version import __version__

EXPORT_FORMATS = ("md", "rst", "html", "csv", "json")
SUFFIXES = {
    ".md": "md",
    ".markdown": "md",
    ".rst": "rst",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".json": "json",
}
CSV_COLUMNS = ("checklist", "id", "number", "question", "prompts", "group", "source")
NOTE_LINES = 5


def export(catalog: Catalog, checklists: Sequence[Checklist], fmt: str) -> str:
    """The blank checklists, with tips and attribution, as text in ``fmt``."""
    writers: dict[str, Callable[[Catalog, Sequence[Checklist]], str]] = {
        "md": to_markdown,
        "rst": to_rst,
        "html": to_html,
        "csv": to_csv,
        "json": to_json,
    }
    return writers[fmt](catalog, checklists)


# --------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------


def document_title(checklists: Sequence[Checklist]) -> str:
    if len(checklists) == 1:
        return f"Ethics checklist: {checklists[0].title}"
    return "Ethics checklists"


def sources(checklists: Sequence[Checklist], tips: Iterable[Tip]) -> list[Attribution]:
    """Each distinct source of the words exported, in first-seen order."""
    seen: list[Attribution] = []
    for item in [
        *(s for c in checklists for s in wording.checklist_sources(c)),
        *(t.attribution for t in tips),
    ]:
        if item is not None and item not in seen:
            seen.append(item)
    return seen


def attribution_text(source: Attribution) -> str:
    """The one wording (:mod:`sphinx_ethics.catalogue.attribution`) as plain text."""
    return wording.text(source)


@dataclass(frozen=True)
class _Markup:
    """What the Markdown and reST documents differ in; their outline is shared."""

    escape: Callable[[str], str]
    title: Callable[[str], list[str]]  # the document's heading
    heading: Callable[[str], list[str]]  # a checklist's, "Top tips", "Source"
    literal: str  # the inline literal's marker
    question: Callable[[Question, str], list[str]]
    attribution: Callable[[Attribution], str]


def _text_document(catalog: Catalog, checklists: Sequence[Checklist], markup: _Markup) -> str:
    escape, literal = markup.escape, markup.literal
    tips = list(catalog.tips.values())
    out = markup.title(document_title(checklists))
    for checklist in checklists:
        if len(checklists) > 1:
            out += markup.heading(checklist.title)
        ident = f"{literal}{checklist.id}{literal}"
        out += [f"Checklist {ident}, version {escape(checklist.version)}.", ""]
        out += [line for para in checklist.intro for line in (escape(para), "")]
        for question in checklist.questions:
            out += markup.question(question, "")
    if tips:
        out += markup.heading("Top tips")
        # The title as written (no full stop added), its text a paragraph of its own.
        for tip in tips:
            out += [f"- **{escape(tip.title)}**", "", f"  {escape(tip.text)}", ""]
    found = sources(checklists, tips)
    if found:
        out += markup.heading("Source")
        out += [line for s in found for line in (markup.attribution(s), "")]
    out.append(f"Exported by sphinx-ethics {__version__}.")
    return "\n".join(out) + "\n"


def slot_rows(checklists: Sequence[Checklist]) -> list[dict[str, str]]:
    """One row per answer slot, in source order (CSV and JSON share this)."""
    rows = []
    for checklist in checklists:
        groups = {q.id: q for q in checklist.questions if q.is_group}
        for question in checklist.slots():
            source = wording.question_source(checklist, question)
            group = groups.get(question.parent or "")
            rows.append(
                {
                    "checklist": checklist.id,
                    "id": question.id,
                    "number": question.number,
                    "question": question.text,
                    "prompts": "\n".join(question.prompts),
                    "group": group.text if group else "",
                    "source": attribution_text(source) if source else "",
                }
            )
    return rows


# --------------------------------------------------------------------------
# CSV and JSON
# --------------------------------------------------------------------------


#: A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """Text a spreadsheet shows as written: a would-be formula gets a leading ``'``.

    OWASP's advice against CSV (formula) injection: a question such as
    ``=HYPERLINK(...)`` in a team's checklist must not run when the sheet opens.
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(catalog: Catalog, checklists: Sequence[Checklist]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in slot_rows(checklists):
        writer.writerow({key: csv_cell(value) for key, value in row.items()})
    return out.getvalue()


def _question_json(question: Question) -> dict[str, object]:
    return {
        "id": question.id,
        "number": question.number,
        "text": question.text,
        "prompts": list(question.prompts),
        "group": question.is_group,
        "subquestions": [_question_json(s) for s in question.subquestions],
        # A team's question (extends): whose it is and its own source.
        "added_by": question.added_by,
        "source": attribution_text(question.added_source) if question.added_source else "",
    }


def to_json(catalog: Catalog, checklists: Sequence[Checklist]) -> str:
    tips = list(catalog.tips.values())
    data = {
        "schema_version": 1,
        "generator": f"sphinx-ethics {__version__}",
        "title": document_title(checklists),
        "checklists": [
            {
                "id": c.id,
                "title": c.title,
                "version": c.version,
                "intro": list(c.intro),
                "attribution": c.attribution.as_dict() if c.attribution else None,
                "questions": [_question_json(q) for q in c.questions],
                "slots": [q.id for q in c.slots()],
            }
            for c in checklists
        ],
        "tips": [
            {
                "id": t.id,
                "title": t.title,
                "text": t.text,
                "attribution": t.attribution.as_dict() if t.attribution else None,
            }
            for t in tips
        ],
        "sources": [attribution_text(s) for s in sources(checklists, tips)],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Text that CommonMark shows as written (no emphasis, links or HTML)."""
    text = re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", " ".join(text.split()))
    if re.match(r"^([#+=>-]|\d+[.)](\s|$))", text):
        text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
        if not text[:1].isdigit():
            text = "\\" + text
    return text


def _md_inline(text: str) -> str:
    """Text inside a line that CommonMark shows as written (spaces kept)."""
    return re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", re.sub(r"\s+", " ", text))


def _md_question(question: Question, indent: str) -> list[str]:
    head = f"**{question.number}.** {md_escape(question.text)} (`{question.id}`)"
    out = [f"{indent}- {head}" if indent else head, ""]
    inner = indent + "  " if indent else ""
    if question.added_by:
        out += [f"{inner}*{_md_inline(wording.added_mark(question))}*", ""]
    out += [f"{inner}- {md_escape(p)}" for p in question.prompts]
    if question.prompts:
        out.append("")
    if not question.is_group:
        out += [f"{inner}Notes:", ""]
    for sub in question.subquestions:
        out += _md_question(sub, indent + "  " if indent else "  ")
    return out


MARKDOWN = _Markup(
    escape=md_escape,
    title=lambda text: [f"# {md_escape(text)}", ""],
    heading=lambda text: [f"## {md_escape(text)}", ""],
    literal="`",
    question=_md_question,
    attribution=lambda source: wording.write(
        source,
        _md_inline,
        lambda t: f"*{_md_inline(t)}*",
        lambda url: f"<{url}>" if not re.search("[<>`]", url) else _md_inline(url),
    ),
)


def to_markdown(catalog: Catalog, checklists: Sequence[Checklist]) -> str:
    return _text_document(catalog, checklists, MARKDOWN)


# --------------------------------------------------------------------------
# reStructuredText
# --------------------------------------------------------------------------


def rst_escape(text: str) -> str:
    """One line of text that docutils shows as written, whatever it contains."""
    text = re.sub(r"([\\*`_|])", r"\\\1", " ".join(text.split()))
    if text.endswith("::"):
        text = text[:-1] + "\\:"
    if re.match(r"^[A-Za-z0-9]+[.)](\s|$)", text):
        text = re.sub(r"^([A-Za-z0-9]+)([.)])", r"\1\\\2", text)
    elif text and not text[0].isalnum():
        text = "\\" + text
    return text


def _rst_inline(text: str) -> str:
    """Text inside a line that docutils shows as written (spaces kept)."""
    return re.sub(r"([\\*`_|<>])", r"\\\1", re.sub(r"\s+", " ", text))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _rst_heading(text: str, char: str, over: bool = False) -> list[str]:
    escaped = rst_escape(text)
    rule = char * max(_width(escaped) + (2 if over else 0), 4)
    return [rule, f" {escaped}", rule, ""] if over else [escaped, rule, ""]


def _rst_question(question: Question, indent: str) -> list[str]:
    head = f"**{question.number}.** {rst_escape(question.text)} (``{question.id}``)"
    out = [f"{indent}- {head}" if indent else head, ""]
    inner = indent + "  " if indent else ""
    if question.added_by:
        out += [f"{inner}*{_rst_inline(wording.added_mark(question))}*", ""]
    for prompt in question.prompts:
        out += [f"{inner}- {rst_escape(prompt)}"]
    if question.prompts:
        out.append("")
    for sub in question.subquestions:
        out += _rst_question(sub, inner or "")
    return out


RST = _Markup(
    escape=rst_escape,
    title=lambda text: _rst_heading(text, "=", over=True),
    heading=lambda text: _rst_heading(text, "="),
    literal="``",
    question=_rst_question,
    attribution=lambda source: wording.write(
        source,
        _rst_inline,
        lambda t: f"*{_rst_inline(t)}*",
        lambda url: f"`{url} <{url}>`__" if not re.search("[<>`]", url) else _rst_inline(url),
    ),
)


def to_rst(catalog: Catalog, checklists: Sequence[Checklist]) -> str:
    return _text_document(catalog, checklists, RST)


# --------------------------------------------------------------------------
# Standalone printable HTML
# --------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; color: #111; max-width: 46em;
       margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin: 0 0 .3em; }
h2 { font-size: 1.25em; margin: 1.6em 0 .4em; border-bottom: 2px solid #111; }
.meta, .intro, .source, footer { color: #333; }
.question { margin: 1em 0 1.2em; }
.slot { break-inside: avoid; page-break-inside: avoid; }
.group > p { break-after: avoid; page-break-after: avoid; }
.question .question { margin-left: 1.6em; }
.number { font-weight: bold; margin-right: .3em; }
.qid { font: .8em ui-monospace, Menlo, Consolas, monospace; color: #555; margin-left: .4em; }
.prompts { margin: .3em 0 .3em 1.4em; padding: 0; font-style: italic; }
.notes { margin: .5em 0 0; }
.notes-label { font-size: .8em; text-transform: uppercase; letter-spacing: .06em; color: #555; }
.rule { height: 1.9em; border-bottom: 1px solid #888; }
.tips li { margin: .4em 0; }
.source { font-size: .9em; }
@page { size: A4; margin: 18mm 16mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .tips, .sources { break-before: page; page-break-before: always; }
  a { color: inherit; text-decoration: none; }
}
""".strip()


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def to_html(catalog: Catalog, checklists: Sequence[Checklist]) -> str:
    tips = list(catalog.tips.values())
    title = document_title(checklists)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="sphinx-ethics {_h(__version__)}">',
        f"<title>{_h(title)}</title>",
        f"<style>\n{CSS}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_h(title)}</h1>",
        '<p class="meta">Team: ________________________ &nbsp; Date: ______________</p>',
        "</header>",
        "<main>",
    ]
    for checklist in checklists:
        out.append(f'<section class="checklist" id="{_h(checklist.id)}">')
        out.append(f"<h2>{_h(checklist.title)}</h2>")
        out += [f'<p class="intro">{_h(p)}</p>' for p in checklist.intro]
        for question in checklist.questions:
            out += _html_question(question)
        out += [
            f'<p class="source">{_html_attribution(s)}</p>'
            for s in wording.checklist_sources(checklist)
        ]
        out.append("</section>")
    if tips:
        out.append('<section class="tips"><h2>Top tips</h2><ul>')
        out += [f"<li><strong>{_h(t.title)}</strong><br>{_h(t.text)}</li>" for t in tips]
        out.append("</ul></section>")
    found = sources(checklists, tips)
    if found:
        out.append('<section class="sources"><h2>Source</h2>')
        out += [f'<p class="source">{_html_attribution(s)}</p>' for s in found]
        out.append("</section>")
    out += [
        "</main>",
        f"<footer><p>Exported by sphinx-ethics {_h(__version__)}.</p></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _html_attribution(source: Attribution) -> str:
    def link(url: str) -> str:
        return f'<a href="{_h(url)}">{_h(url)}</a>'

    return wording.write(source, _h, lambda t: f"<em>{_h(t)}</em>", link)


def _html_question(question: Question) -> list[str]:
    kind = "group" if question.is_group else "slot"
    out = [f'<div class="question {kind}" id="{_h(question.id)}">']
    out.append(
        f'<p><span class="number">{_h(question.number)}.</span>{_h(question.text)}'
        f'<span class="qid">{_h(question.id)}</span></p>'
    )
    if question.added_by:
        out.append(f'<p class="added"><em>{_h(wording.added_mark(question))}</em></p>')
    if question.prompts:
        out.append('<ul class="prompts">')
        out += [f"<li>{_h(p)}</li>" for p in question.prompts]
        out.append("</ul>")
    if not question.is_group:
        out.append('<div class="notes"><span class="notes-label">Notes</span>')
        out += ['<div class="rule"></div>'] * NOTE_LINES
        out.append("</div>")
    for sub in question.subquestions:
        out += _html_question(sub)
    out.append("</div>")
    return out
