"""How much fuzzing ran, in the summary at the end of `make test` (from each test report's properties, so
the count holds when the tests run in several worker processes)."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter) -> None:
    calls = [
        value
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "call") == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "fuzz_request"
    ]
    if calls:
        terminalreporter.write_line(f"schemathesis: {len(calls)} requests over {len(set(calls))} operations")
