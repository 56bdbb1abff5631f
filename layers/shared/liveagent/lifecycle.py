"""The ticket lifecycle: a ticket's states, every move between them and who may make it, in one place.

States (`status`): requested -> answered -> closed. Beside them two facts: *queued* (open and nobody
assigned: `waiting_key` set, so the ticket is in the sparse `waiting` index, oldest first) and
*unattended* (the escalation ladder ran out with nobody responding).

| transition      | made by                                 | writes (one conditional write / transaction) |
|-----------------|-----------------------------------------|----------------------------------------------|
| open            | the message workflow (route step)       | ticket + conversation header + message       |
| join            | the message workflow (detect step)      | message (+ the assignee's in-app note)       |
| assign          | the escalation workflow, the queue      | ticket + the agent's open count              |
| move            | admin or assignee (hand-over), a level  | ticket + both agents' open counts            |
| acknowledge     | any agent of the tenant                 | ticket                                       |
| reply           | any agent of the tenant (reply fn)      | ticket (answered, first response, last reply)|
| close           | any agent of the tenant, the auto-close | ticket + header + the agent's open count     |
| flag_unattended | the escalation workflow                 | ticket                                       |
| leave_queue     | the escalation workflow when it fails   | ticket                                       |
| reroute         | an admin's routing change (the queue)   | ticket                                       |

Every transition is idempotent: run again after it happened (a retried step, a user's retry after a
502), it changes nothing and answers as the first time did, and the side effects that follow it (waking
the workflow, draining the queue) run again, themselves idempotent. Ids come from their cause: a
ticket's id from the message that escalated, so a retried open finds the ticket its first attempt made.
Conditions that fail mean "someone else got there" and are read as such; any other error (throttling,
a timeout) propagates to be retried.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from liveagent import storage
from liveagent.agents import AgentModel
from liveagent.auth import Caller
from liveagent.conversations import HEADER_KEY, ConversationModel, MessageModel
from liveagent.errors import Conflict, Forbidden
from liveagent.ids import now_iso, parse_iso, ulid_for
from liveagent.observability import logger, metrics
from liveagent.tickets import OPEN_STATUSES, TicketModel, history_action, history_entry

SYSTEM = "system"


def _conditional(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def _reasons(exc: TransactWriteError) -> list[str | None]:
    return [getattr(r, "code", None) for r in (exc.cancellation_reasons or [])]


# ------------------------------------------------------------------------------ who may
def require_may_hand_over(caller: Caller, ticket: TicketModel) -> None:
    if not caller.is_admin and ticket.assignee != caller.id:
        raise Forbidden("only an admin or the current assignee can hand a ticket over")


def require_open(ticket: TicketModel, what: str = "ticket is closed") -> None:
    if ticket.status not in OPEN_STATUSES:
        raise Conflict(what, code="ticket_closed")


# ------------------------------------------------------------------------------ open / join
def ticket_id_for(message: MessageModel) -> str:
    """The ticket an escalating message opens: the same message always names the same ticket."""
    return ulid_for(f"{message.conversation_id}|{message.message_key}", parse_iso(message.at))


@dataclass(frozen=True)
class Opened:
    ticket_id: str
    own: bool  # the message's own ticket (made now, or by an earlier attempt); False: it joined another


def open_ticket(
    conversation: ConversationModel, message: MessageModel, *, reason: str, triggers: list[dict],
    department: str, history: list[dict], language: str | None = None,
) -> Opened:  # fmt: skip
    """The conversation's ticket for this escalating message, with the header claiming it and the message
    on it, in one transaction. Another ticket already open: the message joins that one instead."""
    ticket_id = ticket_id_for(message)
    if conversation.open_ticket_id and conversation.open_ticket_id != ticket_id:
        return Opened(join(conversation, message), own=False)
    now = now_iso()
    ticket = TicketModel(
        conversation.tenant_id,
        ticket_id,
        tenant_status=f"{conversation.tenant_id}#requested",
        status="requested",
        reason=reason,
        triggers=triggers,
        channel=conversation.channel,
        conversation_id=conversation.conversation_id,
        customer_id=conversation.customer_id,
        customer_name=conversation.customer_name,
        question=message.text,
        department=department,
        language=language,
        waiting_key=f"{conversation.tenant_id}#{department}",
        history=history,
        created_at=now,
        last_customer_at=message.at,
        search_text=(message.text or "").lower()[-SEARCH_TEXT_CHARS:],
    )
    try:
        _open_transaction(ticket, conversation, message)
    except TransactWriteError as exc:
        ticket_put, header, _ = (_reasons(exc) + [None] * 3)[:3]
        if header == "ConditionalCheckFailed":  # a concurrent message opened another one: join it
            conversation.refresh(consistent_read=True)
            return Opened(join(conversation, message), own=False)
        if ticket_put == "ConditionalCheckFailed":  # our own earlier attempt made it (all of it: atomic)
            return Opened(ticket_id, own=True)
        raise
    metrics.add_metric(name="TicketOpened", unit="Count", value=1)
    return Opened(ticket_id, own=True)


@storage.retry_on_conflict
def _open_transaction(ticket: TicketModel, conversation: ConversationModel, message: MessageModel) -> None:
    with TransactWrite(connection=storage.transaction_connection()) as transaction:
        transaction.save(ticket, condition=TicketModel.ticket_id.does_not_exist())
        transaction.update(
            ConversationModel(conversation.conversation_id, HEADER_KEY),
            actions=[ConversationModel.open_ticket_id.set(ticket.ticket_id)],
            condition=ConversationModel.open_ticket_id.does_not_exist()
            | (ConversationModel.open_ticket_id == ticket.ticket_id),
        )
        transaction.update(message, actions=[MessageModel.ticket_id.set(ticket.ticket_id)])


def join(conversation: ConversationModel, message: MessageModel) -> str:
    """A customer message while a ticket is open becomes part of it (once), and the ticket needs a reply.
    The ticket is marked first: a crash before the message is linked leaves it unlinked, so the retry
    comes back here and finishes both."""
    ticket_id = conversation.open_ticket_id
    if message.ticket_id != ticket_id:
        customer_wrote(TicketModel(conversation.tenant_id, ticket_id), message.at, message.text or "")
        message.update(actions=[MessageModel.ticket_id.set(ticket_id)])
    return ticket_id


SEARCH_TEXT_CHARS = 2000


def customer_wrote(ticket: TicketModel, at: str, text: str = "") -> None:
    """The customer's latest message time on the ticket, moved forward only (a late or retried write of
    an older message changes nothing), and what they wrote added to the ticket's search text (the latest
    SEARCH_TEXT_CHARS). Read, then written on the condition that nobody moved it meanwhile."""
    try:
        ticket.refresh(consistent_read=True)
    except TicketModel.DoesNotExist:
        return
    if ticket.last_customer_at and ticket.last_customer_at >= at:
        return
    unchanged = (
        TicketModel.last_customer_at == ticket.last_customer_at
        if ticket.last_customer_at
        else TicketModel.last_customer_at.does_not_exist()
    )
    searchable = f"{ticket.search_text or ''} {text.lower()}".strip()[-SEARCH_TEXT_CHARS:]
    try:
        ticket.update(
            actions=[TicketModel.last_customer_at.set(at), TicketModel.search_text.set(searchable)],
            condition=TicketModel.ticket_id.exists() & unchanged,
        )
    except UpdateError as exc:
        if not _conditional(exc):
            raise


def forget_missing_ticket(conversation: ConversationModel) -> None:
    """The header names a ticket that does not exist (data written before tickets and headers changed
    together): let it go, so the conversation is not stuck pointing at nothing."""
    try:
        ConversationModel(conversation.conversation_id, HEADER_KEY).update(
            actions=[ConversationModel.open_ticket_id.remove()],
            condition=ConversationModel.open_ticket_id == conversation.open_ticket_id,
        )
    except UpdateError as exc:
        if not _conditional(exc):
            raise
    logger.error("conversation pointed at a missing ticket", extra={"ticket_id": conversation.open_ticket_id})
    metrics.add_metric(name="DanglingConversation", unit="Count", value=1)
    conversation.open_ticket_id = None


# ------------------------------------------------------------------------------ assignment
def assign(ticket: TicketModel, agent_id: str, record: list | None = None) -> bool:
    """The ticket gets its only owner and the agent one more open ticket below capacity, with `record`
    (more ticket actions: audit, history), in one transaction. False when a condition fails (someone else
    took the ticket, or the agent filled up or went away); a TransactionConflict is run again."""
    try:
        _assign_transaction(ticket, agent_id, record)
    except TransactWriteError as exc:
        if not storage.failed_conditions(exc):
            raise
        logger.info("assignment lost a race", extra={"agent_id": agent_id, "reasons": _reasons(exc)})
        return False
    return True


@storage.retry_on_conflict
def _assign_transaction(ticket: TicketModel, agent_id: str, record: list | None) -> None:
    with TransactWrite(connection=storage.transaction_connection()) as transaction:
        transaction.update(
            ticket,
            actions=[
                TicketModel.assignee.set(agent_id),
                TicketModel.assignee_key.set(f"{ticket.tenant_id}#{agent_id}"),
                TicketModel.waiting_key.remove(),
                *(record or []),
            ],
            condition=TicketModel.assignee.does_not_exist() & TicketModel.status.is_in(*OPEN_STATUSES),
        )
        transaction.update(
            AgentModel(ticket.tenant_id, agent_id),
            actions=[AgentModel.open_count.add(1), AgentModel.last_assigned_at.set(now_iso())],
            condition=(AgentModel.open_count < AgentModel.capacity) & (AgentModel.status == "online"),
        )


def move(ticket: TicketModel, to_agent: str, entry: dict, *, require_online: bool = True) -> bool:
    """Hand the ticket from its assignee to `to_agent` (hand-over, or a policy level that reassigns):
    ticket, the previous owner's count and the new owner's in one transaction. The new owner must
    acknowledge anew (their own timer). True when moved now or already theirs; False when the new owner
    has no room (or went away) or someone else moved the ticket first."""
    previous = ticket.assignee
    if previous == to_agent:
        return True
    try:
        _move_transaction(ticket, previous, to_agent, entry, require_online)
    except TransactWriteError as exc:
        if not storage.failed_conditions(exc):
            raise
        ticket.refresh(consistent_read=True)
        return ticket.assignee == to_agent  # done by an earlier attempt of ours
    return True


@storage.retry_on_conflict
def _move_transaction(
    ticket: TicketModel, previous: str | None, to_agent: str, entry: dict, require_online: bool
) -> None:
    owner = TicketModel.assignee == previous if previous else TicketModel.assignee.does_not_exist()
    room = AgentModel.open_count < AgentModel.capacity
    with TransactWrite(connection=storage.transaction_connection()) as transaction:
        transaction.update(
            ticket,
            actions=[
                TicketModel.assignee.set(to_agent),
                TicketModel.assignee_key.set(f"{ticket.tenant_id}#{to_agent}"),
                TicketModel.waiting_key.remove(),
                TicketModel.acknowledged_at.remove(),
                TicketModel.replying_by.remove(),  # the previous owner's draft is theirs no more
                history_action(entry),
            ],
            condition=owner & TicketModel.status.is_in(*OPEN_STATUSES),
        )
        transaction.update(
            AgentModel(ticket.tenant_id, to_agent),
            actions=[AgentModel.open_count.add(1), AgentModel.last_assigned_at.set(now_iso())],
            condition=room & (AgentModel.status == "online") if require_online else room,
        )
        if previous:
            transaction.update(
                AgentModel(ticket.tenant_id, previous),
                actions=[AgentModel.open_count.add(-1)],
                condition=AgentModel.open_count > 0,
            )


# ------------------------------------------------------------------------------ responding
def acknowledge(ticket: TicketModel, by: str) -> None:
    """The assignee (or anyone helping) has seen it: the timer stops. Once per assignment."""
    require_open(ticket)
    if ticket.acknowledged_at:
        return
    try:
        ticket.update(
            actions=[
                TicketModel.acknowledged_at.set(now_iso()),
                history_action(history_entry(int(ticket.escalation_level), "acknowledged", by)),
            ],
            condition=TicketModel.acknowledged_at.does_not_exist() & TicketModel.status.is_in(*OPEN_STATUSES),
        )
    except UpdateError as exc:
        if not _conditional(exc):
            raise
        ticket.refresh(consistent_read=True)
        require_open(ticket)


def reply(ticket: TicketModel, by: str) -> None:
    """An agent answered the customer: requested -> answered with the first response time (kept from
    the first reply), and acknowledged if not yet."""
    require_open(ticket, "ticket is closed; the customer is back with the bot")
    now = now_iso()
    # The customer no longer waits on a reply, and nobody is shown as still writing one.
    actions = [TicketModel.last_agent_at.set(now), TicketModel.replying_by.remove()]
    if not ticket.first_response_at:
        actions += [TicketModel.first_response_at.set(TicketModel.first_response_at | now)]
    if ticket.status == "requested":
        actions += [
            TicketModel.status.set("answered"),
            TicketModel.tenant_status.set(f"{ticket.tenant_id}#answered"),
        ]
    if not ticket.acknowledged_at:
        actions += [TicketModel.acknowledged_at.set(TicketModel.acknowledged_at | now)]
    try:
        ticket.update(actions=actions, condition=TicketModel.status.is_in(*OPEN_STATUSES))
    except UpdateError as exc:
        if not _conditional(exc):
            raise
        ticket.refresh(consistent_read=True)
        require_open(ticket, "ticket is closed; the customer is back with the bot")


# ------------------------------------------------------------------------------ closing
def close(ticket: TicketModel, by: str, retention_days: int) -> bool:
    """Closed, with the conversation back to the bot and the owner's capacity freed, in one transaction.
    True when closed now; False when it already was (nothing changes)."""
    if ticket.status == "closed":
        return False
    try:
        _close_transaction(ticket, by, retention_days, release_header=True, free=bool(ticket.assignee))
    except TransactWriteError as exc:
        ticket_reason, header, agent = (_reasons(exc) + [None] * 3)[:3]
        if ticket_reason == "ConditionalCheckFailed":  # closed or reassigned meanwhile
            ticket.refresh(consistent_read=True)
            return close(ticket, by, retention_days) if ticket.status != "closed" else False
        if header != "ConditionalCheckFailed" and agent != "ConditionalCheckFailed":
            raise
        # The header no longer names this ticket, or the owner's count is already 0: inconsistent data
        # from before; close the ticket anyway and keep what still holds.
        logger.error(
            "closing around inconsistent data", extra={"ticket_id": ticket.ticket_id, "why": [header, agent]}
        )
        _close_transaction(ticket, by, retention_days, release_header=header != "ConditionalCheckFailed",
                           free=bool(ticket.assignee) and agent != "ConditionalCheckFailed")  # fmt: skip
    ticket.refresh(consistent_read=True)
    return True


@storage.retry_on_conflict
def _close_transaction(
    ticket: TicketModel, by: str, retention_days: int, *, release_header: bool, free: bool
) -> None:
    now = now_iso()
    with TransactWrite(connection=storage.transaction_connection()) as transaction:
        owner = (
            TicketModel.assignee == ticket.assignee
            if ticket.assignee
            else TicketModel.assignee.does_not_exist()
        )
        transaction.update(
            ticket,
            actions=[
                TicketModel.status.set("closed"),
                TicketModel.tenant_status.set(f"{ticket.tenant_id}#closed"),
                TicketModel.closed_at.set(now),
                TicketModel.waiting_key.remove(),
                TicketModel.expires_at.set(int(time.time()) + retention_days * 86400),
                history_action(history_entry(int(ticket.escalation_level), "closed", by)),
            ],
            condition=TicketModel.status.is_in(*OPEN_STATUSES) & owner,
        )
        if release_header:
            actions = [
                ConversationModel.open_ticket_id.remove(),
                ConversationModel.last_ticket_id.set(ticket.ticket_id),
                ConversationModel.last_closed_at.set(now),
            ]
            if ticket.assignee:
                actions.append(ConversationModel.last_agent_id.set(ticket.assignee))
            transaction.update(
                ConversationModel(ticket.conversation_id, HEADER_KEY),
                actions=actions,
                condition=ConversationModel.open_ticket_id == ticket.ticket_id,
            )
        if free:
            transaction.update(
                AgentModel(ticket.tenant_id, ticket.assignee),
                actions=[AgentModel.open_count.add(-1)],
                condition=AgentModel.open_count > 0,
            )


# ------------------------------------------------------------------------------ the workflow's marks
def flag_unattended(ticket: TicketModel) -> bool:
    """Nobody responded through the whole ladder. True when flagged now."""
    if ticket.unattended or ticket.status not in OPEN_STATUSES:
        return False
    try:
        ticket.update(
            actions=[
                TicketModel.unattended.set(now_iso()),
                history_action(history_entry(int(ticket.escalation_level), "unattended")),
            ],
            condition=TicketModel.unattended.does_not_exist() & TicketModel.status.is_in(*OPEN_STATUSES),
        )
    except UpdateError as exc:
        if not _conditional(exc):
            raise
        return False
    return True


def reroute(ticket: TicketModel, department: str, entry: dict) -> bool:
    """A queued ticket whose department the routing no longer has waits in the one it would be routed to
    now. True when moved now; False when it left the queue meanwhile (taken, closed) or moved already."""
    if ticket.department == department:
        return False
    try:
        ticket.update(
            actions=[
                TicketModel.department.set(department),
                TicketModel.waiting_key.set(f"{ticket.tenant_id}#{department}"),
                history_action(entry),
            ],
            condition=TicketModel.assignee.does_not_exist()
            & (TicketModel.waiting_key == f"{ticket.tenant_id}#{ticket.department}")
            & TicketModel.status.is_in(*OPEN_STATUSES),
        )
    except UpdateError as exc:
        if not _conditional(exc):
            raise
        return False
    return True


def leave_queue(ticket: TicketModel, cause: str) -> None:
    """The ticket's workflow failed for good: the ticket is kept (admins are told) but leaves the queue,
    where no workflow would ever wake it, so it blocks nobody behind it."""
    ticket.update(
        actions=[
            TicketModel.waiting_key.remove(),
            history_action(history_entry(int(ticket.escalation_level), "workflow_failed", None, error=cause)),
        ]
    )
