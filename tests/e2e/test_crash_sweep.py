"""Crash at every step (issue 14, CONTRACT section 2's `{"dynamodb": {"skip": N, "crash": true}}`).

For each flow (an escalation from the webhook until the assignee is notified and the workflow waits on
them, an agent's reply, a hand-over, a close) the flow is first run once with every DynamoDB request
recorded: those are its crash points. Then, for each point, a new customer goes through the flow with the
invocation that makes that request dying there (the request not applied, nothing after it in the
invocation run); Step Functions' retries, the inbound queue's redelivery and the agent's own retry of a
request that answered 5xx do what they do in AWS; once they have finished, the invariants must hold:

- exactly one open ticket for the customer who asked for a person, assigned, its assignee notified;
- the customer got the acknowledgement (and every other message) at most once, and a message whose fate
  a crash left unknown is on the deliveries list, never silently dropped;
- a follow-up message joins that ticket and the bot says nothing to it (after a close: the bot answers);
- each agent's open count equals the open tickets assigned to them;
- no conversation points at a missing or closed ticket.

Bounded in time: every wait has its own limit (a redelivery takes the queue's visibility timeout, made
short here as an operator could; a crashed idempotent step waits out the in-progress record, bounded by
the function's timeout, made short here the same way).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import boto3
import pytest
import requests

from liveagent.agents import AgentModel
from liveagent.conversations import MessageModel, conversation_id_for, get_conversation
from liveagent.notifications import NotificationModel
from liveagent.tickets import OPEN_STATUSES, TicketModel
from tests.conftest import DEMO_WA, Client, eventually, whatsapp_text
from tests.e2e.workflows import (
    escalation_execution_arn,
    handled,
    inbound_drained,
    inbound_queue_url,
    is_parked,
    parked,
    sfn,
)

ASK_FOR_A_PERSON = "I want to talk to a human please"
FOLLOW_UP = "Hello? Is anyone there?"
KB_QUESTION = "How long does delivery take?"
REDELIVERY_SECONDS = 4  # the inbound queue's visibility timeout during the sweep
SHORT_TIMEOUT = 5  # the notify, API and reply functions' Timeout during the sweep
SETTLE = 90.0  # the longest any one point may take to settle


@dataclass(frozen=True)
class CrashPoint:
    function: str
    skip: int  # the function's DynamoDB requests let through before the one it dies at
    operation: str
    tables: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.function} request {self.skip + 1} ({self.operation} {'+'.join(self.tables)})"


def crash_points(*runs: list[tuple[str, str, tuple[str, ...]]]) -> list[CrashPoint]:
    """The requests of the first run, each function's cut to the fewest it made in any run (a request
    the flow makes only sometimes, e.g. after a race it lost, would be a point never reached)."""
    fewest = {
        function: min(sum(1 for f, *_ in run if f == function) for run in runs) for function, *_ in runs[0]
    }
    seen: Counter[str] = Counter()
    points = []
    for function, operation, tables in runs[0]:
        if seen[function] < fewest[function]:
            points.append(CrashPoint(function, seen[function], operation, tables))
        seen[function] += 1
    return points


# ------------------------------------------------------------------------------ the stack for a sweep
@pytest.fixture
def sweep(client: Client):
    """Room for every point's ticket (capacity), redelivery and in-progress records in seconds."""
    agents = list(AgentModel.query("demo"))
    # Every agent in every department: what a close or a hand-over reads (the queue of each of the
    # agent's departments) is then the same whichever agent the ticket went to, so each point's run
    # makes the requests the baseline made.
    departments = sorted({d for agent in agents for d in agent.departments or []})
    for agent in agents:
        response = client.api(
            "PUT", f"/api/agents/{agent.agent_id}", json={"capacity": 100, "departments": departments}
        )
        assert response.status_code == 200, response.text
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=client.stack.aws_url)
    sqs.set_queue_attributes(
        QueueUrl=inbound_queue_url(client), Attributes={"VisibilityTimeout": str(REDELIVERY_SECONDS)}
    )
    lambdas = client.stack.lambdas
    with (
        lambdas.timeout("NotifyFunction", SHORT_TIMEOUT),
        lambdas.timeout("ApiFunction", SHORT_TIMEOUT),
        lambdas.timeout("ReplyFunction", SHORT_TIMEOUT),
    ):
        yield client


