"""Checks of a whole page, as text (``source-read``) and once read (``doctree-read``).

A Markdown page's fence slips (:mod:`sphinx_ethics.answers.fences`) are
``ethics.markup`` problems before MyST reads it. Then two things no
directive can see for itself:

- an ``ethics-*`` directive docutils could not read at all (a duplicate
  option, say) never runs, so its review would vanish from the gate without
  a word but docutils' own error: it is an ``ethics.option`` problem here;
- a review inside ``.. only::`` is shown in some outputs and not others,
  but it is counted in every build (a review that exists is never left out
  of the gate): it is an ``ethics.markup`` problem, so the team moves it out
  and what is counted is what is shown.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

from sphinx_ethics.answers.fences import colon_fence_enabled, fence_problems, page_colon_fence
from sphinx_ethics.extension.domain import EthicsDomain
from sphinx_ethics.problems import Problem, Subtype, is_suppressed, log

if TYPE_CHECKING:
    from sphinx.application import Sphinx

DROPPED = re.compile(r'Error in "(ethics-[\w-]+)" directive:\s*(.*)', re.S)


def check_doctree(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    domain = EthicsDomain.get(app.env)
    found = dropped_directives(doctree, docname) + reviews_in_only(doctree, docname, domain)
    for problem in found:
        log(problem)
        if not is_suppressed(problem.subtype, app.config):
            domain.add_problem(docname, problem)


def dropped_directives(doctree: nodes.document, docname: str) -> list[Problem]:
    problems = []
    for message in doctree.findall(nodes.system_message):
        if message["level"] < 3 or not message.children:
            continue
        match = DROPPED.match(message[0].astext())
        if match is None:
            continue
        name, why = match.group(1), " ".join(match.group(2).split())
        text = f"{name} could not be read ({why}), so it is not counted; fix it"
        if name == "ethics-review":
            text += " (until then this project's reviews are incomplete)"
        problems.append(problem("option", text, docname, message.get("line") or 0))
    return problems


def reviews_in_only(doctree: nodes.document, docname: str, domain: EthicsDomain) -> list[Problem]:
    by_anchor = {r.anchor: r for r in domain.reviews.get(docname, [])}
    problems = []
    for only in doctree.findall(addnodes.only):
        for element in only.findall(nodes.Element):
            review = next((by_anchor[i] for i in element["ids"] if i in by_anchor), None)
            if review is None:
                continue
            text = (
                f"review {review.name!r} is inside '.. only:: {only['expr']}': it is counted "
                "in every build but shown only in some; move it out of the only block"
            )
            problems.append(problem("markup", text, docname, review.line, review.name))
    return problems


def problem(subtype: Subtype, text: str, docname: str, line: int, review: str = "") -> Problem:
    return Problem(subtype, text, line=line, docname=docname, review=review)


def is_markdown(app: Sphinx, docname: str) -> bool:
    """Whether the document's source file is read as Markdown."""
    path = str(app.env.doc2path(docname))
    suffixes = app.config.source_suffix
    if isinstance(suffixes, dict):
        for suffix, filetype in suffixes.items():
            if path.endswith(suffix):
                return filetype == "markdown"
    return path.endswith(".md")


def check_markdown_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: log and record each fence slip of a Markdown page (``ethics.markup``)."""
    if not is_markdown(app, docname):
        return
    default = colon_fence_enabled(getattr(app.config, "myst_enable_extensions", None))
    text = source[0]
    for slip in fence_problems(text, page_colon_fence(text, default)):
        problem = Problem("markup", slip.message, line=slip.line, docname=docname)
        log(problem)
        if not is_suppressed("markup", app.config):
            EthicsDomain.get(app.env).add_problem(docname, problem)
