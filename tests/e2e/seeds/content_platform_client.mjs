// Seed 003's client and backend code, as its document writes them: the realtimeClient
// ("Direct Client Usage": connect, on, joinContentRoom, sendMessage, disconnect), the
// useRealtime hook (connectionStatus, onContentCreated, onContentUpdated,
// joinContentRoom, sendMessage), and the backend's realtimeService.emit*() over the
// server API. The seed names no client-to-server events: those below are the
// deployment's (examples/seeds/content-platform/README.md).
import { io } from "socket.io-client";

export function createRealtimeClient() {
  let socket = null;
  const status = { connected: false };
  const client = {
    get socket() {
      return socket;
    },
    connectionStatus: status,
    connect(url, token) {
      socket = io(url, { auth: { token }, reconnectionDelayMax: 10_000 });
      socket.on("connect", () => {
        status.connected = true;
      });
      socket.on("disconnect", () => {
        status.connected = false;
      });
      return socket;
    },
    // Returns the unsubscribe function the hook's effects return.
    on(event, handler) {
      socket.on(event, handler);
      return () => socket.off(event, handler);
    },
    joinRoom: (room) => socket.emit("join-room", room),
    leaveRoom: (room) => socket.emit("leave-room", room),
    joinContentRoom: (contentId) => client.joinRoom(`content_${contentId}`),
    joinCalendarRoom: (calendarId) => client.joinRoom(`calendar_${calendarId}`),
    joinMediaRoom: (mediaId) => client.joinRoom(`media_${mediaId}`),
    joinAlbumRoom: (albumId) => client.joinRoom(`album_${albumId}`),
    joinDiaryRoom: (diaryId) => client.joinRoom(`diary_${diaryId}`),
    sendMessage: (userId, text) => socket.emit("send-message", { recipientId: userId, text }),
    sendRoomMessage: (room, text) => socket.emit("message", { room, text }),
    setTyping: (room, isTyping) => socket.emit("typing", { room, isTyping }),
    setEditing: (room, isEditing, field) => socket.emit("editing", { room, isEditing, field }),
    disconnect: () => socket.disconnect(),
  };
  return client;
}

// useRealtime(token, serverUrl) without React: the same names, each onX(handler)
// returning its unsubscribe.
export function useRealtime(token, serverUrl) {
  const client = createRealtimeClient();
  client.connect(serverUrl, token);
  return {
    client,
    connectionStatus: client.connectionStatus,
    onContentCreated: (handler) => client.on("content-created", handler),
    onContentUpdated: (handler) => client.on("content-updated", handler),
    joinContentRoom: client.joinContentRoom,
    sendMessage: client.sendMessage,
  };
}

