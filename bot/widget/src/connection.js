// The socket.io connection: asks for (or continues) a session on every (re)connect, and holds
// messages back until the server has confirmed it, so no message is sent before the socket
// has joined its conversation.

import { io } from "socket.io-client";
import { EVENTS } from "./protocol.js";

// handlers: onSession(id), onMessage(data), onStatus("connected" | "reconnecting")
export function openConnection({ serverUrl, socketPath, sessionId }, handlers) {
  const socket = io(serverUrl, { path: socketPath });
  let currentId = sessionId;
  let confirmed = false;
  const waiting = [];

  // session_id is ignored by our channel (it uses the socket's own) but Rasa's stock one needs it.
  const emit = (text) => socket.emit(EVENTS.user, { message: text, session_id: currentId });

  socket.on("connect", () => {
    confirmed = false;
    socket.emit(EVENTS.sessionRequest, { session_id: currentId });
  });
  socket.on(EVENTS.sessionConfirm, (data) => {
    currentId = typeof data === "string" ? data : data && data.session_id;
    confirmed = true;
    handlers.onSession(currentId);
    handlers.onStatus("connected");
    waiting.splice(0).forEach(emit);
  });
  socket.on(EVENTS.bot, (data) => handlers.onMessage(data));
  socket.on("disconnect", (reason) => {
    confirmed = false;
    if (reason !== "io client disconnect") handlers.onStatus("reconnecting");
  });
  socket.on("connect_error", () => handlers.onStatus("reconnecting"));

  return {
    send(text) {
      if (confirmed) emit(text);
      else waiting.push(text);
    },
    close() {
      socket.disconnect();
    },
  };
}
