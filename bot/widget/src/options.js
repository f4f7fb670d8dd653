// The widget's settings: defaults, overridden by the embedding <script> tag's data-attributes
// (data-title="..." -> title) or by the object given to TrustRepairWidget.mount().

import { parseHex } from "./colours.js";

export const DEFAULTS = Object.freeze({
  serverUrl: "", // empty: the server widget.js was loaded from
  socketPath: "/socket.io/",
  title: "Talk it through",
  subtitle: "Automated self-help assistant",
  launcherLabel: "Chat",
  primaryColor: "#1f5f8b",
  exitUrl: "https://www.google.com/search?q=weather",
  open: false,
  maxLength: 2000, // keep equal to the channel's max_message_length
  greeting: "/greet",
  returning: "/visit", // sent unseen when a returning person opens it: a due check-in is shown
});

function httpUrl(value, base) {
  try {
    const url = new URL(String(value), base);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

function text(value, fallback) {
  return typeof value === "string" && value.trim() ? value.trim() : fallback;
}

// given: data-attributes or options; scriptUrl: where widget.js came from; pageUrl: the host page.
export function readOptions(given = {}, scriptUrl = "", pageUrl = "") {
  const pick = (key) => (given[key] === undefined || given[key] === null ? DEFAULTS[key] : given[key]);
  const maxLength = parseInt(pick("maxLength"), 10);
  const origin = httpUrl(pick("serverUrl") || scriptUrl || pageUrl, pageUrl) || pageUrl;
  return {
    serverUrl: new URL(origin).origin,
    socketPath: text(pick("socketPath"), DEFAULTS.socketPath),
    title: text(pick("title"), DEFAULTS.title),
    subtitle: text(pick("subtitle"), DEFAULTS.subtitle),
    launcherLabel: text(pick("launcherLabel"), DEFAULTS.launcherLabel),
    primaryColor: parseHex(pick("primaryColor")) ? pick("primaryColor").trim() : DEFAULTS.primaryColor,
    exitUrl: httpUrl(pick("exitUrl")) || DEFAULTS.exitUrl,
    open: pick("open") === true || pick("open") === "true",
    maxLength: maxLength > 0 ? maxLength : DEFAULTS.maxLength,
    greeting: text(pick("greeting"), DEFAULTS.greeting),
    returning: text(pick("returning"), DEFAULTS.returning),
  };
}
