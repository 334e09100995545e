// The web chat: an anonymous random key in local storage names the conversation; messages go over
// one WebSocket. Nothing is loaded from elsewhere; the quick exit wipes everything and leaves.
"use strict";

const KEY_ITEM = "supportline.key";
const OUTBOX_ITEM = "supportline.outbox";
const config = JSON.parse(document.getElementById("config").textContent);
const log = document.getElementById("log");
const statusLine = document.getElementById("status");
const composer = document.getElementById("composer");
const input = document.getElementById("message");
const languageMenu = document.getElementById("language");
let language = document.documentElement.lang;
let socket = null;
let retryDelay = 500;
let leaving = false;

function conversationKey() {
  let key = localStorage.getItem(KEY_ITEM);
  if (!key) {
    const bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    key = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    localStorage.setItem(KEY_ITEM, key);
  }
  return key;
}

// Frames not yet sent survive a lost connection and a reload: nothing typed is lost.
function outbox() { return JSON.parse(localStorage.getItem(OUTBOX_ITEM) || "[]"); }
function saveOutbox(frames) { localStorage.setItem(OUTBOX_ITEM, JSON.stringify(frames)); }

function strings() { return config.strings[language] || config.strings[Object.keys(config.strings)[0]]; }

function setLanguage(code, direction) {
  if (!config.strings[code]) return;
  language = code;
  document.documentElement.lang = code;
  document.documentElement.dir = direction || config.directions[code];
  languageMenu.value = code;
  const s = strings();
  document.title = s.title;
  document.querySelectorAll("[data-text]").forEach((el) => { el.textContent = s[el.dataset.text]; });
  document.querySelectorAll("[data-placeholder]").forEach((el) => { el.placeholder = s[el.dataset.placeholder]; });
  document.querySelectorAll("[data-label]").forEach((el) => { el.setAttribute("aria-label", s[el.dataset.label]); });
  document.querySelectorAll("[data-lang-href]").forEach((el) => { el.href = `${el.dataset.langHref}?lang=${encodeURIComponent(code)}`; });
}

// Replies use a small Markdown: *bold* and [text](https://…) links. Built as DOM nodes, never as HTML.
function formatted(text) {
  const fragment = document.createDocumentFragment();
  const pattern = /\*([^*\n]+)\*|\[([^\]\n]+)\]\((https:\/\/[^)\s]+)\)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    fragment.append(text.slice(last, match.index));
    if (match[1] !== undefined) {
      const strong = document.createElement("strong");
      strong.textContent = match[1];
      fragment.append(strong);
    } else {
      const link = document.createElement("a");
      link.href = match[3];
      link.textContent = match[2];
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      fragment.append(link);
    }
    last = match.index + match[0].length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

function show(sender, text, buttons) {
  if (!text) return;
  const s = strings();
  const bubble = document.createElement("div");
  bubble.className = "message from-" + sender;
  bubble.dir = "auto"; // each message in its own direction: a Swedish welcome stays left to right on an Arabic page
  const who = document.createElement("span");
  who.className = "sender";
  who.textContent = { young_person: s.you, bot: s.line, counsellor: s.counsellor, system: "" }[sender] || "";
  bubble.append(who, formatted(text));
  if (buttons && buttons.length) {
    const row = document.createElement("div");
    row.className = "buttons";
    for (const button of buttons) {
      const el = document.createElement("button");
      el.type = "button";
      el.textContent = button.label;
      el.addEventListener("click", () => send({ type: "button", payload: button.payload, label: button.label }));
      row.append(el);
    }
    bubble.append(row);
  }
  log.append(bubble);
  bubble.scrollIntoView({ block: "end" });
}

function send(frame) {
  show("young_person", frame.type === "message" ? frame.text : frame.label);
  saveOutbox([...outbox(), frame]);
  flush();
}

function flush() {
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  for (const frame of outbox()) socket.send(JSON.stringify(frame));
  saveOutbox([]);
}

function receive(event) {
  const frame = JSON.parse(event.data);
  if (frame.type === "transcript") {
    log.replaceChildren();
    setLanguage(frame.language, frame.direction);
    for (const entry of frame.entries) show(entry.sender, entry.text, entry.buttons);
    for (const pending of outbox()) show("young_person", pending.type === "message" ? pending.text : pending.label);
    flush();
  } else if (frame.type === "turn") {
    setLanguage(frame.language, frame.direction);
    for (const reply of frame.replies) show("bot", reply.text, reply.buttons);
  } else if (frame.type === "message") {
    show(frame.sender, frame.text, []);
  } else if (frame.type === "error") {
    show("system", frame.text, []);
  }
}

function connect() {
  if (leaving) return;
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(scheme + location.host + "/chat/socket");
  socket.addEventListener("open", () => {
    retryDelay = 500;
    statusLine.textContent = "";
    socket.send(JSON.stringify({ type: "hello", key: conversationKey(), locale: navigator.language }));
  });
  socket.addEventListener("message", receive);
  socket.addEventListener("close", () => {
    if (leaving) return;
    statusLine.textContent = strings().offline;
    setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  });
}

function quickExit() {
  leaving = true;
  localStorage.clear();
  sessionStorage.clear();
  if (socket) socket.close();
  document.body.replaceChildren();
  document.title = "";
  location.replace(config.quickExitUrl);
}

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  send({ type: "message", text });
  input.value = "";
});
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    composer.requestSubmit();
  }
});
languageMenu.addEventListener("change", () => {
  const option = languageMenu.selectedOptions[0];
  send({ type: "button", payload: "lang:" + option.value, label: option.textContent });
});
document.getElementById("quick-exit").addEventListener("click", quickExit);
document.addEventListener("keydown", (event) => { if (event.key === "Escape" && event.shiftKey) quickExit(); });

connect();
