// Admin screens: escalation rules, routing, escalation policy, business hours, team, knowledge base, analytics.
import { del, get, post, put } from "../api.js";
import { $, $$, LANGUAGES, REASONS, act, evidence, explainTrigger, html, lines, mount, requiredNumber, showError, when } from "../ui.js";

const SECTIONS = [
  ["escalation", "Escalation rules"],
  ["routing", "Routing"],
  ["policy", "Escalation policy"],
  ["hours", "Business hours"],
  ["messages", "Customer messages"],
  ["replies", "Replies"],
  ["team", "Team"],
  ["knowledge", "Knowledge base"],
  ["analytics", "Analytics"],
  ["audit", "Audit"],
];
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export async function adminView(section) {
  mount(
    $("#view"), // taken before any wait: a section of an admin page left since then draws nowhere
    html`<h1>Admin</h1>
    <nav class="subnav" aria-label="Admin">${SECTIONS.map(
      ([id, label]) => html`<a href="#/admin/${id}" aria-current="${id === section ? "page" : "false"}">${label}</a>`,
    )}</nav>
    <section id="admin" class="card"></section>`,
  );
  const views = { escalation, routing, policy, hours, messages, replies, team, knowledge, analytics, audit };
  const box = $("#admin");
  try {
    await (views[section] || escalation)(box);
  } catch (error) {
    showError(box, error);
  }
}

function saved(doc) {
  return doc.updated_at ? html`<p class="muted">Last changed ${when(doc.updated_at)} by ${doc.updated_by}.</p>` : "";
}

// Saves a settings document. `show(doc)` draws the section again before the notice says how it went: with
// what was saved (its new version), or on a 409 conflict with the document as someone else left it, so the
// admin sees their change before making theirs again.
function onSubmit(form, work, message, show = async () => {}) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(
      form.querySelector("button[type=submit]"),
      async () => {
        try {
          await show(await work());
        } catch (error) {
          if (error.status === 409 && error.details?.current) await show(error.details.current);
          throw error;
        }
      },
      message,
    );
  });
}

// ------------------------------------------------------------------ escalation rules
async function escalation(box, given) {
  const doc = given || (await get("/api/settings/escalation"));
  mount(
    box,
    html`<h2>Escalation rules</h2>${saved(doc)}
    <form id="escalation-form">
      <label>Always-escalate keywords (comma or one per line) <textarea name="keywords" rows="2">${doc.keywords.join(", ")}</textarea></label>
      <label>Phrases that ask for a person <textarea name="phrases" rows="2">${doc.agent_request_phrases.join("\n")}</textarea></label>
      <fieldset><legend>Sentiment</legend>
        <label class="inline"><input type="checkbox" name="sentiment_on" ${doc.sentiment.enabled ? "checked" : ""}> Escalate complaints</label>
        <label>Negative score threshold <input name="sentiment" type="number" min="0" max="1" step="0.05" value="${doc.sentiment.threshold}"></label>
      </fieldset>
      <fieldset><legend>Complexity</legend>
        <label class="inline"><input type="checkbox" name="complexity_on" ${doc.complexity.enabled ? "checked" : ""}> Escalate complex messages</label>
        <label>Threshold <input name="complexity" type="number" min="0" max="1" step="0.05" value="${doc.complexity.threshold}"></label>
      </fieldset>
      <label>Minimum KB confidence to answer <input name="kb" type="number" min="0" max="1" step="0.05" value="${doc.kb_min_confidence}"></label>
      <label>Sensitivity <select name="sensitivity">${["low", "medium", "high"].map((s) => html`<option ${doc.sensitivity === s ? "selected" : ""}>${s}</option>`)}</select></label>
      <button type="submit">Save escalation rules</button>
    </form>
    <h3>Test the bot</h3>
    <form id="preview-form" class="inline-form"><label>Customer message <input name="text" required></label><button type="submit">What would the bot do?</button></form>
    <div id="preview"></div>`,
  );
  const form = $("#escalation-form");
  const preview = $("#preview");
  onSubmit(
    form,
    () =>
      put("/api/settings/escalation", {
        ...doc,
        keywords: lines(form.keywords.value),
        agent_request_phrases: form.phrases.value.split("\n").map((s) => s.trim()).filter(Boolean),
        sentiment: { enabled: form.sentiment_on.checked, threshold: requiredNumber(form.sentiment, "Negative score threshold") },
        complexity: { enabled: form.complexity_on.checked, threshold: requiredNumber(form.complexity, "Complexity threshold") },
        kb_min_confidence: requiredNumber(form.kb, "Minimum KB confidence"),
        sensitivity: form.sensitivity.value,
      }),
    "Escalation rules saved.",
    (d) => escalation(box, d),
  );
  $("#preview-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await act(event.target.querySelector("button"), () => post("/api/detect/preview", { text: event.target.text.value }));
    if (!result) return;
    const { items } = await get("/api/knowledge").catch(() => ({ items: [] }));
    const questions = Object.fromEntries(items.map((e) => [e.id, e.question]));
    mount(
      preview,
      result.escalate
        ? html`<p><strong>A person takes over</strong>: ${REASONS[result.reason] || result.reason}.</p>
          <ul class="why">${result.triggers.map((t) => html`<li>${explainTrigger(t, questions)}</li>`)}</ul>${evidence(result.triggers)}`
        : html`<p><strong>The bot answers</strong>${result.kb_id ? html` with “${questions[result.kb_id] || result.kb_id}” (${Math.round(result.confidence * 100)}% sure)` : ""}:</p><blockquote>${result.answer}</blockquote>${evidence(result)}`,
    );
  });
}

