"""Command line: ``python -m openrouter_core doctor [--live]``.

``doctor`` reports what is installed and configured (see :mod:`openrouter_core.doctor`); the
catalog has its own command, ``python -m openrouter_core.catalog``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

COMMANDS = {"doctor": "report versions, a clashing install, the key (masked), the catalog "
                      "snapshot and proxy settings; --live also checks the key with GET /key"}


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        usage = "\n".join(f"  {name:8} {what}" for name, what in COMMANDS.items())
        print(f"usage: python -m openrouter_core COMMAND [options]\ncommands:\n{usage}",
              file=sys.stderr)
        return 0 if args[:1] in (["-h"], ["--help"]) else 2
    from openrouter_core import doctor

    return doctor.main(args[1:])


if __name__ == "__main__":
    sys.exit(main())
