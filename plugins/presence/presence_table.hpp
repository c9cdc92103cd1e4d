// presence_users: each user's chosen status and when they were last seen (Unix ms).
// The chosen status survives a disconnect, so "busy" is still "busy" when the user's
// next device connects.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <switchboard/sdk.hpp>
#include <switchboard/support.hpp>

namespace switchboard::plugins::presence {

class presence_table {
public:
    explicit presence_table(sdk::plugin& p) : plugin_(p) {}

    // The status the user chose last, if they ever connected.
    std::optional<std::string> saved_status(const std::string& user_id);
    // Records the user's status and the time they were seen.
    void save(const std::string& user_id, std::string_view status, std::int64_t seen_at);
    // Records the time they were seen, keeping their status.
    void touch(const std::string& user_id, std::int64_t seen_at);
    // user id -> last seen, for the ids that have a row.
    std::map<std::string, std::int64_t> last_seen(const std::vector<std::string>& user_ids);

private:
    sdk::plugin& plugin_;
};

using sdk::unix_ms;   // what the tables store (switchboard/support.hpp)

}  // namespace switchboard::plugins::presence