// ------------------------------------------------------------------ routing
async function routing(box, given) {
  const [doc, people] = await Promise.all([given || get("/api/settings/routing"), get("/api/agents")]);
  const teamRoles = [...new Set(people.items.flatMap((a) => a.roles))].sort();
  const draw = () =>
    mount(
      box,
      html`<h2>Routing</h2>${saved(doc)}
      <form id="routing-form">
        <table class="editor"><thead><tr><th>Department</th><th>Keywords</th><th></th></tr></thead>
        <tbody>${doc.departments.map(
          (d, i) => html`<tr><td><input aria-label="Department name" name="dept-${i}" value="${d.name}" required pattern="[A-Za-z0-9_\\-]+"></td>
            <td><input aria-label="Keywords" name="kw-${i}" value="${d.keywords.join(", ")}"></td>
            <td><button type="button" data-remove-dept="${i}">Remove</button></td></tr>`,
        )}</tbody></table>
        <button type="button" id="add-dept">Add department</button>
        <label>Default department <select name="default">${doc.departments.map((d) => html`<option ${d.name === doc.default_department ? "selected" : ""}>${d.name}</option>`)}${doc.departments.some((d) => d.name === doc.default_department) ? "" : html`<option selected>${doc.default_department}</option>`}</select></label>
        <label>Strategy <select name="strategy">${["least_loaded", "round_robin"].map((s) => html`<option ${doc.strategy === s ? "selected" : ""}>${s}</option>`)}</select></label>
        <h3>Role rules</h3>
        <table class="editor"><thead><tr><th>When reason</th><th>When department</th><th>Roles</th><th></th></tr></thead>
        <tbody>${doc.rules.map(
          (r, i) => html`<tr><td><select aria-label="Reason" name="rreason-${i}"><option value="">any</option>${Object.keys(REASONS).map((k) => html`<option ${r.when.reason === k ? "selected" : ""}>${k}</option>`)}</select></td>
            <td><select aria-label="Department" name="rdept-${i}"><option value="">any</option>${doc.departments.map((d) => html`<option ${r.when.department === d.name ? "selected" : ""}>${d.name}</option>`)}</select></td>
            <td><input aria-label="Roles" name="rroles-${i}" value="${r.roles.join(", ")}" required list="team-roles"></td>
            <td><button type="button" data-remove-rule="${i}">Remove</button></td></tr>`,
        )}</tbody></table>
        <datalist id="team-roles">${teamRoles.map((r) => html`<option value="${r}"></option>`)}</datalist>
        <button type="button" id="add-rule">Add rule</button>
        <button type="submit">Save routing</button>
      </form>`,
    );
  const read = () => {
    const f = $("#routing-form");
    // Keywords per language are kept as they are (the API's keywords_by_language) when a row is edited.
    doc.departments = doc.departments.map((d, i) => ({ ...d, name: f[`dept-${i}`].value.trim(), keywords: lines(f[`kw-${i}`].value) }));
    doc.rules = doc.rules.map((_, i) => ({
      when: { ...(f[`rreason-${i}`].value ? { reason: f[`rreason-${i}`].value } : {}), ...(f[`rdept-${i}`].value ? { department: f[`rdept-${i}`].value } : {}) },
      roles: lines(f[`rroles-${i}`].value),
    }));
    doc.default_department = f.default.value.trim();
    doc.strategy = f.strategy.value;
  };
  const wire = () => {
    draw();
    $("#add-dept").addEventListener("click", () => (read(), doc.departments.push({ name: "", keywords: [] }), wire()));
    $("#add-rule").addEventListener("click", () => (read(), doc.rules.push({ when: {}, roles: [] }), wire()));
    $$("[data-remove-dept]").forEach((b) => b.addEventListener("click", () => (read(), doc.departments.splice(Number(b.dataset.removeDept), 1), wire())));
    $$("[data-remove-rule]").forEach((b) => b.addEventListener("click", () => (read(), doc.rules.splice(Number(b.dataset.removeRule), 1), wire())));
    onSubmit($("#routing-form"), () => (read(), put("/api/settings/routing", doc)), "Routing saved.", (d) => routing(box, d));
  };
  wire();
}

