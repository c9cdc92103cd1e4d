// Every SQL statement of the events plugin: participation and messages, on SQLite or
// PostgreSQL through the SDK. Blocking: pooled handlers only. Database failures throw
// sdk::database_error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::events {

using sdk::json;

// "attending" or "interested"; nothing is "not taking part".
using status = std::optional<std::string>;

struct attendee_counts {
    std::int64_t attending = 0;
    std::int64_t interested = 0;
    json to_json() const { return {{"attending", attending}, {"interested", interested}}; }
};

struct message_page {
    json messages = json::array();   // oldest first
    bool has_more = false;
};

class events_store {
public:
    explicit events_store(sdk::plugin& plugin) : plugin_(plugin) {}

    status status_of(const std::string& event, const std::string& user);
    // Sets `user`'s participation; returns what it was.
    status set_status(const std::string& event, const std::string& user, const status& to,
                      const std::string& name, std::int64_t now);
    attendee_counts counts(const std::string& event);
    // [{userId, name, status}], by name then id, at most 1000.
    json participants(const std::string& event);

    json add_message(const std::string& event, const std::string& user, const std::string& name,
                     const std::string& content, std::int64_t now);
    message_page history(const std::string& event, std::optional<std::int64_t> before, std::size_t limit);

private:
    sdk::plugin& plugin_;
};

}  // namespace switchboard::plugins::events
