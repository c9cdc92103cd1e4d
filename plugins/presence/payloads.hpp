// What clients send, validated: anything malformed throws sdk::error("invalid_payload")
// with a message saying what was expected, which the SDK turns into the ack's error.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::presence {

using json = sdk::json;

// A user id in a subscription list is at most this many bytes (it becomes a room name).
inline constexpr std::size_t max_user_id_bytes = 256;

// {userIds: [string, ...]} as the first argument: 1 to `max_count` non-empty ids,
// duplicates dropped, in the order given.
std::vector<std::string> read_user_ids(const json& args, std::size_t max_count);

// {status: "online" | "away" | "busy"}.
std::string read_status(const json& args);

// presence:count's optional {subscribe: boolean}: nothing when the client only asks.
std::optional<bool> read_count_request(const json& args);

}  // namespace switchboard::plugins::presence
