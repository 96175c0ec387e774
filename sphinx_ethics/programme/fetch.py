"""Fetching one report: the only network code in sphinx-ethics (stdlib ``urllib``).

A location is an http(s) URL, a ``file://`` URL or a path (relative to the
programme file).  Each fetch has a timeout and a number of retries; TLS is
verified unless ``tls_verify = false``, against ``tls_cacerts`` when given
(as Sphinx's own settings).  A token, read from the environment variable a
project names, is sent as ``Authorization: Bearer`` only over https or to a
loopback address, never on a redirect, and never appears in a message.
"""

from __future__ import annotations

import ipaddress
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from sphinx_ethics.programme.config import Settings
from sphinx_ethics.version import __version__

#: A report larger than this is not a report.
MAX_BYTES = 64 * 1024 * 1024
USER_AGENT = f"sphinx-ethics/{__version__} (programme collect)"


class FetchError(Exception):
    """One location could not be read; the message is safe to show (no token)."""

    def __init__(self, message: str, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


def shown(location: str) -> str:
    """A location as it may be logged: without user:password@ or a query string."""
    parts = urllib.parse.urlsplit(location)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return location
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    query = "?…" if parts.query else ""
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", "")) + query


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def may_send_token(url: str) -> bool:
    """Only over https, or to this machine (a test server, a local proxy)."""
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname or ""))


def tls_context(settings: Settings) -> ssl.SSLContext:
    if not settings.tls_verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=settings.tls_cacerts or None)


def local_path(location: str, base: Path) -> Path | None:
    """The file a location names, or None for an http(s) URL."""
    parts = urllib.parse.urlsplit(location)
    if parts.scheme in ("http", "https"):
        return None
    if parts.scheme == "file":
        return Path(urllib.request.url2pathname(parts.path))
    if parts.scheme and len(parts.scheme) > 1:
        raise FetchError(f"{location}: only http(s) URLs, file:// URLs and paths are read")
    path = Path(location).expanduser()
    return path if path.is_absolute() else base / path


def fetch(location: str, base: Path, settings: Settings, token: str = "") -> bytes:
    """The bytes at ``location``, retried ``settings.retries`` times on a network fault."""
    path = local_path(location, base)
    if path is not None:
        return _read_file(path, location)
    attempts = settings.retries + 1
    for attempt in range(attempts):
        try:
            return _get(location, settings, token)
        except FetchError as err:
            if not err.retry or attempt + 1 == attempts:
                raise
            time.sleep(min(0.2 * (attempt + 1), 2.0))
    raise FetchError(f"{shown(location)}: not fetched")  # not reached


def _read_file(path: Path, location: str) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise FetchError(f"{location}: larger than {MAX_BYTES // 2**20} MiB")
        return path.read_bytes()
    except FileNotFoundError:
        raise FetchError(f"{location}: no such file") from None
    except OSError as err:
        raise FetchError(f"{location}: {err.strerror or err}") from None


def _get(url: str, settings: Settings, token: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    if token and may_send_token(url):
        # unredirected: urllib copies ordinary headers to a redirect's target
        request.add_unredirected_header("Authorization", f"Bearer {token}")
    context = tls_context(settings) if url.lower().startswith("https:") else None
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout, context=context) as reply:
            data = reply.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as err:
        raise FetchError(f"{shown(url)}: HTTP {err.code} {err.reason}", err.code >= 500) from None
    except urllib.error.URLError as err:
        raise FetchError(f"{shown(url)}: {_reason(err.reason)}", retry=True) from None
    except TimeoutError:
        raise FetchError(f"{shown(url)}: no answer in {settings.timeout:g} s", True) from None
    except (OSError, ValueError) as err:
        raise FetchError(f"{shown(url)}: {_reason(err)}", retry=True) from None
    if len(data) > MAX_BYTES:
        raise FetchError(f"{shown(url)}: larger than {MAX_BYTES // 2**20} MiB")
    return data


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError | ssl.SSLError) or "timed out" in str(reason):
        return "no answer in time" if "timed out" in str(reason) else f"TLS: {reason}"
    return str(getattr(reason, "strerror", None) or reason)
