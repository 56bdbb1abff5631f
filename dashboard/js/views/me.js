// Notifications tab and the agent's own settings (status, notification channels, test notification).
import { get, post, put } from "../api.js";
import { alertsOn, every, refreshUnread, setAlerts, state } from "../app.js";
import { finishMfaSetup, mfaEnabled, startMfaSetup, turnOffMfa } from "../auth.js";
import { $, act, html, mount, showList, when } from "../ui.js";

export async function notificationsView() {
  const box = $("#view");
  mount(box, html`<h1>Notifications</h1><div id="notifications" aria-live="polite"></div>`);
  await loadNotifications();
  every(5000, loadNotifications, box);
  $("#notifications").addEventListener("click", async (event) => {
    const item = event.target.closest("[data-notification]");
    if (!item) return;
    event.preventDefault();
    await act(null, () => post(`/api/notifications/${item.dataset.notification}/read`));
    refreshUnread();
    if (item.dataset.ticket) location.hash = `#/tickets/${item.dataset.ticket}`;
    else loadNotifications();
  });
}

function loadNotifications() {
  return showList(
    "#notifications",
    () => get("/api/notifications"),
    (items) => html`<ul class="notifications">${items.map(
      (n) => html`<li class="${n.read ? "read" : "unread"}">
              <a href="${n.ticket_id ? `#/tickets/${n.ticket_id}` : "#/notifications"}" data-notification="${n.id}" data-ticket="${n.ticket_id || ""}">
                <strong>${n.title}</strong> <span class="when">${when(n.created_at)}</span>
                <span class="body">${n.body || ""}</span></a>
              ${n.read ? "" : html`<span class="badge">new</span>`}</li>`,
    )}</ul>`,
    "No notifications yet.",
  );
}

export async function meView() {
  // The caller's own channels, fresh (agents may not list the team): the boxes show what is saved, so
  // saving without a change changes nothing.
  const box = $("#view");
  let agent = null;
  try {
    if (state.me.status !== null) agent = { notify: await get("/api/me/notify") };
  } catch {
    /* shown with the defaults */
  }
  mount(
    box,
    html`<h1>My settings</h1>
    <section class="card narrow">
      <p>Signed in as <strong>${state.me.email}</strong> (${state.me.permission}), tenant <code>${state.me.tenant_id}</code>.</p>
      ${state.me.status === null ? html`<p>You are not on the team's roster, so nothing is routed to you.</p>` : html`
      <form id="notify">
        <fieldset><legend>Tell me about new tickets by</legend>
          <label class="inline"><input type="checkbox" name="email" ${agent?.notify.email !== false ? "checked" : ""}> Email</label>
          <label class="inline"><input type="checkbox" name="sms" ${agent?.notify.sms ? "checked" : ""}> SMS</label>
          <label class="inline"><input type="checkbox" name="in_app" ${agent?.notify.in_app !== false ? "checked" : ""}> In the dashboard</label>
        </fieldset>
        <button type="submit">Save</button>
      </form>
      <fieldset><legend>On this device</legend>
        <label class="inline"><input type="checkbox" id="desktop-alerts" ${alertsOn() ? "checked" : ""}> Desktop alert and a sound when a customer is waiting for a reply</label>
      </fieldset>
      <p><button type="button" id="test-notification">Send me a test notification</button></p>
      ${state.me.permission === "admin" ? html`<section id="mfa" aria-label="Two-step sign-in"><h2>Two-step sign-in</h2><p class="muted">Checking…</p></section>` : ""}
      <div id="test-result"></div>`}
    </section>`,
  );
  $("#notify")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const f = event.target;
    act(f.querySelector("button"), () => put(`/api/agents/${state.me.id}`, { notify: { email: f.email.checked, sms: f.sms.checked, in_app: f.in_app.checked } }), "Notification settings saved.");
  });
  if ($("#mfa")) drawMfa();
  $("#desktop-alerts")?.addEventListener("change", async (event) => {
    const on = await setAlerts(event.target.checked);
    event.target.checked = on;
  });
  $("#test-notification")?.addEventListener("click", async (event) => {
    const testResult = $("#test-result");
    const result = await act(event.target, () => post("/api/notifications/test"));
    if (!result) return;
    mount(
      testResult,
      html`<ul>${Object.entries(result.deliveries).map(([channel, outcome]) => html`<li><strong>${channel}</strong>: ${typeof outcome === "string" ? outcome : JSON.stringify(outcome)}</li>`)}</ul>
      ${result.sender_verified === false ? html`<p class="error">The email sender is not verified in SES yet: emails cannot go out.</p>` : ""}`,
    );
    refreshUnread();
  });
}

// Admins may turn on two-step sign-in: a key for their authenticator app, then a code from it.
async function drawMfa() {
  const box = $("#mfa");
  const on = await mfaEnabled().catch(() => null);
  mount(
    box,
    html`<h2>Two-step sign-in</h2>${on === null ? html`<p class="error">Could not read your sign-in settings.</p>` : on
      ? html`<p><strong>On</strong>: signing in asks for a code from your authenticator app.</p><button type="button" id="mfa-off">Turn off two-step sign-in</button>`
      : html`<p>Off. Turn it on to be asked for a code from an authenticator app after your password.</p><button type="button" id="mfa-start">Set up two-step sign-in</button>`}`,
  );
  $("#mfa-off")?.addEventListener("click", async (event) => {
    if (await act(event.target, () => turnOffMfa().then(() => true), "Two-step sign-in is off.")) drawMfa();
  });
  $("#mfa-start")?.addEventListener("click", async (event) => {
    const secret = await act(event.target, () => startMfaSetup());
    if (!secret) return;
    mount(
      box,
      html`<h2>Two-step sign-in</h2>
      <p>In your authenticator app, add an account with this key (time-based):</p>
      <p><code id="mfa-secret">${secret}</code></p>
      <form id="mfa-verify"><label>Code the app shows <input name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required></label><button type="submit">Turn on</button></form>`,
    );
    $("#mfa-verify").addEventListener("submit", async (e) => {
      e.preventDefault();
      const done = await act(e.target.querySelector("button"), () => finishMfaSetup(e.target.code.value.trim()).then(() => true), "Two-step sign-in is on.");
      if (done) drawMfa();
    });
  });
}
