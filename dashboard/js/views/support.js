// Support tab (tickets by status) and the ticket view (conversation, actions).
import { get, post } from "../api.js";
import { every, redraw, refreshAttention, refreshUnread, state } from "../app.js";
import { $, $$, LANGUAGES, REASONS, act, ago, channelIcon, evidence, explainTrigger, html, mount, notice, reasonBadge, showError, until, when } from "../ui.js";

const SLA_SECONDS = 3600;
const TABS = [
  ["requested", "Requested"],
  ["answered", "Answered"],
  ["closed", "Closed"],
  ["all", "All"],
];
const filters = { status: "requested", q: "", reason: "", channel: "", mine: false };

// `given` (from #/support?reason=complaint&status=all, e.g. an analytics number clicked through) sets the
// filters the list opens with.
export async function supportView(given = new URLSearchParams()) {
  if ([...given.keys()].length) {
    Object.assign(filters, { status: "requested", q: "", reason: "", channel: "", mine: false });
    for (const key of ["status", "q", "reason", "channel"]) if (given.get(key) !== null) filters[key] = given.get(key);
  }
  const box = $("#view");
  mount(
    box,
    html`<h1>Support</h1>
      <div class="tabs" role="tablist">
        ${TABS.map(
          ([value, label]) =>
            html`<button role="tab" data-status="${value}" aria-selected="${filters.status === value}">${label} <span class="count" data-count="${value}"></span></button>`,
        )}
      </div>
      <form id="filters" class="filters">
        <label>Search <input name="q" type="search" placeholder="Customer, or words they wrote" value="${filters.q}"></label>
        <label>Reason <select name="reason"><option value="">Any</option>${Object.entries(REASONS).map(
          ([v, l]) => html`<option value="${v}" ${filters.reason === v ? "selected" : ""}>${l}</option>`,
        )}</select></label>
        <label>Channel <select name="channel"><option value="">Any</option><option value="whatsapp">WhatsApp</option><option value="instagram">Instagram</option></select></label>
        <label class="inline"><input type="checkbox" name="mine" ${filters.mine ? "checked" : ""}> Only mine</label>
      </form>
      <div id="tickets" aria-live="polite"></div>`,
  );
  $("#filters").channel.value = filters.channel;
  $$("[role=tab]").forEach((tab) =>
    tab.addEventListener("click", () => {
      filters.status = tab.dataset.status;
      $$("[role=tab]").forEach((t) => t.setAttribute("aria-selected", t === tab));
      loadTickets();
    }),
  );
  $("#filters").addEventListener("input", (event) => {
    const form = event.currentTarget;
    Object.assign(filters, { q: form.q.value, reason: form.reason.value, channel: form.channel.value, mine: form.mine.checked });
    loadTickets();
  });
  $("#filters").addEventListener("submit", (event) => event.preventDefault());
  await loadTickets();
  every(5000, loadTickets, box); // new tickets appear without a reload
}

// Each load answers the filters as they were when it started; only the latest load draws (a slow answer
// for the filters before must not replace the list of the ones the agent has since chosen).
let latestLoad = 0;
async function loadTickets() {
  const list = $("#tickets");
  if (!list) return;
  const load = ++latestLoad;
  await loadTeam();
  // The same filters for the list and for the tab counts (one cheap counts call, not a list per tab).
  const where = new URLSearchParams();
  if (filters.q) where.set("q", filters.q);
  if (filters.reason) where.set("reason", filters.reason);
  if (filters.channel) where.set("channel", filters.channel);
  if (filters.mine) where.set("assignee", "me");
  const query = new URLSearchParams({ ...Object.fromEntries(where), limit: "100" });
  if (filters.status === "all") query.set("include_closed", "true");
  else query.set("status", filters.status);
  try {
    const [page, counts] = await Promise.all([get(`/api/tickets?${query}`), get(`/api/tickets/counts?${where}`)]);
    if (load !== latestLoad || !list.isConnected) return;
    const all = Object.values(counts.counts).reduce((a, b) => a + b, 0);
    const more = Object.values(counts.more).some(Boolean);
    for (const [status, count] of [...Object.entries(counts.counts), ["all", all]]) {
      const badge = $(`[data-count=${status}]`);
      if (badge) badge.textContent = `${count}${(status === "all" ? more : counts.more[status]) ? "+" : ""}`;
    }
    // The title counts without the filters: what waits on the user, whatever they are looking at.
    refreshAttention(where.toString() ? undefined : counts);
    // Customers waiting on a reply first (the longest waiting first), then the rest newest first.
    const items = [...page.items].sort(
      (a, b) => b.needs_reply - a.needs_reply || (a.needs_reply ? a.last_customer_at.localeCompare(b.last_customer_at) : 0),
    );
    mount(list, items.length ? ticketTable(items) : html`<p class="empty">No ${filters.status === "all" ? "" : `${filters.status} `}tickets.</p>`);
  } catch (error) {
    if (load === latestLoad) showError(list, error);
  }
}

