// The socket.io connection: asks for (or continues) a session on every (re)connect, holds
// messages until the server has confirmed the session, and keeps each message pending until
// the server acknowledges it, so nothing looks sent that was not, and nothing is lost or sent
// twice across a reconnect (a re-sent message keeps its id; the server drops repeats).

import { io } from "socket.io-client";
import { EVENTS } from "./protocol.js";

const ACK_TIMEOUT_MS = 10000;

// handlers: onSession({ session_id, status, remembered }), onMessage(data), onStatus(state),
// onAccepted(id), onRefused(id, reason, text), onEnded(reason), onResumeRefused(reason)
export function openConnection({ serverUrl, socketPath, sessionId, remember }, handlers) {
  const socket = io(serverUrl, { path: socketPath });
  let currentId = sessionId;
  let remembered = Boolean(remember);
  let confirmed = false;
  let resumeCode = null;
  const pending = new Map(); // id -> text, in order: waiting for the server's acknowledgement

  function transmit(id, text) {
    socket.timeout(ACK_TIMEOUT_MS).emit(EVENTS.user, { message: text, message_id: id }, (error, ack) => {
      if (error || !ack) return; // no answer: stays pending, re-sent after the next confirm
      if (!pending.has(id)) return;
      pending.delete(id);
      if (ack.status === "accepted") handlers.onAccepted(id);
      else if (ack.reason === "session_expired") {
        handlers.onRefused(id, ack.reason, text);
        confirmed = false;
        requestSession(); // the server says "expired" and issues a new one
      } else handlers.onRefused(id, ack.reason, text);
    });
  }

  function requestSession() {
    const body = { session_id: currentId, remember: remembered };
    if (resumeCode) body.resume_code = resumeCode;
    socket.emit(EVENTS.sessionRequest, body);
  }

  socket.on("connect", () => {
    confirmed = false;
    requestSession();
  });
  socket.on(EVENTS.sessionConfirm, (data) => {
    const session = typeof data === "string" ? { session_id: data, status: "continued" } : data || {};
    currentId = session.session_id;
    remembered = Boolean(session.remembered);
    resumeCode = null;
    confirmed = true;
    handlers.onSession(session);
    handlers.onStatus("connected");
    for (const [id, text] of pending) transmit(id, text);
  });
  socket.on(EVENTS.resumeRefused, (data) => {
    resumeCode = null;
    handlers.onResumeRefused((data && data.reason) || "unknown_or_expired");
  });
  socket.on(EVENTS.sessionEnded, (data) => {
    confirmed = false;
    currentId = null;
    handlers.onEnded((data && data.reason) || "ended");
    requestSession();
  });
  socket.on(EVENTS.bot, (data) => handlers.onMessage(data));
  socket.on("disconnect", (reason) => {
    confirmed = false;
    if (reason !== "io client disconnect") handlers.onStatus("reconnecting");
  });
  socket.on("connect_error", () => handlers.onStatus("reconnecting"));

  return {
    get online() {
      return confirmed && socket.connected;
    },
    send(id, text) {
      pending.set(id, text);
      if (confirmed) transmit(id, text);
    },
    resume(code) {
      resumeCode = code;
      if (socket.connected) requestSession();
    },
    setRemember(on, done) {
      remembered = on;
      socket.timeout(ACK_TIMEOUT_MS).emit(EVENTS.remember, { on }, (error, ack) => done(!error && ack && ack.status === "ok"));
    },
    requestResumeCode(done) {
      socket.timeout(ACK_TIMEOUT_MS).emit(EVENTS.resumeCodeRequest, {}, (error, ack) =>
        done(!error && ack && ack.status === "ok" ? ack : null),
      );
    },
    close() {
      socket.disconnect();
    },
  };
}
