// What the widget keeps in the browser: the session id and the transcript, nothing else, under
// one sessionStorage key. sessionStorage survives a reload but not the tab: nothing of the
// conversation stays on the device once the tab is closed, and "Leave quickly" removes it at once.

const KEY = "trust-repair-widget";
const MAX_MESSAGES = 200;

function area() {
  try {
    window.sessionStorage.getItem(KEY); // throws where storage is blocked
    return window.sessionStorage;
  } catch {
    return null; // the conversation still works; it just will not survive a reload
  }
}

function read(storage) {
  try {
    const data = JSON.parse(storage.getItem(KEY) || "{}");
    return {
      sessionId: typeof data.sessionId === "string" ? data.sessionId : null,
      messages: Array.isArray(data.messages) ? data.messages : [],
    };
  } catch {
    return { sessionId: null, messages: [] };
  }
}

export function openStore() {
  const storage = area();
  const state = storage ? read(storage) : { sessionId: null, messages: [] };
  const save = () => {
    try {
      if (storage) storage.setItem(KEY, JSON.stringify(state));
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
    setSessionId(id) {
      state.sessionId = id;
      save();
    },
    add(message) {
      state.messages.push(message);
      state.messages.splice(0, Math.max(0, state.messages.length - MAX_MESSAGES));
      save();
    },
  };
}

export function forgetEverything() {
  const storage = area();
  if (storage) storage.removeItem(KEY);
}
