// Deliveries: messages to customers a person must look at (the bot's that Meta would not take, sends of
// unknown fate, sends that died before they finished): resend or dismiss.
import { get, post } from "../api.js";
import { every } from "../app.js";
import { $, act, html, mount, showList, when } from "../ui.js";

export async function deliveriesView() {
  const box = $("#view");
  mount(box, html`<h1>Deliveries</h1>
    <p>Messages to customers that did not (or may not) reach them. Resend one, or dismiss it when the
      customer was reached another way.</p><div id="deliveries" aria-live="polite"></div>`);
  await loadDeliveries();
  every(10_000, loadDeliveries, box);
  $("#deliveries").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-delivery]");
    if (!button) return;
    const action = button.dataset.action;
    const done = await act(button, () => post(`/api/deliveries/${button.dataset.delivery}/${action}`),
      action === "resend" ? "Sent again." : "Dismissed.");
    if (done) loadDeliveries();
  });
}

const FATE = { failed: "Not delivered", unknown: "Fate unknown", pending: "Send interrupted" };

function loadDeliveries() {
  return showList(
    "#deliveries",
    () => get("/api/deliveries/attention"),
    (items) => html`<table><thead><tr><th>Customer</th><th>From</th><th>Message</th><th>What happened</th><th>When</th><th></th></tr></thead>
          <tbody>${items.map(
            (d) => html`<tr>
              <td>${d.customer.name || d.customer.id} (${d.channel})${d.ticket_id ? html` <a href="#/tickets/${d.ticket_id}">ticket</a>` : ""}</td>
              <td>${d.from}</td><td>${d.text}</td>
              <td><strong>${FATE[d.delivery] || d.delivery}</strong><br><span class="error-text">${d.delivery_error || ""}</span></td>
              <td>${when(d.at)}</td>
              <td><button type="button" data-delivery="${d.id}" data-action="resend">Resend</button>
                <button type="button" class="secondary" data-delivery="${d.id}" data-action="dismiss">Dismiss</button></td></tr>`,
          )}</tbody></table>`,
    "Every message reached its customer.",
  );
}
