// Builds the DOM for one chat message. Every piece of text goes through textContent and every
// link is an <a> built here, so neither bot nor user text is ever parsed as HTML. No imports:
// tested on its own in a browser.

const SPEAKER = { bot: "The assistant said:", user: "You said:" };
const IMAGE_ALT = "Image from the assistant";
// Exercise controls (actions/exercises/rendering.py): shown apart from the answers.
const CONTROL_INTENTS = ["/skip_step", "/pause_exercise"];
const MAIN_LINKS = 2; // the first services are big buttons, the rest a list
export const STATE_TEXT = {
  sending: "Sending\u2026",
  unsent: "Not sent yet. It will be sent when the connection is back.",
  refused: "Not sent.",
};

function el(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function formatTime(time) {
  return new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" }).format(new Date(time));
}

// Answers (a number scale when every answer is a rising number) and controls (Skip, Pause).
export function sortButtons(buttons = []) {
  const isControl = (b) => CONTROL_INTENTS.some((i) => b.payload === i || b.payload.startsWith(`${i}{`));
  const answers = buttons.filter((b) => !isControl(b));
  const controls = buttons.filter(isControl);
  const numbers = answers.map((b) => (/^\d{1,2}$/.test(b.title.trim()) ? Number(b.title) : NaN));
  const rising = numbers.every((n, i) => !Number.isNaN(n) && (i === 0 || n > numbers[i - 1]));
  const scale = answers.length >= 3 && rising ? { min: numbers[0], max: numbers[numbers.length - 1] } : null;
  return { answers, controls, scale };
}

function buttonGroup(doc, className, label, buttons, { onChoose, choicesEnabled }, name = (b) => b.title) {
  const group = el(doc, "div", className);
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", label);
  for (const button of buttons) {
    const choice = el(doc, "button", "tr-choice", button.title);
    choice.type = "button";
    choice.disabled = !choicesEnabled;
    if (name(button) !== button.title) choice.setAttribute("aria-label", name(button));
    choice.addEventListener("click", () => onChoose(button));
    group.append(choice);
  }
  return group;
}

function scaleGroup(doc, scale, answers, options) {
  const label = `Scale from ${scale.min} to ${scale.max}`;
  const wrap = el(doc, "div", "tr-scale");
  const group = buttonGroup(doc, "tr-scale-points", label, answers, options, (b) => `${b.title} of ${scale.max}`);
  const ends = el(doc, "div", "tr-scale-ends");
  ends.setAttribute("aria-hidden", "true");
  ends.append(el(doc, "span", "", `${scale.min} lowest`), el(doc, "span", "", `${scale.max} highest`));
  wrap.append(group, ends);
  return wrap;
}

function linkCard(doc, links) {
  const card = el(doc, "div", "tr-resources");
  card.setAttribute("role", "group");
  card.setAttribute("aria-label", "Support services");
  const list = el(doc, "ul", "tr-resource-list");
  links.forEach((link, index) => {
    const anchor = el(doc, "a", index < MAIN_LINKS ? "tr-resource tr-resource--main" : "tr-resource", link.label);
    anchor.href = link.href;
    if (link.href.startsWith("https:")) {
      anchor.target = "_blank";
      anchor.rel = "noopener noreferrer";
    }
    const kind = link.href.startsWith("tel:") ? "Call" : link.href.startsWith("sms:") ? "Text" : "Website";
    anchor.prepend(el(doc, "span", "tr-resource-kind", `${kind}: `));
    const item = el(doc, "li");
    item.append(anchor);
    list.append(item);
  });
  card.append(list);
  return card;
}

// message: { from: "bot" | "user", text?, buttons?: [{ title, payload }], image?: { src, alt },
//            links?: [{ label, href }], time, state?: "sending" | "unsent" | "refused" }
// onChoose(button) is called when one of its buttons is pressed; choicesEnabled=false renders them inactive.
export function renderMessage(doc, message, { onChoose = () => {}, choicesEnabled = true } = {}) {
  const from = message.from === "user" ? "user" : "bot";
  const item = el(doc, "div", `tr-msg tr-msg--${from}`);
  item.append(el(doc, "span", "tr-sr tr-speaker", SPEAKER[from] + " "));
  if (message.text) item.append(el(doc, "p", "tr-text", message.text));
  if (message.image) {
    const image = el(doc, "img", "tr-image");
    image.alt = message.image.alt || IMAGE_ALT;
    image.src = message.image.src;
    item.append(image);
  }
  if (message.links && message.links.length) item.append(linkCard(doc, message.links));
  if (message.buttons && message.buttons.length) {
    const options = { onChoose, choicesEnabled };
    const { answers, controls, scale } = sortButtons(message.buttons);
    if (answers.length) {
      item.append(el(doc, "span", "tr-sr", "Answers: "));
      item.append(scale ? scaleGroup(doc, scale, answers, options) : buttonGroup(doc, "tr-choices", "Reply options", answers, options));
    }
    if (controls.length) {
      item.append(buttonGroup(doc, "tr-controls", "Exercise controls", controls, options));
    }
  }
  const state = el(doc, "p", "tr-state", STATE_TEXT[message.state] || "");
  if (from === "user") item.append(state);
  const time = el(doc, "time", "tr-time", formatTime(message.time));
  time.dateTime = new Date(message.time).toISOString();
  item.append(el(doc, "span", "tr-sr tr-time-label", "Sent at "), time);
  return item;
}

// Shows a user message's delivery state ("", "sending", "unsent", "refused").
export function setState(item, state) {
  const node = item.querySelector(".tr-state");
  if (node) node.textContent = STATE_TEXT[state] || "";
  item.dataset.state = state || "";
}
