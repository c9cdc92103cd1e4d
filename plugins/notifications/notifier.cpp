#include "notifier.hpp"

namespace switchboard::plugins::notifications {

std::vector<json> notifier::send(const std::vector<std::string>& user_ids, const notification_input& input) {
    auto stored = store_.add(user_ids, input);
    for (std::size_t i = 0; i < stored.size(); ++i) {
        const auto& user_id = user_ids[i];
        // Counted after the insert committed: the count includes this notification.
        const auto unread = store_.unread_count(user_id);
        plugin_.emit(sdk::target::to_user(config_.nsp, user_id), "notification:new",
                     json::array({json{{"notification", stored[i]}, {"unreadCount", unread}}}));
        stored[i]["userId"] = user_id;
    }
    plugin_.count("sent", static_cast<std::int64_t>(stored.size()));
    return stored;
}

json notifier::mark_read(const std::string& user_id, const std::vector<std::int64_t>& ids) {
    const std::int64_t read_at = unix_ms();
    const auto newly_read = store_.mark_read(user_id, ids, read_at);
    const auto unread = store_.unread_count(user_id);
    // Nothing changed (all were read already): the other devices know it already.
    if (!newly_read.empty())
        plugin_.emit(sdk::target::to_user(config_.nsp, user_id), "notification:read",
                     json::array({json{{"ids", newly_read}, {"readAt", read_at}, {"unreadCount", unread}}}));
    return json{{"ids", newly_read}, {"unreadCount", unread}};
}

json notifier::mark_all_read(const std::string& user_id, std::optional<std::int64_t> up_to) {
    const std::int64_t read_at = unix_ms();
    const auto updated = store_.mark_all_read(user_id, up_to, read_at);
    const auto unread = store_.unread_count(user_id);
    if (updated > 0)
        plugin_.emit(sdk::target::to_user(config_.nsp, user_id), "notification:read_all",
                     json::array({json{{"upTo", up_to ? json(*up_to) : json(nullptr)},
                                       {"readAt", read_at},
                                       {"unreadCount", unread}}}));
    return json{{"updated", updated}, {"unreadCount", unread}};
}

json notifier::announce(const std::string& author, const notification_input& input) {
    auto announcement = store_.add_announcement(author, input);
    plugin_.emit(sdk::target::to_namespace(config_.nsp), "notification:announcement",
                 json::array({json{{"announcement", announcement}}}));
    plugin_.count("announcements");
    return announcement;
}

}  // namespace switchboard::plugins::notifications
