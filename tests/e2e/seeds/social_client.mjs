// Seed 002's client and backend code, as its document writes them: the connection and
// listeners of "Client Integration" (io(url, {auth: {token}}), join with the user's id),
// the React hook's handlers, the "Socket.IO Events Testing" emits, and the backend's
// realtime calls (lib/notifications.ts and the REST routes' emits) over the server API.
import { io } from "socket.io-client";

// "Socket.IO Connection" and the React hook: connect with the token, join the user's
// room, keep the notifications list and the toasts the hook shows.
export function connectSocial(url, { token, userId }) {
  const socket = io(url, { auth: { token } });
  const state = { notifications: [], toasts: [], messages: [], comments: [] };
  socket.on("connect", () => {
    if (userId !== undefined) socket.emit("join", userId);
  });
  socket.on("new_notification", (notification) => {
    state.notifications = [notification, ...state.notifications];
    state.toasts.push(notification.title);
  });
  socket.on("new_message", (message) => {
    state.messages.push(message);
  });
  socket.on("new_comment", (comment) => {
    state.comments.push(comment);
  });
  return {
    socket,
    state,
    joinPost: (postId) => socket.emit("join_post", postId),
    leavePost: (postId) => socket.emit("leave_post", postId),
    typing: (receiverId) => socket.emit("typing", { receiverId }),
    stopTyping: (receiverId) => socket.emit("stop_typing", { receiverId }),
    // "Socket.IO Events Testing"
    sendMessage: (receiverId, content) => socket.emit("send_message", { receiverId, content }),
    sendNotification: (userId, type, title, content) =>
      socket.emit("send_notification", { userId, type, title, content }),
    markNotificationRead: (notificationId) => socket.emit("mark_notification_read", notificationId),
    disconnect: () => socket.disconnect(),
  };
}

// The app's backend beside Switchboard: lib/notifications.ts and the REST routes'
// emits ("Real-time Features": follow, like, comment, message, post).
export function socialBackend(url, apiKey) {
  async function call(path, body) {
    const response = await fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw Object.assign(new Error(`${path}: ${response.status}`), { status: response.status, answer });
    return answer;
  }
  const emit = (event, data, target = {}) => call("/api/emit", { event, data: [data], ...target });
  // Stored and pushed before it answers: {notification}.
  const createNotification = async (userId, type, title, content, metadata) =>
    (await call("/api/social/notifications", { userId, type, title, content, metadata })).notification;
  return {
    createNotification,
    notifyFollow: (userId, follower) =>
      createNotification(userId, "follow", "New Follower", `${follower.username} started following you`,
        JSON.stringify({ followerId: follower.id, followerUsername: follower.username })),
    notifyLike: (userId, liker, postId) =>
      createNotification(userId, "like", "New Like", `${liker.username} liked your post`,
        JSON.stringify({ likerId: liker.id, postId })),
    notifyComment: (userId, commenter, postId) =>
      createNotification(userId, "comment", "New Comment", `${commenter.username} commented on your post`,
        JSON.stringify({ commenterId: commenter.id, postId })),
    notifyMessage: (userId, sender) =>
      createNotification(userId, "message", "New Message", `${sender.username} sent you a message`,
        JSON.stringify({ senderId: sender.id })),
    // POST /api/posts/[id]/comments: the comment to everyone viewing the post.
    emitComment: (postId, comment) => emit("new_comment", comment, { rooms: [`post_${postId}`] }),
    // POST /api/posts: the post to all connected users.
    emitPost: (post) => emit("new_post", post),
    // POST /api/messages: the stored message to the receiver's devices.
    emitMessage: (message) => emit("new_message", message, { users: [message.receiverId] }),
  };
}
