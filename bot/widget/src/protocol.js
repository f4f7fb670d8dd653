// The socket.io events and message shapes shared with bot/channels/socketio.py.

export const EVENTS = Object.freeze({
  sessionRequest: "session_request",
  sessionConfirm: "session_confirm",
  user: "user_uttered",
  bot: "bot_uttered",
});

function cleanButtons(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
    .map((b) => ({ title: b.title, payload: b.payload }));
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

// Turns what Rasa's socket.io output sends into { message, custom }: a message to show
// (text, buttons, image) and/or a custom payload for the host page.
export function fromBot(data, serverUrl, time = Date.now()) {
  if (!data || typeof data !== "object") return { message: null, custom: undefined };
  const message = { from: "bot", time };
  if (typeof data.text === "string" && data.text.trim()) message.text = data.text;
  const buttons = cleanButtons(data.quick_replies || data.buttons);
  if (buttons.length) message.buttons = buttons;
  const attachment = data.attachment;
  if (attachment && attachment.type === "image" && attachment.payload) {
    const src = safeImageUrl(attachment.payload.src, serverUrl);
    if (src) message.image = { src, alt: String(attachment.payload.alt || "") };
  }
  const shown = message.text || message.buttons || message.image;
  return { message: shown ? message : null, custom: data.custom };
}

// The progress chart (actions/dialogue/progress_moves.py): PNG bytes rendered by the server,
// shown as an image. Only base64 PNG data is accepted, never a URL from the message.
export function chartImage(custom) {
  const chart = custom && typeof custom === "object" ? custom.chart : null;
  if (!chart || typeof chart.png_base64 !== "string" || !/^[A-Za-z0-9+/=]+$/.test(chart.png_base64)) return null;
  return { src: "data:image/png;base64," + chart.png_base64, alt: String(chart.alt || "") };
}
