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

export function mount(element, content) {
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
    mount(box, html`<p class="error">${error.message}</p>`);
  }
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
    notice(error.message || String(error), "error");
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
