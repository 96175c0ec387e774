"""A programme: many projects' ethics reports, collected and read as one.

Plain Python, no Sphinx: the programme file (TOML), fetching reports (the
only network code in the package), the snapshot store, reading reports of
any schema version, and the rows, headline, CSV, JSON, calendar and chart
the ``ethics-programme`` directive shows.  Everything read from a report is
untrusted data: text only, URLs only when they are http(s).
"""
