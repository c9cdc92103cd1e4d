#include "client_events.hpp"

#include <unordered_set>

#include "payloads.hpp"
#include "rooms.hpp"

namespace switchboard::plugins::presence {

namespace {

using sdk::event;

void answer(const event& e, json result) { e.ack(json::array({nullptr, std::move(result)})); }

std::string signed_in_user(const event& e) {
    auto id = user_id_of(e.user);
    if (id.empty()) throw sdk::error("forbidden", "sign in to use presence");
    return id;
}

// Joins the rooms of `fresh` (ids just added to the registry). The join hooks of the
// deployment may refuse some (who may see whose presence is theirs to say): those are
// taken back out of the registry and reported, the others stand.
json join_rooms(sdk::plugin& p, subscription_registry& subscriptions, const event& e,
                const std::vector<std::string>& fresh, std::unordered_set<std::string>& refused) {
    json denied = json::array();
    for (std::size_t i = 0; i < fresh.size(); ++i) {
        const auto& id = fresh[i];
        try {
            p.join(e.socket, room_for_user(id), true);
        } catch (const sdk::error& refusal) {
            subscriptions.remove(e.socket, {id});
            refused.insert(id);
            denied.push_back(json{{"userId", id}, {"code", refusal.code()}, {"message", refusal.what()}});
        } catch (...) {
            // The kernel failed: leave nothing counted that was not joined.
            subscriptions.remove(e.socket, std::vector<std::string>(fresh.begin() + i, fresh.end()));
            throw;
        }
    }
    return denied;
}

}  // namespace

void register_client_events(sdk::plugin& p, services& s) {
    p.on("presence:subscribe", [&p, &s](event& e) {
        signed_in_user(e);
        const auto ids = read_user_ids(e.args, s.config.max_user_ids);
        const auto fresh = s.subscriptions.add(e.socket, ids, s.config.max_subscriptions);
        if (!fresh)
            throw sdk::error("limit_exceeded", "a socket follows at most " +
                                                   std::to_string(s.config.max_subscriptions) +
                                                   " users: unsubscribe from some first");
        std::unordered_set<std::string> refused;
        json denied = join_rooms(p, s.subscriptions, e, *fresh, refused);
        if (!e.wants_ack()) return;   // a state nobody waits for
        // Read after joining: a change made meanwhile is in the state or in an update.
        std::vector<std::string> granted;
        for (const auto& id : ids)
            if (!refused.count(id)) granted.push_back(id);
        answer(e, json{{"users", s.tracker.states_of(granted)}, {"denied", std::move(denied)}});
    });

    p.on("presence:unsubscribe", [&p, &s](event& e) {
        signed_in_user(e);
        const auto ids = read_user_ids(e.args, s.config.max_user_ids);
        const auto removed = s.subscriptions.remove(e.socket, ids);
        for (const auto& id : removed) p.leave(e.socket, room_for_user(id));
        answer(e, json{{"userIds", removed}});
    });

    p.on("presence:set", [&s](event& e) {
        const auto user_id = signed_in_user(e);
        const auto status = read_status(e.args);
        answer(e, s.tracker.set_status(user_id, status));
    });

    p.on("presence:count", [&p, &s](event& e) {
        signed_in_user(e);
        if (const auto subscribe = read_count_request(e.args)) {
            if (*subscribe) p.join(e.socket, count_room, true);
            else p.leave(e.socket, count_room);
        }
        answer(e, json{{"count", s.store.users_in(e.nsp)}});
    });
}

}  // namespace switchboard::plugins::presence
