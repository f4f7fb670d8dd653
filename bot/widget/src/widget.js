// The chat behaviour: opening and closing, sending and receiving, history, typing indicator,
// reconnecting notice and "Leave quickly". Structure comes from view.js, rendering from render.js.

import css from "./styles.css";
import { palette } from "./colours.js";
import { openConnection } from "./connection.js";
import { chartImage, fromBot } from "./protocol.js";
import { renderMessage } from "./render.js";
import { forgetEverything, openStore } from "./storage.js";
import { buildView } from "./view.js";

const TYPING_TIMEOUT_MS = 30000; // stop "typing" if no answer comes
const COUNTER_FROM = 0.8; // show the length counter from 80 % of the limit
const STATUS = { connected: "", reconnecting: "Connection lost. Reconnecting\u2026" };

function applyStyles(root, doc) {
  if (root.adoptedStyleSheets !== undefined && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = doc.createElement("style");
    style.textContent = css;
    root.prepend(style);
  }
}

function applyPalette(host, colour) {
  const { accent, onAccent, accentText } = palette(colour);
  host.style.setProperty("--tr-accent", accent);
  host.style.setProperty("--tr-on-accent", onAccent);
  host.style.setProperty("--tr-accent-text", accentText);
}

export function mountWidget(win, options) {
  const doc = win.document;
  const store = openStore();
  const view = buildView(doc, options);
  applyStyles(view.root, doc);
  applyPalette(view.host, options.primaryColor);
  let connection = null;
  let typingTimer = null;
  let firstReply = null; // the first bot message since the person last spoke

  // Scroll to the newest message, but never past the start of the first reply: a long answer
  // is read from its beginning.
  function scrollToEnd() {
    const scroller = view.scroller;
    const bottom = scroller.scrollHeight - scroller.clientHeight;
    const top = firstReply
      ? firstReply.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop - 12
      : bottom;
    scroller.scrollTop = Math.min(bottom, top);
  }

  function setTyping(on) {
    win.clearTimeout(typingTimer);
    view.typing.hidden = !on;
    if (on) typingTimer = win.setTimeout(() => setTyping(false), TYPING_TIMEOUT_MS);
    scrollToEnd();
  }

  function show(message, choicesEnabled) {
    const node = renderMessage(doc, message, { onChoose: choose, choicesEnabled });
    view.log.append(node);
    return node;
  }

  function send(text) {
    setTyping(true);
    connection.send(text);
  }

  // What the person sees as their bubble, and what goes to the assistant (a button's payload).
  function say(shown, sent = shown) {
    setBanner(false); // read by now, and the welcome says it again: give the space back
    view.log.querySelectorAll(".tr-choice").forEach((button) => (button.disabled = true));
    const message = { from: "user", text: shown, time: Date.now() };
    store.add(message);
    show(message, false);
    firstReply = null;
    send(sent);
  }

  function choose(button) {
    say(button.title, button.payload);
    view.input.focus(); // the pressed button is now disabled: keep focus somewhere useful
  }

  function receive(data) {
    const { message, custom } = fromBot(data, options.serverUrl);
    const chart = chartImage(custom);
    if (message && chart) message.image = chart;
    if (custom !== undefined) {
      // Left to the host page (e.g. charts later): the widget itself shows nothing for it.
      view.host.dispatchEvent(new CustomEvent("trust-repair:custom", { detail: custom, bubbles: true }));
    }
    if (!message) return;
    store.add(message);
    const node = show(message, true);
    firstReply = firstReply || node;
    setTyping(false); // also scrolls
  }

  function setStatus(state) {
    view.status.textContent = STATUS[state] || "";
  }

  function setBanner(visible) {
    view.banner.hidden = !visible;
    if (visible) view.panel.setAttribute("aria-describedby", "tr-banner");
    else view.panel.removeAttribute("aria-describedby");
  }

  function connect() {
    connection = openConnection(
      { serverUrl: options.serverUrl, socketPath: options.socketPath, sessionId: store.sessionId },
      { onSession: (id) => store.setSessionId(id), onMessage: receive, onStatus: setStatus },
    );
    if (!store.messages.length) {
      setBanner(true); // first open: say what this is before anything else
      send(options.greeting);
    } else {
      connection.send(options.returning); // no reply unless a check-in came due meanwhile
    }
  }

  function open() {
    view.panel.hidden = false;
    view.launcher.hidden = true;
    view.launcher.setAttribute("aria-expanded", "true");
    if (!connection) connect();
    scrollToEnd();
    view.input.focus();
  }

  function close() {
    view.panel.hidden = true;
    view.launcher.hidden = false;
    view.launcher.setAttribute("aria-expanded", "false");
    view.launcher.focus();
  }

  function leave() {
    forgetEverything();
    if (connection) connection.close();
    view.host.remove();
    win.location.replace(options.exitUrl); // replace: "Back" does not return to the chat
  }

  function resizeInput() {
    const input = view.input;
    input.style.height = "auto";
    const borders = input.offsetHeight - input.clientHeight;
    input.style.height = `${input.scrollHeight + borders}px`; // CSS max-height caps it, then it scrolls
    const length = input.value.length;
    view.counter.textContent = length >= options.maxLength * COUNTER_FROM ? `${length} / ${options.maxLength}` : "";
  }

  function submit(event) {
    event.preventDefault();
    const text = view.input.value;
    if (!text.trim()) return;
    view.input.value = "";
    resizeInput();
    say(text);
  }

  const history = store.messages;
  const lastUser = history.map((message) => message.from).lastIndexOf("user");
  history.forEach((message, index) => show(message, index > lastUser));

  view.launcher.addEventListener("click", open);
  view.close.addEventListener("click", close);
  view.leave.addEventListener("click", leave);
  view.bannerOk.addEventListener("click", () => {
    setBanner(false);
    view.input.focus();
  });
  view.form.addEventListener("submit", submit);
  view.input.addEventListener("input", resizeInput);
  view.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
  });
  view.panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });

  doc.body.append(view.host);
  if (options.open) open();
  return { open, close, leave };
}
