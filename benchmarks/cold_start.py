"""Cold start: import time of each function's handler module in a fresh interpreter (median of 10), as a
ratio to `import boto3` measured in the same run (machines are noisy; ratios are comparable).
Prints a table and, last, one JSON line. Run: make bench
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ("webhook", "detect", "route", "notify", "reply", "api")
RUNS = 10
ENV = {
    **os.environ,
    "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}{os.pathsep}{ROOT}",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_SERVICE_NAME": "bench",
}


def seconds_to_import(statement: str, cwd: Path = ROOT) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=ENV, cwd=cwd
    )
    return float(out.stdout.strip().splitlines()[-1])


def median_import(statement: str, cwd: Path = ROOT) -> float:
    return statistics.median(seconds_to_import(statement, cwd) for _ in range(RUNS))


def main() -> int:
    baseline = median_import("import boto3")
    ratios = {}
    print(f"{'module':>10} {'median ms':>10} {'x boto3':>8}")
    print(f"{'boto3':>10} {baseline * 1000:>10.1f} {1.0:>8.2f}")
    for name in FUNCTIONS:
        seconds = median_import("import app", cwd=ROOT / "functions" / name)
        ratios[name] = round(seconds / baseline, 2)
        print(f"{name:>10} {seconds * 1000:>10.1f} {ratios[name]:>8.2f}")
    print(json.dumps({"cold_import_ratio": ratios, "boto3_import_ms": round(baseline * 1000, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
