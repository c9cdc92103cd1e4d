// How every chat event answers. One convention, Node's callback style:
//
//   success: the ack's arguments are [null, result]
//   failure: the ack's arguments are [{code, message}]
//
// so a client writes `socket.emit("chat:send", payload, (error, result) => ...)`.
// A failed event sent without an ack callback gets a `chat:error` event
// {event, code, message} instead, so a mistake is never silent.
#pragma once

#include <functional>
#include <string>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::chat {

using sdk::json;

// Returns the result object; throws sdk::error to refuse. `user` is the caller's id.
using chat_handler = std::function<json(sdk::event& e, const std::string& user)>;

// Registers `fn` for `event` in `nsp`, wrapped in the convention above. The caller
// must be authenticated (else "unauthorized"); database failures reach the client
// as "unavailable" or "internal_error", their details only in the log.
void serve(sdk::plugin& p, const std::string& nsp, const char* event, chat_handler fn, bool inline_handler = false);

// The authenticated user's id from a socket's user claims, or "" if anonymous.
std::string user_id_of(const json& user);

}  // namespace switchboard::plugins::chat
