// The chat behaviour: opening and closing, sending (with delivery states) and receiving,
// history, grouping, typing indicator, reconnecting notice, session changes, the options
// (remember on this device, resume codes) and "Leave quickly". Structure comes from view.js,
// rendering from render.js.

import css from "./styles.css";
import { palette } from "./colours.js";
import { openConnection } from "./connection.js";
import { chartImage, fromBot } from "./protocol.js";
import { renderMessage, setState } from "./render.js";
import { forgetEverything, openStore } from "./storage.js";
import { buildView } from "./view.js";

const TYPING_TIMEOUT_MS = 30000; // stop "typing" if no answer comes
const COUNTER_FROM = 0.8; // show the length counter from 80 % of the limit
const STATUS = { connected: "", reconnecting: "Connection lost. Reconnecting\u2026" };
const NOTICES = {
  expired:
    "Your earlier conversation ended after a long time without use, so it was cleared from this " +
    "browser. This is a new conversation.",
  ended: "This conversation was deleted in another tab. This is a new conversation.",
  resumed: "Conversation resumed. Earlier messages are not shown here, but I remember where we were.",
  rotated: "Everything above was deleted. Anything you write now starts a new conversation.",
};
// Refusals the channel does not explain itself (it replies to too long, empty, unreadable).
const MESSAGE_PROBLEMS = {
  session_expired: "Your message was not sent because the conversation had ended. It is back in the box.",
};
const CODE_PROBLEMS = {
  unknown_or_expired: "That code didn't work. Check it, or it may have expired.",
  too_many_attempts: "Too many codes were tried. Please wait ten minutes and try again.",
  malformed: "A resume code has 10 letters and numbers, like ABCDE-23456.",
};
const FOCUSABLE = "button:not([disabled]), [href], input:not([disabled]), textarea, [tabindex]:not([tabindex='-1'])";

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

