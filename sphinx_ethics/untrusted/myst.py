"""MyST answers-file entries: markdown-it with no extensions and no HTML.

MyST's own parser would apply the project's ``myst_enable_extensions``
(``substitution`` renders ``{{ ... }}`` with Jinja, which can run code),
run ``{name}`` fences as directives and make a link to a local file a
download.  Here markdown-it is configured explicitly: CommonMark, HTML off,
tables on, ``{role}`text``` syntax (the role is looked up through
:class:`sphinx_ethics.untrusted.allowlist.Restricted`, so only the allowed
roles run), and nothing else.  The renderer is MyST's plain docutils one
(``commonmark_only``: every link a plain link) with the rest refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from mdit_py_plugins.myst_role import myst_role_plugin
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils.base import DocutilsRenderer

from sphinx_ethics.untrusted.allowlist import ROLES, Refusals, shown_block, shown_inline

if TYPE_CHECKING:
    from docutils import nodes
    from markdown_it.tree import SyntaxTreeNode


class _Renderer(DocutilsRenderer):
    """MyST's docutils renderer with directives, headings, rules and images refused."""

    refusals: Refusals

    def _line(self, token: SyntaxTreeNode) -> int | None:
        return token.map[0] if token.map else None

    def _refuse_block(self, token: SyntaxTreeNode, what: str, text: str) -> None:
        self.refusals.add(what, self._line(token))
        self.current_node.append(shown_block(text))

    def render_fence(self, token: SyntaxTreeNode) -> None:
        info = (token.info or "").strip()
        if info.startswith("{"):
            name = info[1:].split("}", 1)[0].strip()
            fence = token.markup or "```"
            text = f"{fence}{token.info}\n{token.content}{fence}"
            self._refuse_block(token, f"the directive {name!r}", text)
            return
        super().render_fence(token)

    def render_heading(self, token: SyntaxTreeNode) -> None:
        text = f"{token.markup} {self.renderInlineAsText(token.children or [])}"
        self._refuse_block(token, "a heading", text)

    def render_hr(self, token: SyntaxTreeNode) -> None:
        self._refuse_block(token, "a horizontal rule", token.markup or "---")

    def render_image(self, token: SyntaxTreeNode) -> None:
        src = str(token.attrGet("src") or "")
        text = f"![{token.content}]({src})"
        self.refusals.add(f"the image {src!r}", self._line(token))
        self.current_node.append(shown_inline(text))

    def render_html_inline(self, token: SyntaxTreeNode) -> None:
        self.current_node.append(shown_inline(token.content))

    def render_html_block(self, token: SyntaxTreeNode) -> None:
        self.current_node.append(shown_block(token.content))

    def render_myst_role(self, token: SyntaxTreeNode) -> None:
        name = str(token.meta.get("name", ""))
        if name.lower() in ROLES:
            super().render_myst_role(token)  # looked up through Restricted
            return
        self.refusals.add(f"the role {{{name}}}", self._line(token))
        self.current_node.append(shown_inline(f"{{{name}}}`{token.content}`"))

    def render_link(self, token: SyntaxTreeNode) -> None:
        self.render_link_url(token)  # a plain link: never a cross-reference or download


def parse_myst(text: str, document: nodes.document, first_line: int, refusals: Refusals) -> None:
    """Render ``text`` into ``document``, its lines numbered from ``first_line``."""
    md = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": False, "typographer": False},
        renderer_cls=_Renderer,
    )
    md.enable("table")
    md.use(myst_role_plugin)
    md.options["document"] = document
    md.options["myst_config"] = MdParserConfig(commonmark_only=True)
    renderer = md.renderer
    renderer.refusals = refusals  # type: ignore[attr-defined]
    env: dict[str, object] = {}
    tokens = md.parse(text + "\n", env)
    for token in tokens:
        if token.map:
            token.map = [token.map[0] + first_line - 1, token.map[1] + first_line - 1]
    renderer.render(tokens, md.options, env)
