"""Reading YAML that someone else wrote: checklist files and answers files.

Checklist files and answers files come from teams, forms and surveys, so this
reader assumes nothing about them.  It is plain Python (no Sphinx), shared by
the catalogue and the answers-file reader, and it

- refuses anything but a regular file (a FIFO, device or directory) without
  ever blocking on it: ``os.stat`` first, then ``O_NONBLOCK`` on open and
  ``fstat`` of what was opened, in case the file was swapped in between;
- refuses files larger than :data:`MAX_BYTES`;
- composes the node tree itself, one event at a time (libyaml's parser where
  PyYAML has it), so that it can count what aliases expand to: a "billion
  laughs" file is refused at the alias that crosses :data:`MAX_ALIAS_NODES`,
  in milliseconds, and an alias inside its own anchor (a cycle) is refused;
- refuses nesting deeper than :data:`MAX_DEPTH` (nothing downstream recurses
  without bound);
- notes every mapping key given twice, with the lines of both, since YAML
  loaders otherwise keep the last one silently.

Everything wrong is an :class:`YamlReadError` with a 1-based line, except
repeated keys, which come back as :class:`DuplicateKey` so that a caller can
report them and still use the rest of the file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Largest file read, in bytes.
MAX_BYTES = 5 * 1024 * 1024
#: Most nodes that all aliases of one file may stand for, counted as expanded.
MAX_ALIAS_NODES = 10_000
#: Deepest nesting of sequences and mappings.
MAX_DEPTH = 64

#: libyaml's loader where PyYAML was built with it: the same events, faster.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlReadError(Exception):
    """The file cannot be used at all; ``line`` is 1-based.

    With ``about_file``, the message says what the file is ("is a FIFO ...",
    "is too large ...") and reads after its name; otherwise it is a sentence
    about the content ("invalid YAML: ...").
    """

    def __init__(self, message: str, line: int = 1, *, about_file: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.about_file = about_file


class MissingFile(YamlReadError):
    """There is no file at that path."""


@dataclass(frozen=True)
class DuplicateKey:
    """A mapping key given twice: the second is at ``line``."""

    key: str
    line: int
    first_line: int

    @property
    def message(self) -> str:
        return f"key {self.key!r} appears twice (first at line {self.first_line})"


@dataclass(frozen=True)
class Document:
    root: Node | None
    duplicates: tuple[DuplicateKey, ...] = ()


# --------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse(mode: int) -> YamlReadError:
    return YamlReadError(
        f"is {_kind(mode)}, not a regular file; refusing to read it", about_file=True
    )


def _too_large(size: int) -> YamlReadError:
    return YamlReadError(
        f"is too large ({size:,} bytes; at most {MAX_BYTES:,} bytes are read): "
        "split it into several files",
        about_file=True,
    )


def _unreadable(err: OSError) -> YamlReadError:
    return YamlReadError(f"cannot be read: {err.strerror or err}", about_file=True)


def read_text(path: str | Path) -> str:
    """The text of a regular UTF-8 file of at most :data:`MAX_BYTES` bytes.

    Never blocks on a FIFO or a device: those are refused after ``stat``,
    and opening with ``O_NONBLOCK`` guards against one swapped in afterwards.
    """
    info = _stat_or_raise(path)
    _check_regular(info.st_mode, info.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise MissingFile("not found", about_file=True) from None
    except OSError as err:
        raise _unreadable(err) from None
    try:
        chunks, size = _read_regular(fd)
    except OSError as err:
        raise _unreadable(err) from None
    finally:
        os.close(fd)
    return _decode(chunks, size)


def _stat_or_raise(path: str | Path) -> os.stat_result:
    try:
        return os.stat(path)
    except FileNotFoundError:
        raise MissingFile("not found", about_file=True) from None
    except OSError as err:
        raise _unreadable(err) from None


def _check_regular(mode: int, size: int) -> None:
    if not stat.S_ISREG(mode):
        raise _refuse(mode)
    if size > MAX_BYTES:
        raise _too_large(size)


def _read_regular(fd: int) -> tuple[list[bytes], int]:
    """The bytes of an opened file, checked again to be a regular file."""
    opened = os.fstat(fd)
    if not stat.S_ISREG(opened.st_mode):
        raise _refuse(opened.st_mode)
    chunks, size = [], 0
    while size <= MAX_BYTES:
        chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return chunks, size


def _decode(chunks: list[bytes], size: int) -> str:
    if size > MAX_BYTES:
        raise _too_large(size)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as err:
        line = b"".join(chunks)[: err.start].count(b"\n") + 1
        message = f"cannot be read: it is not UTF-8 text ({err.reason})"
        raise YamlReadError(message, line, about_file=True) from None


# --------------------------------------------------------------------------
# The node tree
# --------------------------------------------------------------------------


def _yaml_error(err: yaml.YAMLError) -> YamlReadError:
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        what = " ".join(filter(None, [err.context, err.problem]))
        if "expected <block end>" in what or "mapping values are not allowed" in what:
            what += " (check the indentation and quote text that contains ': ')"
        return YamlReadError(f"invalid YAML: {what}", mark.line + 1 if mark else 1)
    return YamlReadError(f"invalid YAML: {err}")


class _Composer:
    """PyYAML's composer, without recursion, counting what aliases stand for."""

    def __init__(self, text: str, loader: type = SafeLoader) -> None:
        self.loader = loader(text)
        self.anchors: dict[str, Node] = {}
        self.sizes: dict[int, int] = {}  # id(node) -> nodes it stands for, expanded
        self.open: set[int] = set()  # collections not yet closed
        self.alias_nodes = 0
        self.duplicates: list[DuplicateKey] = []
        self.keys = SafeConstructor()

    def compose(self) -> Node | None:
        loader = self.loader
        try:
            loader.get_event()  # stream start
            root = None
            if not loader.check_event(StreamEndEvent):
                loader.get_event()  # document start
                root = self._document()
                loader.get_event()  # document end
            if not loader.check_event(StreamEndEvent):
                event = loader.get_event()
                raise yaml.composer.ComposerError(
                    "expected a single document in the stream",
                    root.start_mark if root is not None else None,
                    "but found another document",
                    event.start_mark,
                )
            loader.get_event()  # stream end
            return root
        finally:
            loader.dispose()

    def _document(self) -> Node:
        # Each open collection: [node, expanded size so far, seen keys, pending key]
        stack: list[list[Any]] = []
        loader = self.loader
        while True:
            event = loader.get_event()
            if isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                entry = stack.pop()
                node = entry[0]
                node.end_mark = event.end_mark
                self.open.discard(id(node))
                self.sizes[id(node)] = entry[1]
                done, size = node, entry[1]
            elif isinstance(event, AliasEvent):
                done = self._alias(event)
                size = self.sizes.get(id(done), 1)
            else:
                done, size = self._start(event, stack)
                if done is None:
                    continue
            if not stack:
                return done
            self._add(stack[-1], done, size)

    def _alias(self, event: AliasEvent) -> Node:
        line = event.start_mark.line + 1
        node = self.anchors.get(event.anchor)
        if node is None:
            raise YamlReadError(f"invalid YAML: found undefined alias {event.anchor!r}", line)
        if id(node) in self.open:
            raise YamlReadError(f"alias *{event.anchor} is inside its own anchor", line)
        self.alias_nodes += self.sizes.get(id(node), 1)
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise YamlReadError(
                f"aliases expand to more than {MAX_ALIAS_NODES:,} values "
                f"(at alias *{event.anchor}); write the values out instead",
                line,
            )
        return node

    def _start(self, event: Any, stack: list[list[Any]]) -> tuple[Node | None, int]:
        anchor = event.anchor
        if anchor is not None and anchor in self.anchors:
            raise YamlReadError(
                f"invalid YAML: found duplicate anchor {anchor!r}", event.start_mark.line + 1
            )
        if isinstance(event, ScalarEvent):
            node: Node = ScalarNode(
                self._tag(event, ScalarNode, event.value),
                event.value,
                event.start_mark,
                event.end_mark,
                style=event.style,
            )
            if anchor is not None:
                self.anchors[anchor] = node
            return node, 1
        if len(stack) >= MAX_DEPTH:
            raise YamlReadError(
                f"nested more than {MAX_DEPTH} levels deep", event.start_mark.line + 1
            )
        node = self._collection(event)
        if anchor is not None:
            self.anchors[anchor] = node
        self.open.add(id(node))
        stack.append([node, 1, {}, None])
        return None, 0

    def _tag(self, event: Any, kind: type, value: str | None) -> str:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(kind, value, event.implicit)
        return tag

    def _collection(self, event: Any) -> Node:
        if isinstance(event, SequenceStartEvent):
            tag = self._tag(event, SequenceNode, None)
            return SequenceNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
        if isinstance(event, MappingStartEvent):
            tag = self._tag(event, MappingNode, None)
            return MappingNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
        # pragma: no cover - the parser sends nothing else inside a document
        raise YamlReadError(f"invalid YAML: unexpected {type(event).__name__}")

    def _add(self, entry: list[Any], child: Node, size: int) -> None:
        node = entry[0]
        entry[1] += size
        if isinstance(node, SequenceNode):
            node.value.append(child)
        elif entry[3] is None:
            entry[3] = child
            self._note_key(entry[2], child)
        else:
            node.value.append((entry[3], child))
            entry[3] = None

    def _note_key(self, seen: dict[Any, int], key: Node) -> None:
        if not isinstance(key, ScalarNode) or key.tag == MERGE_TAG:
            return
        try:
            value = self.keys.construct_object(key)
            hash(value)
        except Exception:
            value = (key.tag, key.value)
        line = key.start_mark.line + 1
        if value in seen:
            self.duplicates.append(DuplicateKey(str(key.value), line, seen[value]))
        else:
            seen[value] = line