// ------------------------------------------------------------------ escalation policy (levels editor)
// Targets are picked from the team (the assignee, a role someone has, an agent by name, the admins) and
// waits are given in minutes or hours, never typed as "role:NAME" or in seconds.
const UNITS = [["minutes", 60], ["hours", 3600], ["seconds", 1]];
const asUnit = (seconds) => UNITS.find(([, size]) => seconds % size === 0 && seconds >= size) || UNITS[2];

async function policy(box, given) {
  const [doc, people] = await Promise.all([given || get("/api/settings/escalation-policy"), get("/api/agents")]);
  const roles = [...new Set(people.items.flatMap((a) => a.roles))].sort();
  const targets = [
    ["assignee", "The ticket's assignee"],
    ["permission:admin", "The admins"],
    ...roles.map((r) => [`role:${r}`, `Everyone with the role ${r}`]),
    ...people.items.map((a) => [`agent:${a.id}`, `${a.name || a.email}`]),
  ];
  const wire = () => {
    const known = new Set(targets.map(([v]) => v));
    mount(
      box,
      html`<h2>Escalation policy</h2>${saved(doc)}
      <p class="muted">Who is told when nobody responds to a ticket, and after how long. Level 1 is the assignee.</p>
      <form id="policy-form">
        <table class="editor"><thead><tr><th>Level</th><th>Who is told</th><th>Waits</th><th>Takes the ticket</th><th></th></tr></thead>
        <tbody>${doc.levels.map((l, i) => {
          const [unit, size] = asUnit(l.timeout_seconds);
          return html`<tr><td>${i + 1}</td><td><select aria-label="Level ${i + 1} goes to" name="target-${i}" ${i === 0 ? "disabled" : ""}>
              ${known.has(l.target) ? "" : html`<option value="${l.target}" selected>${l.target} (nobody in the team)</option>`}
              ${targets.filter(([v]) => i === 0 || v !== "assignee").map(([v, label]) => html`<option value="${v}" ${l.target === v ? "selected" : ""}>${label}</option>`)}</select></td>
            <td class="wait"><input aria-label="Level ${i + 1} waits" name="timeout-${i}" type="number" min="1" value="${l.timeout_seconds / size}" required>
              <select aria-label="Level ${i + 1} unit" name="unit-${i}">${UNITS.map(([u]) => html`<option ${u === unit ? "selected" : ""}>${u}</option>`)}</select></td>
            <td><input aria-label="Level ${i + 1} takes the ticket" name="reassign-${i}" type="checkbox" ${l.reassign ? "checked" : ""}></td>
            <td>${i === 0 ? "" : html`<button type="button" data-remove="${i}">Remove</button>`}</td></tr>`;
        })}</tbody></table>
        <button type="button" id="add-level">Add level</button>
        <label>Repeat the ladder <input name="repeat" type="number" min="0" max="10" value="${doc.repeat}"></label>
        <button type="submit">Save policy</button>
      </form>`,
    );
    // strict (saving): an emptied number is refused; while adding or removing levels it is kept as typed.
    const read = (strict = false) => {
      const f = $("#policy-form");
      const number = (input, label) => (strict ? requiredNumber(input, label) : Number(input.value));
      doc.levels = doc.levels.map((_, i) => ({
        target: i === 0 ? "assignee" : f[`target-${i}`].value,
        timeout_seconds: Math.round(number(f[`timeout-${i}`], `Level ${i + 1} wait`) * Object.fromEntries(UNITS)[f[`unit-${i}`].value]),
        reassign: f[`reassign-${i}`].checked,
      }));
      doc.repeat = number(f.repeat, "Repeat the ladder");
    };
    $("#add-level").addEventListener("click", () => (read(), doc.levels.push({ target: "permission:admin", timeout_seconds: 3600, reassign: false }), wire()));
    $$("[data-remove]").forEach((b) => b.addEventListener("click", () => (read(), doc.levels.splice(Number(b.dataset.remove), 1), wire())));
    onSubmit($("#policy-form"), () => (read(true), put("/api/settings/escalation-policy", doc)), "Escalation policy saved.", (d) =>
      policy(box, d),
    );
  };
  wire();
}

