"""Count doctree nodes per answer slot: as read (cached) and as written.

Every node of a page *as read* passes through the read transforms (about
thirty, most of which walk the whole tree), is pickled into the doctree
cache and loaded again to write; the nodes *as written* are what the
post-transforms after the review is built and the writer visit.  Builds a
generated project (``generate.py``) in this process, then counts both for
every project page.

Usage::

    python benchmarks/count_nodes.py --pages 20 --kind lean
    python benchmarks/count_nodes.py --pages 20 --kind handwritten

To count an older version of the extension, put its checkout first on
``PYTHONPATH``; the generator here is used either way.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
from pathlib import Path

from docutils.nodes import Node
from sphinx.application import Sphinx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate


def count(tree: Node) -> int:
    return sum(1 for _ in tree.findall())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--kind", choices=generate.KINDS, default="lean")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        src = generate.generate(args.pages, Path(work) / "src", args.kind, args.seed)
        app = Sphinx(
            src, src, Path(work) / "html", Path(work) / "doctrees", "html",
            status=None, warning=io.StringIO(),
        )  # fmt: skip
        app.build()
        layout = generate.LAYOUT[args.kind]
        pages = list(generate.iter_pages(args.pages, args.seed, layout=layout))
        read, written = [], []
        for page in pages:
            read.append(count(app.env.get_doctree(page.docname)))
            written.append(count(app.env.get_and_resolve_doctree(page.docname, app.builder)))
    slots = statistics.mean(p.required for p in pages)
    print(f"{args.kind}: {args.pages} pages, {slots:.1f} answer slots per page")
    for label, counts in (("as read (cached)", read), ("as written", written)):
        per_page = statistics.mean(counts)
        print(f"  nodes {label:<17} {per_page:7.1f} per page  {per_page / slots:5.1f} per slot")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
