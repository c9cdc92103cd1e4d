#include "client_events.hpp"

#include "payloads.hpp"

namespace switchboard::plugins::notifications {

namespace {

using sdk::event;

bool has_role(const json& user, const std::string& role) {
    if (!user.is_object()) return false;
    const auto roles = user.find("roles");
    if (roles == user.end()) return false;
    if (roles->is_string()) return roles->get_ref<const std::string&>() == role;
    if (!roles->is_array()) return false;
    for (const auto& item : *roles)
        if (item.is_string() && item.get_ref<const std::string&>() == role) return true;
    return false;
}

json page_answer(std::vector<json> items, bool more) {
    const json next = more && !items.empty() ? items.back()["id"] : json(nullptr);
    return json{{"items", std::move(items)}, {"nextBefore", next}};
}

}  // namespace

void register_client_events(sdk::plugin& p, const settings& config, notifier& delivery) {
    // Every event: sdk::plugin::serve's convention (README, Client events), for a
    // signed-in socket only (sdk::event::require_user: "unauthorized").
    const std::string& nsp = config.nsp;

    p.serve(nsp, "notification:list", [&config, &delivery](event& e) -> json {
        const auto user_id = e.require_user();
        const auto query = read_list_query(object_argument(e.args, true), config);
        if (!e.wants_ack()) return nullptr;   // a page nobody waits for
        bool more = false;
        auto items = delivery.storage().page(user_id, query, more);
        json result = page_answer(std::move(items), more);
        result["unreadCount"] = delivery.storage().unread_count(user_id);
        return result;
    });

    p.serve(nsp, "notification:read", [&config, &delivery](event& e) -> json {
        const auto user_id = e.require_user();
        const auto ids = read_ids(object_argument(e.args, false), config);
        return delivery.mark_read(user_id, ids);
    });

    p.serve(nsp, "notification:read_all", [&delivery](event& e) -> json {
        const auto user_id = e.require_user();
        const auto up_to = read_up_to(object_argument(e.args, true));
        return delivery.mark_all_read(user_id, up_to);
    });

    p.serve(nsp, "notification:announce", [&config, &delivery](event& e) -> json {
        const auto user_id = e.require_user();
        // The role is checked before the payload: a refusal tells nothing about it.
        if (!has_role(e.user, config.announce_role))
            throw sdk::error("forbidden", "announcements need the role " + config.announce_role);
        const auto input = read_notification(object_argument(e.args, false), config, "announcement");
        return json{{"announcement", delivery.announce(user_id, input)}};
    });

    p.serve(nsp, "notification:announcements", [&config, &delivery](event& e) -> json {
        e.require_user();
        auto query = read_list_query(object_argument(e.args, true), config);
        if (!e.wants_ack()) return nullptr;
        query.unread_only = false;   // announcements have no read state
        bool more = false;
        auto items = delivery.storage().announcements(query, more);
        return page_answer(std::move(items), more);
    });
}

}  // namespace switchboard::plugins::notifications
