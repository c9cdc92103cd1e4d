// Seed 001's client code, as its document writes it: lib/socket-client.ts and the
// SocketProvider's useSocket() (joinEventRoom, sendMessage, onMessage, typing), and
// lib/socket-broadcast.ts (broadcastParticipationUpdate, broadcastNewMessage) for the
// app's API routes. Only the URL changes: it points at Switchboard.
import { io } from "socket.io-client";

// useSocket(): what a component gets from the SocketProvider.
export function create_socket_client(url, token) {
  const socket = io(url, { auth: { token }, transports: ["websocket", "polling"] });
  return {
    socket,
    get isConnected() {
      return socket.connected;
    },
    joinEventRoom: (eventId) => socket.emit("join-event", { eventId }),
    leaveEventRoom: (eventId) => socket.emit("leave-event", { eventId }),
    sendMessage: (eventId, content) => socket.emit("send-message", { eventId, content }),
    startTyping: (eventId) => socket.emit("typing", { eventId }),
    stopTyping: (eventId) => socket.emit("stop-typing", { eventId }),
    onMessage(handler) {
      socket.on("new-message", handler);
      return () => socket.off("new-message", handler);
    },
    onTyping(handler) {
      socket.on("user-typing", handler);
      return () => socket.off("user-typing", handler);
    },
    onStopTyping(handler) {
      socket.on("user-stopped-typing", handler);
      return () => socket.off("user-stopped-typing", handler);
    },
    onUserJoined(handler) {
      socket.on("user-joined", handler);
      return () => socket.off("user-joined", handler);
    },
    onUserLeft(handler) {
      socket.on("user-left", handler);
      return () => socket.off("user-left", handler);
    },
    onError(handler) {
      socket.on("error", handler);
      return () => socket.off("error", handler);
    },
    disconnect: () => socket.disconnect(),
  };
}

// lib/socket-broadcast.ts: the app's API tells the socket server.
export function create_broadcaster(url, apiKey) {
  async function post(path, body) {
    const response = await fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }
  return {
    broadcastParticipationUpdate: (eventId, userId, status, user) =>
      post(`/api/events/${encodeURIComponent(eventId)}/participation`, { userId, status, user }),
    broadcastNewMessage: (message) => post(`/api/events/${encodeURIComponent(message.eventId)}/messages`, message),
  };
}
