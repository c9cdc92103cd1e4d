// What every handler of the events plugin shares: the SDK handle, the settings, the
// store and the in-memory state of this node. One instance lives from load to unload.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include <switchboard/sdk.hpp>
#include <switchboard/support.hpp>

#include "joined_sockets.hpp"
#include "settings.hpp"
#include "store.hpp"
#include "typing_tracker.hpp"
#include "word_filter.hpp"

namespace switchboard::plugins::events {

// Serializes a participation change with the joins and leaves that follow from it:
// an events:join that passed its check cannot put a socket in the room after the
// user stopped taking part, and attendee counts go out in the order they were
// committed. Striped: events share 64 locks.
using event_locks = sdk::striped_locks<std::string>;

struct events_context {
    events_context(sdk::plugin& plugin, settings s);

    sdk::plugin& p;
    const settings config;
    events_store store;
    joined_sockets joined;
    typing_tracker typing;
    word_filter filter;
    event_locks locks;
};

// The Socket.IO room of an event.
std::string room_of(const std::string& event);

using sdk::unix_ms;   // what the tables store (switchboard/support.hpp)

// The user's display name: the token's `name` claim, else the id.
std::string display_name(const sdk::json& user, const std::string& id);

// Sets `user`'s participation in `event` and tells everyone concerned: the room
// (events:user_joined / events:user_left, events:attendees), the user's devices
// (events:participation), the other nodes (cluster_sync.hpp); a user who no longer
// takes part leaves the room on every socket, on every node. Returns {eventId, userId, status, previous, attendees}.
sdk::json set_participation(events_context& ctx, const std::string& event, const std::string& user,
                            const status& to, const std::string& name);

// Tells the room, minus the typist's own devices, that `user` started or stopped typing.
void announce_typing(events_context& ctx, const std::string& event, const std::string& user, const std::string& name,
                     bool typing);

}  // namespace switchboard::plugins::events
