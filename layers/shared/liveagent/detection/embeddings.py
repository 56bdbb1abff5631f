"""Sentence embeddings: what a message means, as a unit vector, for semantic retrieval and the signals.

`MiniLmEncoder` runs sentence-transformers/all-MiniLM-L6-v2 (6-layer BERT, 384 dimensions, mean pooling)
as an int8 ONNX graph (`make models`, `infra/detection/build_encoder.py`) on ONNX Runtime with one thread,
tokenized from the model's own tokenizer.json (`wordpiece`). Chosen by measurement (README, "Detection
models"): the best retrieval accuracy of the candidates on both dev sets at about 2 ms per message.

`SentenceEncoder` is what callers need; a hosted model (`bedrock.BedrockEncoder`) implements it too.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from liveagent.detection.text import tokens

MAX_TOKENS = 128  # customer messages are short; the model was trained on 128-token inputs


class SentenceEncoder(Protocol):
    name: str
    dimensions: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...

    def reads(self, text: str) -> float:
        """How much of the text the model can read (1.0 for a multilingual model)."""
        ...

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        """Embeddings of KB texts (models with asymmetric query/document embeddings differ here)."""
        ...


def normalise(rows: np.ndarray) -> np.ndarray:
    # np.linalg.norm's own sum for real rows, without its per-call checks (one message: most of its cost).
    norms = np.sqrt(np.add.reduce(rows * rows, axis=1, keepdims=True))
    return (rows / np.maximum(norms, 1e-12)).astype(np.float32)


class MiniLmEncoder:
    name = "all-MiniLM-L6-v2-int8"  # models.LOCAL_ENCODER
    dimensions = 384

    def __init__(self, model_dir: Path) -> None:
        import onnxruntime

        from liveagent.detection.wordpiece import WordPiece

        options = onnxruntime.SessionOptions()
        # One thread: a Lambda at the detect function's memory has one vCPU, and so does each test worker.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(model_dir / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = WordPiece(model_dir / "tokenizer.json")

    def reads(self, text: str) -> float:
        """The share of the text's words that are whole words of the model's (English) vocabulary: low for
        the languages it cannot read ("¿abren los domingos?"), where retrieval falls back on the lexical
        index with its multilingual concepts."""
        words = [w for w in tokens(text) if w.isalpha()]
        if not words:
            return 1.0
        return sum(self._tokenizer.token_id(w) is not None for w in words) / len(words)

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)

    def encode(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            # One message is read several times (whole, by clause, with the previous one): embedded once.
            return self._one(texts[0])[None, :].copy()
        return self._batch(texts)

    @lru_cache(maxsize=512)  # noqa: B019 - one encoder per process
    def _one(self, text: str) -> np.ndarray:
        return self._batch([text])[0]

    def _batch(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        rows = []
        # Batches of similar length: padding a short message to a long one's length costs time for nothing.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), 32):
            chunk = order[start : start + 32]
            encoded = [self._tokenizer.encode(texts[i], MAX_TOKENS) for i in chunk]
            longest = max(len(ids) for ids in encoded)
            ids = np.full((len(chunk), longest), self._tokenizer.pad, dtype=np.int64)
            mask = np.zeros((len(chunk), longest), dtype=np.int64)
            for row, tokens_ in enumerate(encoded):
                ids[row, : len(tokens_)] = tokens_
                mask[row, : len(tokens_)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            rows.append((chunk, self._session.run(None, feed)[0]))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for chunk, vectors in rows:
            out[chunk] = vectors
        return normalise(out)


@cache
def default_encoder() -> SentenceEncoder | None:
    """The bundled local model, or None where its files are absent (retrieval is then lexical only)."""
    from liveagent.detection.models import minilm_dir

    directory = minilm_dir()
    return MiniLmEncoder(directory) if directory else None
