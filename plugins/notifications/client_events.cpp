#include "client_events.hpp"

#include "payloads.hpp"

namespace switchboard::plugins::notifications {

namespace {

using sdk::event;

// Every handler answers [null, result] on success; a thrown sdk::error becomes
// [{code, message}] through the SDK.
void answer(const event& e, json result) { e.ack(json::array({nullptr, std::move(result)})); }

std::string signed_in_user(const event& e) {
    auto id = user_id_of(e.user);
    if (id.empty()) throw sdk::error("forbidden", "sign in to use notifications");
    return id;
}

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

std::string user_id_of(const json& user) {
    if (!user.is_object()) return {};
    const auto id = user.find("id");
    if (id == user.end() || !id->is_string()) return {};
    return id->get<std::string>();
}

void register_client_events(sdk::plugin& p, const settings& config, notifier& delivery) {
    const std::string& nsp = config.nsp;

    p.on(nsp, "notification:list", [&config, &delivery](event& e) {
        const auto user_id = signed_in_user(e);
        const auto query = read_list_query(object_argument(e.args, true), config);
        if (!e.wants_ack()) return;   // a page nobody waits for
        bool more = false;
        auto items = delivery.storage().page(user_id, query, more);
        json result = page_answer(std::move(items), more);
        result["unreadCount"] = delivery.storage().unread_count(user_id);
        answer(e, std::move(result));
    });

    p.on(nsp, "notification:read", [&config, &delivery](event& e) {
        const auto user_id = signed_in_user(e);
        const auto ids = read_ids(object_argument(e.args, false), config);
        answer(e, delivery.mark_read(user_id, ids));
    });

    p.on(nsp, "notification:read_all", [&delivery](event& e) {
        const auto user_id = signed_in_user(e);
        const auto up_to = read_up_to(object_argument(e.args, true));
        answer(e, delivery.mark_all_read(user_id, up_to));
    });

    p.on(nsp, "notification:announce", [&config, &delivery](event& e) {
        const auto user_id = signed_in_user(e);
        // The role is checked before the payload: a refusal tells nothing about it.
        if (!has_role(e.user, config.announce_role))
            throw sdk::error("forbidden", "announcements need the role " + config.announce_role);
        const auto input = read_notification(object_argument(e.args, false), config, "announcement");
        answer(e, json{{"announcement", delivery.announce(user_id, input)}});
    });

    p.on(nsp, "notification:announcements", [&config, &delivery](event& e) {
        signed_in_user(e);
        auto query = read_list_query(object_argument(e.args, true), config);
        if (!e.wants_ack()) return;
        query.unread_only = false;   // announcements have no read state
        bool more = false;
        auto items = delivery.storage().announcements(query, more);
        answer(e, page_answer(std::move(items), more));
    });
}

}  // namespace switchboard::plugins::notifications
