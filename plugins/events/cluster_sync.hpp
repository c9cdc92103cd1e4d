// Several nodes on Redis sharing one database: an event's participants may be
// connected to any node, and participation may change on any node (a user's
// events:participate, or the backend's bus message to whichever node it reached).
// What each node keeps in memory is told to the others with
// serverSideEmit("events:cluster", message):
//
//   participation {eventId, userId, removed}   a participation changed on that node
//   typing_stopped {eventId, userId}           that user sent a message there
//
// A node that hears of a change re-reads the event's attendee counts and pushes them to
// its own joined sockets (never a room broadcast: two nodes' broadcasts may reach a
// socket in either order, so a socket could end on an older count; each node reads the
// counts after the change it heard of, one read at a time, so what it pushes only gets
// newer). A removed participant's sockets on that node leave the room (before that
// push), their typing cleared; a message ends its sender's typing on every node.
#pragma once

#include <string>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::events {

struct events_context;

// The event's attendee counts, as the database has them now, to this node's sockets
// joined to it (nothing, and no read, without any). The caller holds the event's lock.
void push_attendees_here(events_context& ctx, const std::string& event);

// A participation that ended: `user`'s sockets on this node leave the event's room and
// stop typing there. The caller holds the event's lock.
void take_out_here(events_context& ctx, const std::string& event, const std::string& user);

// What this node tells the others (nothing leaves without a cluster).
void tell_participation(events_context& ctx, const std::string& event, const std::string& user, bool removed);
void tell_typing_stopped(events_context& ctx, const std::string& event, const std::string& user);

// Subscribes to the other nodes' messages.
void register_cluster_sync(events_context& ctx);

}  // namespace switchboard::plugins::events
