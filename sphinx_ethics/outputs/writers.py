"""A completed review as Markdown, printable HTML, CSV or JSON (Word: review_docx).

Each renders the document of :mod:`sphinx_ethics.outputs.document`: for
an incomplete review first "NOT COMPLETE: N problems" and the problems,
then the review's details, every question in order with its prompts, the
team's answer with its lists, links and tables, the slot's state in words,
sign-offs, referrals, progress and the attribution.  All text
comes from a team or a form, so it is escaped for each format: it never
becomes HTML, Markdown markup or a spreadsheet formula.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from sphinx_ethics.answers.text import Block, block_text, span_text
from sphinx_ethics.outputs import document as doc
from sphinx_ethics.outputs.blank import csv_cell, md_escape

FORMATS = ("md", "html", "docx", "csv", "json")
SUFFIXES = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".csv": "csv",
    ".json": "json",
}


def render(document: dict[str, Any], fmt: str) -> str:
    """The review as text in ``fmt`` (``docx`` is binary: see :mod:`review_docx`)."""
    writers: dict[str, Callable[[dict[str, Any]], str]] = {
        "md": to_markdown,
        "html": to_html,
        "csv": to_csv,
        "json": to_json,
    }
    return writers[fmt](document)


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------
# CSV: one row per answer slot
# --------------------------------------------------------------------------

CSV_COLUMNS = (
    "review",
    "checklist",
    "id",
    "number",
    "question",
    "prompts",
    "required",
    "state",
    "choice",
    "answer",
    "referrals",
    "file",
    "line",
    "source",
)
#: Added after :data:`CSV_COLUMNS` when an answer says who gave it.
WHO_COLUMNS = ("by", "received")


def to_csv(document: dict[str, Any]) -> str:
    """An incomplete review's CSV starts with "NOT COMPLETE: N problems" and a
    row per problem, then a blank row; then the header row and the slots (of
    every review of a board pack, told apart by the ``review`` column)."""
    out = io.StringIO()
    if document.get("verdict"):
        lines = csv.writer(out, lineterminator="\n")
        lines.writerow([csv_cell(document["verdict"])])
        lines.writerows([csv_cell(line)] for line in doc.problem_lines(document))
        lines.writerow([])
    # Who answered (SPEC §12): two more columns at the end, when any answer says.
    documents = document.get("reviews") or [document]  # a board pack: every review's rows
    signed = any(q.get("by") for d in documents for c in d["checklists"] for q in c["questions"])
    columns = CSV_COLUMNS + WHO_COLUMNS if signed else CSV_COLUMNS
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for each in documents:
        _csv_rows(each, writer, signed)
    return out.getvalue()


def _csv_rows(document: dict[str, Any], writer: csv.DictWriter[str], signed: bool) -> None:
    review = document["review"]
    for checklist in document["checklists"]:
        groups = {q["id"]: q for q in checklist["questions"] if q["group"]}
        for question in checklist["questions"]:
            if question["group"]:
                continue
            group = groups.get(question["parent"])
            text = question["text"] if group is None else f"{group['text']} {question['text']}"
            row = {
                "review": review.get("name", ""),
                "checklist": checklist["id"],
                "id": question["id"],
                "number": question["number"],
                "question": text,
                "prompts": "\n".join(question["prompts"]),
                "required": "yes" if question.get("required", True) else "no",
                "state": question.get("state_words", ""),
                "choice": doc.CHOICE_WORDS.get(question.get("choice", ""), ""),
                "answer": question["answer"],
                "referrals": _referrals_of(document, question["id"]),
                "file": question.get("file", ""),
                "line": str(question.get("line", "") or ""),
                "source": question.get("source", ""),
            }
            if signed:
                row.update(by=question.get("by", ""), received=question.get("received", ""))
            writer.writerow({key: csv_cell(value) for key, value in row.items()})


def _referrals_of(document: dict[str, Any], question_id: str) -> str:
    rows = [
        row
        for row, referral in zip(
            doc.referral_rows(document), document["review"].get("referrals") or [], strict=True
        )
        if referral.get("question") == question_id
    ]
    return "\n".join(f"{r[0]}: {r[1]} ({r[4]})" if r[4] else f"{r[0]}: {r[1]}" for r in rows)


# --------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------


def _md_span_text(block: Block) -> str:
    return md_escape("".join(span_text(s) for s in block["spans"]))


def md_blocks(blocks: Sequence[Block]) -> list[str]:
    """Markdown lines for answer blocks; a blank line after each block."""
    out: list[str] = []
    for block in blocks:
        out += _md_block(block)
    return out


def _md_block(block: Block) -> list[str]:
    kind = block.get("type")
    if kind == "paragraph":
        text = _md_span_text(block)
        return [text, ""] if text else []
    if kind == "list":
        out = []
        for number, item in enumerate(block["items"], 1):
            mark = f"{number}." if block["ordered"] else "-"
            inner = md_blocks(item) or [""]
            while len(inner) > 1 and inner[-1] == "":
                inner.pop()
            pad = " " * (len(mark) + 1)
            out.append(f"{mark} {inner[0]}")
            out += [pad + line if line else "" for line in inner[1:]]
        return [*out, ""]
    if kind == "literal":
        text = str(block["text"])
        fence = "`" * max(3, *(len(run) + 1 for run in re.findall("`+", text)), 3)
        return [fence + "text", *text.splitlines(), fence, ""]
    if kind == "table":
        return _md_table(block["rows"]) if block["rows"] else []
    if kind == "quote":
        return [("> " + line).rstrip() for line in md_blocks(block["blocks"])] + [""]
    return []


def _md_table(rows: list[list[str]], header: Sequence[str] | None = None) -> list[str]:
    width = max(len(row) for row in [*rows, header or []])
    head = list(header) if header else rows[0]
    body = rows if header else rows[1:]

    def line(cells: Sequence[str]) -> str:
        cells = [*cells, *[""] * (width - len(cells))]
        return "| " + " | ".join(md_escape(c) or " " for c in cells) + " |"

    return [line(head), "|" + "---|" * width, *(line(r) for r in body), ""]


def to_markdown(document: dict[str, Any]) -> str:
    out = []
    if document.get("verdict"):  # the first line, then the problems
        out += [md_escape(document["verdict"]), ""]
        out += [f"- {md_escape(p)}" for p in doc.problem_lines(document)] + [""]
    out += [f"# {md_escape(doc.title(document))}", ""]
    out += [
        f"- **{md_escape(label)}:** {md_escape(value)}"
        for label, value in doc.metadata_rows(document)
    ]
    out.append("")
    for checklist in document["checklists"]:
        out += [f"## {md_escape(checklist['title'])}", ""]
        for question in checklist["questions"]:
            out += _md_question(question)
    out += _md_section("Sign-offs", doc.SIGNOFF_COLUMNS, doc.signoff_rows(document))
    out += _md_section("Referrals", doc.REFERRAL_COLUMNS, doc.referral_rows(document))
    if document["sources"]:
        out += ["## Source", ""]
        out += [line for s in document["sources"] for line in (md_escape(s["text"]), "")]
    out.append(md_escape(doc.generator_line(document)))
    return "\n".join(out) + "\n"


def _md_question(question: dict[str, Any]) -> list[str]:
    level = "###" if not question["parent"] else "####"
    head = f"{md_escape(question['number'])}. {md_escape(question['text'])}"
    out = [f"{level} {head} ({md_escape(question['id'])})", ""]
    if question.get("added"):
        out += [f"*{md_escape(question['added'])}*", ""]
    if question["prompts"]:
        # A question ending in a colon is finished by its list: nothing between them.
        label = [] if question["text"].rstrip().endswith(":") else ["*To consider:*", ""]
        out += [*label, *(f"- {md_escape(p)}" for p in question["prompts"]), ""]
    if "state" in question:
        state = f"**{md_escape(question['state_words'])}**"
        choice = doc.CHOICE_WORDS.get(question.get("choice", ""))
        out += [f"{state} · {md_escape(choice)}" if choice else state, ""]
    if question.get("answered_by"):
        out += [f"*{md_escape(question['answered_by'])}*", ""]
    return out + md_blocks(question["blocks"])


def _md_section(heading: str, columns: Sequence[str], rows: list[list[str]]) -> list[str]:
    return [f"## {heading}", "", *_md_table(rows, columns)] if rows else []


# --------------------------------------------------------------------------
# Printable HTML (one file: inline CSS, no script, no network)
# --------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; color: #111; max-width: 48em;
       margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin: 0 0 .4em; }
h2 { font-size: 1.3em; margin: 1.8em 0 .5em; border-bottom: 2px solid #111; }
h3, h4 { font-size: 1.05em; margin: 1.4em 0 .3em; }
.qid { font: .8em ui-monospace, Menlo, Consolas, monospace; color: #555; margin-left: .4em; }
.prompts { margin: .2em 0 .4em 1.4em; padding: 0; font-style: italic; color: #333; }
.state { font: bold .8em system-ui, sans-serif; text-transform: uppercase;
         letter-spacing: .05em; margin: .3em 0; }
.state.open { color: #8a1c00; }
.answer { margin-left: 1em; padding-left: .8em; border-left: 3px solid #bbb; }
.answer pre { white-space: pre-wrap; font-size: .9em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-size: .95em; }
th, td { border: 1px solid #999; padding: .3em .5em; text-align: left; vertical-align: top; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; }
.question { break-inside: avoid-page; page-break-inside: avoid; }
.source, footer { font-size: .9em; color: #333; }
.not-complete { border: 3px solid #8a1c00; padding: .4em 1em; margin: 0 0 1.2em; }
.not-complete > p { font: bold 1.3em system-ui, sans-serif; color: #8a1c00; margin: .2em 0; }
.not-complete ul { margin: .3em 0; }
@page { size: A4; margin: 18mm 16mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
""".strip()

