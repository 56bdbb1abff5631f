"""Amazon Bedrock embeddings behind the same `SentenceEncoder` interface as the bundled model.

EMBEDDINGS_PROVIDER=bedrock (template parameter `EmbeddingsProvider`) with BEDROCK_EMBEDDINGS_MODEL
(default Cohere Embed Multilingual v3: one model for the seven languages customers write in, where the
bundled encoder reads English and leaves the other languages to the lexical index).

The hosted model only replaces the local one where it can be trusted:
- its vectors are another space, so the ranker and answerability must be trained on them
  (`make train-detection ENCODER=bedrock`, in an account with Bedrock access) and shipped as
  `models/signals-<model>.safetensors`; without that file the provider stays local (`hosted_encoder`);
- any error (throttling, timeout, access denied, a malformed answer) raises `EncoderUnavailable`, and the
  caller reads the message with the local model and the KB's local vectors instead (`service.py`).
"""

from __future__ import annotations

import json
import os
from functools import cache

import numpy as np
from botocore.exceptions import BotoCoreError, ClientError

from liveagent import config
from liveagent.detection.embeddings import normalise
from liveagent.observability import logger, metrics

DEFAULT_MODEL = "cohere.embed-multilingual-v3"
COHERE_BATCH = 96  # texts per InvokeModel request (Cohere Embed's limit)
COHERE_MAX_CHARS = 2048


class EncoderUnavailable(Exception):
    """The hosted encoder did not answer: read with the local model instead."""


@cache
def _runtime():
    return config.fail_fast_client("bedrock-runtime")  # the local model is always there to fall back on


class BedrockEncoder:
    dimensions = 1024

    def __init__(self, model_id: str = DEFAULT_MODEL, client=None) -> None:  # client: a boto3 bedrock-runtime
        if not model_id.startswith("cohere.embed"):
            raise ValueError(f"unsupported Bedrock embeddings model {model_id!r} (Cohere Embed v3 models)")
        self.model_id = model_id
        self.name = f"bedrock:{model_id}"
        self._client = client

    def reads(self, text: str) -> float:
        return 1.0  # multilingual

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts, input_type="search_document")

    def encode(self, texts: list[str], input_type: str = "search_query") -> np.ndarray:
        """`input_type` search_document for KB entries, search_query for messages (Cohere's asymmetry)."""
        client = self._client or _runtime()
        rows: list[list[float]] = []
        for start in range(0, len(texts), COHERE_BATCH):
            batch = [t[:COHERE_MAX_CHARS] or " " for t in texts[start : start + COHERE_BATCH]]
            body = json.dumps({"texts": batch, "input_type": input_type, "truncate": "END"})
            try:
                response = client.invoke_model(
                    modelId=self.model_id,
                    body=body,
                    contentType="application/json",
                    accept="application/json",
                )
                embeddings = json.loads(response["body"].read())["embeddings"]
            except (BotoCoreError, ClientError, KeyError, ValueError, TypeError) as exc:
                metrics.add_metric(name="HostedEmbeddingsFailed", unit="Count", value=1)
                logger.warning(
                    "Bedrock embeddings failed; reading with the local model", extra={"error": str(exc)}
                )
                raise EncoderUnavailable(str(exc)) from exc
            if len(embeddings) != len(batch) or any(len(e) != self.dimensions for e in embeddings):
                raise EncoderUnavailable("Bedrock returned embeddings of an unexpected shape")
            rows.extend(embeddings)
        return normalise(np.array(rows, dtype=np.float32).reshape(-1, self.dimensions))


def provider() -> str:
    return os.environ.get("EMBEDDINGS_PROVIDER", "local")


def configured_encoder() -> BedrockEncoder:
    """The hosted encoder BEDROCK_EMBEDDINGS_MODEL names (Cohere Embed Multilingual v3 when unset)."""
    return BedrockEncoder(os.environ.get("BEDROCK_EMBEDDINGS_MODEL", DEFAULT_MODEL))


def is_trained_for(encoder: BedrockEncoder) -> bool:
    """Whether models are trained on the encoder's vectors (`make train-detection ENCODER=bedrock`)."""
    from liveagent.detection.models import signals_file_for

    return signals_file_for(encoder.name).is_file()


@cache
def hosted_encoder() -> BedrockEncoder | None:
    """The hosted encoder when configured *and* trained for (its signals file ships in the layer)."""
    if provider() != "bedrock":
        return None
    encoder = configured_encoder()
    if not is_trained_for(encoder):
        logger.warning(
            "EMBEDDINGS_PROVIDER=bedrock but no models trained on its vectors: using the bundled encoder",
            extra={"encoder": encoder.name},
        )
        return None
    return encoder
