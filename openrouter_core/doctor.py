"""``python -m openrouter_core doctor [--live]``: what an installation looks like, for bug reports.

Prints the installed versions of this distribution and the libraries it builds on, a clashing
``langchain-openrouter`` install, whether a key is set (masked: ``sk-or-v1-…abcd``), the base
URL, the bundled catalog snapshot's date and size, and the proxy settings (credentials masked).
``--live`` also asks ``GET /key`` with that key and base URL. Nothing secret is printed: the
key appears only masked, and every line is scrubbed of the full key before it is written.

Exit status: 0 when nothing is wrong, 1 when a problem was found (a clashing install, or the
live check failing or impossible without a key).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from openrouter_core import environment, installation
from openrouter_core.transport import DEFAULT_BASE_URL, Endpoint

DISTRIBUTIONS = ("openrouter-integrations", "openai", "pydantic", "langchain-core",
                 "llama-index-core")
"""Distributions whose versions are reported, ours first."""

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                   "all_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR")
"""Environment variables that change how requests leave the machine."""

_KEY_PREFIX = re.compile(r"^(sk-or-v\d+-|sk-or-|sk-)")
_SHOWN_TAIL = 4
_MIN_HIDDEN = 12
"""A key shows its last characters only when at least this many stay hidden."""
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def mask_key(key: str) -> str:
    """``sk-or-v1-…abcd``: the key's kind and its last four characters, never the rest."""
    prefix_match = _KEY_PREFIX.match(key)
    prefix = prefix_match.group(0) if prefix_match else ""
    rest = key[len(prefix):]
    tail = rest[-_SHOWN_TAIL:] if len(rest) >= _MIN_HIDDEN + _SHOWN_TAIL else ""
    return f"{prefix}…{tail} ({len(key)} characters)"


def mask_url(url: str) -> str:
    """``url`` with any user name and password replaced by ``***``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "(unreadable, not shown)"
    if parts.username is None and parts.password is None:
        return url
    netloc = "***@" + (host or "") + (f":{port}" if port is not None else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _snapshot_summary() -> str:
    from openrouter_core.catalog.store import load_snapshot, snapshot_path

    path = snapshot_path()
    try:
        source = json.loads(path.read_text(encoding="utf-8")).get("source", "")
    except (OSError, ValueError, AttributeError) as exc:
        return f"unreadable ({path}: {type(exc).__name__})"
    date = _DATE.search(str(source))
    captured = date.group(0) if date else "on an unknown date"
    return (f"{len(load_snapshot(path))} models, captured {captured} "
            f"({path.name}, source {source or 'not recorded'})")


@dataclass
class Report:
    """The doctor's findings: ``lines`` to print, and whether anything is wrong."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, name: str, value: str) -> None:
        self.lines.append(f"{name + ':':<26} {value}")


def _live_check(report: Report, endpoint: Endpoint) -> None:
    from openrouter_core import account, errors

    if endpoint.api_key is None:
        report.add("live GET /key", "not tried: no key (set OPENROUTER_API_KEY)")
        report.problems.append("no key for the live check")
        return
    try:
        info = account.key_info(endpoint)
    except errors.OpenRouterError as exc:
        report.add("live GET /key", f"failed: {type(exc).__name__}: {exc}")
        report.problems.append("the live check failed")
        return
    remaining = "no limit" if info.remaining is None else f"${info.remaining:,.2f} left"
    limit = "" if info.limit is None else f" of ${info.limit:,.2f}"
    usage = "" if info.usage is None else f", ${info.usage:,.2f} used"
    free = " (free tier)" if info.is_free_tier else ""
    report.add("live GET /key", f"ok: {remaining}{limit}{usage}{free}")


def diagnose(environ: Mapping[str, str] | None = None, *, live: bool = False) -> Report:
    """Everything ``doctor`` reports; ``environ`` defaults to ``os.environ``."""
    env = os.environ if environ is None else environ
    report = Report()
    report.add("python", f"{platform.python_version()} ({platform.platform(terse=True)})")
    for distribution in DISTRIBUTIONS:
        report.add(distribution, _version(distribution))

    for module, other in installation.CONFLICTING.items():
        version = installation.conflicting_version(module)
        if version is None:
            report.add("name conflict", f"none ({other} is not installed)")
        else:
            report.add("name conflict", installation.conflict_message(module, version))
            report.problems.append(f"{other} is installed")

    key = env.get(environment.VARIABLES["api_key"]) or ""
    report.add(environment.VARIABLES["api_key"], mask_key(key) if key else "not set")
    # The base URL the package uses: the first variable set, in the order the adapters read.
    names = (environment.VARIABLES["base_url"], *environment.FALLBACKS.get("base_url", ()))
    set_by = next((name for name in names if env.get(name)), None)
    base_url = env[set_by] if set_by is not None else ""
    if set_by is None:
        report.add(names[0], f"not set (default {DEFAULT_BASE_URL})")
    else:
        report.add(set_by, mask_url(base_url))
    report.add("catalog snapshot", _snapshot_summary())

    proxies = [(name, env[name]) for name in PROXY_VARIABLES if env.get(name)]
    for name, value in proxies:
        shown = value if name.lower() in {"no_proxy", "ssl_cert_file", "ssl_cert_dir"} else (
            mask_url(value))
        report.add(name, shown)
    if not any(name.lower() in {"https_proxy", "http_proxy", "all_proxy"} for name, _ in proxies):
        report.add("proxy", "none set (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY)")

    if live:
        from pydantic import SecretStr

        endpoint = Endpoint(base_url=base_url or DEFAULT_BASE_URL,
                            api_key=SecretStr(key) if key else None, timeout=10.0,
                            max_retries=0)
        _live_check(report, endpoint)
    if key:  # belt and braces: nothing below may carry the key, but never print it whole
        report.lines = [line.replace(key, mask_key(key)) for line in report.lines]
    return report


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Print the report; returns the exit status (1 when a problem was found)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m openrouter_core doctor",
        description="Report what is installed and configured, for bug reports.")
    parser.add_argument("--live", action="store_true",
                        help="also check the key with GET /key (one request to the base URL)")
    args = parser.parse_args(argv)
    report = diagnose(environ, live=args.live)
    print("\n".join(report.lines))
    if report.problems:
        print("problems: " + "; ".join(report.problems))
        return 1
    print("no problems found")
    return 0
