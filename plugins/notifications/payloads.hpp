// What callers send, checked field by field. Every reader throws
// sdk::error("invalid_payload", <which field and what was expected>): the SDK turns
// it into the ack a client waits for, and the HTTP API into a 400.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

#include "settings.hpp"

namespace switchboard::plugins::notifications {

using sdk::json;

struct notification_input {
    std::string type;
    std::string title;
    std::string message;
    json data = json::object();
};

struct list_query {
    std::optional<std::int64_t> before;   // only ids below this one (the next page)
    std::size_t limit = 20;
    bool unread_only = false;
};

// The event's first argument when it is an object; an absent or null argument is an
// empty object when `optional`. Anything else is invalid_payload.
const json& object_argument(const json& args, bool optional);

// {type, title, message, data}. `default_type`, when not empty, stands in for a
// missing type (announcements).
notification_input read_notification(const json& payload, const settings& config,
                                     const std::string& default_type = {});

// {userId} or {userIds: [...]}: distinct, in the order given.
std::vector<std::string> read_recipients(const json& payload, const settings& config);

// {before?, limit?, unreadOnly?}
list_query read_list_query(const json& payload, const settings& config);

// {id} or {ids: [...]}: distinct ids, at most max_page_size of them.
std::vector<std::int64_t> read_ids(const json& payload, const settings& config);

// {upTo?}: read_all marks only ids up to this one, when given.
std::optional<std::int64_t> read_up_to(const json& payload);

// Unicode characters in UTF-8 text (what a user calls the length of a title).
std::size_t utf8_length(std::string_view text);

}  // namespace switchboard::plugins::notifications
