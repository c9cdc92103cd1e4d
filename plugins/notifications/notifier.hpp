// Stores a change, then tells every device it concerns: the one path shared by
// client events, the HTTP API and the bus, so each change reaches clients alike.
//
// Pushes (all to every device of the user, the one that caused the change included):
//   notification:new       {notification, unreadCount}
//   notification:read     {ids, readAt, unreadCount}
//   notification:read_all  {upTo, readAt, unreadCount}
// and to every socket of the namespace:
//   notification:announcement {announcement}
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

#include "payloads.hpp"
#include "settings.hpp"
#include "store.hpp"

namespace switchboard::plugins::notifications {

class notifier {
public:
    notifier(sdk::plugin& plugin, const settings& config) : plugin_(plugin), config_(config), store_(plugin) {}

    notifications::store& storage() { return store_; }

    // Returns what was stored, one notification per recipient, each with its userId.
    std::vector<json> send(const std::vector<std::string>& user_ids, const notification_input& input);

    // {ids, unreadCount}: ids are those that were unread until now.
    json mark_read(const std::string& user_id, const std::vector<std::int64_t>& ids);
    // {updated, unreadCount}
    json mark_all_read(const std::string& user_id, std::optional<std::int64_t> up_to);

    json announce(const std::string& author, const notification_input& input);

private:
    sdk::plugin& plugin_;
    const settings& config_;
    notifications::store store_;
};

}  // namespace switchboard::plugins::notifications
