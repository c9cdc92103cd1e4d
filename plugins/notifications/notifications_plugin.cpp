// notifications: persisted per-user notifications, delivered at once to every device
// of the user and, for a user who was away, when a device connects; plus system
// announcements to everyone. README.md documents every event, payload and key.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <switchboard/sdk.hpp>

#include "backend_api.hpp"
#include "client_events.hpp"
#include "notifier.hpp"
#include "settings.hpp"

namespace switchboard::plugins::notifications {

namespace {

using sdk::socket_info;
using sdk::target;

struct plugin_state {
    plugin_state(sdk::plugin& p, settings s) : config(std::move(s)), delivery(p, config) {}
    settings config;
    notifier delivery;
};

// The handlers hold references into this; it lives as long as the library, and the
// kernel loads a plugin once.
std::unique_ptr<plugin_state> state;

// What a device missed: the newest unread notifications and the count, once the
// socket is accepted (on_connected: the CONNECT reply does not wait for this query, and
// a socket another plugin refuses costs none).
void send_unread(sdk::plugin& p, plugin_state& s, const socket_info& socket) {
    const auto user_id = socket.user_id();
    if (user_id.empty()) return;   // an anonymous socket has no notifications
    // A recovered socket missed nothing: what was notified meanwhile is replayed to it
    // in order, and sending the unread list again would show it twice.
    if (socket.recovered()) return;
    try {
        auto& storage = s.delivery.storage();
        std::vector<json> items;
        if (s.config.unread_on_connect > 0) {
            list_query query;
            query.limit = s.config.unread_on_connect;
            query.unread_only = true;
            bool more = false;
            items = storage.page(user_id, query, more);
        }
        const auto unread = storage.unread_count(user_id);
        p.emit(target::to_socket(socket.socket), "notification:unread",
               json::array({json{{"items", std::move(items)}, {"unreadCount", unread}}}));
    } catch (const std::exception& failure) {
        // A database hiccup costs the device this list only: it can still ask
        // notification:list later.
        p.log_warn(std::string("unread notifications not sent on connect: ") + failure.what());
    }
}

void load(sdk::plugin& p) {
    state = std::make_unique<plugin_state>(p, read_settings(p.config()));
    auto& s = *state;
    p.on_connected([&p, &s](const socket_info& socket) { send_unread(p, s, socket); }, s.config.nsp);
    register_client_events(p, s.config, s.delivery);
    register_backend_api(p, s.config, s.delivery);
}

}  // namespace

}  // namespace switchboard::plugins::notifications

SWITCHBOARD_PLUGIN("notifications", "1.0.0", "Per-user notifications, delivered live and on reconnect; announcements",
                   switchboard::plugins::notifications::config_schema, switchboard::plugins::notifications::load)
