# Sign-off, field, screening and referral problems: their build log is part
# of docs/reference/warning-examples.txt (see tests/test_docs.py).
project = "Governance warning examples"
extensions = ["sphinx_ethics"]
ethics_today = "2026-11-01"
ethics_checklists = ["../test-governance/screening.yaml"]
ethics_signoff_roles = ["Clinical lead", "Patient partner"]
ethics_review_fields = {"registration": "QI registration number"}
exclude_patterns = ["_build"]