// ------------------------------------------------------------------ business hours
// The browser's IANA list (the API checks the same names), with the saved one kept if it is not there.
const zones = (current) => [...new Set(["UTC", ...(Intl.supportedValuesOf?.("timeZone") || []), current])];
async function hours(box, given) {
  const doc = given || (await get("/api/settings/business-hours"));
  const spans = (day) => (doc.hours?.[day] || []).map(([a, b]) => `${a}-${b}`).join(", ");
  mount(
    box,
    html`<h2>Business hours</h2>${saved(doc)}
    <form id="hours-form">
      <label>Time zone <select name="timezone">${zones(doc.timezone).map((z) => html`<option ${z === doc.timezone ? "selected" : ""}>${z}</option>`)}</select></label>
      <label class="inline"><input type="checkbox" name="always" ${doc.hours === null ? "checked" : ""}> Always open</label>
      <fieldset><legend>Opening hours (e.g. 09:00-12:00, 13:00-18:00; empty = closed)</legend>
        ${DAYS.map((d) => html`<label>${d} <input name="day-${d}" value="${spans(d)}" pattern="^$|^(\\d\\d:\\d\\d-\\d\\d:\\d\\d)(,\\s*\\d\\d:\\d\\d-\\d\\d:\\d\\d)*$"></label>`)}
      </fieldset>
      <label>Holidays (YYYY-MM-DD, comma separated) <input name="holidays" value="${doc.holidays.join(", ")}"></label>
      <label>Message when offline <textarea name="offline" rows="2">${doc.offline_message}</textarea></label>
      <button type="submit">Save business hours</button>
    </form>`,
  );
  const f = $("#hours-form");
  onSubmit(
    f,
    () =>
      put("/api/settings/business-hours", {
        ...doc,
        timezone: f.timezone.value.trim(),
        hours: f.always.checked ? null : Object.fromEntries(DAYS.map((d) => [d, lines(f[`day-${d}`].value).map((s) => s.split("-").map((t) => t.trim()))])),
        holidays: lines(f.holidays.value),
        offline_message: f.offline.value,
      }),
    "Business hours saved.",
    (d) => hours(box, d),
  );
}

// ------------------------------------------------------------------ customer messages (per language)

async function messages(box, given) {
  const doc = given || (await get("/api/settings/messages"));
  const others = Object.keys(LANGUAGES).filter((l) => l !== doc.language);
  const t = (l, field) => doc.translations?.[l]?.[field] || "";
  mount(
    box,
    html`<h2>Customer messages</h2>${saved(doc)}
    <p class="muted">What the bot says when it hands a customer to the team, in the customer's language when you wrote it (else in yours). The offline message itself is under Business hours.</p>
    <form id="messages-form">
      <label>Your language <select name="language">${Object.entries(LANGUAGES).map(([code, name]) => html`<option value="${code}" ${doc.language === code ? "selected" : ""}>${name}</option>`)}</select></label>
      <label>Acknowledgement <textarea name="acknowledgement" rows="2" required>${doc.acknowledgement}</textarea></label>
      ${others.map(
        (l) => html`<fieldset><legend>${LANGUAGES[l]}</legend>
          <label>Acknowledgement in ${LANGUAGES[l]} <textarea name="ack-${l}" rows="2">${t(l, "acknowledgement")}</textarea></label>
          <label>Offline message in ${LANGUAGES[l]} <textarea name="offline-${l}" rows="2">${t(l, "offline_message")}</textarea></label>
          <label>When you open again, in ${LANGUAGES[l]} (may use {weekday}, {time}, {timezone}) <input name="reopening-${l}" value="${t(l, "reopening")}"></label>
        </fieldset>`,
      )}
      <button type="submit">Save customer messages</button>
    </form>`,
  );
  const f = $("#messages-form");
  const text = (name) => (f[name]?.value.trim() ? f[name].value.trim() : undefined);
  onSubmit(
    f,
    () => {
      if (!f.acknowledgement.value.trim()) throw new Error("Acknowledgement is required.");
      const translations = {};
      for (const l of others) {
        const entry = { acknowledgement: text(`ack-${l}`), offline_message: text(`offline-${l}`), reopening: text(`reopening-${l}`) };
        if (Object.values(entry).some(Boolean)) translations[l] = entry;
      }
      return put("/api/settings/messages", { ...doc, language: f.language.value, acknowledgement: f.acknowledgement.value.trim(), translations });
    },
    "Customer messages saved.",
    (d) => messages(box, d),
  );
}

