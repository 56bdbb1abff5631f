"""make bench: every benchmark in its own interpreter, their tables, then one JSON line with the figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("cold_start.py", "detection.py", "service.py")
NOISE = ('{"_aws"', '{"level"')  # the handlers' own metric and log lines


def run(script: str) -> dict:
    result = subprocess.run([sys.executable, str(HERE / script)], capture_output=True, text=True, check=True)
    lines = [line for line in result.stdout.splitlines() if not line.startswith(NOISE)]
    print("\n".join(lines[:-1]))
    return json.loads(lines[-1])


def main() -> int:
    figures: dict = {}
    for script in BENCHMARKS:
        print(f"\n== {script}")
        figures.update(run(script))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
