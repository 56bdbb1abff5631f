"""Where the detection models live in the layer, and the hashes they must have (DATA_CARD.md).

`minilm/` (the sentence encoder, int8 ONNX + tokenizer) is built by `make models` from a pinned published
model and is not committed (23 MB); `signals.safetensors` (the learned signals) is committed and rebuilt by
`make train-detection`. (The English dictionary `spelling` reads is in `liveagent.dictionaries`.)
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
MINILM_DIR = HERE / "minilm"
SIGNALS_FILE = HERE / "signals.safetensors"
ENCODER_FILES = {
    "model.onnx": "b296d37fe199b0b32f7f49aa84b1c1c88d076cbc570d756d52e6ac6f6864b670",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}


@cache
def minilm_dir() -> Path | None:
    """The encoder's directory when its files are there (built by `make models`), else None."""
    present = all((MINILM_DIR / name).is_file() for name in ENCODER_FILES)
    return MINILM_DIR if present else None


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


LOCAL_ENCODER = "all-MiniLM-L6-v2-int8"


def signals_file_for(encoder_name: str) -> Path:
    """The learned signals are trained on one encoder's vectors: the bundled one's, or a hosted one's."""
    if encoder_name == LOCAL_ENCODER:
        return SIGNALS_FILE
    return HERE / f"signals-{''.join(c if c.isalnum() else '-' for c in encoder_name)}.safetensors"


@cache
def load_signals(encoder_name: str = LOCAL_ENCODER) -> dict | None:
    """The learned signals' tensors (safetensors: no pickle), or None before `make train-detection`."""
    path = signals_file_for(encoder_name)
    if not path.is_file():
        return None
    from safetensors.numpy import load_file

    return load_file(str(path))


@cache
def signals_metadata(encoder_name: str = LOCAL_ENCODER) -> dict[str, str]:
    from safetensors import safe_open

    with safe_open(str(signals_file_for(encoder_name)), framework="numpy") as handle:
        return handle.metadata() or {}