// When this user last looked at each ticket (this browser): a ticket whose customer wrote since is unread.
const SEEN_KEY = () => `lae:seen:${state.me?.id}`;
function seenTimes() {
  try {
    return JSON.parse(localStorage.getItem(SEEN_KEY()) || "{}");
  } catch {
    return {};
  }
}
function markSeen(ticket) {
  const seen = seenTimes();
  seen[ticket.id] = ticket.last_customer_at || new Date().toISOString();
  const recent = Object.entries(seen).sort((a, b) => b[1].localeCompare(a[1])).slice(0, 500);
  localStorage.setItem(SEEN_KEY(), JSON.stringify(Object.fromEntries(recent)));
}
const isUnread = (t, seen) => t.status !== "closed" && (!seen[t.id] || (t.last_customer_at || "") > seen[t.id]);

function waiting(ticket) {
  const end = ticket.first_response_at ? Date.parse(ticket.first_response_at) : Date.now();
  return (end - Date.parse(ticket.created_at)) / 1000;
}

function ticketTable(tickets) {
  const seen = seenTimes();
  return html`<table class="tickets">
    <thead><tr><th>Customer</th><th>Reason</th><th>Department</th><th>Assignee</th><th>Waiting</th><th>Next escalation</th><th>Opened</th></tr></thead>
    <tbody>${tickets.map((t) => {
      const late = !t.first_response_at && waiting(t) > SLA_SECONDS;
      const unread = isUnread(t, seen);
      return html`<tr data-ticket="${t.id}" class="${t.needs_reply ? "needs-reply" : ""} ${unread ? "unread" : ""} ${t.id === state.chosen ? "chosen" : ""}">
        <td>${unread ? html`<span class="dot" role="img" aria-label="unread" title="New messages since you last opened it"></span>` : ""}${channelIcon(t.channel)} <a href="#/tickets/${t.id}">${t.customer.name || t.customer.id}</a>
          ${t.needs_reply ? html`<span class="badge needs-reply" title="The customer wrote last">Needs reply</span>` : ""}
          ${t.escalation.unattended ? html`<span class="badge danger">Unattended</span>` : ""}</td>
        <td>${reasonBadge(t.reason)}</td>
        <td>${t.department || "—"}</td>
        <td>${t.assignee ? (t.assignee === state.me.id ? "Me" : agentName(t.assignee)) : html`<em>Queued</em>`}</td>
        <td class="${late ? "late" : ""}" title="${late ? "Past the 1 h first-response target" : ""}">${t.first_response_at ? "answered" : ago(t.created_at)}</td>
        <td class="sla" title="${t.escalation.next_at ? `Escalates to the next level ${when(t.escalation.next_at)} unless someone acknowledges or replies` : ""}">${t.escalation.next_at ? html`<span class="countdown" data-at="${t.escalation.next_at}">escalates ${until(t.escalation.next_at)}</span>` : "—"}</td>
        <td>${when(t.created_at)}</td>
      </tr>`;
    })}</tbody></table>`;
}

// Where a history event went: a department when routed, the ladder's targets when escalated, else a person.
function historyTarget(e) {
  if (!e.to) return "";
  if (e.event === "routed") return html` → department ${e.to}`;
  if (e.event === "escalated") return html` → ${(e.targets || String(e.to).split(",")).join(", ")}`;
  return html` → ${agentName(e.to)}`;
}