def _arm_crash(client: Client, point: CrashPoint) -> None:
    client.arm({"dynamodb": {"crash": True, "function": point.function, "skip": point.skip}})


def _conversation(customer: str) -> str:
    return conversation_id_for("demo", "whatsapp", DEMO_WA, customer)


def _outbox(client: Client, customer: str) -> list[dict]:
    return [m for m in client.outbox()["messages"] if m["to"] == customer]


def _tickets_of(customer: str) -> list[TicketModel]:
    conversation = _conversation(customer)
    return [t for t in TicketModel.query("demo", consistent_read=True) if t.conversation_id == conversation]


def _open_ticket(customer: str) -> TicketModel | None:
    open_ = [t for t in _tickets_of(customer) if t.status in OPEN_STATUSES]
    assert len(open_) <= 1, f"{len(open_)} open tickets for one customer"
    return open_[0] if open_ else None


def _execution(client: Client, ticket_id: str) -> dict:
    return sfn(client).describe_execution(executionArn=escalation_execution_arn(client, ticket_id))


def _notified(agent_id: str, ticket_id: str) -> list[NotificationModel]:
    return [n for n in NotificationModel.query(f"demo#{agent_id}") if n.ticket_id == ticket_id]


def _waiting_on_assignee(ticket: TicketModel) -> bool:
    """Assigned, the assignee told, the workflow holding a task token for their response."""
    return bool(ticket.assignee and ticket.task_token and _notified(ticket.assignee, ticket.ticket_id))


def _settle(check: Callable[[], object], what: str) -> object:
    return eventually(check, timeout=SETTLE, interval=0.2) or pytest.fail(f"never settled: {what}")


def _user_retries(call: Callable[[], requests.Response]) -> requests.Response:
    """What the dashboard's user does with a 5xx, or a 409 saying the same request is still in
    progress: try again a moment later (the reply with the same Idempotency-Key)."""
    deadline = time.monotonic() + SETTLE
    while True:
        response = call()
        retry = response.status_code >= 500 or (
            response.status_code == 409 and "in progress" in response.text.lower()
        )
        if not retry or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


# ------------------------------------------------------------------------------ the invariants
def assert_consistent(client: Client, customers: list[str]) -> None:
    tickets = list(TicketModel.query("demo", consistent_read=True))
    for agent in AgentModel.query("demo", consistent_read=True):
        open_ = sum(1 for t in tickets if t.assignee == agent.agent_id and t.status in OPEN_STATUSES)
        assert int(agent.open_count) == open_, f"{agent.email}: open count {agent.open_count}, open {open_}"
    by_id = {t.ticket_id: t for t in tickets}
    for customer in customers:
        header = get_conversation(_conversation(customer))
        if header.open_ticket_id is not None:
            ticket = by_id.get(header.open_ticket_id)
            assert ticket is not None, f"{customer}: conversation points at a missing ticket"
            assert ticket.status in OPEN_STATUSES, f"{customer}: conversation points at a closed ticket"
        for message in MessageModel.query(_conversation(customer)):
            if message.message_key.startswith("out#") and message.delivery not in (
                "sent",
                "delivered",
                "read",
            ):
                # Its fate unknown (a crash after the Graph call began): a person sees it, with resend.
                assert message.attention_key == "demo", f"{customer}: {message.text!r} {message.delivery}"


def _follow_up_joins_silently(client: Client, customer: str, ticket: TicketModel) -> None:
    before = len(_outbox(client, customer))
    client.webhook(whatsapp_text(FOLLOW_UP, customer=customer))
    messages = handled(client, customer, count=2, timeout=SETTLE)
    follow_up = next(m for m in messages if m.text == FOLLOW_UP)
    assert follow_up.ticket_id == ticket.ticket_id, "the follow-up did not join the open ticket"
    inbound_drained(client)
    assert len(_outbox(client, customer)) == before, "the bot answered a customer a person is handling"


def _escalated(client: Client, customer: str) -> TicketModel:
    """The customer's ticket once it is open, assigned and its assignee told (after any retries)."""
    handled(client, customer, timeout=SETTLE)
    ticket = _settle(lambda: (t := _open_ticket(customer)) and _waiting_on_assignee(t) and t, "assignment")
    inbound_drained(client, timeout=SETTLE)
    return ticket