#: Addresses that become links; any other (javascript:, data:) stays text.
SAFE_URL = re.compile(r"(https?://|mailto:)", re.IGNORECASE)


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_span(span: dict[str, str]) -> str:
    url = span.get("url", "")
    if not url:
        return _h(span["text"])
    if not SAFE_URL.match(url):
        return _h(span_text(span))
    text = span["text"] or url
    shown = "" if text == url else f" ({_h(url)})"
    return f'<a href="{_h(url)}">{_h(text)}</a>{shown}'


def html_blocks(blocks: Sequence[Block]) -> str:
    return "".join(_html_block(b) for b in blocks)


def _html_block(block: Block) -> str:
    kind = block.get("type")
    if kind == "paragraph":
        return f"<p>{''.join(_html_span(s) for s in block['spans'])}</p>\n"
    if kind == "list":
        tag = "ol" if block["ordered"] else "ul"
        items = "".join(f"<li>{html_blocks(item)}</li>\n" for item in block["items"])
        return f"<{tag}>\n{items}</{tag}>\n"
    if kind == "literal":
        return f"<pre>{_h(block['text'])}</pre>\n"
    if kind == "table":
        header = int(block.get("header_rows", 0))
        return _html_table(block["rows"][:header], block["rows"][header:])
    if kind == "quote":
        return f"<blockquote>\n{html_blocks(block['blocks'])}</blockquote>\n"
    return f"<p>{_h(block_text(block))}</p>\n"