const agentNames = {};
let team = [];
let teamLoaded = 0;
// The team directory (any signed-in user), at most once a minute: people by name in lists and history.
async function loadTeam() {
  if (Date.now() - teamLoaded < 60_000) return team;
  team = (await get("/api/team").catch(() => ({ items: [] }))).items;
  team.forEach((a) => (agentNames[a.id] = a.name || a.email));
  teamLoaded = Date.now();
  return team;
}
function agentName(id) {
  if (id === state.me?.id) return "me";
  return agentNames[id] || `${id.slice(0, 8)}…`;
}

// ----------------------------------------------------------------- ticket view

const WINDOW_HOURS = { whatsapp: 24, instagram: 24 };

function windowState(ticket) {
  const lastCustomer = [...ticket.messages].reverse().find((m) => m.from === "customer");
  if (!lastCustomer) return { open: false, text: "No customer message yet." };
  const hours = (Date.now() - Date.parse(lastCustomer.at)) / 3_600_000;
  const limit = WINDOW_HOURS[ticket.channel];
  if (hours < limit) {
    return { open: true, text: `Messaging window open: ${Math.floor(limit - hours)} h ${Math.floor(((limit - hours) % 1) * 60)} min left.` };
  }
  if (ticket.channel === "instagram" && hours < 24 * 7) {
    return { open: true, text: "Past 24 h: your reply goes out with Instagram's HUMAN_AGENT tag (up to 7 days)." };
  }
  return {
    open: false,
    text: ticket.channel === "whatsapp" ? "The 24-hour window is closed: send an approved template." : "The window is closed.",
  };
}

const TICKS = { sent: "✓ sent", delivered: "✓✓ delivered", read: "✓✓ read", failed: "⚠ failed" };

function messageItem(m) {
  const media = m.kind && m.kind !== "text" ? html`<span class="media">[${m.kind}]</span> ` : "";
  return html`<li class="msg from-${m.from} ${m.note ? "note" : ""}">
    <div class="meta"><strong>${m.from === "agent" ? (m.author ? agentName(m.author) : "agent") : m.from}</strong> · ${when(m.at)}
      ${m.delivery ? html`<span class="tick tick-${m.delivery}">${TICKS[m.delivery] || m.delivery}</span>` : ""}</div>
    <div class="text">${media}${m.deleted ? html`<em>deleted by the customer</em>` : m.text}</div>
    ${m.delivery === "failed" ? html`<div class="error">${m.delivery_error || "not delivered"} <button type="button" class="resend" data-text="${m.text}">Resend</button></div>` : ""}
  </li>`;
}