function newId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function mountWidget(win, options) {
  const doc = win.document;
  const store = openStore();
  const view = buildView(doc, options);
  applyStyles(view.root, doc);
  applyPalette(view.host, options.primaryColor);
  const touch = win.matchMedia("(pointer: coarse)").matches;
  const fullScreen = win.matchMedia("(max-width: 480px)");
  let connection = null;
  let typingTimer = null;
  let firstReply = null; // the first bot message since the person last spoke
  let greeted = false;

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

  // Consecutive bot messages form one group: one speaker label, one time (the last).
  function show(message, choicesEnabled) {
    const node = renderMessage(doc, message, { onChoose: choose, choicesEnabled });
    if (message.id) node.dataset.id = message.id;
    const previous = view.log.lastElementChild;
    if (previous && message.from === "bot" && previous.classList.contains("tr-msg--bot")) {
      previous.classList.add("tr-msg--continued");
      node.classList.add("tr-msg--follows");
    }
    view.log.append(node);
    if (message.state) setState(node, message.state);
    return node;
  }

  function userNode(id) {
    return view.log.querySelector(`[data-id="${id}"]`);
  }

  function mark(id, state) {
    const node = userNode(id);
    if (node) setState(node, state);
    store.update(id, { state: state || undefined });
  }

  function setNotice(text) {
    view.notice.textContent = text || "";
  }

  // What the person sees as their bubble, and what goes to the assistant (a button's payload).
  function say(shown, sent = shown) {
    view.log.querySelectorAll(".tr-msg button").forEach((button) => (button.disabled = true));
    const id = newId();
    const online = connection && connection.online;
    const message = { from: "user", text: shown, sent, time: Date.now(), id, state: online ? "sending" : "unsent" };
    store.add(message);
    show(message, false);
    firstReply = null;
    scrollToEnd();
    connection.send(id, sent);
  }

  function greet() {
    if (greeted) return;
    greeted = true;
    connection.send(newId(), options.greeting); // never shown as a bubble
  }

  function choose(button) {
    say(button.title, button.payload);
    if (!touch) view.input.focus(); // the pressed button is now disabled: keep focus somewhere useful
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

  function accepted(id) {
    mark(id, "");
    setTyping(true);
  }

  function refused(id, reason, text) {
    const problem = MESSAGE_PROBLEMS[reason];
    mark(id, "refused");
    if (reason === "session_expired" && text !== options.greeting) {
      // The conversation is gone: the text goes back into the box, to send in the new one.
      view.input.value = text;
      resizeInput();
    }
    if (problem) setNotice(problem);
  }

  function clearConversation(keep = []) {
    view.log.replaceChildren();
    store.keepOnly(keep);
    keep.forEach((message) => show(message, true));
    firstReply = null;
  }

  function onSession(session) {
    store.setSessionId(session.session_id);
    view.remember.checked = Boolean(session.remembered) || store.remember;
    if (session.status === "expired" || session.status === "resumed") {
      const pending = view.input.value;
      clearConversation();
      setNotice(NOTICES[session.status] + (pending ? ` ${MESSAGE_PROBLEMS.session_expired}` : ""));
      view.input.value = pending;
      greeted = false;
      greet();
    } else if (session.status === "rotated") {
      // After "delete my data": keep the confirmation on screen, forget everything before it.
      const messages = store.messages;
      const lastUser = messages.map((m) => m.from).lastIndexOf("user");
      clearConversation(messages.slice(lastUser + 1));
      setNotice(NOTICES.rotated);
    }
  }

  function onEnded() {
    clearConversation();
    setNotice(NOTICES.ended);
    greeted = false;
  }

  function setStatus(state) {
    view.status.textContent = STATUS[state] || "";
    if (state === "reconnecting") {
      view.log.querySelectorAll('[data-state="sending"]').forEach((node) => mark(node.dataset.id, "unsent"));
    }
    if (state === "connected") {
      view.log.querySelectorAll('[data-state="unsent"]').forEach((node) => mark(node.dataset.id, "sending"));
      if (!store.messages.length) greet(); // first open: the greeting says what this is
      else if (options.returning) connection.send(newId(), options.returning); // a check-in due?
    }
  }

  function connect() {
    connection = openConnection(
      { serverUrl: options.serverUrl, socketPath: options.socketPath, sessionId: store.sessionId, remember: store.remember },
      {
        onSession,
        onMessage: receive,
        onStatus: setStatus,
        onAccepted: accepted,
        onRefused: refused,
        onEnded,
        onResumeRefused: (reason) => (view.codeError.textContent = CODE_PROBLEMS[reason] || CODE_PROBLEMS.unknown_or_expired),
      },
    );
    // Messages typed before a reload that were never acknowledged go out again (same id).
    const unsent = (m) => m.from === "user" && (m.state === "sending" || m.state === "unsent");
    store.messages.filter(unsent).forEach((m) => connection.send(m.id, m.sent || m.text));
  }

  function trapFocus(event) {
    if (event.key !== "Tab" || !fullScreen.matches || view.panel.hidden) return;
    const items = [...view.panel.querySelectorAll(FOCUSABLE)].filter((node) => node.offsetParent !== null);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = view.root.activeElement;
    if (event.shiftKey && (active === first || !view.panel.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !view.panel.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  function syncModal() {
    // Full screen on a phone: a modal dialog, the page underneath is out of reach.
    view.panel.setAttribute("aria-modal", fullScreen.matches ? "true" : "false");
  }

  function open() {
    view.panel.hidden = false;
    view.launcher.hidden = true;
    view.launcher.setAttribute("aria-expanded", "true");
    syncModal();
    if (!connection) connect();
    scrollToEnd();
    // On a touch screen the keyboard would cover the welcome: focus the title instead.
    if (touch) view.title.focus();
    else view.input.focus();
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

  function tooLong() {
    return view.input.value.length > options.maxLength;
  }

  function resizeInput() {
    const input = view.input;
    input.style.height = "auto";
    const borders = input.offsetHeight - input.clientHeight;
    input.style.height = `${input.scrollHeight + borders}px`; // CSS max-height caps it, then it scrolls
    const length = input.value.length;
    const over = tooLong();
    view.counter.textContent = over
      ? `${length} / ${options.maxLength}: too long to send. Shorten it or send it in parts.`
      : length >= options.maxLength * COUNTER_FROM
        ? `${length} / ${options.maxLength}`
        : "";
    view.counter.classList.toggle("tr-counter--over", over);
    input.setAttribute("aria-invalid", over ? "true" : "false");
  }

  function submit(event) {
    event.preventDefault();
    const text = view.input.value;
    if (!text.trim() || tooLong()) return; // an over-long text stays in the box, never cut
    view.input.value = "";
    resizeInput();
    setNotice("");
    say(text);
  }

  function toggleOptions() {
    const show = view.optionsPanel.hidden;
    view.optionsPanel.hidden = !show;
    view.menu.setAttribute("aria-expanded", String(show));
  }

  function setRemember() {
    const on = view.remember.checked;
    store.setRemember(on);
    if (connection) connection.setRemember(on, () => {});
  }

  function requestCode() {
    if (!connection) connect();
    connection.requestResumeCode((answer) => {
      if (!answer) {
        view.code.textContent = "I couldn't make a code right now. Please try again in a moment.";
        return;
      }
      view.code.textContent = `Your code: ${answer.code}`;
    });
  }

  function enterCode(event) {
    event.preventDefault();
    const code = view.codeInput.value.replace(/[^0-9a-z]/gi, "");
    if (code.length !== 10) {
      view.codeError.textContent = CODE_PROBLEMS.malformed;
      return;
    }
    view.codeError.textContent = "";
    if (!connection) connect();
    connection.resume(code);
    view.codeInput.value = "";
  }

  const history = store.messages;
  const lastUser = history.map((message) => message.from).lastIndexOf("user");
  history.forEach((message, index) => show(message, index > lastUser));
  view.remember.checked = store.remember;

  view.launcher.addEventListener("click", open);
  view.close.addEventListener("click", close);
  view.leave.addEventListener("click", leave);
  view.menu.addEventListener("click", toggleOptions);
  view.remember.addEventListener("change", setRemember);
  view.codeButton.addEventListener("click", requestCode);
  view.codeForm.addEventListener("submit", enterCode);
  view.form.addEventListener("submit", submit);
  view.input.addEventListener("input", resizeInput);
  view.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
  });
  view.panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
    trapFocus(event);
  });
  fullScreen.addEventListener("change", syncModal);

  doc.body.append(view.host);
  if (options.open) open();
  return { open, close, leave };
}