def _escalate_all(client: Client, customers: list[str]) -> dict[str, TicketModel]:
    for customer in customers:
        client.webhook(whatsapp_text(ASK_FOR_A_PERSON, customer=customer))
    return {customer: _escalated(client, customer) for customer in customers}


def _run_sweep(
    client: Client, points: list[CrashPoint], run_point: Callable[[CrashPoint, int], None]
) -> None:
    failures = []
    for number, point in enumerate(points):
        client.stack.clear_caches()  # as cold as when the points were recorded: the same requests
        with client.stack.faults.recording() as made:
            try:
                run_point(point, number)
            except AssertionError as exc:  # every point is run; all that failed are reported together
                own = [
                    f"{operation} {'+'.join(tables)}" for f, operation, tables in made if f == point.function
                ]
                failures.append(f"{point}: {str(exc).splitlines()[0]} [{point.function} made: {own}]")
            finally:
                client.stack.faults.clear()
    assert not failures, f"{len(failures)} of {len(points)} crash points broke an invariant:\n" + "\n".join(
        failures
    )


# ------------------------------------------------------------------------------ the four flows
def test_a_crash_at_any_request_of_an_escalation_leaves_one_assigned_acknowledged_ticket(
    sweep: Client,
) -> None:
    client = sweep
    runs = []
    for customer in ("15552000000", "15552000001"):  # twice: what it always does
        client.stack.clear_caches()
        with client.stack.faults.recording() as recorded:
            (baseline,) = _escalate_all(client, [customer]).values()
        runs.append(recorded)
    acknowledgements = len(_outbox(client, "15552000000"))
    assert acknowledgements == 1
    points = crash_points(*runs)
    assert {p.function for p in points} >= {"InboundFunction", "DetectFunction", "RouteFunction"}

    def run(point: CrashPoint, number: int) -> None:
        customer = f"1555201{number:04d}"
        _arm_crash(client, point)
        client.webhook(whatsapp_text(ASK_FOR_A_PERSON, customer=customer))
        ticket = _escalated(client, customer)
        assert not client.stack.faults.dynamodb_armed, "the crash point was never reached"
        assert len(_tickets_of(customer)) == 1
        got = [m["text"] for m in _outbox(client, customer)]
        assert len(got) <= acknowledgements, f"acknowledged twice: {got}"
        assert ticket.reason == baseline.reason
        assert_consistent(client, [customer])
        _follow_up_joins_silently(client, customer, ticket)
        assert_consistent(client, [customer])

    _run_sweep(client, points, run)
    print(f"\nescalation: {len(points)} crash points: {dict(Counter(p.function for p in points))}")


def _sweep_api_flow(
    client: Client,
    name: str,
    act: Callable[[TicketModel], requests.Response],
    settled: Callable[[TicketModel], bool],
    after: Callable[[str, TicketModel], None],
) -> None:
    runs = []
    for ticket in _escalate_all(client, ["15553000000", "15553000001"]).values():
        client.stack.clear_caches()
        with client.stack.faults.recording() as recorded:  # twice: what it always does
            response = act(ticket)
            assert response.status_code in (200, 201), response.text
            _settle(lambda ticket=ticket: settled(ticket), f"{name} without faults")
        runs.append(recorded)
    sent = len(_outbox(client, "15553000000"))
    for recorded in runs:  # shown with a failure: what the flow did without faults
        print(
            f"{name} baseline:", [f"{f} {operation} {'+'.join(tables)}" for f, operation, tables in recorded]
        )
    points = crash_points(*runs)
    customers = [f"1555301{number:04d}" for number in range(len(points))]
    prepared = _escalate_all(client, customers)

    def run(point: CrashPoint, number: int) -> None:
        customer = customers[number]
        ticket = prepared[customer]
        _arm_crash(client, point)
        response = _user_retries(lambda: act(ticket))
        assert response.status_code in (200, 201), f"{response.status_code} {response.text[:200]}"
        _settle(lambda: settled(ticket), name)
        assert not client.stack.faults.dynamodb_armed, "the crash point was never reached"
        got = [m["text"] for m in _outbox(client, customer)]
        assert len(got) <= sent, f"the customer got a message twice: {got}"
        assert_consistent(client, [customer])
        after(customer, ticket)
        assert_consistent(client, [customer])

    _run_sweep(client, points, run)
    print(f"\n{name}: {len(points)} crash points: {dict(Counter(p.function for p in points))}")