export async function ticketView(id) {
  const box = $("#view");
  mount(box, html`<p>Loading ticket…</p>`);
  let ticket;
  try {
    ticket = await get(`/api/tickets/${id}`);
  } catch (error) {
    mount(box, html`<p class="error">${error.message}</p><p><a href="#/support">Back to tickets</a></p>`);
    return;
  }
  // The team directory (any signed-in user): people by name, and whom a ticket can be handed to.
  teamLoaded = 0;  // fresh status and load for the hand-over list
  const agents = (await loadTeam()).filter((a) => a.id !== ticket.assignee);
  const [notes, suggested, kb, library] = await Promise.all([
    get(`/api/tickets/${id}/notes`).catch(() => ({ items: [] })),
    ticket.status === "closed" ? { items: [] } : get(`/api/tickets/${id}/suggestions`).catch(() => ({ items: [] })),
    get("/api/knowledge").catch(() => ({ items: [] })),
    get("/api/settings/replies").catch(() => ({ canned: [], templates: [] })),
  ]);
  const kbQuestions = Object.fromEntries(kb.items.map((e) => [e.id, e.question]));
  const win = windowState(ticket);
  const closed = ticket.status === "closed";
  mount(
    box,
    html`<p><a href="#/support">← Tickets</a></p>
    <div class="ticket-head">
      <h1>${channelIcon(ticket.channel)} ${ticket.customer.name || ticket.customer.id}</h1>
      <span class="badge status-${ticket.status}" id="ticket-status">${ticket.status}</span> ${reasonBadge(ticket.reason)}
    </div>
    ${handoffSummary(ticket)}
    <div class="columns">
      <section class="card conversation">
        <h2>Conversation</h2>
        <ol class="messages">${ticket.messages.map(messageItem)}</ol>
        ${closed ? html`<p class="empty">This ticket is closed.</p>` : html`
        <form id="reply" class="reply">
          <p class="warning" id="replying" role="status" ${ticket.replying ? "" : "hidden"}>${ticket.replying ? `${agentName(ticket.replying)} is writing a reply to this customer right now.` : ""}</p>
          <p class="window ${win.open ? "" : "closed"}" id="window-state">${win.text}</p>
          ${win.open || ticket.channel !== "whatsapp" ? html`
            ${library.canned.length ? html`<label>Canned reply <select id="canned"><option value="">Choose one to insert…</option>${library.canned.map((c, i) => html`<option value="${i}">${c.title}</option>`)}</select></label>` : ""}
            <label for="reply-text">Reply to the customer</label>
            <textarea id="reply-text" name="text" rows="3" required></textarea>` : library.templates.length ? html`
            <label>Approved template <select name="template_choice" required>${library.templates.map((t, i) => html`<option value="${i}">${t.label || t.name} (${t.language})</option>`)}</select></label>` : html`
            <p class="muted">No approved templates are listed yet (Admin → Replies): type one Meta approved.</p>
            <label>Template name <input name="template" required placeholder="hello_world"></label>
            <label>Language <input name="language" value="en_US" required></label>`}
          <button type="submit">Send</button>
        </form>
        ${suggested.items.length && (win.open || ticket.channel !== "whatsapp") ? html`<section class="suggestions" aria-label="Suggested replies">
          <h3>Suggested replies</h3>
          <ul>${suggested.items.map((sgg) => html`<li><q>${sgg.question}</q><p>${sgg.answer}</p><button type="button" class="use-suggestion" data-answer="${sgg.answer}" aria-label="Use the answer to ${sgg.question}">Use</button></li>`)}</ul>
        </section>` : ""}`}
        <h3>Internal notes <small class="muted">(the team only, never sent to the customer)</small></h3>
        <ol class="notes">${notes.items.map(noteItem)}</ol>
        <form id="note" class="note-form">
          <label for="note-text">Internal note</label>
          <textarea id="note-text" name="text" rows="2" required></textarea>
          <button type="submit">Add note</button>
        </form>
      </section>
      <aside class="card details">
        <h2>Why it was escalated</h2>
        <ul class="triggers">${ticket.triggers.map((t) => html`<li>${explainTrigger(t, kbQuestions)}</li>`)}</ul>
        ${evidence(ticket.triggers)}
        <p>Question: <q>${ticket.question || "—"}</q></p>
        <dl>
          <dt>Department</dt><dd>${ticket.department || "—"}</dd>
          <dt>Language</dt><dd>${LANGUAGES[ticket.language] || "not sure"}</dd>
          <dt>Assignee</dt><dd>${ticket.assignee ? agentName(ticket.assignee) : "queued"}</dd>
          <dt>Opened</dt><dd>${when(ticket.created_at)}</dd>
          <dt>First response</dt><dd>${when(ticket.first_response_at)}</dd>
          <dt>Acknowledged</dt><dd>${when(ticket.acknowledged_at)}</dd>
          <dt>Next escalation</dt><dd>${ticket.escalation.next_at ? html`<span class="countdown" data-at="${ticket.escalation.next_at}">escalates ${until(ticket.escalation.next_at)}</span>` : "—"}</dd>
        </dl>
        <div class="actions">
          ${closed ? "" : html`${ticket.assignee ? "" : html`<button type="button" id="take">Take it</button> `}<button type="button" id="ack">Acknowledge</button> <button type="button" id="close">Close</button>`}
          <button type="button" id="to-kb">Add to knowledge base</button>
        </div>
        ${closed ? "" : html`<form id="reassign" class="inline-form">
          <label>Hand over to ${agents.length ? html`<select name="agent_id">${agents.map((a) => html`<option value="${a.id}">${a.name || a.email} (${a.status}, ${a.open_tickets}/${a.capacity})</option>`)}</select>` : html`<input name="agent_id" placeholder="agent id" required>`}</label>
          <label>Note for them <textarea name="note" rows="2" placeholder="What they need to know"></textarea></label>
          <button type="submit">Reassign</button></form>`}
        <form id="kb-form" class="kb" hidden>
          <label>Question <textarea name="question" rows="2">${ticket.question || ""}</textarea></label>
          <label>Answer <textarea name="answer" rows="3"></textarea></label>
          <button type="submit">Save to knowledge base</button>
        </form>
        <h2>Customer</h2>
        ${customerProfile(ticket)}
        <h2>Escalation history</h2>
        <ol class="history">${ticket.escalation.history.map((e) => html`<li>${when(e.at)} · level ${e.level} · ${e.event}${historyTarget(e)}</li>`)}</ol>
        <h2>Assignment audit</h2>
        <ol class="history">${(ticket.assignment_audit || []).map((e) => html`<li>${when(e.at)} · ${agentName(e.agent_id || "")} by ${e.rule || e.strategy}${e.department ? html` in ${e.department}` : ""} (${(e.candidates || []).map((c) => `${agentName(c.id)} ${c.open}/${c.capacity}`).join(", ")})</li>`)}</ol>
      </aside>
    </div>`,
  );
  markSeen(ticket);
  wireTicket(ticket, library);
  every(5000, () => refreshConversation(ticket.id), box);
}

