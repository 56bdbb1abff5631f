"""Cold start: import time of each function's handler module in a fresh interpreter (median of 10), as a
ratio to `import boto3` measured in the same run (machines are noisy; ratios are comparable). The detect
function loads its sentence encoder at import (Lambda's init phase); "detect-nomodel" is the same import
without it, i.e. the detect function as it was before the learned models, for comparison.
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
# What the stack the project is built on costs before any code of ours: boto3, PynamoDB, pydantic and
# Powertools' Logger, Metrics and Tracer (X-Ray SDK, botocore patched) -- and the event handler that
# the REST functions add. A function's ratio minus its floor's is what our own modules cost.
_STACK = (
    "import boto3, pynamodb.models; from pydantic import BaseModel; "
    "from aws_lambda_powertools import Logger, Metrics, Tracer; "
    "Logger(); Metrics(); Tracer(patch_modules=['botocore'])"
)
FLOORS = {
    "floor": (_STACK, ROOT),
    "floor+api": (_STACK + "; import aws_lambda_powertools.event_handler", ROOT),
}
# As in Lambda: LAMBDA_TASK_ROOT set (the X-Ray SDK then samples locally instead of building an X-Ray
# client at import) and tracing on, as template.yaml's `Tracing: Active` has it in AWS.
ENV = {
    **{k: v for k, v in os.environ.items() if k != "POWERTOOLS_TRACE_DISABLED"},
    "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}{os.pathsep}{ROOT}",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "bench",
}


def seconds_to_import(statement: str, cwd: Path = ROOT) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = {**ENV, "LAMBDA_TASK_ROOT": str(cwd), "AWS_LAMBDA_FUNCTION_NAME": cwd.name}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=cwd
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    # Round robin (boto3, webhook, detect, ..., boto3, webhook, ...): drift in the machine's speed touches
    # every module alike instead of whichever happened to run during it.
    subjects = {"boto3": ("import boto3", ROOT), **FLOORS} | {
        name: ("import app", ROOT / "functions" / name) for name in FUNCTIONS
    }
    subjects["detect-nomodel"] = (
        "import liveagent.detection.embeddings as e; e.default_encoder = lambda: None; import app",
        ROOT / "functions" / "detect",
    )
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    for _ in range(RUNS):
        for name, (statement, cwd) in subjects.items():
            samples[name].append(seconds_to_import(statement, cwd))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    baseline = medians["boto3"]
    ratios = {name: round(medians[name] / baseline, 2) for name in (*FUNCTIONS, "detect-nomodel")}
    floors = {name: round(medians[name] / baseline, 2) for name in FLOORS}
    print(f"{'module':>10} {'median ms':>10} {'x boto3':>8}")
    print(f"{'boto3':>10} {baseline * 1000:>10.1f} {1.0:>8.2f}")
    for name in (*FLOORS, *FUNCTIONS, "detect-nomodel"):
        print(f"{name:>10} {medians[name] * 1000:>10.1f} {medians[name] / baseline:>8.2f}")
    print(
        json.dumps(
            {
                "cold_import_ratio": ratios,
                "cold_import_floor": floors,
                "boto3_import_ms": round(baseline * 1000, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
