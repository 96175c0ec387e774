# Overdue on the review itself, the summary table in PDF, and answers with
# symbols and an emoji in PDF (tests/test_overdue_pdf.py).
project = "Review dates"
extensions = ["sphinx_ethics"]
ethics_today = "2027-02-01"
exclude_patterns = ["_build"]
latex_engine = "pdflatex"
latex_documents = [("index", "ethics-overdue.tex", "Review dates", "QI team", "manual")]