def compose(text: str) -> Document:
    """The node tree of one YAML document (``None`` when empty), with repeated keys."""
    composer = _Composer(text)
    try:
        root = composer.compose()
    except yaml.YAMLError as err:
        raise _yaml_error(_clearer(text, err)) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps this away
        raise YamlReadError(f"nested more than {MAX_DEPTH} levels deep") from None
    return Document(root, tuple(composer.duplicates))


def _clearer(text: str, err: yaml.YAMLError) -> yaml.YAMLError:
    """PyYAML's own message for a syntax error, where libyaml's is terser.

    libyaml says "did not find expected ',' or ']'" where PyYAML says what it
    found instead; the file is parsed again (with the same limits) only when
    it is broken.
    """
    if SafeLoader is yaml.SafeLoader or len(text) > MAX_BYTES // 5:
        return err
    try:
        _Composer(text, yaml.SafeLoader).compose()
    except yaml.YAMLError as again:
        return again
    return err


def read_yaml(path: str | Path) -> Document:
    """Read and compose one file; raise :class:`YamlReadError` if it cannot be used."""
    return compose(read_text(path))


def construct(root: Node | None) -> Any:
    """Plain Python data (safe types only) from a tree :func:`compose` returned."""
    if root is None:
        return None
    try:
        return SafeConstructor().construct_document(root)
    except yaml.YAMLError as err:
        raise _yaml_error(err) from None
