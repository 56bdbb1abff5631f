"""How much fuzzing ran, in the summary at the end of `make test`."""

from __future__ import annotations

import sys


def pytest_terminal_summary(terminalreporter) -> None:
    fuzz = sys.modules.get("tests.api.test_openapi_fuzz")
    calls = getattr(fuzz, "calls", [])
    if calls:
        terminalreporter.write_line(f"schemathesis: {len(calls)} requests over {len(set(calls))} operations")
