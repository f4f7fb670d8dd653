// Builds the DOM for one chat message. Every piece of text goes through textContent, so
// neither bot nor user text is ever parsed as HTML. No imports: tested on its own in a browser.

const SPEAKER = { bot: "The assistant said:", user: "You said:" };
const IMAGE_ALT = "Image from the assistant";

function el(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function formatTime(time) {
  return new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" }).format(new Date(time));
}

// message: { from: "bot" | "user", text?, buttons?: [{ title, payload }], image?: { src, alt }, time }
// onChoose(button) is called when one of its buttons is pressed; choicesEnabled=false renders them inactive.
export function renderMessage(doc, message, { onChoose = () => {}, choicesEnabled = true } = {}) {
  const from = message.from === "user" ? "user" : "bot";
  const item = el(doc, "div", `tr-msg tr-msg--${from}`);
  item.append(el(doc, "span", "tr-sr", SPEAKER[from] + " "));
  if (message.text) item.append(el(doc, "p", "tr-text", message.text));
  if (message.image) {
    const image = el(doc, "img", "tr-image");
    image.alt = message.image.alt || IMAGE_ALT;
    image.src = message.image.src;
    item.append(image);
  }
  if (message.buttons && message.buttons.length) {
    const group = el(doc, "div", "tr-choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Reply options");
    for (const button of message.buttons) {
      const choice = el(doc, "button", "tr-choice", button.title);
      choice.type = "button";
      choice.disabled = !choicesEnabled;
      choice.addEventListener("click", () => onChoose(button));
      group.append(choice);
    }
    item.append(group);
  }
  const time = el(doc, "time", "tr-time", formatTime(message.time));
  time.dateTime = new Date(message.time).toISOString();
  item.append(time);
  return item;
}
