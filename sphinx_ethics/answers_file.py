"""Answers kept in a YAML file beside the page (``ethics-review :answers:``).

Answers gathered in a form or a spreadsheet can feed a review without being
pasted into the page.  The file maps question ids to answer text, written
in the page's own markup (reStructuredText or MyST)::

    plan-1: |
      Reducing inpatient falls on wards 7 and 8 ...
    plan-2c:
      status: not-applicable
      text: No penalties or rewards are involved.

Every problem is an ``ethics.answers-file`` warning with the file and line;
the answers that can be read are still used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from sphinx.locale import get_translation

from sphinx_ethics.validation import ANSWER_STATUSES, warn

__ = get_translation("sphinx_ethics", "console")


@dataclass(frozen=True)
class FileAnswer:
    question_id: str
    status: str
    text: str
    location: str  # "path:line", for warnings


def resolve(srcdir: str | Path, document_dir: str | Path, name: str) -> Path | None:
    """The file's path if it lies inside the source directory, else None."""
    root = Path(srcdir).resolve()
    base = root if name.startswith("/") else Path(document_dir)
    path = (base / name.lstrip("/")).resolve()
    return path if path.is_relative_to(root) else None


def read_answers(path: Path, display: str) -> list[FileAnswer]:
    """The answers in ``path``; warns (with line) on each entry it cannot use."""
    try:
        text = path.read_text("utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except FileNotFoundError:
        warn("answers-file", __("answers file %s not found") % display, f"{display}:1")
        return []
    except (OSError, UnicodeDecodeError) as err:
        warn("answers-file", __("cannot read answers file: %s") % err, f"{display}:1")
        return []
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        what = " ".join(filter(None, [err.context, err.problem]))
        warn("answers-file", __("invalid YAML: %s") % what, f"{display}:{line}")
        return []
    except yaml.YAMLError as err:
        warn("answers-file", __("invalid YAML: %s") % err, f"{display}:1")
        return []
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        msg = __("an answers file maps question ids to answers, e.g. 'plan-1: text'")
        warn("answers-file", msg, f"{display}:{root.start_mark.line + 1}")
        return []
    return [a for key, value in root.value if (a := _answer(key, value, display)) is not None]


def _answer(key: yaml.Node, value: yaml.Node, display: str) -> FileAnswer | None:
    location = f"{display}:{key.start_mark.line + 1}"
    question_id = str(key.value)
    if isinstance(value, yaml.ScalarNode):
        return FileAnswer(question_id, "answered", str(value.value or ""), location)
    if not isinstance(value, yaml.MappingNode):
        msg = __("%s: expected answer text or a mapping with 'text' and 'status'")
        warn("answers-file", msg % question_id, location)
        return None
    fields = {str(k.value): v for k, v in value.value}
    unknown = sorted(set(fields) - {"text", "status"})
    if unknown:
        msg = __("%s: unknown key(s) %s; use 'text' and 'status'")
        warn("answers-file", msg % (question_id, ", ".join(unknown)), location)
    status_node, text_node = fields.get("status"), fields.get("text")
    status = str(status_node.value) if isinstance(status_node, yaml.ScalarNode) else "answered"
    if status not in ANSWER_STATUSES:
        msg = __("%s: unknown answer status %r; use one of: %s")
        warn("status", msg % (question_id, status, ", ".join(ANSWER_STATUSES)), location)
        status = "answered"
    text = str(text_node.value or "") if isinstance(text_node, yaml.ScalarNode) else ""
    return FileAnswer(question_id, status, text, location)
