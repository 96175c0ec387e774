# Sign-off, required fields, screening and referral: every rule, in rST
# (review.rst) and MyST (review-md.md). See tests/test_governance.py.
project = "Governance"
extensions = ["sphinx_ethics", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["colon_fence"]
ethics_today = "2026-11-01"
ethics_checklists = ["screening.yaml"]
ethics_signoff_roles = ["Clinical lead", "Patient partner"]
ethics_review_fields = {"registration": "QI registration number", "dpia": "DPIA reference"}
ethics_junit = "ethics-junit.xml"
exclude_patterns = ["_build"]
