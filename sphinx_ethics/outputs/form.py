"""An offline HTML form for people who never use the docs (``sphinx-ethics form``).

One self-contained file: the questions are written here, as HTML (escaped
with :func:`html.escape`), so the form reads and prints without JavaScript;
a small inline script (``form/form.js``) adds what needs one: answers kept in
the browser between visits (only when the person ticks "Keep my answers on
this computer", under a key unique to this generated form), a live progress
line, and a button that downloads an answers YAML file for
``ethics-review :answers:`` (every entry ``format: text``; a screening
question's yes / no / unsure as ``answer:``).  The page
loads nothing from the network, and says so to the browser: its
Content-Security-Policy allows only its own inline style and script (by
hash), so a hostile pre-filled answer could not run code even if it escaped.

Templates live beside this module as package data (``form/form.html``,
``form.css``, ``form.js``).  Plain Python, no Sphinx.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from sphinx_ethics.answers.slots import placeholder_key
from sphinx_ethics.catalogue import Attribution, Checklist, Question
from sphinx_ethics.catalogue import attribution as wording
from sphinx_ethics.catalogue.model import SCREENING_CHOICES
from sphinx_ethics.version import __version__

#: The states a slot can be given in the form, and their labels.
STATE_LABELS = {
    "answered": "Answered",
    "not-applicable": "Does not apply",
    "draft": "Draft, not final",
}


@dataclass(frozen=True)
class Prefill:
    """An answer the form starts with (from ``--answers``)."""

    text: str
    status: str = "answered"
    choice: str = ""  # a screening question's yes / no / unsure


def _asset(name: str) -> str:
    return (resources.files("sphinx_ethics") / "form" / name).read_text("utf-8")


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def script_json(data: object) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escaped)
    # U+2028/2029 are valid in JSON, but not in older JavaScript string literals.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


#: Every generated form's storage key starts with this; a random id follows.
STORAGE_PREFIX = "sphinx-ethics-form:"


def new_form_id() -> str:
    """A random id for one generated form: its stored answers are never another's
    (two projects' forms with the same checklists and title included)."""
    return secrets.token_hex(16)


def download_name(checklists: Sequence[Checklist]) -> str:
    """The downloaded file's name: ``plan-answers.yaml``."""
    return "-".join(c.id for c in checklists)[:80] + "-answers.yaml"


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_form(
    checklists: Sequence[Checklist],
    title: str,
    prefill: Mapping[str, Prefill] | None = None,
    placeholders: Iterable[str] = (),
    form_id: str = "",
) -> str:
    """The whole form page: questions, a box and a state per slot, the script.

    ``form_id`` (a new random one unless given) names where the browser keeps
    this form's answers, when the person asks it to."""
    prefill = prefill or {}
    css, script = _asset("form.css"), _asset("form.js")
    slots = [q.id for c in checklists for q in c.slots()]
    boxed = [q for c in checklists for q in _boxed(c, prefill)]
    config = {
        "storageKey": STORAGE_PREFIX + (form_id or new_form_id()),
        "slots": slots,
        "boxes": [q.id for q in boxed],
        "choices": [q.id for q in boxed if q.screening],
        "placeholders": sorted({placeholder_key(p) for p in placeholders} - {""}),
        "fileName": download_name(checklists),
        "header": [
            f"Answers from the sphinx-ethics {__version__} form for: "
            + ", ".join(c.id for c in checklists),
            "Name this file in an ethics-review's :answers: option.",
        ],
    }
    policy = (
        f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(script)}; "
        "form-action 'none'; base-uri 'none'"
    )
    body = [_section(c, prefill) for c in checklists]
    page = string.Template(_asset("form.html"))
    return page.substitute(
        version=_h(__version__),
        policy=_h(policy),
        title=_h(title),
        css=css,
        required=len(slots),
        checklists="\n".join(body),
        config=script_json(config),
        script=script,
    )


