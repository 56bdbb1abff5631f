"""`make train-detection` rebuilds the committed models (seeded, one thread, and no output that depends on
the process's string hashing): byte for byte on the CPU that trained them; on another (ONNX Runtime's int8
kernels differ between AVX-512 VNNI and AVX2, so the encoder's vectors differ in their last digits) with the
same behaviour on every training input, within the tolerance `infra.detection.train` states."""

from __future__ import annotations

from tests.commands import make


def test_make_train_detection_reproduces_the_committed_models() -> None:
    # The command the README gives (CHECK=1: into scratch files, compared with the committed ones), not the
    # modules behind it: the make target once passed them an option they refuse.
    result = make("-s", "train-detection", "CHECK=1", timeout=600, PYTHONHASHSEED="12345")
    assert result.returncode == 0, result.stdout + result.stderr
    reproduced = [line for line in result.stdout.splitlines() if line.startswith("reproduced: ")]
    assert reproduced, result.stdout
    assert reproduced[0].startswith(("reproduced: byte for byte", "reproduced: within tolerance")), reproduced
    # The language identifier is a closed form: the same bytes on every CPU.
    assert "language: reproduced" in result.stdout and "language.safetensors byte for byte" in result.stdout
