// The widget's structure and labels: launcher, panel, header, options, log, status
// and composer. Behaviour lives in widget.js. Ids only need to be unique inside the shadow root.

const SVG = "http://www.w3.org/2000/svg";

function el(doc, tag, attrs = {}, children = []) {
  const node = doc.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function chatIcon(doc) {
  const svg = doc.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = doc.createElementNS(SVG, "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  svg.append(path);
  return svg;
}

// One short line under the title: what this is. The full disclosure (not a therapist, not an
// emergency service, where urgent help is) is the assistant's own greeting, said once.
export const SUBTITLE_NOTE = "Automated self-help";

export const OPTIONS_TEXT = {
  remember: "Remember this conversation on this device",
  rememberHelp:
    "Keeps it for 30 days after you last use it, so you can come back in a new tab. Anyone who " +
    "uses this device could read it: leave this off on a shared device. Leave quickly clears it.",
  codeButton: "Get a resume code",
  codeHelp:
    "A code you can write down to continue this conversation on any device, for 30 days after " +
    "you last use it. Anyone with the code can continue it too: keep it private.",
  enterLabel: "Have a resume code?",
  enterButton: "Continue",
};

export function buildView(doc, options) {
  const host = el(doc, "div", { id: "trust-repair-widget" });
  const root = host.attachShadow({ mode: "open" });

  const launcher = el(doc, "button", {
    class: "tr-launcher", type: "button", "aria-expanded": "false", "aria-controls": "tr-panel",
    "aria-label": `Open chat: ${options.title}`,
  }, [chatIcon(doc), el(doc, "span", { text: options.launcherLabel })]);

  const leave = el(doc, "button", { class: "tr-leave", type: "button", "aria-describedby": "tr-leave-help" },
    [el(doc, "span", { text: "Leave quickly" })]);
  const menu = el(doc, "button", {
    class: "tr-icon-button tr-menu", type: "button", "aria-expanded": "false", "aria-controls": "tr-options",
    "aria-label": "Conversation options",
  }, [el(doc, "span", { "aria-hidden": "true", text: "\u22ef" })]);
  const close = el(doc, "button", { class: "tr-icon-button tr-close", type: "button", "aria-label": "Close chat" },
    [el(doc, "span", { "aria-hidden": "true", text: "\u00d7" })]);
  const title = el(doc, "h2", { id: "tr-title", class: "tr-title", tabindex: "-1", text: options.title });
  // A div, not <header>: a second "banner" landmark on the host page confuses screen readers.
  const header = el(doc, "div", { class: "tr-header" }, [
    el(doc, "div", { class: "tr-heading" }, [
      title,
      el(doc, "p", { class: "tr-subtitle", text: options.subtitle || SUBTITLE_NOTE }),
    ]),
    leave,
    menu,
    close,
    el(doc, "p", { id: "tr-leave-help", class: "tr-sr",
      text: "Clears this conversation from the browser and opens a neutral website." }),
  ]);

  const remember = el(doc, "input", { id: "tr-remember", type: "checkbox", "aria-describedby": "tr-remember-help" });
  const codeButton = el(doc, "button", { class: "tr-option-button", type: "button", "aria-describedby": "tr-code-help",
    text: OPTIONS_TEXT.codeButton });
  const code = el(doc, "p", { class: "tr-code", role: "status" });
  const codeInput = el(doc, "input", { id: "tr-code-input", class: "tr-code-input", type: "text",
    autocomplete: "off", autocapitalize: "characters", spellcheck: "false", maxlength: "20",
    "aria-describedby": "tr-code-error" });
  const codeError = el(doc, "p", { id: "tr-code-error", class: "tr-error", role: "alert" });
  const codeForm = el(doc, "form", { class: "tr-code-form" }, [
    el(doc, "label", { for: "tr-code-input", text: OPTIONS_TEXT.enterLabel }),
    el(doc, "div", { class: "tr-code-row" }, [
      codeInput, el(doc, "button", { class: "tr-option-button", type: "submit", text: OPTIONS_TEXT.enterButton }),
    ]),
    codeError,
  ]);
  const optionsPanel = el(doc, "div", { id: "tr-options", class: "tr-options", role: "group",
    "aria-label": "Conversation options", hidden: "" }, [
    el(doc, "div", { class: "tr-option" }, [
      el(doc, "div", { class: "tr-check" }, [remember, el(doc, "label", { for: "tr-remember", text: OPTIONS_TEXT.remember })]),
      el(doc, "p", { id: "tr-remember-help", class: "tr-help", text: OPTIONS_TEXT.rememberHelp }),
    ]),
    el(doc, "div", { class: "tr-option" }, [
      codeButton,
      el(doc, "p", { id: "tr-code-help", class: "tr-help", text: OPTIONS_TEXT.codeHelp }),
      code,
    ]),
    el(doc, "div", { class: "tr-option" }, [codeForm]),
  ]);

  const status = el(doc, "div", { class: "tr-status", role: "status" });
  const notice = el(doc, "p", { class: "tr-notice", role: "status" });
  const log = el(doc, "div", { class: "tr-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  const typing = el(doc, "div", { class: "tr-typing", "aria-hidden": "true", hidden: "" },
    [1, 2, 3].map(() => el(doc, "span", { class: "tr-dot" })));
  // Focusable, so keyboard users can scroll the conversation once its buttons are disabled.
  const scroller = el(doc, "div", { class: "tr-scroller", tabindex: "0", role: "region",
    "aria-label": "Conversation history" }, [notice, log, typing]);

  const input = el(doc, "textarea", {
    id: "tr-input", class: "tr-input", rows: "1",
    placeholder: "Message\u2026", "aria-describedby": "tr-hint tr-counter", enterkeyhint: "send",
  });
  const counter = el(doc, "span", { id: "tr-counter", class: "tr-counter", "aria-live": "polite" });
  const send = el(doc, "button", { class: "tr-send", type: "submit", "aria-label": "Send" },
    [el(doc, "span", { "aria-hidden": "true", text: "\u2191" })]);
  const form = el(doc, "form", { class: "tr-composer" }, [
    el(doc, "label", { for: "tr-input", class: "tr-sr", text: "Your message" }),
    el(doc, "div", { class: "tr-box" }, [input, send]),
    el(doc, "p", { id: "tr-hint", class: "tr-sr", text: "Enter sends, Shift and Enter starts a new line." }),
    counter,
  ]);

  const panel = el(doc, "section", {
    id: "tr-panel", class: "tr-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "tr-title",
    hidden: "",
  }, [header, optionsPanel, status, scroller, form]);

  root.append(launcher, panel);
  return {
    host, root, launcher, panel, title, leave, menu, close, optionsPanel, remember, codeButton, code,
    codeForm, codeInput, codeError, status, notice, scroller, log, typing, form, input, send, counter,
  };
}