def _html_table(head: Sequence[Sequence[str]], body: Sequence[Sequence[str]]) -> str:
    def row(cells: Sequence[str], tag: str) -> str:
        return "<tr>" + "".join(f"<{tag}>{_h(c)}</{tag}>" for c in cells) + "</tr>\n"

    thead = f"<thead>\n{''.join(row(r, 'th') for r in head)}</thead>\n" if head else ""
    return f"<table>\n{thead}<tbody>\n{''.join(row(r, 'td') for r in body)}</tbody>\n</table>\n"


def html_head(document: dict[str, Any], title: str) -> list[str]:
    return [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{_h(document.get("generator", ""))}">',
        f"<title>{_h(title)}</title>",
        f"<style>\n{CSS}\n</style>",
        "</head>",
        "<body>",
    ]


def html_tail(document: dict[str, Any]) -> list[str]:
    return [f"<footer><p>{_h(doc.generator_line(document))}</p></footer>", "</body>", "</html>"]


def to_html(document: dict[str, Any]) -> str:
    title = doc.title(document)
    top, sections = html_review(document, 0)
    out = [*html_head(document, title), *top, "<main>", *sections, "</main>"]
    return "\n".join(out + html_tail(document)) + "\n"


def html_review(document: dict[str, Any], down: int) -> tuple[list[str], list[str]]:
    """A review's banner and header, and its sections; headings ``down`` levels lower."""

    def h(level: int) -> str:
        return f"h{level + down}"

    title = doc.title(document)
    top = [
        *html_banner(document, alert=not down),
        f"<header>\n<{h(1)}>{_h(title)}</{h(1)}>",
        '<dl class="meta">',
        *(f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>" for k, v in doc.metadata_rows(document)),
        "</dl>\n</header>",
    ]
    out = []
    for checklist in document["checklists"]:
        out.append(f'<section class="checklist">\n<{h(2)}>{_h(checklist["title"])}</{h(2)}>')
        out += [_html_question(q, down) for q in checklist["questions"]]
        out.append("</section>")
    for heading, columns, rows in (
        ("Sign-offs", doc.SIGNOFF_COLUMNS, doc.signoff_rows(document)),
        ("Referrals", doc.REFERRAL_COLUMNS, doc.referral_rows(document)),
    ):
        if rows:
            table = _html_table([columns], rows)
            out.append(f"<section>\n<{h(2)}>{heading}</{h(2)}>\n{table}</section>")
    if document["sources"]:
        out.append(f"<section>\n<{h(2)}>Source</{h(2)}>")
        out += [
            f'<p class="source">{_html_segments(s["segments"])}</p>' for s in document["sources"]
        ]
        out.append("</section>")
    return top, out


def html_banner(document: dict[str, Any], alert: bool = True) -> list[str]:
    """At the very top of an incomplete review: the verdict and its problems."""
    if not document.get("verdict"):
        return []
    items = "".join(f"<li>{_h(p)}</li>" for p in doc.problem_lines(document))
    return [
        '<div class="not-complete" role="alert">' if alert else '<div class="not-complete">',
        f"<p>{_h(document['verdict'])}</p>",
        f"<ul>{items}</ul>",
        "</div>",
    ]


def _html_question(question: dict[str, Any], down: int = 0) -> str:
    tag = f"h{(4 if question['parent'] else 3) + down}"
    out = [
        '<div class="question">',
        f"<{tag}>{_h(question['number'])}. {_h(question['text'])}"
        f'<span class="qid">{_h(question["id"])}</span></{tag}>',
    ]
    if question.get("added"):
        out.append(f'<p class="added"><em>{_h(question["added"])}</em></p>')
    if question["prompts"]:
        out.append(
            '<ul class="prompts">'
            + "".join(f"<li>{_h(p)}</li>" for p in question["prompts"])
            + "</ul>"
        )
    if "state" in question:
        done = question["state"] in ("answered", "not-applicable")
        choice = doc.CHOICE_WORDS.get(question.get("choice", ""))
        words = question["state_words"] + (f" · {choice}" if choice else "")
        out.append(f'<p class="state{"" if done else " open"}">{_h(words)}</p>')
    if question.get("answered_by"):
        out.append(f'<p class="by"><em>{_h(question["answered_by"])}</em></p>')
    if question["blocks"]:
        out.append(f'<div class="answer">\n{html_blocks(question["blocks"])}</div>')
    out.append("</div>")
    return "\n".join(out)


def _html_segments(segments: Sequence[dict[str, str]]) -> str:
    out = []
    for piece in segments:
        if piece["kind"] == "emphasis":
            out.append(f"<em>{_h(piece['text'])}</em>")
        elif piece["kind"] == "link" and SAFE_URL.match(piece["text"]):
            out.append(f'<a href="{_h(piece["text"])}">{_h(piece["text"])}</a>')
        else:
            out.append(_h(piece["text"]))
    return "".join(out)
