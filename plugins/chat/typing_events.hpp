// typing:start and typing:stop: inline relays (no database), the sweep that clears
// silent typists, and the disconnect hooks that clear a leaving socket's state.
#pragma once

#include "context.hpp"

namespace switchboard::plugins::chat {

// What the tracker announces: typing:start / typing:stop {room, user} to the room's
// sockets but the typist's own.
void announce_typing(sdk::plugin& p, const std::string& nsp, std::int64_t room, const std::string& user, bool typing);

void register_typing_events(chat_context& ctx);

// Clears a disconnected socket's typing.
void register_disconnect_hooks(chat_context& ctx);

}  // namespace switchboard::plugins::chat
