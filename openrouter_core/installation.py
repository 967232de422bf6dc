"""What is installed: the adapters' frameworks and a distribution that clashes with ours.

Both adapters call :func:`require_extra` before importing their framework, so a missing
framework reads as the ``pip install`` that fixes it, and ``langchain_openrouter`` calls
:func:`warn_on_conflict` because the official ``langchain-openrouter`` distribution installs a
module of the same name. ``python -m openrouter_core doctor`` reports the same facts.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import warnings

DISTRIBUTION = "openrouter-integrations"
"""The distribution these packages ship in."""

CONFLICTING = {"langchain_openrouter": "langchain-openrouter"}
"""Module → the other distribution that installs a module of that name."""


class DistributionConflictWarning(UserWarning):
    """Another installed distribution writes into one of our packages' folders."""


def install_command(extra: str) -> str:
    return f'pip install "{DISTRIBUTION}[{extra}]"'


def require_extra(adapter: str, extra: str, modules: dict[str, str]) -> None:
    """Import ``modules`` (module → distribution), or raise ``ImportError`` naming ``extra``.

    Only a missing module among ``modules`` (or a parent package of one) is translated; any
    other failure inside a framework propagates as it is, since it is not an install problem
    this extra would fix.
    """
    for module, distribution in modules.items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if missing != module and not module.startswith(f"{missing}."):
                raise
            raise ImportError(
                f"{adapter} needs {distribution}, which is not installed; install the "
                f"{extra!r} extra: {install_command(extra)}", name=module) from exc


def conflicting_version(module: str) -> str | None:
    """The version of the other distribution that installs ``module``, if it is installed."""
    other = CONFLICTING.get(module)
    if other is None:
        return None
    try:
        return importlib.metadata.distribution(other).version
    except importlib.metadata.PackageNotFoundError:
        return None


def conflict_message(module: str, version: str) -> str:
    other = CONFLICTING[module]
    return (f"{other} {version} is installed alongside {DISTRIBUTION}, and both install the "
            f"{module} module, so one has overwritten the other's files. Keep one: "
            f"`pip uninstall {other}`, then reinstall {DISTRIBUTION} so its files are whole "
            "again (`pip install --force-reinstall --no-deps` with the checkout or wheel you "
            "installed it from).")


def warn_on_conflict(module: str) -> None:
    """Warn (once per import of ``module``) when the clashing distribution is installed."""
    version = conflicting_version(module)
    if version is not None:
        warnings.warn(conflict_message(module, version), DistributionConflictWarning,
                      stacklevel=3)
