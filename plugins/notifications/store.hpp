// The notifications_* tables: every SQL statement of the plugin lives here, written
// once for SQLite and PostgreSQL (named parameters, integer Unix-millisecond times).
//
// Notifications come back in the shape clients see:
//   {id, type, title, message, data, createdAt, readAt}   (readAt null while unread)
// Announcements: {id, type, title, message, data, createdAt, author}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>
#include <switchboard/support.hpp>

#include "payloads.hpp"

namespace switchboard::plugins::notifications {

using sdk::unix_ms;   // what the tables store (switchboard/support.hpp)

class store {
public:
    explicit store(sdk::plugin& plugin) : plugin_(plugin) {}

    // Stores one notification per recipient, in one transaction. Returns them in the
    // order of `user_ids`.
    std::vector<json> add(const std::vector<std::string>& user_ids, const notification_input& input);

    std::int64_t unread_count(const std::string& user_id);

    // Newest first. Asks one row more than the page to know whether another follows.
    std::vector<json> page(const std::string& user_id, const list_query& query, bool& more);

    // Marks `ids` read. All of them must be the user's (otherwise sdk::error
    // not_found, and nothing changes). Returns the ids that were unread until now.
    std::vector<std::int64_t> mark_read(const std::string& user_id, const std::vector<std::int64_t>& ids,
                                        std::int64_t read_at);

    // Marks every unread notification of the user read (those up to `up_to` only,
    // when given). Returns how many changed.
    std::uint64_t mark_all_read(const std::string& user_id, std::optional<std::int64_t> up_to, std::int64_t read_at);

    json add_announcement(const std::string& author, const notification_input& input);
    std::vector<json> announcements(const list_query& query, bool& more);

private:
    sdk::plugin& plugin_;
};

}  // namespace switchboard::plugins::notifications
