// The console, live: the server announces changes over Server-Sent Events; the page then fetches its
// server-rendered fragment again. A standard message can be picked into the reply box.
"use strict";

const live = document.getElementById("live");

async function refresh() {
  if (!live) return;
  const response = await fetch(live.dataset.fragment, { credentials: "same-origin" });
  if (response.ok) live.innerHTML = await response.text();
}

const events = new EventSource("/console/events");
events.addEventListener("queue", refresh);
events.addEventListener("message", refresh);

const canned = document.getElementById("canned");
const reply = document.getElementById("reply-text");
if (canned && reply) {
  canned.addEventListener("change", () => {
    if (canned.value) reply.value = canned.value;
    reply.focus();
  });
}
