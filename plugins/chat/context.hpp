// What every handler of the plugin shares: the SDK handle, the settings, the store
// and the in-memory state. One instance lives from load to unload.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include <switchboard/sdk.hpp>
#include <switchboard/support.hpp>

#include "rate_limiter.hpp"
#include "settings.hpp"
#include "social_graph.hpp"
#include "store.hpp"
#include "text_filter.hpp"
#include "typing_tracker.hpp"

namespace switchboard::plugins::chat {

// Serializes membership changes of one room with the socket joins and leaves that
// follow them: a chat:join that passed its membership check cannot put a socket in
// the room after a chat:remove took the user out. Striped: rooms share 64 locks.
using room_locks = sdk::striped_locks<std::int64_t>;

struct chat_context {
    chat_context(sdk::plugin& plugin, settings s);

    sdk::plugin& p;
    const settings config;
    chat_store store;
    social_graph graph;   // asked only with message_requests on
    typing_tracker typing;
    rate_limiter limiter;
    text_filter filter;
    room_locks locks;
};

// The Socket.IO room of chat room `id`.
std::string room_name(std::int64_t id);

// The room's sockets but the one whose event caused the broadcast: its ack tells it.
sdk::target room_except_sender(const chat_context& ctx, std::int64_t room, const sdk::event& e);

using sdk::unix_ms;   // what the tables store (switchboard/support.hpp)

// A chat event handler: `user` is the caller's id. Returns the result; throws
// sdk::error to refuse.
using chat_handler = sdk::json (*)(chat_context& ctx, sdk::event& e, const std::string& user);

// Registers `fn` for `event` in the chat namespace through sdk::plugin::serve (acks
// [null, result] or [{code, message}], `chat:error` without an ack, database details
// only in the log). Every chat event needs a signed-in user: an anonymous socket is
// refused with "unauthorized" (sdk::event::require_user) before `fn` runs.
void serve(chat_context& ctx, std::string_view event, chat_handler fn, sdk::handler_options options = {});

}  // namespace switchboard::plugins::chat