// ------------------------------------------------------------------ reply library
async function replies(box, given) {
  const doc = given || (await get("/api/settings/replies"));
  const wire = () => {
    mount(
      box,
      html`<h2>Replies</h2>${saved(doc)}
      <form id="replies-form">
        <h3>Canned replies</h3>
        <table class="editor"><thead><tr><th>Title</th><th>Text</th><th></th></tr></thead><tbody>${doc.canned.map(
          (c, i) => html`<tr><td><input aria-label="Canned reply title" name="ctitle-${i}" value="${c.title}" required></td>
            <td><textarea aria-label="Canned reply text" name="ctext-${i}" rows="2" required>${c.text}</textarea></td>
            <td><button type="button" data-remove-canned="${i}">Remove</button></td></tr>`,
        )}</tbody></table>
        <button type="button" id="add-canned">Add canned reply</button>
        <h3>Approved WhatsApp templates</h3>
        <p class="muted">Templates Meta approved for your number: what agents send when WhatsApp's 24-hour window has closed.</p>
        <table class="editor"><thead><tr><th>Name</th><th>Language</th><th>Shown as</th><th></th></tr></thead><tbody>${doc.templates.map(
          (t, i) => html`<tr><td><input aria-label="Template name" name="tname-${i}" value="${t.name}" required pattern="[a-z0-9_]+"></td>
            <td><input aria-label="Template language" name="tlang-${i}" value="${t.language}" required></td>
            <td><input aria-label="Template label" name="tlabel-${i}" value="${t.label || ""}"></td>
            <td><button type="button" data-remove-template="${i}">Remove</button></td></tr>`,
        )}</tbody></table>
        <button type="button" id="add-template">Add template</button>
        <button type="submit">Save replies</button>
      </form>`,
    );
    const read = () => {
      const f = $("#replies-form");
      doc.canned = doc.canned.map((_, i) => ({ title: f[`ctitle-${i}`].value.trim(), text: f[`ctext-${i}`].value.trim() }));
      doc.templates = doc.templates.map((_, i) => ({ name: f[`tname-${i}`].value.trim(), language: f[`tlang-${i}`].value.trim(), label: f[`tlabel-${i}`].value.trim() || null }));
    };
    $("#add-canned").addEventListener("click", () => (read(), doc.canned.push({ title: "", text: "" }), wire()));
    $("#add-template").addEventListener("click", () => (read(), doc.templates.push({ name: "", language: "en_US", label: null }), wire()));
    $$("[data-remove-canned]").forEach((b) => b.addEventListener("click", () => (read(), doc.canned.splice(Number(b.dataset.removeCanned), 1), wire())));
    $$("[data-remove-template]").forEach((b) => b.addEventListener("click", () => (read(), doc.templates.splice(Number(b.dataset.removeTemplate), 1), wire())));
    onSubmit($("#replies-form"), () => (read(), put("/api/settings/replies", doc)), "Replies saved.", (d) => replies(box, d));
  };
  wire();
}

// ------------------------------------------------------------------ team
async function team(box) {
  const { items } = await get("/api/agents");
  mount(
    box,
    html`<h2>Team</h2>
    ${items.length ? "" : html`<p class="empty">No agents yet.</p>`}
    <table class="editor"><thead><tr><th>Agent</th><th>Status</th><th>Open</th><th>Capacity</th><th>Departments</th><th>Roles</th><th></th></tr></thead>
    <tbody>${items.map(
      (a) => html`<tr data-agent="${a.id}"><td>${a.name || a.email}<br><small>${a.email} · ${a.permission}</small></td>
        <td>${a.status}</td><td>${a.open_tickets}</td>
        <td><input aria-label="Capacity of ${a.email}" name="capacity" type="number" min="0" max="100" value="${a.capacity}"></td>
        <td><input aria-label="Departments of ${a.email}" name="departments" value="${a.departments.join(", ")}"></td>
        <td><input aria-label="Roles of ${a.email}" name="roles" value="${a.roles.join(", ")}"></td>
        <td><button type="button" class="save-agent">Save</button></td></tr>`,
    )}</tbody></table>`,
  );
  $$(".save-agent").forEach((button) =>
    button.addEventListener("click", () => {
      const row = button.closest("tr");
      act(
        button,
        () =>
          put(`/api/agents/${row.dataset.agent}`, {
            capacity: requiredNumber($("[name=capacity]", row), "Capacity"),
            departments: lines($("[name=departments]", row).value),
            roles: lines($("[name=roles]", row).value),
          }),
        "Agent saved.",
      );
    }),
  );
}