// realtimeService for the backend's routes.
export function createRealtimeService(url, apiKey) {
  async function emit(event, data, target = {}) {
    const response = await fetch(url + "/api/emit", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify({ event, data: [data], ...target }),
    });
    if (!response.ok) throw new Error(`${event}: ${response.status} ${await response.text()}`);
    return response.json();
  }
  const content = (id) => `content_${id}`;
  return {
    emitContentCreated: (item) => emit("content-created", item),
    emitContentUpdated: (item) => emit("content-updated", item, { rooms: [content(item.id)] }),
    emitContentDeleted: (id) => emit("content-deleted", { id }, { rooms: [content(id)] }),
    emitContentRated: (rating) => emit("content-rated", rating, { rooms: [content(rating.contentId)] }),
    emitContentViewed: (view) => emit("content-viewed", view, { rooms: [content(view.contentId)] }),
    emitChapterCreated: (chapter) => emit("chapter-created", chapter, { rooms: [content(chapter.contentId)] }),
    emitChapterUpdated: (chapter) => emit("chapter-updated", chapter, { rooms: [content(chapter.contentId)] }),
    emitChapterDeleted: (chapter) => emit("chapter-deleted", chapter, { rooms: [content(chapter.contentId)] }),
    emitUserProfileUpdated: (user) => emit("user-profile-updated", user),
    emitFriendRequestReceived: (request) => emit("friend-request-received", request, { users: [request.to] }),
    emitFriendRequestSent: (request) => emit("friend-request-sent", request, { users: [request.from] }),
    emitFriendRequestAccepted: (request) =>
      emit("friend-request-accepted", request, { users: [request.from, request.to] }),
    emitFriendRequestRejected: (request) => emit("friend-request-rejected", request, { users: [request.from] }),
    emitFriendshipEnded: (friendship) => emit("friendship-ended", friendship, { users: friendship.users }),
    emitCalendarEventCreated: (event) =>
      emit("calendar-event-created", event, { users: [event.ownerId, ...event.invitees] }),
    emitCalendarEventUpdated: (event) =>
      emit("calendar-event-updated", event, { rooms: [`calendar_${event.id}`], users: [event.ownerId, ...event.invitees] }),
    emitCalendarEventDeleted: (event) =>
      emit("calendar-event-deleted", { id: event.id }, { rooms: [`calendar_${event.id}`], users: [event.ownerId, ...event.invitees] }),
    emitCalendarInviteReceived: (invite) => emit("calendar-invite-received", invite, { users: [invite.userId] }),
    emitCalendarInviteAccepted: (invite) =>
      emit("calendar-invite-accepted", invite, { rooms: [`calendar_${invite.eventId}`], users: [invite.ownerId] }),
    emitCalendarInviteRejected: (invite) =>
      emit("calendar-invite-rejected", invite, { rooms: [`calendar_${invite.eventId}`], users: [invite.ownerId] }),
    emitMediaUploaded: (media) => emit("media-uploaded", media, { users: [media.ownerId] }),
    emitMediaUpdated: (media) => emit("media-updated", media, { rooms: [`media_${media.id}`], users: [media.ownerId] }),
    emitMediaDeleted: (media) =>
      emit("media-deleted", { id: media.id }, { rooms: [`media_${media.id}`], users: [media.ownerId] }),
    emitAlbumCreated: (album) => emit("album-created", album, { users: [album.ownerId] }),
    emitAlbumUpdated: (album) => emit("album-updated", album, { rooms: [`album_${album.id}`], users: [album.ownerId] }),
    emitAlbumDeleted: (album) =>
      emit("album-deleted", { id: album.id }, { rooms: [`album_${album.id}`], users: [album.ownerId] }),
    emitDiaryEntryCreated: (entry) => emit("diary-entry-created", entry, { users: [entry.authorId, ...entry.sharedWith] }),
    emitDiaryEntryUpdated: (entry) => emit("diary-entry-updated", entry, { users: [entry.authorId, ...entry.sharedWith] }),
    emitDiaryEntryDeleted: (entry) =>
      emit("diary-entry-deleted", { id: entry.id }, { users: [entry.authorId, ...entry.sharedWith] }),
    emitPaymentCompleted: (payment) => emit("payment-completed", payment, { users: [payment.userId] }),
    emitSubscriptionUpdated: (subscription) => emit("subscription-updated", subscription, { users: [subscription.userId] }),
    emitAdViewLogged: (view) => emit("ad-view-logged", view, { users: [view.ownerId] }),
    emitNotification: (userId, notification) => emit("notification", notification, { users: [userId] }),
    emitNotificationRead: (userId, notificationId) => emit("notification-read", { id: notificationId }, { users: [userId] }),
    emitAnnouncement: (announcement) => emit("announcement", announcement),
    // Where the backend's own access check lets a user into a calendar or diary room.
    grantRoom: async (userId, room) => {
      const response = await fetch(url + "/api/sockets/join", {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": apiKey },
        body: JSON.stringify({ users: [userId], join: [room] }),
      });
      if (!response.ok) throw new Error(`grant ${room}: ${response.status}`);
      return response.json();
    },
  };
}
