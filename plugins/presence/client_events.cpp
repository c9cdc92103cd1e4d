#include "client_events.hpp"

#include <algorithm>
#include <unordered_set>

#include "payloads.hpp"
#include "rooms.hpp"

namespace switchboard::plugins::presence {

namespace {

using sdk::event;

// Joins the rooms of every id asked for: the fresh ones (just added to the registry)
// and again those followed already, so that asking again is authorized again (the
// deployment's join hooks decide who may see whose presence, and that can change).
// Those refused are taken out of the registry and the room, and reported; the others
// stand.
json join_rooms(sdk::plugin& p, subscription_registry& subscriptions, const event& e,
                const std::vector<std::string>& ids, const std::vector<std::string>& fresh,
                std::unordered_set<std::string>& refused) {
    json denied = json::array();
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto& id = ids[i];
        try {
            p.join(e.socket, room_for_user(id), true);
        } catch (const sdk::error& refusal) {
            subscriptions.remove(e.socket, {id});
            p.leave(e.socket, room_for_user(id));
            refused.insert(id);
            denied.push_back(json{{"userId", id}, {"code", refusal.code()}, {"message", refusal.what()}});
        } catch (...) {
            // The kernel failed: leave nothing counted that was not joined.
            std::vector<std::string> unjoined;
            for (std::size_t j = i; j < ids.size(); ++j)
                if (std::find(fresh.begin(), fresh.end(), ids[j]) != fresh.end()) unjoined.push_back(ids[j]);
            subscriptions.remove(e.socket, unjoined);
            throw;
        }
    }
    return denied;
}

}  // namespace

void register_client_events(sdk::plugin& p, services& s) {
    // Every event: sdk::plugin::serve's convention (README, Acks), in every namespace,
    // for a signed-in socket only (sdk::event::require_user: "unauthorized").
    p.serve("*", "presence:subscribe", [&p, &s](event& e) -> json {
        e.require_user();
        const auto ids = read_user_ids(e.args, s.config.max_user_ids);
        const auto fresh = s.subscriptions.add(e.socket, ids, s.config.max_subscriptions);
        if (!fresh)
            throw sdk::error("limit_exceeded", "a socket follows at most " +
                                                   std::to_string(s.config.max_subscriptions) +
                                                   " users: unsubscribe from some first");
        std::unordered_set<std::string> refused;
        json denied = join_rooms(p, s.subscriptions, e, ids, *fresh, refused);
        if (!e.wants_ack()) return nullptr;   // a state nobody waits for
        // Read after joining: a change made meanwhile is in the state or in an update.
        std::vector<std::string> granted;
        for (const auto& id : ids)
            if (!refused.count(id)) granted.push_back(id);
        return json{{"users", s.tracker.states_of(granted)}, {"denied", std::move(denied)}};
    });

    p.serve("*", "presence:unsubscribe", [&p, &s](event& e) -> json {
        e.require_user();
        const auto ids = read_user_ids(e.args, s.config.max_user_ids);
        const auto removed = s.subscriptions.remove(e.socket, ids);
        for (const auto& id : removed) p.leave(e.socket, room_for_user(id));
        return json{{"userIds", removed}};
    });

    p.serve("*", "presence:set", [&s](event& e) -> json {
        const auto user_id = e.require_user();
        const auto status = read_status(e.args);
        return s.tracker.set_status(user_id, status);
    });

    p.serve("*", "presence:count", [&p, &s](event& e) -> json {
        e.require_user();
        if (const auto subscribe = read_count_request(e.args)) {
            if (*subscribe) p.join(e.socket, count_room, true);
            else p.leave(e.socket, count_room);
        }
        return json{{"count", s.store.users_in(e.nsp)}};
    });
}

}  // namespace switchboard::plugins::presence