// ------------------------------------------------------------------ audit
const ACTIONS = {
  "settings.update": "changed the settings",
  "agent.update": "changed a team member",
  "knowledge.create": "added a KB entry",
  "knowledge.update": "edited a KB entry",
  "knowledge.delete": "deleted a KB entry",
  "knowledge.propose": "proposed a KB entry",
  "knowledge.approve": "approved a KB entry",
};

async function audit(box) {
  const [{ items }, people] = await Promise.all([get("/api/audit"), get("/api/team")]);
  const names = Object.fromEntries(people.items.map((a) => [a.id, a.name || a.email]));
  const target = (e) => (e.action === "agent.update" ? names[e.target] || e.target : e.details?.question || e.target);
  mount(
    box,
    html`<h2>Audit</h2><p class="muted">Who changed what, newest first.</p>
    ${items.length
      ? html`<table class="audit"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Details</th></tr></thead><tbody>${items.map(
          (e) => html`<tr><td>${when(e.at)}</td><td>${names[e.actor] || e.actor_email || e.actor}</td><td>${ACTIONS[e.action] || e.action}: ${target(e)}</td>
            <td><details><summary>Show</summary><pre>${JSON.stringify(e.details, null, 2)}</pre></details></td></tr>`,
        )}</tbody></table>`
      : html`<p class="empty">No changes yet.</p>`}`,
  );
}

// ------------------------------------------------------------------ knowledge base
async function knowledge(box) {
  const [{ items }, unanswered, people] = await Promise.all([get("/api/knowledge"), get("/api/knowledge/unanswered"), get("/api/team")]);
  const names = Object.fromEntries(people.items.map((a) => [a.id, a.name || a.email]));
  const proposed = items.filter((e) => e.status === "proposed");
  const live = items.filter((e) => e.status !== "proposed");
  mount(
    box,
    html`<h2>Knowledge base</h2>
    <h3>Questions the bot could not answer</h3>
    ${unanswered.items.length
      ? html`<ul class="unanswered">${unanswered.items.map(
          (g, i) => html`<li><strong>${g.question}</strong> · asked ${g.count}× · last ${when(g.last_seen)}
            <form class="inline-form answer-unanswered" data-question="${g.question}"><label>Answer <input name="answer" required aria-label="Answer to ${g.question}" id="answer-${i}"></label><button type="submit">Add to KB</button></form></li>`,
        )}</ul>`
      : html`<p class="empty">Nothing unanswered. 🎉</p>`}
    <h3>Proposed by agents (${proposed.length})</h3>
    ${proposed.length
      ? html`<ul class="kb-list proposals">${proposed.map(
          (e) => html`<li data-entry="${e.id}"><form class="kb kb-review">
            <p class="muted">From a ticket, by ${names[e.proposed_by] || "an agent"}: the bot does not use it until you approve it.</p>
            <label>Question <input name="question" value="${e.question}" required aria-label="Proposed question"></label>
            <label>Other ways to ask it <textarea name="alternates" rows="2">${e.alternates.join("\n")}</textarea></label>
            <label>Answer <textarea name="answer" rows="3" required aria-label="Proposed answer">${e.answer}</textarea></label>
            <button type="submit">Approve</button> <button type="button" class="delete">Reject</button>
          </form></li>`,
        )}</ul>`
      : html`<p class="empty">No proposals waiting.</p>`}
    <h3>Entries (${live.length})</h3>
    <form id="kb-new" class="kb">
      <label>Question <input name="question" required></label>
      <label>Other ways to ask it (one per line) <textarea name="alternates" rows="2"></textarea></label>
      <label>Answer <textarea name="answer" rows="3" required></textarea></label>
      <button type="submit">Add entry</button>
    </form>
    <ul class="kb-list">${live.map(
      (e) => html`<li data-entry="${e.id}"><details><summary>${e.question}</summary>
        <form class="kb kb-edit">
          <label>Question <input name="question" value="${e.question}" required></label>
          <label>Other ways to ask it <textarea name="alternates" rows="2">${e.alternates.join("\n")}</textarea></label>
          <label>Answer <textarea name="answer" rows="3" required>${e.answer}</textarea></label>
          <button type="submit">Save</button> <button type="button" class="delete">Delete</button>
        </form></details></li>`,
    )}</ul>`,
  );
  const reload = () => knowledge(box);
  const entry = (f) => ({ question: f.question.value, alternates: f.alternates.value.split("\n").map((s) => s.trim()).filter(Boolean), answer: f.answer.value });
  $("#kb-new").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await act(event.target.querySelector("button"), () => post("/api/knowledge", entry(event.target)), "Entry added.")) reload();
  });
  // Approving saves the admin's edits first, then makes the entry live.
  $$(".kb-review").forEach((f) => {
    const id = f.closest("[data-entry]").dataset.entry;
    f.addEventListener("submit", async (event) => {
      event.preventDefault();
      const done = await act(f.querySelector("button"), async () => (await put(`/api/knowledge/${id}`, entry(f)), post(`/api/knowledge/${id}/approve`)), "Approved: the bot answers this from now on.");
      if (done) reload();
    });
    $(".delete", f).addEventListener("click", async (event) => {
      if (await act(event.target, () => del(`/api/knowledge/${id}`), "Proposal rejected.")) reload();
    });
  });
  $$(".kb-edit").forEach((f) => {
    const id = f.closest("[data-entry]").dataset.entry;
    f.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (await act(f.querySelector("button"), () => put(`/api/knowledge/${id}`, entry(f)), "Entry saved.")) reload();
    });
    $(".delete", f).addEventListener("click", async (event) => {
      if (!confirm("Delete this entry?")) return;
      if (await act(event.target, () => del(`/api/knowledge/${id}`), "Entry deleted.")) reload();
    });
  });
  $$(".answer-unanswered").forEach((f) =>
    f.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = { question: f.dataset.question, alternates: [], answer: f.answer.value };
      if (await act(f.querySelector("button"), () => post("/api/knowledge", body), "Answered: the bot knows it now.")) reload();
    }),
  );
}

