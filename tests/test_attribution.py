"""The attribution, the guide's introductions and its further reading, in every format.

The attribution names the adaptation (the Explain THIS resource by THIS
Institute, with its address) and the original (the book by Cribb, Entwistle
and Mitchell, its series and DOI), says what this copy changed, and names
the licence with its address.  Every address is visible text: in HTML, in
the text builder's output and in a printed PDF (read back with pdftotext).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    ADDRESSES,
    ATTRIBUTION,
    build_html,
    latexpdf,
    no_crash,
    norm,
    pdftotext,
    soup,
    sphinx_build,
    unwrap,
    write_project,
)

from sphinx_ethics.catalogue import Attribution, OriginalWork, attribution, load_catalog
from sphinx_ethics.outputs import blank as export

CATALOG = load_catalog()
RESOURCE_URLS = [r.url for r in CATALOG.resources.values()]

CONF = 'project = "Attribution"\nextensions = ["sphinx_ethics"]\nexclude_patterns = ["_build"]\n'
PAGE = """\
Handbook
========

.. ethics-introduction:: why-improvement-ethics practical-questions

.. ethics-checklist:: collaboration

.. ethics-tips:: tip-strike-a-balance

.. ethics-definitions:: ethics
   :no-index:

.. ethics-introduction:: useful-resources

.. ethics-resources::
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("attribution"), {"index.rst": PAGE}, CONF)


def test_the_wording_reads_as_the_source_states() -> None:
    source = CATALOG.checklists["plan"].attribution
    assert source is not None
    assert attribution.text(source) == ATTRIBUTION
    kinds = [(s.kind, s.text) for s in attribution.segments(source) if s.kind != "text"]
    assert kinds == [
        ("emphasis", "Values and Ethics"),
        ("link", "https://ths.im/explain-this"),
        ("emphasis", "Values and Ethics"),
        ("emphasis", "Elements of Improving Quality and Safety in Healthcare"),
        ("link", "https://doi.org/10.1017/9781009325233"),
        ("link", "https://creativecommons.org/licenses/by-nc-nd/4.0/"),
    ]


def test_a_file_in_the_old_keys_is_attributed_as_before() -> None:
    """authors, adapted_from and doi (schema_version 1) are still shown."""
    source = Attribution(
        title="Ward 7 questions",
        series="Trust QI",
        publisher="Ward 7",
        authors=("A. Nurse", "B. Doctor"),
        adapted_from="the trust's audit guide",
        doi="10.1234/abc",
        url="https://example.org/w7",
        licence="CC BY 4.0",
        licence_url="https://creativecommons.org/licenses/by/4.0/",
    )
    assert attribution.text(source) == (
        "Source: Ward 7 questions (Trust QI, Ward 7, https://example.org/w7), by A. Nurse "
        "and B. Doctor, adapted from the trust's audit guide, https://doi.org/10.1234/abc. "
        "Licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)."
    )
    assert attribution.text(Attribution(title="Ours")) == "Source: Ours."
    original = OriginalWork(title="Book", url="https://example.org/book")
    assert attribution.text(Attribution(title="Ours", original=original)) == (
        "Source: Ours, adapted from Book (https://example.org/book)."
    )


def test_text_builder_shows_the_attribution_and_every_address(
    project: Path, tmp_path: Path
) -> None:
    result = sphinx_build("-W", "-b", "text", project, tmp_path / "text")
    no_crash(result)
    assert result.returncode == 0, result.stderr
    text = unwrap((tmp_path / "text" / "index.txt").read_text("utf-8"))
    # Under both introductions, the checklist, tips, definitions and resources.
    assert text.count(ATTRIBUTION) == 6
    for address in [*ADDRESSES, *RESOURCE_URLS]:
        assert address in text, address
    for intro in CATALOG.introductions.values():
        assert all(norm(p) in text for p in intro.text), intro.id
    assert (
        "Healthcare Quality Improvement Partnership. Guide to managing ethical issues in "
        "quality improvement or clinical audit projects. "
        "https://www.hqip.org.uk/resource/guide-to-managing-ethical-issues-in-quality-"
        "improvement-or-clinical-audit-projects/"
    ) in text


def test_html_shows_the_attribution_with_addresses_as_link_text(
    project: Path, tmp_path: Path
) -> None:
    result = build_html(project, tmp_path / "html", "-W")
    assert result.returncode == 0, result.stderr
    page = soup(tmp_path / "html" / "index.html")
    paras = page.find_all("p", class_="ethics-attribution")
    assert len(paras) == 6
    assert {norm(p.get_text()) for p in paras} == {ATTRIBUTION}
    links = {a["href"]: a.get_text() for a in paras[0].find_all("a")}
    assert links == {address: address for address in ADDRESSES}
    titles = [e.get_text() for e in paras[0].find_all("em")]
    assert titles == [
        "Values and Ethics",
        "Values and Ethics",
        "Elements of Improving Quality and Safety in Healthcare",
    ]
    resources = page.find("div", class_="ethics-resources")
    shown = {a["href"]: a.get_text() for a in resources.select("li a")}
    assert shown == {url: url for url in RESOURCE_URLS}
    assert [norm(li.strong.get_text()) for li in resources.find_all("li")] == [
        r.publisher for r in CATALOG.resources.values()
    ]
    intro = page.find("div", class_="ethics-introductions")
    assert "No improvement approach is ethically neutral" in intro.get_text()


def test_pdf_names_the_adaptation_and_the_original(
    project: Path, tmp_path: Path, latexmk: None
) -> None:
    out = pdftotext(latexpdf(project, tmp_path))
    # A long address may be broken over lines anywhere: compare without spaces.
    text = "".join(unwrap(out).split())
    assert "".join(ATTRIBUTION.split()) in text
    for address in [*ADDRESSES, *RESOURCE_URLS]:
        assert address in text, address


@pytest.mark.parametrize("fmt", ["md", "rst", "html"])
def test_exports_write_the_same_wording_with_links(fmt: str) -> None:
    checklists = [CATALOG.checklists["plan"]]
    text = export.export(CATALOG, checklists, fmt)
    expected = {
        "md": "in the series *Elements of Improving Quality and Safety in Healthcare* "
        "(<https://doi.org/10.1017/9781009325233>)",
        "rst": "in the series *Elements of Improving Quality and Safety in Healthcare* "
        "(`https://doi.org/10.1017/9781009325233 <https://doi.org/10.1017/9781009325233>`__)",
        "html": "in the series <em>Elements of Improving Quality and Safety in Healthcare</em> "
        '(<a href="https://doi.org/10.1017/9781009325233">'
        "https://doi.org/10.1017/9781009325233</a>)",
    }
    assert expected[fmt] in text
    assert "Cambridge" not in text
    assert export.slot_rows(checklists)[0]["source"] == ATTRIBUTION
