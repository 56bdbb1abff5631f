"""`make train-detection` rebuilds the committed models (seeded, one thread, and no output that depends on
the process's string hashing): byte for byte on the CPU that trained them; on another (ONNX Runtime's int8
kernels differ between AVX-512 VNNI and AVX2, so the encoder's vectors differ in their last digits) with the
same behaviour on every training input, within the tolerance `infra.detection.train` states."""

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
    reproduced = [line for line in result.stdout.splitlines() if line.startswith("reproduced: ")]
    assert reproduced, result.stdout
    assert reproduced[0].startswith(("reproduced: byte for byte", "reproduced: within tolerance")), reproduced