// ------------------------------------------------------------------ analytics (SVG charts + tables)
async function analytics(box, days = 7) {
  const [summary, page, people] = await Promise.all([
    get(`/api/analytics/summary?days=${days}`),
    get("/api/tickets?include_closed=true&limit=200"),
    get("/api/team"),
  ]);
  const names = Object.fromEntries(people.items.map((a) => [a.id, a.name || a.email]));
  const since = Date.now() - days * 86_400_000;
  const tickets = page.items.filter((t) => Date.parse(t.created_at) >= since);
  const dayKeys = [...Array(days).keys()].map((i) => new Date(Date.now() - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
  const perDay = dayKeys.map((d) => ({ day: d, ...Object.fromEntries(Object.keys(REASONS).map((r) => [r, tickets.filter((t) => t.created_at.startsWith(d) && t.reason === r).length])) }));
  const buckets = [["< 5 min", 300], ["5–15 min", 900], ["15–60 min", 3600], ["1–4 h", 14400], ["> 4 h", Infinity]];
  const waits = tickets.filter((t) => t.first_response_at).map((t) => (Date.parse(t.first_response_at) - Date.parse(t.created_at)) / 1000);
  const histogram = buckets.map(([label, limit], i) => ({ label, count: waits.filter((w) => w < limit && (i === 0 || w >= buckets[i - 1][1])).length }));
  const sla = summary.sla.met_ratio;
  mount(
    box,
    html`<h2>Analytics</h2>
    <form id="days" class="inline-form"><label>Period <select name="days">${[1, 7, 30, 90].map((d) => html`<option value="${d}" ${d === days ? "selected" : ""}>last ${d} day${d > 1 ? "s" : ""}</option>`)}</select></label></form>
    <div class="kpis">
      <div><strong><a href="#/support?status=all" title="Open these tickets">${summary.tickets}</a></strong><span>tickets</span></div>
      <div><strong>${Math.round(summary.escalation_rate * 100)}%</strong><span>escalation rate</span><small>of the bot's ${summary.bot_answered + summary.bot_escalated} decisions, the share it handed to a person</small></div>
      <div><strong>${fmtSeconds(summary.median_first_response_seconds)}</strong><span>median first response</span><small>half of the customers got a first reply sooner</small></div>
      <div><strong>${fmtSeconds(summary.p90_first_response_seconds)}</strong><span>p90 first response</span><small>9 in 10 customers got a first reply within this time</small></div>
      <div><strong>${sla === null ? "—" : `${Math.round(sla * 100)}%`}</strong><span>answered within ${fmtSeconds(summary.sla.target_seconds)}${summary.sla.business_hours ? " (business hours)" : ""}</span><small>of the ${waits.length} tickets that had their first reply</small></div>
      <div><strong>${summary.satisfaction.good_ratio === null ? "—" : `${Math.round(summary.satisfaction.good_ratio * 100)}%`}</strong><span>satisfied (${summary.satisfaction.responses} ratings)</span></div>
    </div>
    <h3>Tickets per day by reason</h3>${stackedBars(perDay, box.clientWidth)}
    <h3>First-response time</h3>${bars(histogram)}
    <h3>SLA</h3>${slaBar(sla)}
    <h3>The numbers</h3>
    <table><thead><tr><th>Day</th>${Object.values(REASONS).map((r) => html`<th>${r}</th>`)}</tr></thead>
      <tbody>${perDay.map((d) => html`<tr><td>${d.day}</td>${Object.keys(REASONS).map((r) => html`<td>${d[r]}</td>`)}</tr>`)}</tbody></table>
    <table><thead><tr><th>By reason</th><th>Tickets</th></tr></thead><tbody>${Object.entries(summary.by_reason).map(([k, v]) => html`<tr><td>${REASONS[k] || k}</td><td><a href="#/support?status=all&reason=${k}" title="Open these tickets">${v}</a></td></tr>`)}</tbody></table>
    <table><thead><tr><th>By status</th><th>Tickets</th></tr></thead><tbody>${Object.entries(summary.by_status).map(([k, v]) => html`<tr><td>${k}</td><td><a href="#/support?status=${k}" title="Open these tickets">${v}</a></td></tr>`)}</tbody></table>
    <table><thead><tr><th>Agent</th><th>Tickets</th><th>Closed</th><th>Median first response</th></tr></thead><tbody>${Object.entries(summary.per_agent).map(
      ([id, a]) => html`<tr><td>${names[id] || id}</td><td>${a.tickets}</td><td>${a.closed}</td><td>${fmtSeconds(a.median_first_response_seconds)}</td></tr>`,
    )}</tbody></table>
    <h3>Top unanswered questions</h3>
    ${summary.top_unanswered.length ? html`<ol>${summary.top_unanswered.map((g) => html`<li>${g.question} (${g.count}×)</li>`)}</ol>` : html`<p class="empty">None in this period.</p>`}`,
  );
  $("#days").days.addEventListener("change", (event) => analytics(box, Number(event.target.value)));
}

function fmtSeconds(s) {
  if (s === null || s === undefined) return "—";
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

const COLORS = { agent_requested: "#2563eb", complaint: "#dc2626", custom_trigger: "#d97706", question_not_found: "#7c3aed" };

// Drawn at the width it is shown at (one unit, one pixel), so text keeps its size on a phone; the day
// labels are thinned to one every few bars so that they never run into each other.
function stackedBars(perDay, shownWidth) {
  const max = Math.max(1, ...perDay.map((d) => Object.keys(REASONS).reduce((n, r) => n + d[r], 0)));
  const width = Math.round(Math.min(700, Math.max(280, (shownWidth || 640) - 34)));
  const height = 180, gap = perDay.length > 14 ? 2 : 4, bar = (width - 40) / perDay.length - gap;
  const rects = perDay.map((d, i) => {
    let y = height - 20;
    return Object.keys(REASONS).map((r) => {
      const h = (d[r] / max) * (height - 40);
      y -= h;
      return d[r] ? html`<rect x="${40 + i * (bar + gap)}" y="${y}" width="${bar}" height="${h}" fill="${COLORS[r]}"><title>${d.day}: ${d[r]} ${REASONS[r]}</title></rect>` : "";
    });
  });
  const every = Math.max(1, Math.ceil(44 / (bar + gap))); // "12-31" at 11 px is about 32 px wide
  const labels = perDay.map((d, i) =>
    (perDay.length - 1 - i) % every
      ? ""
      : html`<text class="day" x="${40 + i * (bar + gap) + bar / 2}" y="${height - 5}" text-anchor="middle" font-size="11">${d.day.slice(5)}</text>`,
  );
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" role="img" aria-label="Tickets per day by reason"><text x="0" y="20" font-size="11">${max}</text>${rects}${labels}</svg>
    <p class="legend">${Object.entries(REASONS).map(([k, v]) => html`<span><i class="swatch-${k}"></i>${v}</span>`)}</p>`;
}

function bars(rows) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return html`<svg class="chart" viewBox="0 0 640 ${rows.length * 28}" role="img" aria-label="First-response time distribution">${rows.map(
    (r, i) => html`<text x="0" y="${i * 28 + 18}" font-size="12">${r.label}</text><rect x="90" y="${i * 28 + 4}" width="${(r.count / max) * 500}" height="18" fill="#2563eb"></rect><text x="${96 + (r.count / max) * 500}" y="${i * 28 + 18}" font-size="12">${r.count}</text>`,
  )}</svg>`;
}

function slaBar(ratio) {
  const share = ratio ?? 0;
  return html`<svg class="chart" viewBox="0 0 640 30" role="img" aria-label="Share answered within the SLA"><rect x="0" y="5" width="600" height="20" fill="#e5e7eb"></rect><rect x="0" y="5" width="${share * 600}" height="20" fill="#16a34a"></rect><text x="605" y="20" font-size="12">${ratio === null ? "—" : `${Math.round(share * 100)}%`}</text></svg>`;
}
