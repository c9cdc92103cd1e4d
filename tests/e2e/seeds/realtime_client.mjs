// Seed 004's client and backend code, as its README writes them: the web hook
// useSocket(userId) (auth on connect, joinRoom, leaveRoom), the ChatRoom and
// TypingInput components' emits, and the backend's getSocketService() (notify,
// sendToRoom, broadcast, isUserOnline, getOnlineUsers) over the server API.
//
// The one line added to the hook: the connection carries the app's JWT
// (`auth: {token}`), Switchboard's convention for every seed; `auth {userId, token}`
// is then checked against it (README: Decisions).
import { io } from "socket.io-client";

export function useSocket(url, userId, token) {
  const socket = io(url, {
    transports: ["websocket", "polling"],
    withCredentials: true,
    ...(token ? { auth: { token } } : {}),
  });
  const state = { connected: false };
  socket.on("connect", () => {
    state.connected = true;
    if (userId) socket.emit("auth", { userId, token });
  });
  socket.on("disconnect", () => {
    state.connected = false;
  });
  return {
    socket,
    get connected() {
      return state.connected;
    },
    joinRoom: (room) => socket.emit("join", room),
    leaveRoom: (room) => socket.emit("leave", room),
    // ChatRoom
    sendMessage: (room, text) => socket.emit("message", { room, text }),
    // TypingInput
    startTyping: (room) => socket.emit("typing:start", room),
    stopTyping: (room) => socket.emit("typing:stop", room),
    // Not in the hook; the module's presence event.
    setPresence: (status) => socket.emit("presence", status),
    disconnect: () => socket.disconnect(),
  };
}

// getSocketService() for a backend that runs beside Switchboard.
export function getSocketService(url, apiKey) {
  async function call(method, path, body) {
    const response = await fetch(url + path, {
      method,
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }
  return {
    notify: (userId, payload) => call("POST", "/api/emit", { event: "notification", users: [userId], data: [payload] }),
    sendToRoom: (room, event, data) => call("POST", "/api/emit", { event, rooms: [room], data: [data] }),
    broadcast: (event, data) => call("POST", "/api/emit", { event, data: [data] }),
    isUserOnline: async (userId) => (await call("GET", `/api/presence/users/${encodeURIComponent(userId)}`)).online,
    getOnlineUsers: async () => (await call("GET", "/api/presence/users?limit=1000")).users,
  };
}