function customerProfile(ticket) {
  const p = ticket.customer_profile;
  if (!p) return "";
  const win = windowState(ticket);
  return html`<dl class="profile">
      <dt>Channel</dt><dd>${p.channel === "instagram" ? "Instagram" : "WhatsApp"} · ${ticket.customer.id}</dd>
      <dt>Writes in</dt><dd>${LANGUAGES[p.language] || "not sure"}</dd>
      <dt>Last message</dt><dd>${when(p.last_message_at)}</dd>
      <dt>Messaging window</dt><dd>${win.text}</dd>
    </dl>
    <h3>Past tickets (${p.past_tickets.length})</h3>
    ${p.past_tickets.length
      ? html`<ul class="past-tickets">${p.past_tickets.map((t) => html`<li><a href="#/tickets/${t.id}">${when(t.created_at)}</a> · ${REASONS[t.reason] || t.reason} · ${t.status}${t.satisfaction ? ` · rated ${t.satisfaction}` : ""}<br><small>${t.question || ""}</small></li>`)}</ul>`
      : html`<p class="empty">None before this one.</p>`}`;
}

function noteItem(n) {
  return html`<li class="note-item ${n.kind}"><div class="meta"><strong>${agentName(n.author)}</strong> · ${when(n.at)}${n.kind === "handover" ? " · with the hand-over" : ""}</div><div class="text">${n.text}</div></li>`;
}

// What the agent needs first, in plain words: what the customer asked, what the bot said, why it handed over.
const WHY = {
  agent_requested: "the customer asked for a person",
  complaint: "the customer is unhappy",
  custom_trigger: "one of your escalation rules matched",
  question_not_found: "the knowledge base has no answer the bot was sure of",
};
function handoffSummary(ticket) {
  const bot = ticket.messages.filter((m) => m.from === "bot" && m.ticket_id !== ticket.id).at(-1);
  return html`<section class="card summary" aria-label="Handoff summary"><h2>Handoff summary</h2>
    <p><strong>Asked:</strong> ${ticket.question || "—"}</p>
    <p><strong>The bot said:</strong> ${bot ? bot.text : "nothing before handing over"}</p>
    <p><strong>Why a person:</strong> ${WHY[ticket.reason] || ticket.reason}.</p></section>`;
}

async function refreshConversation(id) {
  const list = $(".messages");
  if (!list) return;
  try {
    const ticket = await get(`/api/tickets/${id}`);
    mount(list, html`${ticket.messages.map(messageItem)}`);
    markSeen(ticket);
    const replying = $("#replying");
    if (replying) {
      replying.hidden = !ticket.replying;
      replying.textContent = ticket.replying ? `${agentName(ticket.replying)} is writing a reply to this customer right now.` : "";
    }
    const status = $("#ticket-status");
    status.textContent = ticket.status;
    status.className = `badge status-${ticket.status}`;  // its colour too, not only its word
  } catch {
    /* the next poll tries again */
  }
}

