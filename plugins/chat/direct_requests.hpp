// Message requests on direct conversations (#14, seed 002; README.md, Message
// requests). With `message_requests` on, chat:direct and every write to a direct room
// ask the social graph (social_graph.hpp): a block either way refuses them, and a
// conversation opened by a user the recipient does not follow waits on the
// recipient's side as a request until they accept, reject or answer it.
//
// The rules live here; room_events and message_events call them at their gates.
// Also the events chat:requests, chat:request_accept and chat:request_reject.
#pragma once

#include <string>

#include "context.hpp"

namespace switchboard::plugins::chat {

// chat:direct's gate: refuses with forbidden across a block (requests on) and says
// which side the peer of a new room starts on (state_active or state_request).
const char* direct_peer_state(chat_context& ctx, const std::string& user, const std::string& peer);

// Refuses with forbidden when `room` is direct, requests are on and either member
// blocked the other. The same words whoever blocked whom.
void require_no_block(chat_context& ctx, const room_row& room, const std::string& user);

// Refuses with forbidden while the user's side of a direct room is not active
// (a request waiting, or declined): joining, reading marks and reacting wait for
// chat:request_accept or an answer.
void require_open_side(chat_context& ctx, const room_row& room, const std::string& user);

// chat:send to a direct room, in two halves around storing the message.
struct direct_send {
    bool direct = false;
    std::string peer;
    bool peer_follows = false;   // the peer follows the sender now (requests on)
};
// Before storing: the block gate; and writing is answering, so the sender's own side
// becomes active (told as an acceptance when it was a request).
direct_send before_direct_send(chat_context& ctx, const room_row& room, const std::string& user,
                               const sdk::event& e);
// After storing and broadcasting `message` (JSON): the peer's side decides how it
// reaches them. Returns the ack's status: "sent" or "request".
std::string after_direct_send(chat_context& ctx, const direct_send& send, const room_row& room,
                              const std::string& user, const json& message);

void register_request_events(chat_context& ctx);

}  // namespace switchboard::plugins::chat
