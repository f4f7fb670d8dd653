// The socket.io events and message shapes shared with bot/channels/socketio.py, and the
// checks on what the widget accepts from the server (types, sizes, link schemes).

export const EVENTS = Object.freeze({
  sessionRequest: "session_request",
  sessionConfirm: "session_confirm",
  sessionEnded: "session_ended",
  resumeRefused: "resume_refused",
  resumeCodeRequest: "resume_code_request",
  remember: "remember",
  user: "user_uttered",
  bot: "bot_uttered",
});

// What one bot message may carry; anything beyond is cut, never rendered unbounded.
export const LIMITS = Object.freeze({ text: 20000, buttons: 10, title: 200, links: 12, label: 120, href: 2048 });
const LINK_SCHEMES = ["tel:", "sms:", "https:"];

const clip = (value, max) => (value.length > max ? `${value.slice(0, max - 1)}\u2026` : value);

function cleanButtons(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((b) => b && typeof b.title === "string" && b.title.trim() && typeof b.payload === "string")
    .slice(0, LIMITS.buttons)
    .map((b) => ({ title: clip(b.title, LIMITS.title), payload: b.payload }));
}

// A support-service link per the channel contract: tel:, sms: and https: only, else null.
export function safeLink(link) {
  if (!link || typeof link.label !== "string" || typeof link.href !== "string") return null;
  const label = link.label.trim();
  const href = link.href.trim();
  if (!label || href.length > LIMITS.href) return null;
  let url;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (!LINK_SCHEMES.includes(url.protocol)) return null;
  if (url.protocol === "https:" && !url.hostname) return null;
  return { label: clip(label, LIMITS.label), href: url.protocol === "https:" ? url.href : href };
}

export function cleanLinks(list) {
  if (!Array.isArray(list)) return [];
  return list.map(safeLink).filter(Boolean).slice(0, LIMITS.links);
}

// Only web images: a `javascript:` or `data:` URL from a message is never loaded.
export function safeImageUrl(src, serverUrl) {
  if (typeof src !== "string" || !src) return null;
  try {
    const url = new URL(src, serverUrl);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

// Turns what the channel sends into { message, custom }: a message to show (text, buttons,
// image, links) and/or the rest of a custom payload for the host page.
export function fromBot(data, serverUrl, time = Date.now()) {
  if (!data || typeof data !== "object") return { message: null, custom: undefined };
  const message = { from: "bot", time };
  if (typeof data.text === "string" && data.text.trim()) message.text = clip(data.text, LIMITS.text);
  const buttons = cleanButtons(data.quick_replies || data.buttons);
  if (buttons.length) message.buttons = buttons;
  const attachment = data.attachment;
  if (attachment && attachment.type === "image" && attachment.payload) {
    const src = safeImageUrl(attachment.payload.src, serverUrl);
    if (src) message.image = { src, alt: clip(String(attachment.payload.alt || ""), LIMITS.label) };
  }
  let custom = data.custom;
  if (custom && typeof custom === "object" && !Array.isArray(custom) && "links" in custom) {
    const links = cleanLinks(custom.links);
    if (links.length) message.links = links;
    const { links: _, ...rest } = custom;
    custom = Object.keys(rest).length ? rest : undefined;
  }
  const shown = message.text || message.buttons || message.image || message.links;
  return { message: shown ? message : null, custom };
}

// The progress chart (actions/dialogue/progress_moves.py): PNG bytes rendered by the server,
// shown as an image. Only base64 PNG data is accepted, never a URL from the message.
export function chartImage(custom) {
  const chart = custom && typeof custom === "object" ? custom.chart : null;
  if (!chart || typeof chart.png_base64 !== "string" || !/^[A-Za-z0-9+/=]+$/.test(chart.png_base64)) return null;
  return { src: "data:image/png;base64," + chart.png_base64, alt: String(chart.alt || "") };
}
