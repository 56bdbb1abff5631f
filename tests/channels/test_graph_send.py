"""A send to the Graph API that fails is tried again only when Meta cannot have the message.

A raw socket server plays Meta at its worst moments: it takes the whole request and drops the connection
before answering, or answers the headers and stalls in the body ("Read timed out"). requests raises
ConnectionError for both, as for a refused connection; only the refused one may be tried again, or the
customer gets the message twice.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from liveagent.channels import graph
from liveagent.channels.accounts import ChannelModel, find_channel
from liveagent.errors import ChannelError, DeliveryUnknown
from tests.conftest import DEMO_WA

REQUEST = {"messaging_product": "whatsapp", "to": "15550001111", "type": "text", "text": {"body": "Hi"}}


class FakeMeta:
    """Accepts connections, reads each whole request, counts it, then does what `answer` does."""

    def __init__(self, answer: Callable[[socket.socket], None]) -> None:
        self.answer = answer
        self.requests = 0
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:  # each connection at once, as Meta serves them
        with connection:
            received = b""
            while b"\r\n\r\n" not in received:
                received += connection.recv(65536)
            head, _, body = received.partition(b"\r\n\r\n")
            lines = head.lower().split(b"\r\n")
            length = next(int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length"))
            while len(body) < length:
                body += connection.recv(65536)
            with self.lock:
                self.requests += 1  # Meta has the message from here on
            self.answer(connection)

    def close(self) -> None:
        self.server.close()


def _drop(connection: socket.socket) -> None:
    connection.close()


def _stall_in_the_body(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{")
    threading.Event().wait(2.0)  # past the read timeout


@pytest.fixture
def channel(stack, monkeypatch: pytest.MonkeyPatch) -> ChannelModel:
    monkeypatch.setenv("GRAPH_READ_TIMEOUT_SECONDS", "0.5")
    found = find_channel("whatsapp", DEMO_WA)  # the demo's channel: its token is in Secrets Manager
    assert found is not None
    return found


@pytest.fixture
def meta(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMeta]:
    fake = FakeMeta(request.param)
    monkeypatch.setenv("GRAPH_API_BASE", f"http://127.0.0.1:{fake.port}/v21.0")
    yield fake
    fake.close()


@pytest.mark.parametrize("meta", [_drop, _stall_in_the_body], indirect=True, ids=["dropped", "stalled"])
def test_a_connection_lost_after_the_request_went_out_is_unknown_and_not_sent_again(
    channel: ChannelModel, meta: FakeMeta
) -> None:
    with pytest.raises(DeliveryUnknown, match="Meta may have the message"):
        graph.send(channel, REQUEST)
    assert meta.requests == 1


def test_a_connection_never_made_is_retried_and_then_unavailable(
    channel: ChannelModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: every connection is refused
    monkeypatch.setenv("GRAPH_API_BASE", f"http://127.0.0.1:{port}/v21.0")
    with pytest.raises(ChannelError) as raised:
        graph.send(channel, REQUEST)
    assert raised.type is ChannelError and raised.value.retryable
    assert "unreachable" in raised.value.message
