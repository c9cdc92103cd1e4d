// Seed 000's client and backend code, as its document writes them: momoLand's
// socketService (lib/socket.ts: connect, joinChatRoom, sendMessage, onNewMessage,
// sendTypingIndicator, onTypingStart, sendReaction, shareLocation, initiateCall,
// joinBlogRoom, onNewPost, onPostLike, onNotification, onSystemAnnouncement and their
// off* pairs) and the backend's emitToRoom / emitToAll over the server API. lib/socket.ts
// exports one instance; a test needs one per user, hence the factory. Event names the
// document does not spell are the deployment's (examples/seeds/momoland/README.md).
import { io } from "socket.io-client";

export const BLOG_ROOM = "blog-room";

// url: lib/socket.ts's server URL (a constant there).
export function createSocketService(url) {
  let socket = null;
  const handlers = new Map();
  // on(event, cb) remembers cb so that off*() removes exactly what on*() added.
  const listen = (event, callback) => {
    handlers.set(event, callback);
    socket.on(event, callback);
  };
  const unlisten = (event) => {
    const callback = handlers.get(event);
    if (callback) socket.off(event, callback);
    handlers.delete(event);
  };
  return {
    get socket() {
      return socket;
    },
    // "Auto-reconnection with exponential backoff"
    connect(userToken) {
      socket = io(url, {
        auth: { token: userToken },
        reconnection: true,
        reconnectionDelay: 1000,
        reconnectionDelayMax: 10_000,
      });
      return socket;
    },
    disconnect: () => socket.disconnect(),
    joinChatRoom: (roomId) => socket.emit("join-room", roomId),
    leaveChatRoom: (roomId) => socket.emit("leave-room", roomId),
    sendMessage: (roomId, content) => socket.emit("send-message", { roomId, content }),
    onNewMessage: (callback) => listen("new-message", callback),
    offNewMessage: () => unlisten("new-message"),
    sendTypingIndicator: (roomId) => socket.emit("typing-start", roomId),
    stopTypingIndicator: (roomId) => socket.emit("typing-stop", roomId),
    onTypingStart: (callback) => listen("typing-start", callback),
    offTypingStart: () => unlisten("typing-start"),
    onTypingStop: (callback) => listen("typing-stop", callback),
    offTypingStop: () => unlisten("typing-stop"),
    sendReaction: (roomId, messageId, emoji) => socket.emit("send-reaction", { roomId, messageId, emoji }),
    onReaction: (callback) => listen("message-reaction", callback),
    shareLocation: (roomId, location) => socket.emit("share-location", { roomId, location }),
    onLocationShared: (callback) => listen("location-shared", callback),
    initiateCall: (roomId, type) => socket.emit("initiate-call", { roomId, type }),
    onIncomingCall: (callback) => listen("incoming-call", callback),
    joinBlogRoom: () => socket.emit("join-room", BLOG_ROOM),
    leaveBlogRoom: () => socket.emit("leave-room", BLOG_ROOM),
    onNewPost: (callback) => listen("new-post", callback),
    offNewPost: () => unlisten("new-post"),
    onPostLike: (callback) => listen("post-liked", callback),
    offPostLike: () => unlisten("post-liked"),
    onNotification: (callback) => listen("notification", callback),
    offNotification: () => unlisten("notification"),
    onSystemAnnouncement: (callback) => listen("system-announcement", callback),
    offSystemAnnouncement: () => unlisten("system-announcement"),
    createDocument: (documentId) => socket.emit("create-document", { documentId }),
    joinDocument: (documentId) => socket.emit("join-document", documentId),
    editDocument: (documentId, content) => socket.emit("document-change", { documentId, content }),
    onDocumentUpdated: (callback) => listen("document-updated", callback),
    sendAnnouncement: (message) => socket.emit("send-announcement", { message }),
  };
}

// src/socket/handlers.js's emitToRoom / emitToAll, and a user's devices (personal
// notifications), for the backend beside Switchboard.
export function createEmitters(url, apiKey) {
  async function emit(body) {
    const response = await fetch(url + "/api/emit", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${body.event}: ${response.status} ${await response.text()}`);
    return response.json();
  }
  return {
    emitToRoom: (room, event, data) => emit({ event, rooms: [].concat(room), data: [data] }),
    emitToAll: (event, data) => emit({ event, data: [data] }),
    emitToUser: (userId, event, data) => emit({ event, users: [userId], data: [data] }),
  };
}