function wireTicket(ticket, library) {
  const base = `/api/tickets/${ticket.id}`;
  // After an action the ticket is drawn again, if the agent is still on it: the button or form that
  // started the action is still on the page (otherwise the ticket would be drawn over where they went).
  // Drawn as a navigation is, so its poll replaces the one before instead of adding to it.
  const drawAgain = (from) => from.isConnected && redraw();
  $("#reply")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const chosen = form.template_choice ? library.templates[Number(form.template_choice.value)] : null;
    const body = form.text
      ? { text: form.text.value }
      : { template: chosen ? { name: chosen.name, language: chosen.language } : { name: form.template.value, language: form.language.value } };
    // One key per reply written: sending it again after a lost answer (a retry) never sends it twice.
    form.dataset.key ||= crypto.randomUUID();
    const headers = { "Idempotency-Key": form.dataset.key };
    const sent = await act(form.querySelector("button"), () => post(`${base}/reply`, body, headers), "Sent to the customer.");
    if (sent) {
      delete form.dataset.key;
      form.reset();
      // The whole panel: the first reply changes the status, its badge and the first-response time.
      drawAgain(form);
    }
  });
  $("#take")?.addEventListener("click", async (e) => {
    const done = await act(e.target, () => post(`${base}/take`), "It is yours now.");
    if (done) drawAgain(e.target);
  });
  $("#ack")?.addEventListener("click", async (e) => {
    const done = await act(e.target, () => post(`${base}/ack`), "Acknowledged: the escalation timer stopped.");
    if (done) drawAgain(e.target);
  });
  $("#close")?.addEventListener("click", async (e) => {
    const done = await act(e.target, () => post(`${base}/close`), "Ticket closed.");
    if (done) drawAgain(e.target);
  });
  $("#to-kb").addEventListener("click", async () => {
    const form = $("#kb-form");
    form.hidden = false;
    // Focus now, not when the draft arrives: moved then, it would carry what the agent is already typing
    // in the answer into the question.
    form.question.focus();
    // The server's draft of the latest agent reply (also one sent after this page was drawn), without the
    // greeting and the customer's name: what the bot would say to everyone. It fills only empty fields.
    const draft = await get(`${base}/knowledge-draft`).catch(() => ({}));
    if (draft.answer && !form.answer.value) form.answer.value = draft.answer;
    if (draft.question && !form.question.value) form.question.value = draft.question;
  });
  $("#kb-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const saved = await act(form.querySelector("button"), () =>
      post(`${base}/knowledge`, { question: form.question.value || undefined, answer: form.answer.value || undefined }),
    );
    if (saved) {
      form.hidden = true;
      notice(
        saved.status === "proposed"
          ? "Proposed for the knowledge base: an admin reviews it before the bot uses it."
          : "Added to the knowledge base: the bot answers this from now on.",
        "ok",
      );
    }
  });
  $("#reassign")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const note = event.target.note.value.trim();
    const done = await act(event.target.querySelector("button"), () => post(`${base}/assign`, { agent_id: event.target.agent_id.value, ...(note ? { note } : {}) }), "Handed over.");
    if (done) drawAgain(event.target);
  });
  $("#note").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const notes = $(".notes");
    form.dataset.key ||= crypto.randomUUID(); // a retry of the same note writes it once
    const added = await act(form.querySelector("button"), () => post(`${base}/notes`, { text: form.text.value }, { "Idempotency-Key": form.dataset.key }), "Note added (not sent to the customer).");
    if (added) {
      delete form.dataset.key;
      form.reset();
      const { items } = await get(`${base}/notes`);
      mount(notes, html`${items.map(noteItem)}`);
    }
  });
  // While the agent types, the others on this ticket are told (at most every 10 s).
  let toldAt = 0;
  $("#reply-text")?.addEventListener("input", () => {
    if (Date.now() - toldAt < 10_000) return;
    toldAt = Date.now();
    post(`${base}/replying`).catch(() => {});
  });
  $("#canned")?.addEventListener("change", (event) => {
    const picked = library.canned[Number(event.target.value)];
    if (!picked) return;
    const box = $("#reply-text");
    box.value = box.value ? `${box.value}\n${picked.text}` : picked.text;
    event.target.value = "";
    box.focus();
  });
  $$(".use-suggestion").forEach((button) =>
    button.addEventListener("click", () => {
      const box = $("#reply-text");
      box.value = button.dataset.answer;
      box.focus();
    }),
  );
  $(".messages").addEventListener("click", async (event) => {
    if (!event.target.matches(".resend")) return;
    await act(event.target, () => post(`${base}/reply`, { text: event.target.dataset.text }), "Sent again.");
    refreshConversation(ticket.id);
  });
  refreshUnread();
}
