"""A completed review as a Word document, styled like a board paper.

Uses python-docx, an optional dependency (``pip install
"sphinx-ethics[docx]"``), imported only here and only when a ``.docx`` is
asked for.  The paper is A4 with 2 cm margins (a UK board's paper, not
python-docx's US Letter).  An incomplete review opens with a banner, "NOT
COMPLETE: N problems", and its problems; then come a title, a details
table, a heading per checklist and per numbered question, the prompts, the
state, the team's answer as real Word paragraphs and list paragraphs
(bulleted or numbered, each numbered list starting at 1) with links as
real hyperlinks, a sign-off table, referrals and the attribution.  The
footer has the title, the date the paper was made and "Page N of M".  Text
that XML cannot hold (control characters) is replaced, never passed on.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sphinx_ethics.answers.text import Block, block_text, span_text
from sphinx_ethics.outputs import document as doc
from sphinx_ethics.outputs.writers import SAFE_URL

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph

INSTALL_HINT = 'Word output needs python-docx: pip install "sphinx-ethics[docx]"'

#: Characters XML 1.0 cannot hold, even escaped.
XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class MissingDocx(Exception):
    """python-docx is not installed; the message says how to install it."""


def clean(text: object) -> str:
    return XML_INVALID.sub("\ufffd", str(text))


def to_docx(document: dict[str, Any]) -> bytes:
    """The review as the bytes of a .docx file."""
    try:
        import docx
    except ImportError:
        raise MissingDocx(INSTALL_HINT) from None
    paper = docx.Document()
    pack = document.get("reviews")  # a board pack (SPEC §13): contents, then each review
    title = document["title"] if pack else doc.title(document)
    paper.core_properties.title = clean(title)
    if not pack:
        owner = document["review"].get("metadata", {}).get("owner", "")
        paper.core_properties.author = clean(owner)
    _a4(paper, document, title)
    if pack:
        _banner(paper, document)
        paper.add_heading(clean(title), 0)
        paper.add_heading("Contents", 1)
        for line in doc.contents_lines(document):
            paper.add_paragraph(clean(line), style="List Number")
        for review in pack:
            paper.add_page_break()
            _review(paper, review, down=1)
        paper.add_paragraph(clean(doc.generator_line(document)))
    else:
        _review(paper, document)
        paper.add_paragraph(clean(doc.generator_line(document)))
    out = io.BytesIO()
    paper.save(out)
    return out.getvalue()


def _review(paper: Document, document: dict[str, Any], down: int = 0) -> None:
    """One review: banner, title, details, questions, sign-offs, referrals, sources."""
    _banner(paper, document)
    paper.add_heading(clean(doc.title(document)), down)
    _table(paper, None, [list(row) for row in doc.metadata_rows(document)])
    for checklist in document["checklists"]:
        paper.add_heading(clean(checklist["title"]), 1 + down)
        for question in checklist["questions"]:
            _question(paper, question, down)
    for heading, columns, rows in (
        ("Sign-offs", doc.SIGNOFF_COLUMNS, doc.signoff_rows(document)),
        ("Referrals", doc.REFERRAL_COLUMNS, doc.referral_rows(document)),
    ):
        if rows:
            paper.add_heading(heading, 1 + down)
            _table(paper, columns, rows)
    _sources(paper, document, down)


def _a4(paper: Document, document: dict[str, Any], title: str) -> None:
    """A4 with 2 cm margins (python-docx's template is US Letter); the
    footer says when the paper was made and numbers its pages."""
    from docx.shared import Mm, Pt

    for section in paper.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(20)
        footer = section.footer.paragraphs[0]
        made = f"Made {document['made']} · " if document.get("made") else ""
        footer.add_run(clean(f"{title} · {made}Page "))
        _field(footer, "PAGE")
        footer.add_run(" of ")
        _field(footer, "NUMPAGES")
        for run in footer.runs:
            run.font.size = Pt(9)


def _field(paragraph: Paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f" {code} "
    paragraph.add_run()._r.append(instruction)
    char("separate")
    paragraph.add_run("1")
    char("end")


def _banner(paper: Document, document: dict[str, Any]) -> None:
    """First in the paper of an incomplete review: the verdict, then its problems."""
    if not document.get("verdict"):
        return
    from docx.shared import Pt, RGBColor

    run = paper.add_paragraph().add_run(clean(document["verdict"]))
    run.bold = True
    run.font.size = Pt(16)
    run.font.color.rgb = RGBColor(0x8A, 0x1C, 0x00)
    for line in doc.problem_lines(document):
        paper.add_paragraph(clean(line), style="List Bullet")


def _sources(paper: Document, document: dict[str, Any], down: int = 0) -> None:
    """The attribution (titles in italics, addresses linked)."""
    if document["sources"]:
        paper.add_heading("Source", 1 + down)
        for source in document["sources"]:
            paragraph = paper.add_paragraph()
            for piece in source["segments"]:
                if piece["kind"] == "link" and SAFE_URL.match(piece["text"]):
                    _hyperlink(paragraph, piece["text"], piece["text"])
                    continue
                run = paragraph.add_run(clean(piece["text"]))
                run.italic = piece["kind"] == "emphasis"


def _question(paper: Document, question: dict[str, Any], down: int = 0) -> None:
    level = (3 if question["parent"] else 2) + down
    heading = paper.add_heading(clean(f"{question['number']}. {question['text']}"), level)
    heading.add_run(clean(f"  [{question['id']}]")).italic = True
    if question.get("added"):
        paper.add_paragraph().add_run(clean(question["added"])).italic = True
    for prompt in question["prompts"]:
        paper.add_paragraph(clean(prompt), style="List Bullet").runs[0].italic = True
    if "state" in question:
        choice = doc.CHOICE_WORDS.get(question.get("choice", ""))
        words = question["state_words"] + (f" · {choice}" if choice else "")
        paper.add_paragraph().add_run(clean(words)).bold = True
    if question.get("answered_by"):
        paper.add_paragraph().add_run(clean(question["answered_by"])).italic = True
    _blocks(paper, question["blocks"], depth=0, quote=False)


def _blocks(paper: Document, blocks: Sequence[Block], depth: int, quote: bool) -> None:
    for block in blocks:
        kind = block.get("type")
        if kind == "paragraph":
            _spans(paper.add_paragraph(style="Quote" if quote else None), block)
        elif kind == "list":
            _list(paper, block, depth, quote)
        elif kind == "literal":
            run = paper.add_paragraph().add_run(clean(block["text"]))
            run.font.name = "Courier New"
        elif kind == "table" and block["rows"]:
            header = int(block.get("header_rows", 0))
            head = block["rows"][0] if header else None
            _table(paper, head, block["rows"][1:] if header else block["rows"])
        elif kind == "quote":
            _blocks(paper, block["blocks"], depth, quote=True)
        else:
            paper.add_paragraph(clean(block_text(block)))


def _spans(paragraph: Paragraph, block: Block) -> None:
    """Text runs; a link to an http(s) or mailto address is a real Word hyperlink."""
    for span in block["spans"]:
        url = span.get("url", "")
        if url and SAFE_URL.match(url):
            _hyperlink(paragraph, span["text"] or url, url)
        else:
            paragraph.add_run(clean(span_text(span)))


def _hyperlink(paragraph: Paragraph, text: str, url: str) -> None:
    """A ``w:hyperlink`` to ``url`` (an external relationship), blue and underlined."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rel = paragraph.part.relate_to(clean(url), RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = paragraph.add_run(clean(text))  # styled by python-docx, then moved into the link
    run.font.underline = True
    run.font.color.rgb = _link_colour()
    link.append(run._r)
    paragraph._p.append(link)


def _link_colour() -> Any:
    from docx.shared import RGBColor

    return RGBColor(0x05, 0x63, 0xC1)


def _list(paper: Document, block: Block, depth: int, quote: bool) -> None:
    """Each item a real list paragraph; a second level uses the '... 2' styles."""
    base = "List Number" if block["ordered"] else "List Bullet"
    style = base if depth == 0 else f"{base} {min(depth + 1, 3)}"
    restart = None
    for item in block["items"]:
        first, *rest = item or [{"type": "paragraph", "spans": []}]
        paragraph = paper.add_paragraph(style=style)
        if first.get("type") == "paragraph":
            _spans(paragraph, first)
        else:
            paragraph.add_run(clean(block_text(first, " ")))
        if block["ordered"]:
            restart = _number_from_one(paper, paragraph, restart)
        for inner in rest:
            if inner.get("type") == "list":
                _list(paper, inner, depth + 1, quote)
            else:
                _blocks(paper, [inner], depth, quote)


def _number_from_one(paper: Document, paragraph: Paragraph, num_id: int | None) -> int | None:
    """Give this list its own numbering, so each numbered list starts at 1.

    Word's "List Number" style continues one count through the document;
    a new ``w:num`` with a start override restarts it.  If the template
    lacks what this needs, the style's own numbering is kept.
    """
    try:
        if num_id is None:
            style_num = paragraph.style.element.pPr.numPr.numId.val
            numbering = paper.part.numbering_part.element
            abstract = numbering.num_having_numId(style_num).abstractNumId.val
            num = numbering.add_num(abstract)
            num.add_lvlOverride(ilvl=0).add_startOverride(1)
            num_id = int(num.numId)
        paragraph._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = num_id
    except (AttributeError, KeyError):
        return None
    return num_id


def _table(paper: Document, head: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> None:
    width = max([len(head or [])] + [len(r) for r in rows] + [1])
    table = paper.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    if head is not None:
        cells = table.add_row().cells
        for cell, text in zip(cells, head, strict=False):
            cell.text = ""
            cell.paragraphs[0].add_run(clean(text)).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=False):
            cell.text = clean(text)
    paper.add_paragraph()
