// Seed 003, the content platform: its realtimeClient, useRealtime hook and backend
// realtimeService (content_platform_client.mjs) against the shipped deployment
// examples/seeds/content-platform/, on SQLite and PostgreSQL. Every event of the
// seed's "Supported Events", each reaching exactly the users its room says, the room
// authorization, and the refusals.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { Inbox, once, unique } from "../support/client.mjs";
import { REPO, databases } from "../support/deployment.mjs";
import { createRealtimeClient, createRealtimeService, useRealtime } from "./content_platform_client.mjs";
import { forged, start_seed } from "./support.mjs";

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test("the shipped deployment listens on 3001 and wants a token", () => {
  const yaml = readFileSync(path.join(REPO, "examples/seeds/content-platform/switchboard.yaml"), "utf8");
  assert.match(yaml, /^\s*port:\s*3001\b/m);
  assert.match(yaml, /^\s*anonymous:\s*false\b/m);
});

for (const database of databases()) {
  describe(`content-platform on ${database}`, () => {
    let d;
    let service;
    before(async () => {
      d = await start_seed("content-platform", { database });
      service = createRealtimeService(d.url, d.api_key);
    });
    after(async () => {
      await d?.stop();
    });

    // A signed-in user: the seed's realtimeClient and an inbox of all it hears.
    async function user(t, id = unique("user")) {
      const client = createRealtimeClient();
      client.connect(d.url, d.token(id));
      client.id = id;
      client.inbox = new Inbox(client.socket, id);
      t.after(() => client.disconnect());
      await once(client.socket, "connect", { fail_on: ["connect_error"], what: `${id} connecting` });
      return client;
    }

    async function joined(client, room) {
      assert.deepEqual(await client.socket.emitWithAck("join-room", room), { room });
    }

    // Sends one backend event and checks who got it: `to` exactly, and nobody in `not`.
    async function delivered(emit, event, payload, to, not) {
      await emit();
      for (const c of to) assert.deepEqual(await c.inbox.next(event), [payload], `${event} to ${c.id}`);
      // A later event to everyone fences the check: whatever the others were sent came first.
      await service.emitAnnouncement({ fence: event });
      for (const c of [...to, ...not]) await c.inbox.next("announcement", { where: ([a]) => a.fence === event });
      for (const c of not) assert.equal(c.inbox.all(event).length, 0, `${event} not to ${c.id}`);
    }

    test("connect wants a valid token; connectionStatus follows the connection", async (t) => {
      const { io } = await import("socket.io-client");
      for (const auth of [{}, { token: forged(d.token("ann")) }]) {
        const socket = io(d.url, { auth, transports: ["websocket"], reconnection: false });
        await once(socket, "connect_error", { fail_on: ["connect"] });
        socket.disconnect();
      }
      const ann = await user(t);
      assert.equal(ann.connectionStatus.connected, true);
      ann.disconnect();
      assert.equal(ann.connectionStatus.connected, false);
    });

    test("rooms: content_, media_, album_ open; user_ one's own; calendar_ and diary_ through the app only", async (t) => {
      const ann = await user(t);
      const ben = await user(t);
      for (const room of [`content_c1`, `media_m1`, `album_a1`, `user_${ann.id}`]) await joined(ann, room);
      for (const room of [`user_${ben.id}`, "calendar_e1", "diary_d1"])
        assert.equal((await ann.socket.emitWithAck("join-room", room)).code, "forbidden", room);
      for (const room of ["", "lobby", "content_", "secret_1", 42, { room: "content_1" }, `content_${"x".repeat(129)}`])
        assert.equal((await ann.socket.emitWithAck("join-room", room)).code, "invalid_payload", JSON.stringify(room));
      assert.deepEqual(await service.grantRoom(ann.id, "calendar_e1"), { sockets: 1 });
      await service.emitCalendarEventUpdated({ id: "e1", ownerId: ben.id, invitees: [], title: "Standup" });
      assert.equal((await ann.inbox.next("calendar-event-updated"))[0].title, "Standup");
      assert.deepEqual(await ann.socket.emitWithAck("leave-room", "content_c1"), { room: "content_c1" });
    });

    test("content and chapter events: created to everyone (useRealtime), the rest to content_{id}", async (t) => {
      const ann = await user(t);
      const ben = await user(t);
      const hook = useRealtime(d.token(unique("cat")), d.url);
      t.after(() => hook.client.disconnect());
      await once(hook.client.socket, "connect");
      const created = [];
      const unsubscribe = hook.onContentCreated((item) => created.push(item));
      const updated = [];
      hook.onContentUpdated((item) => updated.push(item));
      hook.joinContentRoom("c1");
      await hook.client.socket.emitWithAck("join-room", "content_c1");
      await joined(ann, "content_c1");

      const item = { id: "c1", title: "Chapter one", authorId: ann.id };
      await delivered(() => service.emitContentCreated(item), "content-created", item, [ann, ben], []);
      assert.deepEqual(created, [item]);
      unsubscribe();
      await service.emitContentCreated({ ...item, id: "c2" });
      await ann.inbox.next("content-created");
      const changed = { ...item, title: "Renamed" };
      await delivered(() => service.emitContentUpdated(changed), "content-updated", changed, [ann], [ben]);
      assert.deepEqual(updated, [changed]);
      assert.deepEqual(created, [item], "unsubscribed");
      const rating = { contentId: "c1", userId: ben.id, rating: 4, average: 4 };
      await delivered(() => service.emitContentRated(rating), "content-rated", rating, [ann], [ben]);
      const view = { contentId: "c1", userId: ben.id, views: 7 };
      await delivered(() => service.emitContentViewed(view), "content-viewed", view, [ann], [ben]);
      const chapter = { id: "ch1", contentId: "c1", title: "One", position: 1 };
      await delivered(() => service.emitChapterCreated(chapter), "chapter-created", chapter, [ann], [ben]);
      await delivered(() => service.emitChapterUpdated({ ...chapter, title: "Uno" }), "chapter-updated", { ...chapter, title: "Uno" }, [ann], [ben]);
      await delivered(() => service.emitChapterDeleted(chapter), "chapter-deleted", chapter, [ann], [ben]);
      await delivered(() => service.emitContentDeleted("c1"), "content-deleted", { id: "c1" }, [ann], [ben]);
    });

    test("user events: user-profile-updated to everyone, user-status-changed online and offline", async (t) => {
      const ann = await user(t);
      const ben_id = unique("ben");
      const ben = await user(t, ben_id);
      const about_ben = ([s]) => s.userId === ben_id;
      const [online] = await ann.inbox.next("user-status-changed", { where: about_ben });
      assert.equal(online.status, "online");
      assert.match(online.lastSeen, ISO_DATE);
      const profile = { id: ben_id, displayName: "Ben B." };
      await delivered(() => service.emitUserProfileUpdated(profile), "user-profile-updated", profile, [ann, ben], []);
      ben.disconnect();
      assert.equal((await ann.inbox.next("user-status-changed", { where: about_ben }))[0].status, "offline");
    });

    test("relationship events reach the two users they are about", async (t) => {
      const ann = await user(t);
      const ben = await user(t);
      const cat = await user(t);
      const request = { id: "fr1", from: ann.id, to: ben.id };
      await delivered(() => service.emitFriendRequestReceived(request), "friend-request-received", request, [ben], [ann, cat]);
      await delivered(() => service.emitFriendRequestSent(request), "friend-request-sent", request, [ann], [ben, cat]);
      await delivered(() => service.emitFriendRequestAccepted(request), "friend-request-accepted", request, [ann, ben], [cat]);
      await delivered(() => service.emitFriendRequestRejected(request), "friend-request-rejected", request, [ann], [ben, cat]);
      const ended = { users: [ann.id, ben.id], endedBy: ben.id };
      await delivered(() => service.emitFriendshipEnded(ended), "friendship-ended", ended, [ann, ben], [cat]);
    });

    test("calendar events reach the owner, the invitees and the calendar room", async (t) => {
      const owner = await user(t);
      const guest = await user(t);
      const other = await user(t);
      const event = { id: unique("e"), ownerId: owner.id, invitees: [guest.id], title: "Launch" };
      await delivered(() => service.emitCalendarEventCreated(event), "calendar-event-created", event, [owner, guest], [other]);
      const invite = { eventId: event.id, userId: guest.id, ownerId: owner.id };
      await delivered(() => service.emitCalendarInviteReceived(invite), "calendar-invite-received", invite, [guest], [owner, other]);
      await delivered(() => service.emitCalendarInviteAccepted(invite), "calendar-invite-accepted", invite, [owner], [guest, other]);
      await service.grantRoom(guest.id, `calendar_${event.id}`);
      await delivered(() => service.emitCalendarInviteRejected(invite), "calendar-invite-rejected", invite, [owner, guest], [other]);
      const moved = { ...event, title: "Launch (moved)" };
      await delivered(() => service.emitCalendarEventUpdated(moved), "calendar-event-updated", moved, [owner, guest], [other]);
      await delivered(() => service.emitCalendarEventDeleted(event), "calendar-event-deleted", { id: event.id }, [owner, guest], [other]);
    });

    test("media and album events reach the owner and the item's room", async (t) => {
      const owner = await user(t);
      const viewer = await user(t);
      const other = await user(t);
      const media = { id: unique("m"), ownerId: owner.id, url: "https://cdn.example/p.jpg" };
      await delivered(() => service.emitMediaUploaded(media), "media-uploaded", media, [owner], [viewer, other]);
      await joined(viewer, `media_${media.id}`);
      await delivered(() => service.emitMediaUpdated({ ...media, title: "Sunset" }), "media-updated", { ...media, title: "Sunset" }, [owner, viewer], [other]);
      await delivered(() => service.emitMediaDeleted(media), "media-deleted", { id: media.id }, [owner, viewer], [other]);
      const album = { id: unique("a"), ownerId: owner.id, title: "Trip" };
      await delivered(() => service.emitAlbumCreated(album), "album-created", album, [owner], [viewer, other]);
      await joined(viewer, `album_${album.id}`);
      await delivered(() => service.emitAlbumUpdated({ ...album, title: "Trip 2" }), "album-updated", { ...album, title: "Trip 2" }, [owner, viewer], [other]);
      await delivered(() => service.emitAlbumDeleted(album), "album-deleted", { id: album.id }, [owner, viewer], [other]);
    });

    test("diary events reach the author and the users it is shared with, nobody else", async (t) => {
      const author = await user(t);
      const friend = await user(t);
      const other = await user(t);
      const entry = { id: unique("d"), authorId: author.id, sharedWith: [friend.id], title: "Day 1" };
      await delivered(() => service.emitDiaryEntryCreated(entry), "diary-entry-created", entry, [author, friend], [other]);
      await delivered(() => service.emitDiaryEntryUpdated({ ...entry, title: "Day one" }), "diary-entry-updated", { ...entry, title: "Day one" }, [author, friend], [other]);
      await delivered(() => service.emitDiaryEntryDeleted(entry), "diary-entry-deleted", { id: entry.id }, [author, friend], [other]);
      assert.equal((await other.socket.emitWithAck("join-room", `diary_${entry.id}`)).code, "forbidden");
    });

    test("payment, subscription, ad, notification events to their user; announcement to all", async (t) => {
      const ann = await user(t);
      const ann_phone = await user(t, ann.id);
      const ben = await user(t);
      const payment = { paymentId: "p1", userId: ann.id, amount: 1999, currency: "eur" };
      await delivered(() => service.emitPaymentCompleted(payment), "payment-completed", payment, [ann, ann_phone], [ben]);
      const subscription = { subscriptionId: "s1", userId: ann.id, plan: "pro", status: "active" };
      await delivered(() => service.emitSubscriptionUpdated(subscription), "subscription-updated", subscription, [ann, ann_phone], [ben]);
      const view = { adId: "ad1", ownerId: ben.id, views: 3 };
      await delivered(() => service.emitAdViewLogged(view), "ad-view-logged", view, [ben], [ann]);
      const notification = { id: "n1", type: "comment", title: "New comment", message: "Ben replied" };
      await delivered(() => service.emitNotification(ann.id, notification), "notification", notification, [ann, ann_phone], [ben]);
      await delivered(() => service.emitNotificationRead(ann.id, "n1"), "notification-read", { id: "n1" }, [ann, ann_phone], [ben]);
      const announcement = { title: "Maintenance", message: "Down at 22:00" };
      await service.emitAnnouncement(announcement);
      for (const c of [ann, ann_phone, ben])
        assert.deepEqual(await c.inbox.next("announcement", { where: ([a]) => !a.fence }), [announcement]);
    });

    test("chat: sendMessage -> message-received to the recipient, message-sent to the sender; message to a room", async (t) => {
      const ann = await user(t);
      const ben_id = unique("ben");
      const phone = await user(t, ben_id);
      const laptop = await user(t, ben_id);
      ann.sendMessage(ben_id, "Hello!");
      const [sent] = await ann.inbox.next("message-sent");
      assert.match(sent.createdAt, ISO_DATE);
      assert.deepEqual({ ...sent, id: "", createdAt: "" }, { id: "", senderId: ann.id, recipientId: ben_id, text: "Hello!", createdAt: "" });
      for (const device of [phone, laptop]) assert.deepEqual(await device.inbox.next("message-received"), [sent]);
      for (const [payload, message] of [
        [{ recipientId: ben_id, text: "  " }, "text: a non-empty string"],
        [{ recipientId: ben_id, text: "x".repeat(4001) }, "text: at most 4000 characters"],
        [{ recipientId: ann.id, text: "me" }, "recipientId: another user"],
        [{ text: "hi" }, "recipientId: an id (a string of 1 to 128 bytes)"],
        ["hi", "{recipientId, text} is expected"],
      ])
        assert.deepEqual(await ann.socket.emitWithAck("send-message", payload), { code: "invalid_payload", message });

      const room = `content_${unique("c")}`;
      await joined(ann, room);
      await joined(phone, room);
      ann.sendRoomMessage(room, "in the room");
      const [message] = await phone.inbox.next("message");
      assert.deepEqual({ ...message, id: "", createdAt: "" }, { id: "", room, senderId: ann.id, text: "in the room", createdAt: "" });
      assert.deepEqual(await ann.inbox.next("message"), [message]);
      assert.equal((await ann.socket.emitWithAck("message", { room: "lobby", text: "x" })).code, "invalid_payload");
      await laptop.socket.emitWithAck("leave-room", room);
      assert.equal(laptop.inbox.all("message").length, 0);
      assert.equal(ann.inbox.all("message-received").length, 0);
    });

    test("collaboration: user-typing and user-editing {userId, room, ...} to the room's others", async (t) => {
      const ann = await user(t);
      const ben = await user(t);
      const cat = await user(t);
      const room = `content_${unique("c")}`;
      await joined(ann, room);
      await joined(ben, room);
      ann.setTyping(room, true);
      assert.deepEqual(await ben.inbox.next("user-typing"), [{ userId: ann.id, room, isTyping: true }]);
      ann.setTyping(room, false);
      assert.deepEqual(await ben.inbox.next("user-typing"), [{ userId: ann.id, room, isTyping: false }]);
      ann.setEditing(room, true, "title");
      assert.deepEqual(await ben.inbox.next("user-editing"), [{ userId: ann.id, room, isEditing: true, field: "title" }]);
      for (const bad of [{ room, isTyping: "yes" }, { room: "nowhere", isTyping: true }, null])
        assert.equal((await ann.socket.emitWithAck("typing", bad)).code, "invalid_payload", JSON.stringify(bad));
      assert.equal((await ann.socket.emitWithAck("editing", { room, isEditing: 1 })).code, "invalid_payload");
      await cat.socket.emitWithAck("leave-room", room);
      assert.equal(cat.inbox.all("user-typing").length, 0);
      assert.equal(ann.inbox.all("user-typing").length, 0);
    });
  });
}
