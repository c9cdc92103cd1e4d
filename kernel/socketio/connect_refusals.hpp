// Socket.IO CONNECTs refused, by the code the refusal carries (CONNECT_ERROR's
// data.code: invalid_token, token_expired, forbidden, a plugin's own...), for /metrics
// and `switchboard status`.
//
// Codes come from the deployment's code (the authenticator, plugins' auth hooks), not
// from clients, but a plugin could still make many: past 32 distinct codes the rest
// count as "other", and a code that is not a plain token counts as "other" too.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace switchboard::kernel::socketio {

// The code /metrics files a refusal under: data.code when it is a plain token,
// "invalid_namespace" for a namespace that does not exist, "unspecified" otherwise.
std::string connect_refusal_code(const nlohmann::json& error);

// Counts one refusal. Safe from any thread.
void count_connect_refusal(const nlohmann::json& error);

// Every code counted so far, in code order.
std::vector<std::pair<std::string, std::uint64_t>> connect_refusals();

// switchboard_socketio_connect_refused_total{code="..."}.
void append_connect_refusal_metrics(std::string& out);

}  // namespace switchboard::kernel::socketio
