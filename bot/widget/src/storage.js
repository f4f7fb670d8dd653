// What the widget keeps in the browser: the session id and the transcript, nothing else, under
// one key, so that "Leave quickly" can remove it all.

const KEY = "trust-repair-widget";
const MAX_MESSAGES = 200;

function area(kind) {
  try {
    const storage = kind === "local" ? window.localStorage : window.sessionStorage;
    storage.getItem(KEY); // throws where storage is blocked
    return storage;
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

export function openStore(kind) {
  const storage = area(kind);
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

// Removes the widget's data from both storage areas, whichever the operator configured.
export function forgetEverything() {
  for (const kind of ["session", "local"]) {
    const storage = area(kind);
    if (storage) storage.removeItem(KEY);
  }
}
