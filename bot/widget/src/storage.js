// What the widget keeps in the browser: the session token and the transcript, under one key.
// By default in sessionStorage: it survives a reload but not the tab, so nothing of the
// conversation stays on the device once the tab is closed. When the person chooses
// "Remember this conversation on this device" it moves to localStorage with an expiry (the
// server's limit for remembered sessions, counted from the last use). "Leave quickly"
// removes it from both at once.

const KEY = "trust-repair-widget";
const MAX_MESSAGES = 200;
export const REMEMBER_DAYS = 30; // keep equal to REMEMBERED_IDLE in bot/widget/sessions.py
const DAY_MS = 24 * 60 * 60 * 1000;

function area(name) {
  try {
    const storage = window[name];
    storage.getItem(KEY); // throws where storage is blocked
    return storage;
  } catch {
    return null; // the conversation still works; it just will not survive a reload
  }
}

function read(storage, now) {
  if (!storage) return null;
  try {
    const data = JSON.parse(storage.getItem(KEY) || "null");
    if (!data || typeof data !== "object") return null;
    if (typeof data.expiresAt === "number" && data.expiresAt <= now) {
      storage.removeItem(KEY); // a device copy past its date is gone, as on the server
      return null;
    }
    return {
      sessionId: typeof data.sessionId === "string" ? data.sessionId : null,
      messages: Array.isArray(data.messages) ? data.messages.filter((m) => m && typeof m === "object") : [],
    };
  } catch {
    return null;
  }
}

export function openStore(now = Date.now()) {
  const local = area("localStorage");
  const session = area("sessionStorage");
  const remembered = read(local, now);
  const state = remembered || read(session, now) || { sessionId: null, messages: [] };
  let remember = Boolean(remembered);

  const save = () => {
    const target = remember ? local : session;
    const other = remember ? session : local;
    try {
      if (other) other.removeItem(KEY);
      if (!target) return;
      const data = { ...state, ...(remember ? { expiresAt: Date.now() + REMEMBER_DAYS * DAY_MS } : {}) };
      target.setItem(KEY, JSON.stringify(data));
    } catch {
      // Full or blocked: keep going without history rather than break the chat.
    }
  };
  return {
    get sessionId() {
      return state.sessionId;
    },
    get messages() {
      return state.messages.slice();
    },
    get remember() {
      return remember;
    },
    setRemember(on) {
      remember = Boolean(on);
      save();
    },
    setSessionId(id) {
      state.sessionId = id;
      save();
    },
    add(message) {
      state.messages.push(message);
      state.messages.splice(0, Math.max(0, state.messages.length - MAX_MESSAGES));
      save();
    },
    update(id, changes) {
      const message = state.messages.find((m) => m.id === id);
      if (message) Object.assign(message, changes);
      save();
    },
    keepOnly(messages) {
      state.messages = messages.slice();
      save();
    },
  };
}

export function forgetEverything() {
  for (const name of ["sessionStorage", "localStorage"]) {
    const storage = area(name);
    if (storage) storage.removeItem(KEY);
  }
}
