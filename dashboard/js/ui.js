// Small view helpers: escaped HTML templates, times, badges, messages to the user.

class Raw {
  constructor(text) {
    this.text = text;
  }
}

export const raw = (text) => new Raw(text);

const escape = (value) =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function render(value) {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escape(value);
}

// html`<p>${customerText}</p>`: every interpolation is escaped unless wrapped in raw() or is html``.
export function html(strings, ...values) {
  return raw(strings.reduce((out, part, i) => out + part + (i < values.length ? render(values[i]) : ""), ""));
}

// A view's late answer for a page the user has already left: each navigation gives the view a fresh
// element (app.js), so a view still loading for the one before holds an element no longer on the page, and
// drawing into it stops that view there instead of drawing over the next one or wiring its handlers there.
export class ViewLeft extends Error {
  constructor() {
    super("The view was left before it finished loading.");
  }
}

export function mount(element, content) {
  if (!element.isConnected) throw new ViewLeft();
  element.innerHTML = render(content);
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

// A list view's body: `load()` gives {items}; `rows(items)` draws them, `empty` says there are none, and a
// failure shows its message. Nothing happens when the view has been left (its element is gone).
export async function showList(selector, load, rows, empty) {
  const box = $(selector);
  if (!box) return;
  try {
    const { items } = await load();
    mount(box, items.length ? rows(items) : html`<p class="empty">${empty}</p>`);
  } catch (error) {
    showError(box, error);
  }
}

// What went wrong loading a view's part, in its box, if that is still on the page (else the user has left).
export function showError(box, error) {
  if (box.isConnected) mount(box, html`<p class="error">${error.message}</p>`);
}

export function ago(iso) {
  if (!iso) return "";
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}

export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");

export const REASONS = {
  agent_requested: "Asked for a person",
  complaint: "Complaint",
  custom_trigger: "Admin rule",
  question_not_found: "Question not found",
};

// The languages liveagent.language tells apart, by their names.
export const LANGUAGES = { en: "English", es: "Spanish", pt: "Portuguese", fr: "French", de: "German", it: "Italian", nl: "Dutch" };

export const reasonBadge = (reason) => html`<span class="badge reason-${reason}">${REASONS[reason] || reason}</span>`;

export const channelIcon = (channel) =>
  html`<span class="channel channel-${channel}" title="${channel}" aria-label="${channel}">${channel === "instagram" ? "IG" : "WA"}</span>`;

export function notice(message, kind = "info") {
  const box = $("#notice");
  box.textContent = message;
  box.className = `notice ${kind}`;
  box.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => (box.hidden = true), kind === "error" ? 8000 : 4000);
}

// A number the admin must give: an emptied field is refused in words (Number("") would save 0).
export function requiredNumber(input, label) {
  if (input.value.trim() === "") throw new Error(`${label} is required.`);
  if (!input.checkValidity()) throw new Error(`${label}: ${input.validationMessage}`);
  return Number(input.value);
}

// Runs an action from a button or form, shows what went wrong in words, never leaves it disabled.
export async function act(button, work, done) {
  if (button) button.disabled = true;
  try {
    const result = await work();
    if (done) notice(done, "ok");
    return result;
  } catch (error) {
    // Only drawing a result throws ViewLeft, so the work itself was done: its notice still says so.
    if (!(error instanceof ViewLeft)) notice(error.message || String(error), "error");
    else if (done) notice(done, "ok");
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

export const lines = (text) =>
  String(text || "")
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

const pct = (x) => `${Math.round(Number(x) * 100)}%`;
// A trigger in words a non-engineer reads ("closest answer: 'How long does delivery take?' — 25% sure,
// needs 35%"); `questions` maps KB ids to their questions. The raw evidence stays behind a toggle.
export function explainTrigger(t, questions = {}) {
  switch (t.type) {
    case "kb_miss":
      return t.closest_kb_id
        ? `No answer the bot was sure of. Closest answer: “${questions[t.closest_kb_id] || t.closest_kb_id}” — ${pct(t.best_confidence)} sure, needs ${pct(t.threshold)}.`
        : "The knowledge base has nothing close to this question.";
    case "agent_requested":
      return t.phrase ? `The customer asked for a person (your phrase “${t.phrase}”).` : `The customer asked for a person (${pct(t.probability)} sure).`;
    case "complaint":
      return `The customer sounds unhappy (${pct(t.score)}; escalates from ${pct(t.threshold)}).`;
    case "keyword":
      return `Your escalation keyword “${t.keyword}” is in the message.`;
    case "complexity":
      return `The message is long or has many questions (${pct(t.score)}; escalates from ${pct(t.threshold)}).`;
    case "answer_rejected":
      return "The customer said the bot's answer did not help.";
    case "repeated_question":
      return "The customer asked the same thing again after the bot's answer.";
    case "answer_already_sent":
      return "The bot had already sent this answer once: a person takes over instead of repeating it.";
    default:
      return t.type.replaceAll("_", " ");
  }
}

export function evidence(items) {
  return html`<details class="evidence"><summary>Show the raw evidence</summary><pre>${JSON.stringify(items, null, 2)}</pre></details>`;
}

// "in 12m" until a time still ahead; "now" once it has come.
export function until(iso) {
  if (!iso) return "";
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  if (seconds <= 0) return "now";
  if (seconds < 60) return `in ${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `in ${Math.ceil(seconds / 60)}m`;
  return `in ${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}
