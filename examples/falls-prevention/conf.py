# Sphinx configuration for the "Safer Steps" falls-prevention QI project.
#
# Build the HTML site from this folder with:
#     sphinx-build -b html . _build/html
# Build a PDF (needs a LaTeX installation) with:
#     sphinx-build -M latexpdf . _build

project = "Safer Steps: falls prevention on Wards 7 and 8"
author = "Ward 7 and 8 QI team"
copyright = "2026, Northfield General Hospital, Ward 7 and 8 QI team"
version = release = "2026.11"

# sphinx_ethics gives us the ethics review, checklist, tips and glossary
# directives; myst_parser lets us write some pages in Markdown.
extensions = ["sphinx_ethics", "myst_parser"]

# Pages can be reStructuredText (.rst) or MyST Markdown (.md).
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}

# ":::" fences, so Markdown pages can nest directives inside each other.
myst_enable_extensions = ["colon_fence"]

# Fixed "today" for review-by checks, so the build gives the same result
# whenever it is run. Remove this line to check against the real date.
ethics_today = "2026-11-01"
# The published site: the report names it, so a programme page can link here.
ethics_source_url = "https://qi.example.org/falls/"

# Fail the build (exit code 1) if any required ethics question is left
# unanswered, even without -W; and write a JUnit report for CI dashboards.
ethics_fail_on_unanswered = True
ethics_junit = "ethics-junit.xml"

# Our screening checklist (an example file: replace it with your trust's own
# form). Its questions are answered yes, no or unsure, and some answers
# refer the project to another body (see screening.rst).
ethics_checklists = ["screening-checklist.yaml"]

# Who must sign off an approved review: each role records an
# "ethics-signoff::" with :by:, :date: and :decision:. Printed copies get an
# empty row per role, to sign by hand.
ethics_signoff_roles = ["Clinical lead", "Patient partner"]

# Extra details every review must give (as review options), shown in the
# review and, with ":fields: registration", in the summary table.
ethics_review_fields = {"registration": "QI registration number"}

# Folders Sphinx should ignore (the build output).
exclude_patterns = ["_build"]

# HTML output.
html_title = "Safer Steps — falls prevention on Wards 7 and 8"

# PDF output: (start page, file name, title, author, document class).
latex_engine = "pdflatex"
latex_documents = [
    (
        "index",
        "safer-steps.tex",
        "Safer Steps: Falls Prevention on Wards 7 and 8",
        "Ward 7 and 8 QI team, Northfield General Hospital",
        "manual",
    ),
]
