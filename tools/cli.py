"""What every CLI does with a configuration problem: one clear line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

EXIT_CONFIG = 2


def _describe(error: BaseException) -> str | None:
    """A one-line description when ``error`` is a configuration or connection problem, else None."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        problems = []
        for item in error.errors():
            where = ".".join(str(p) for p in item.get("loc", ()) if p != "__root__")
            message = str(item.get("msg", "")).removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
        return "configuration problem: " + "; ".join(problems)
    name = type(error).__name__
    module = type(error).__module__
    if module.startswith(("google.", "grpc", "firebase_admin", "requests", "urllib3")) or isinstance(error, ConnectionError):
        first = str(error).strip().splitlines()[0] if str(error).strip() else name
        return (
            f"cannot reach the cloud services ({name}: {first[:200]}); "
            "paste the environment that `make start` prints (including CHATDESK_ENV) and try again"
        )
    return None


def guarded(main: Callable[[list[str] | None], int]) -> Callable[[list[str] | None], int]:
    """Wrap a CLI's ``main`` so configuration problems end in one line and exit 2."""

    @functools.wraps(main)
    def run(argv: list[str] | None = None) -> int:
        try:
            return main(argv)
        except Exception as error:
            line = _describe(error)
            if line is None:
                raise
            print(f"error: {line}", file=sys.stderr)
            return EXIT_CONFIG

    return run
