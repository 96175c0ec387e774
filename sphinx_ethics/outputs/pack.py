"""Several reviews in one document, a board pack (``sphinx-ethics review SOURCEDIR
NAME NAME...``, SPEC §13).

The pack (:func:`sphinx_ethics.outputs.document.pack_document`) opens with
its verdict ("NOT COMPLETE: N problems", when any review is incomplete) and
the problems, each naming its review; then a contents list; then every review
as it reads on its own, its own verdict first.  Each format is built from the
single-review writers, so a review reads the same in a pack and alone.
"""

from __future__ import annotations

import html
from typing import Any

from sphinx_ethics.outputs import document as doc
from sphinx_ethics.outputs import writers
from sphinx_ethics.outputs.blank import md_escape


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def render(pack: dict[str, Any], fmt: str) -> str:
    """The pack as text in ``fmt`` (md, html, csv, json; Word: :mod:`docx`)."""
    if fmt == "md":
        return pack_markdown(pack)
    if fmt == "html":
        return pack_html(pack)
    return writers.render(pack, fmt)  # csv: every review's rows; json: the pack


def pack_markdown(pack: dict[str, Any]) -> str:
    """The pack's verdict and problems, its title, a contents list, then each review
    as it reads alone (its own verdict first), after a rule."""
    out = []
    if pack.get("verdict"):
        out += [md_escape(pack["verdict"]), ""]
        out += [f"- {md_escape(p)}" for p in doc.problem_lines(pack)] + [""]
    out += [f"# {md_escape(pack['title'])}", "", f"- **Made:** {md_escape(pack['made'])}", ""]
    out += ["## Contents", ""]
    out += [f"{n}. {md_escape(line)}" for n, line in enumerate(doc.contents_lines(pack), 1)]
    for review in pack["reviews"]:
        out += ["", "---", "", writers.to_markdown(review).rstrip("\n")]
    return "\n".join(out) + "\n"


def pack_html(pack: dict[str, Any]) -> str:
    """One file: the pack's banner, title and contents (linked), then each review
    in an ``<article>``, its headings one level down, its own banner first."""
    out = [*writers.html_head(pack, pack["title"]), *writers.html_banner(pack)]
    out += [f"<header>\n<h1>{_h(pack['title'])}</h1>", '<dl class="meta">']
    out += [f"<dt>Made</dt><dd>{_h(pack['made'])}</dd>", "</dl>\n</header>"]
    out += ['<nav aria-labelledby="contents">', '<h2 id="contents">Contents</h2>', "<ol>"]
    for entry in pack["contents"]:
        state = "" if entry["complete"] else " open"
        out.append(
            f'<li><a href="#{_h(entry["anchor"])}">{_h(entry["title"])}</a> '
            f'<span class="qid">{_h(entry["name"])}</span>'
            f'<br><span class="state{state}">{_h(entry["progress"])}</span></li>'
        )
    out += ["</ol>", "</nav>", "<main>"]
    for entry, review in zip(pack["contents"], pack["reviews"], strict=True):
        top, sections = writers.html_review(review, 1)
        out += [f'<article class="review" id="{_h(entry["anchor"])}">', *top, *sections]
        out.append("</article>")
    out.append("</main>")
    return "\n".join(out + writers.html_tail(pack)) + "\n"