def _boxed(checklist: Checklist, prefill: Mapping[str, Prefill]) -> list[Question]:
    """The questions that get a box: every slot, and a group the answers file answers."""
    return [q for q in checklist.iter_questions() if not q.is_group or q.id in prefill]


def _section(checklist: Checklist, prefill: Mapping[str, Prefill]) -> str:
    out = [
        f'<section class="checklist" aria-labelledby="c-{_h(checklist.id)}">',
        f'<h2 id="c-{_h(checklist.id)}">{_h(checklist.title)}</h2>',
    ]
    out += [f'<p class="intro">{_h(p)}</p>' for p in checklist.intro]
    for question in checklist.questions:
        out += _question(question, prefill, level=3)
    out += [
        f'<p class="source">{_attribution(s)}</p>' for s in wording.checklist_sources(checklist)
    ]
    out.append("</section>")
    return "\n".join(out)


def _attribution(source: Attribution) -> str:
    def link(url: str) -> str:
        return f'<a href="{_h(url)}">{_h(url)}</a>'

    return wording.write(source, _h, lambda t: f"<cite>{_h(t)}</cite>", link)


def _question(question: Question, prefill: Mapping[str, Prefill], level: int) -> list[str]:
    qid = _h(question.id)
    kind = "group" if question.is_group else "slot"
    out = [
        f'<div class="question {kind}" id="q-{qid}">',
        f'<h{level} class="question-text" id="t-{qid}"><span class="number">'
        f"{_h(question.number)}.</span> {_h(question.text)} "
        f'<span class="qid">{qid}</span></h{level}>',
    ]
    if question.added_by:
        out.append(f'<p class="added"><em>{_h(wording.added_mark(question))}</em></p>')
    if question.prompts:
        out.append(f'<ul class="prompts" id="p-{qid}">')
        out += [f"<li>{_h(p)}</li>" for p in question.prompts]
        out.append("</ul>")
    if not question.is_group or question.id in prefill:
        out += _answer(question, prefill.get(question.id))
    for sub in question.subquestions:
        out += _question(sub, prefill, level + 1)
    out.append("</div>")
    return out


def _answer(question: Question, given: Prefill | None) -> list[str]:
    """The labelled box and the state radios of one slot."""
    qid, number = _h(question.id), _h(question.number)
    state = given.status if given else "answered"
    described = f"t-{qid} p-{qid}" if question.prompts else f"t-{qid}"
    optional = " (optional)" if question.is_group else ""
    out = [f'<div class="answer" data-slot="{qid}">']
    if question.screening:
        out += _choices(question, given.choice if given else "")
    out += [
        f'<label class="box-label" for="a-{qid}">Your answer to {number}{optional}</label>',
        f'<textarea id="a-{qid}" name="{qid}" rows="5" spellcheck="true" '
        # The parser drops one newline right after <textarea>: this one, not the answer's.
        f'aria-describedby="{described} s-{qid}">\n{_h(given.text if given else "")}</textarea>',
        f'<fieldset class="state"><legend>Status of your answer to {number}</legend>',
    ]
    for value, label in STATE_LABELS.items():
        checked = " checked" if value == state else ""
        out.append(
            f'<label><input type="radio" name="state-{qid}" value="{value}"{checked}> '
            f"{_h(label)}</label>"
        )
    out += ["</fieldset>", f'<p class="slot-status" id="s-{qid}"></p>', "</div>"]
    return out


def _choices(question: Question, chosen: str) -> list[str]:
    """A screening question's yes / no / unsure: a radio group with a legend."""
    qid, number = _h(question.id), _h(question.number)
    out = [
        f'<fieldset class="choice" id="c-{qid}"><legend>Yes, no or unsure: '
        f"your choice for {number}</legend>"
    ]
    for value in SCREENING_CHOICES:
        checked = " checked" if value == chosen else ""
        out.append(
            f'<label><input type="radio" name="choice-{qid}" value="{value}"{checked}> '
            f"{value.capitalize()}</label>"
        )
    return [*out, "</fieldset>"]
