// The dashboard shell: sign-in, the header (tabs, my status, unread count) and a hash router.
import { get, put } from "./api.js";
import { completeMfa, completeNewPassword, current, login, logout } from "./auth.js";
import { adminView } from "./views/admin.js";
import { deliveriesView } from "./views/deliveries.js";
import { meView, notificationsView } from "./views/me.js";
import { supportView, ticketView } from "./views/support.js";
import { $, $$, ViewLeft, act, notice } from "./ui.js";

export const state = { me: null, timers: [] };

const routes = [
  [/^#\/support(?:\?(.*))?$/, (m) => supportView(new URLSearchParams(m[1] || ""))],
  [/^#\/tickets\/([0-9A-Z]+)$/, (m) => ticketView(m[1])],
  [/^#\/notifications$/, () => notificationsView()],
  [/^#\/deliveries$/, () => deliveriesView()],
  [/^#\/me$/, () => meView()],
  [/^#\/admin(?:\/([a-z-]+))?$/, (m) => adminView(m[1] || "escalation")],
];

// Views poll (new tickets, notifications); leaving a view stops its timers, and a view left before it
// started polling (`owner`, its element, is off the page) does not start.
export function every(ms, work, owner) {
  if (!owner.isConnected) return null;
  const id = setInterval(work, ms);
  state.timers.push(id);
  return id;
}

async function route() {
  state.timers.forEach(clearInterval);
  state.timers = [];
  const left = $("#view");
  left.replaceWith(left.cloneNode(false)); // the view left keeps its element, off the page (ui.js ViewLeft)
  if (!current()) return showLogin();
  if (!state.me) await start();
  const hash = location.hash || "#/support";
  for (const [pattern, view] of routes) {
    const match = hash.match(pattern);
    if (match) {
      if (hash.startsWith("#/admin") && state.me.permission !== "admin") {
        location.hash = "#/support";
        return;
      }
      const tab = hash.split("/")[1] === "tickets" ? "support" : hash.split("/")[1].split("?")[0];
      $$("nav a").forEach((a) => a.setAttribute("aria-current", a.dataset.tab === tab ? "page" : "false"));
      await view(match);
      return;
    }
  }
  location.hash = "#/support";
}

async function start() {
  state.me = await get("/api/me");
  $("#login").hidden = true;
  $("#top").hidden = false;
  $("#who").textContent = `${state.me.email} (${state.me.permission})`;
  $$(".admin-only").forEach((el) => (el.hidden = state.me.permission !== "admin"));
  $("#my-status").value = state.me.status || "offline";
  $("#my-status").disabled = !state.me.status;
  refreshUnread();
  setInterval(refreshUnread, 10_000);
}

const TITLE = document.title;
let lastWaiting = null;

// Desktop alerts and a sound (opt-in, per user and device): when more customers wait on a reply than at
// the last look (a new ticket, or a customer writing again on an answered one).
const ALERTS_KEY = () => `lae:alerts:${state.me?.id}`;
export const alertsOn = () => localStorage.getItem(ALERTS_KEY()) === "on";
export async function setAlerts(on) {
  if (on && "Notification" in window && Notification.permission !== "granted") {
    on = (await Notification.requestPermission()) === "granted";
    if (!on) notice("The browser did not allow notifications for this page.", "error");
  }
  localStorage.setItem(ALERTS_KEY(), on ? "on" : "off");
  return on;
}
function alertUser(waiting) {
  if (!alertsOn()) return;
  if ("Notification" in window && Notification.permission === "granted") {
    new Notification("Live Agent Escalation", { body: `${waiting} customer${waiting > 1 ? "s" : ""} waiting for a reply`, tag: "waiting" });
  }
  try {
    const sound = new AudioContext();
    const tone = sound.createOscillator();
    const volume = sound.createGain();
    tone.frequency.value = 880;
    volume.gain.value = 0.05;
    tone.connect(volume).connect(sound.destination);
    tone.start();
    tone.stop(sound.currentTime + 0.15);
  } catch {
    /* no sound on this device */
  }
}
// The browser tab says how many customers wait on a reply (agents: theirs; admins: everyone's), so a
// returning customer is seen from another tab too. Views that read the counts anyway pass them in.
export async function refreshAttention(counts) {
  if (!current() || !state.me) return;
  try {
    const c = counts || (await get("/api/tickets/counts"));
    const waiting = state.me.permission === "admin" ? c.needs_reply : c.mine_needs_reply;
    document.title = waiting ? `(${waiting}) ${TITLE}` : TITLE;
    if (lastWaiting !== null && waiting > lastWaiting) alertUser(waiting);
    lastWaiting = waiting;
  } catch {
    /* the next poll tries again */
  }
}

export async function refreshUnread() {
  if (!current()) return;
  if (!location.hash.startsWith("#/support")) refreshAttention();
  try {
    const { unread } = await get("/api/notifications");
    const badge = $("#unread");
    badge.textContent = unread;
    badge.hidden = !unread;
    badge.setAttribute("aria-label", `${unread} unread`);
  } catch {
    /* shown by the views; the badge just waits for the next poll */
  }
}

function showLogin() {
  state.me = null;
  $("#top").hidden = true;
  $("#view").innerHTML = "";
  $("#login").hidden = false;
  $("#login-form input[name=email]").focus();
}

let pendingChallenge = null;

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  $("#login-error").textContent = "";
  try {
    const result = await login(form.email.value.trim(), form.password.value);
    form.reset();
    const step = CHALLENGE_FORMS[result.challenge];
    if (step) {
      pendingChallenge = result;
      $("#login-form").hidden = true;
      $(`#${step.form}`).hidden = false;
      $(`#${step.form} input[name=${step.field}]`).focus();
      return;
    }
    await route();
  } catch (error) {
    $("#login-error").textContent = error.message;
  }
});

// The form that answers each sign-in challenge login() can return, and the field it starts in.
const CHALLENGE_FORMS = {
  NEW_PASSWORD_REQUIRED: { form: "new-password-form", field: "password" },
  SOFTWARE_TOKEN_MFA: { form: "mfa-form", field: "code" },
};

// A challenge form's submit: `answer(form)` completes the sign-in (or throws in words); `giveUp(error)`
// says whether the challenge is over, so that the password must be given again.
function onChallengeSubmit(formId, answer, giveUp = () => false) {
  const error = $(`#${formId.replace(/-form$/, "-error")}`);
  $(`#${formId}`).addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    error.textContent = "";
    const back = () => {
      $(`#${formId}`).hidden = true;
      $("#login-form").hidden = false;
    };
    try {
      await answer(form);
      pendingChallenge = null;
      form.reset();
      back();
      await route();
    } catch (failure) {
      error.textContent = failure.message;
      if (giveUp(failure)) back();
    }
  });
}

onChallengeSubmit("new-password-form", (form) => {
  if (form.password.value !== form.confirm.value) throw new Error("The two passwords differ.");
  return completeNewPassword(pendingChallenge, form.password.value);
});
onChallengeSubmit(
  "mfa-form",
  (form) => completeMfa(pendingChallenge, form.code.value.trim()),
  // Cognito's sign-in session allows a few tries, then the password must be given again.
  (failure) => /sign in again|expired|Invalid session/i.test(failure.message),
);

$("#logout").addEventListener("click", () => logout());
window.addEventListener("lae:logout", () => {
  state.me = null;
  showLogin();
});

$("#my-status").addEventListener("change", (event) =>
  act(null, () => put("/api/me/status", { status: event.target.value }), `You are ${event.target.value}.`),
);

// Keyboard: Ctrl/⌘+Enter sends the form being typed in; j/k move through the ticket list and Enter
// opens the chosen one; ? lists the shortcuts. Letters are left alone while typing in a field.
const SHORTCUTS = [
  ["Ctrl/⌘ + Enter", "send the reply (or the form you are typing in)"],
  ["j / k", "next / previous ticket in the list"],
  ["Enter", "open the chosen ticket"],
  ["?", "show these shortcuts"],
  ["Esc", "close this list"],
];
function showShortcuts() {
  let box = $("#shortcuts");
  if (!box) {
    box = document.createElement("dialog");
    box.id = "shortcuts";
    box.setAttribute("aria-label", "Keyboard shortcuts");
    box.innerHTML = `<h2>Keyboard shortcuts</h2><dl>${SHORTCUTS.map(([k, v]) => `<dt><kbd>${k}</kbd></dt><dd>${v}</dd>`).join("")}</dl><button type="button">Close</button>`;
    box.querySelector("button").addEventListener("click", () => box.close());
    document.body.append(box);
  }
  box.showModal();
}
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && typing?.form) {
    event.preventDefault();
    typing.form.requestSubmit();
    return;
  }
  if (typing || event.ctrlKey || event.metaKey || event.altKey || !state.me) return;
  if (event.key === "?") {
    event.preventDefault();
    showShortcuts();
    return;
  }
  const rows = $$("#tickets tbody tr");
  if (!rows.length) return;
  const at = rows.findIndex((r) => r.classList.contains("chosen"));
  if (event.key === "j" || event.key === "k") {
    const next = Math.min(rows.length - 1, Math.max(0, at + (event.key === "j" ? 1 : -1)));
    rows.forEach((r, i) => {
      r.classList.toggle("chosen", i === next);
      r.setAttribute("aria-selected", String(i === next));
    });
    state.chosen = rows[next].dataset.ticket; // kept when the list is redrawn by its poll
    rows[next].querySelector("a")?.focus();
  } else if (event.key === "Enter" && at >= 0) {
    rows[at].querySelector("a")?.click();
  }
});

const shown = (e) => e instanceof ViewLeft || notice(e.message, "error");
// The current view drawn again, as a navigation to it would (its polls stopped first).
export const redraw = () => route().catch(shown);
// Work a view started without waiting for it (a section drawn after its own request) may find the view
// left too: that is the user's navigation, not an error.
window.addEventListener("unhandledrejection", (event) => event.reason instanceof ViewLeft && event.preventDefault());
window.addEventListener("hashchange", () => route().catch(shown));
route().catch(shown);