def _refreshed(ticket: TicketModel) -> TicketModel:
    return TicketModel.get("demo", ticket.ticket_id, consistent_read=True)


def test_a_crash_at_any_request_of_a_reply_sends_it_at_most_once_and_ends_the_wait(sweep: Client) -> None:
    client = sweep

    def act(ticket: TicketModel) -> requests.Response:
        return client.api(
            "POST",
            f"/api/tickets/{ticket.ticket_id}/reply",
            json={"text": "Hi, I am here to help."},
            headers={"Idempotency-Key": f"reply-{ticket.ticket_id}"},
        )

    def settled(ticket: TicketModel) -> bool:
        now = _refreshed(ticket)
        return (
            now.status == "answered"
            and now.first_response_at is not None
            # the timers stopped: waiting without one until a hand-over or the close
            and is_parked(client, ticket.ticket_id, "AwaitWhileAttended") is not None
        )

    def after(customer: str, ticket: TicketModel) -> None:
        replies = [m for m in MessageModel.query(_conversation(customer)) if m.sender == "agent"]
        assert len(replies) == 1, f"{len(replies)} replies stored"
        _follow_up_joins_silently(client, customer, _refreshed(ticket))

    _sweep_api_flow(client, "reply", act, settled, after)


def test_a_crash_at_any_request_of_a_hand_over_gives_the_new_owner_the_ticket_and_a_timer(
    sweep: Client,
) -> None:
    client = sweep
    alice, bob = client.agent_id("alice@demo.test"), client.agent_id("bob@demo.test")

    def new_owner(ticket: TicketModel) -> str:
        return bob if ticket.assignee == alice else alice

    def act(ticket: TicketModel) -> requests.Response:
        return client.api(
            "POST", f"/api/tickets/{ticket.ticket_id}/assign", json={"agent_id": new_owner(ticket)}
        )

    def settled(ticket: TicketModel) -> bool:
        now = _refreshed(ticket)
        return now.assignee == new_owner(ticket) and _waiting_on_assignee(now)

    def after(customer: str, ticket: TicketModel) -> None:
        # Every wake the hand-over sent was sent before it answered (its retries included): once the
        # workflow waits again, a second wake would have shown as a second start of the ladder.
        entered = parked(client, ticket.ticket_id, "AwaitResponse", times=2, timeout=SETTLE)
        assert entered.count("Assign") == 2, f"the new owner's ladder started {entered.count('Assign') - 1}x"
        told = _notified(new_owner(ticket), ticket.ticket_id)
        assert len(told) == 1, f"the new owner was told {len(told)} times"
        now = _refreshed(ticket)
        assert _execution(client, ticket.ticket_id)["status"] == "RUNNING"
        _follow_up_joins_silently(client, customer, now)

    _sweep_api_flow(client, "hand-over", act, settled, after)


def test_a_crash_at_any_request_of_a_close_ends_the_ticket_and_gives_the_customer_back_to_the_bot(
    sweep: Client,
) -> None:
    client = sweep

    def act(ticket: TicketModel) -> requests.Response:
        return client.api("POST", f"/api/tickets/{ticket.ticket_id}/close")

    def settled(ticket: TicketModel) -> bool:
        header = get_conversation(ticket.conversation_id)
        return (
            _refreshed(ticket).status == "closed"
            and header.open_ticket_id is None
            and _execution(client, ticket.ticket_id)["status"] == "SUCCEEDED"
        )

    def after(customer: str, ticket: TicketModel) -> None:
        before = len(_outbox(client, customer))
        client.webhook(whatsapp_text(KB_QUESTION, customer=customer))
        messages = handled(client, customer, count=2, timeout=SETTLE)
        question = next(m for m in messages if m.text == KB_QUESTION)
        assert question.ticket_id is None, "a message after the close joined the closed ticket"
        assert len(_outbox(client, customer)) == before + 1, "the bot did not answer after the close"

    _sweep_api_flow(client, "close", act, settled, after)
