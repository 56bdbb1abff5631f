"""The Bedrock embeddings provider (botocore Stubber): its requests, its answers, and the fallback to the
bundled model on any error."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from liveagent.detection import KbEntry, KnowledgeIndex, detect
from liveagent.detection.bedrock import BedrockEncoder, EncoderUnavailable, _runtime, hosted_encoder
from liveagent.settings import EscalationSettings

ENTRIES = [
    KbEntry("kb-hours", "When are you open?", (), "9 to 5, seven days a week."),
    KbEntry("kb-shipping", "How long does delivery take?", (), "2-4 days."),
]


DOCUMENTS = {"texts": ["When are you open?", "9 to 5."], "input_type": "search_document", "truncate": "END"}


def _answer(vectors: list[list[float]]) -> dict:
    data = json.dumps({"embeddings": vectors, "id": "x", "texts": []}).encode()
    return {"body": StreamingBody(io.BytesIO(data), len(data)), "contentType": "application/json"}


@pytest.fixture
def bedrock():
    client = _runtime()
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def test_messages_and_documents_are_embedded_with_their_input_types(bedrock) -> None:
    client, stub = bedrock
    stub.add_response(
        "invoke_model",
        _answer([[1.0] + [0.0] * 1023, [0.0, 2.0] + [0.0] * 1022]),
        {
            "modelId": "cohere.embed-multilingual-v3",
            "body": json.dumps(DOCUMENTS),
            "contentType": "application/json",
            "accept": "application/json",
        },
    )
    stub.add_response(
        "invoke_model",
        _answer([[0.0, 0.0, 3.0] + [0.0] * 1021]),
        {
            "modelId": "cohere.embed-multilingual-v3",
            "body": json.dumps(
                {"texts": ["¿abren los domingos?"], "input_type": "search_query", "truncate": "END"}
            ),
            "contentType": "application/json",
            "accept": "application/json",
        },
    )
    encoder = BedrockEncoder(client=client)
    documents = encoder.encode_documents(["When are you open?", "9 to 5."])
    query = encoder.encode(["¿abren los domingos?"])
    assert documents.shape == (2, 1024) and query.shape == (1, 1024)
    assert np.allclose(np.linalg.norm(documents, axis=1), 1.0) and query[0, 2] == pytest.approx(1.0)


@pytest.mark.parametrize("failure", ["ThrottlingException", "AccessDeniedException", "malformed"])
def test_any_bedrock_failure_is_encoder_unavailable(bedrock, failure: str) -> None:
    client, stub = bedrock
    if failure == "malformed":
        stub.add_response("invoke_model", _answer([[0.5, 0.5]]))  # wrong dimensions
    else:
        stub.add_client_error("invoke_model", service_error_code=failure, http_status_code=400)
    with pytest.raises(EncoderUnavailable):
        BedrockEncoder(client=client).encode(["hello"])


def test_when_bedrock_fails_the_bundled_model_reads_the_message(bedrock) -> None:
    client, stub = bedrock
    # The hosted index is built (each entry's question and answer embedded), then the message's call throttles.
    for entry in range(2):
        stub.add_response("invoke_model", _answer([list(np.eye(1024)[2 * entry + i]) for i in range(2)]))
    stub.add_client_error("invoke_model", service_error_code="ThrottlingException", http_status_code=400)
    hosted = KnowledgeIndex(ENTRIES, encoder=BedrockEncoder(client=client))
    local = KnowledgeIndex(ENTRIES)
    decision = detect("when are you open?", [], EscalationSettings(), hosted, fallback=local)
    assert not decision.escalate and decision.kb_id == "kb-hours"


def test_bedrock_without_models_trained_on_its_vectors_stays_local(monkeypatch) -> None:
    monkeypatch.setenv("EMBEDDINGS_PROVIDER", "bedrock")
    hosted_encoder.cache_clear()
    try:
        assert hosted_encoder() is None  # no signals-bedrock-…safetensors in the layer
    finally:
        hosted_encoder.cache_clear()
