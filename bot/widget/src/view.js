// The widget's structure and labels: launcher, panel, header, disclosure banner, log, status
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

export const DISCLOSURE =
  "An automated self-help assistant: not a person, not a therapist, not an emergency service. " +
  "In danger? Call your local emergency number.";

export function buildView(doc, options) {
  const host = el(doc, "div", { id: "trust-repair-widget" });
  const root = host.attachShadow({ mode: "open" });

  const launcher = el(doc, "button", {
    class: "tr-launcher", type: "button", "aria-expanded": "false", "aria-controls": "tr-panel",
    "aria-label": `Open chat: ${options.title}`,
  }, [chatIcon(doc), el(doc, "span", { text: options.launcherLabel })]);

  const leave = el(doc, "button", { class: "tr-leave", type: "button", "aria-describedby": "tr-leave-help" },
    [el(doc, "span", { text: "Leave quickly" })]);
  const close = el(doc, "button", { class: "tr-close", type: "button", "aria-label": "Close chat" },
    [el(doc, "span", { "aria-hidden": "true", text: "\u00d7" })]);
  const header = el(doc, "header", { class: "tr-header" }, [
    el(doc, "div", { class: "tr-heading" }, [
      el(doc, "h2", { id: "tr-title", class: "tr-title", text: options.title }),
      el(doc, "p", { class: "tr-subtitle", text: options.subtitle }),
    ]),
    leave,
    close,
    el(doc, "p", { id: "tr-leave-help", class: "tr-sr",
      text: "Clears this conversation from the browser and opens a neutral website." }),
  ]);

  const bannerOk = el(doc, "button", { class: "tr-banner-ok", type: "button", text: "Got it" });
  const banner = el(doc, "div", { id: "tr-banner", class: "tr-banner", role: "note", hidden: "" },
    [el(doc, "p", { text: DISCLOSURE }), bannerOk]);

  const status = el(doc, "div", { class: "tr-status", role: "status" });
  const log = el(doc, "div", { class: "tr-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  const typing = el(doc, "div", { class: "tr-typing", "aria-hidden": "true", hidden: "" },
    [1, 2, 3].map(() => el(doc, "span", { class: "tr-dot" })));
  const scroller = el(doc, "div", { class: "tr-scroller" }, [log, typing]);

  const input = el(doc, "textarea", {
    id: "tr-input", class: "tr-input", rows: "1", maxlength: String(options.maxLength),
    placeholder: "Type your message\u2026", "aria-describedby": "tr-hint tr-counter", enterkeyhint: "send",
  });
  const counter = el(doc, "span", { id: "tr-counter", class: "tr-counter" });
  const form = el(doc, "form", { class: "tr-composer" }, [
    el(doc, "label", { for: "tr-input", class: "tr-sr", text: "Your message" }),
    input,
    el(doc, "button", { class: "tr-send", type: "submit", text: "Send" }),
    el(doc, "p", { id: "tr-hint", class: "tr-sr", text: "Enter sends, Shift and Enter starts a new line." }),
    counter,
  ]);

  const panel = el(doc, "section", {
    id: "tr-panel", class: "tr-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "tr-title",
    hidden: "",
  }, [header, banner, status, scroller, form]);

  root.append(launcher, panel);
  return { host, root, launcher, panel, leave, close, banner, bannerOk, status, scroller, log, typing, form, input, counter };
}
