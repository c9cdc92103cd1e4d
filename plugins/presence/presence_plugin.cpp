// presence: who is online, in which status, and since when.
//
// A user is online while any of their sessions is connected (the kernel counts them);
// they choose a status (online, away, busy); last_seen is persisted. Clients follow
// users with presence:subscribe and get presence:update on every change, and may ask
// for a live, throttled count of the signed-in users of their namespace.
//
// This file wires the parts together; README.md documents the events.
#include <memory>

#include <switchboard/sdk.hpp>

#include "client_events.hpp"
#include "connection_tracker.hpp"
#include "count_broadcaster.hpp"
#include "payloads.hpp"
#include "presence_store.hpp"
#include "presence_table.hpp"
#include "presence_tracker.hpp"
#include "settings.hpp"
#include "subscriptions.hpp"

namespace {

using namespace switchboard::plugins::presence;
using switchboard::sdk::plugin;
using switchboard::sdk::socket_info;

// Everything the handlers share. Each handler holds a reference to it, so it lives
// until the SDK frees the last handler at unload.
struct plugin_state {
    plugin_state(plugin& p, settings config)
        : store(make_memory_store()),
          table(p),
          tracker(p, *store, table),
          connections(*store),
          counts(p, *store),
          handlers{config, *store, tracker, subscriptions} {}

    std::unique_ptr<presence_store> store;
    presence_table table;
    presence_tracker tracker;
    subscription_registry subscriptions;
    connection_tracker connections;
    count_broadcaster counts;
    services handlers;
};

void load(plugin& p) {
    auto state = std::make_shared<plugin_state>(p, read_settings(p.config()));
    const switchboard::sdk::handler_options inline_handler{true};

    // The kernel's first-session / last-session transitions. Two hooks may run out of
    // order, so each one re-reads the truth rather than trusting its flag.
    p.on_presence([state](std::string_view user_id, bool online) {
        const std::string id(user_id);
        state->tracker.reconcile(id, !online);
    });

    // Inline: it only touches memory. Once accepted (paired with the disconnect hook):
    // a refused socket is never counted.
    p.on_connected(
        [state, &p](const socket_info& s) {
            try {
                if (const auto user_id = s.user_id(); !user_id.empty())
                    state->connections.connected(s.socket, s.nsp, user_id);
            } catch (const std::exception& failure) {
                // Counting failed: the socket is served, only uncounted.
                p.log_error(std::string("cannot count a connection: ") + failure.what());
            }
        },
        "*", inline_handler);

    // Pooled, so it runs after the socket's queued events: a subscribe still waiting
    // there must not register after the socket was dropped.
    p.on_disconnect([state](const socket_info& s, std::string_view) {
        state->subscriptions.drop(s.socket);
        state->connections.disconnected(s.socket);
    });

    register_client_events(p, state->handlers);

    const auto interval = state->handlers.config.count_interval;
    p.start_timer(interval, interval, [state] { state->counts.tick(); });
}

}  // namespace

SWITCHBOARD_PLUGIN("presence", "1.0.0", "Who is online, their status and last seen, for subscribers",
                   switchboard::plugins::presence::config_schema, load)
