"""`make train-detection` rebuilds the committed models byte for byte (seeded, one thread, and no output
that depends on the process's string hashing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_training_reproduces_the_committed_models() -> None:
    env = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}{os.pathsep}{ROOT}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "infra.detection.train", "--check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "reproduced: byte for byte" in result.stdout
