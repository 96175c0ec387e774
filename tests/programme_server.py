"""A loopback HTTP server for the programme tests and benchmark (stdlib, in a thread)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar


def report(
    version: int = 3,
    *,
    complete: bool = True,
    review_by: str = "2027-01-01",
    generated_at: str = "2026-11-30T10:00:00Z",
    referral: bool = False,
    missing_role: bool = False,
    extra: bool = False,
    name: str = "main",
) -> dict[str, Any]:
    """A small report of ``version`` (4 adds keys this version does not know)."""
    review: dict[str, Any] = {
        "name": name,
        "docname": "ethics",
        "file": "ethics.rst",
        "line": 3,
        "title": f"Ethics review {name}",
        "checklists": ["plan"],
        "metadata": {
            "owner": "Team",
            "reviewers": [],
            "date": "2026-10-01",
            "review_by": review_by,
            "status": "approved" if complete else "draft",
        },
        "required": 10,
        "answered": 10 if complete else 6,
        "complete": complete,
        "overdue": False,
        "problems": [],
        "signoffs": []
        if missing_role
        else [
            {
                "role": "Clinical lead",
                "by": "A",
                "date": "2026-10-02",
                "decision": "approved",
                "comment": "",
                "file": "ethics.rst",
                "line": 9,
            }
        ],
        "fields": {},
        "referrals": [
            {
                "to": "R&D office",
                "because": "",
                "question": "s-1",
                "answer": "yes",
                "outcome": "",
                "open": True,
            }
        ]
        if referral
        else [],
        "slots": [],
    }
    data: dict[str, Any] = {
        "schema_version": version,
        "complete": complete,
        "checklists": [],
        "reviews": [review],
        "problems": [],
    }
    if version >= 3:
        review.update({"checklist_versions": {"plan": "1"}, "uri": "ethics.html#main"})
        data.update(
            {
                "generated_at": generated_at,
                "today": generated_at[:10],
                "generator": {"name": "sphinx-ethics", "version": "0.1.0"},
                "project": {"name": "P", "source_url": None, "commit": None},
                "signoff_roles": ["Clinical lead"],
            }
        )
    if extra:
        data["dashboards"] = {"new": True}
        review["risk_score"] = 7
    return data


class Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, bytes]]] = {}
    seen: ClassVar[list[dict[str, str]]] = []
    slow: ClassVar[set[str]] = set()

    def do_GET(self) -> None:
        type(self).seen.append({"path": self.path, **dict(self.headers)})
        if self.path in self.slow:
            time.sleep(3)
        status, body = self.routes.get(self.path, (404, b"not found"))
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(
    routes: dict[str, Any], slow: set[str] = frozenset()
) -> Iterator[tuple[str, type[Handler]]]:
    """Serve ``routes`` (path -> dict, bytes or (status, bytes)) on 127.0.0.1."""
    table = {}
    for path, value in routes.items():
        if isinstance(value, tuple):
            table[path] = value
        elif isinstance(value, bytes):
            table[path] = (200, value)
        else:
            table[path] = (200, json.dumps(value).encode())
    handler = type("H", (Handler,), {"routes": table, "seen": [], "slow": set(slow)})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
