project = "LaTeX test"
extensions = ["sphinx_ethics"]
ethics_today = "2026-11-01"
exclude_patterns = ["_build"]
latex_engine = "pdflatex"
latex_documents = [("index", "ethics-latex.tex", "LaTeX test", "QI team", "manual")]
