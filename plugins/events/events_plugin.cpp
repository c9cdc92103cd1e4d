// events: event rooms that only participants may join, read or send to; participation
// set by the backend (the bus) or by users (a config switch), live attendee counts,
// persisted messages, typing. README.md documents every event, payload, ack, error
// code and config key.
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include <switchboard/sdk.hpp>

#include "cluster_sync.hpp"
#include "context.hpp"
#include "message_events.hpp"
#include "participation_events.hpp"

namespace switchboard::plugins::events {

using sdk::json;
using sdk::target;

events_context::events_context(sdk::plugin& plugin, settings s)
    : p(plugin), config(std::move(s)), store(plugin), typing(config.typing_timeout), filter(config.banned_words) {}

std::string room_of(const std::string& event) { return "events:" + event; }

std::string display_name(const json& user, const std::string& id) {
    if (user.is_object()) {
        const auto name = user.find("name");
        if (name != user.end() && name->is_string() && !name->get_ref<const std::string&>().empty() &&
            name->get_ref<const std::string&>().size() <= 400)
            return name->get<std::string>();
    }
    return id;
}

void announce_typing(events_context& ctx, const std::string& event, const std::string& user, const std::string& name,
                     bool typing) {
    json payload = {{"eventId", event}, {"userId", user}};
    if (typing) payload["userName"] = name;
    ctx.p.emit(target::to_room(ctx.config.nsp, room_of(event)).except("user:" + user),
               typing ? "events:typing" : "events:stop_typing", json::array({std::move(payload)}));
}

json set_participation(events_context& ctx, const std::string& event, const std::string& user, const status& to,
                       const std::string& name) {
    std::lock_guard order(ctx.locks.of(event));
    const status previous = ctx.store.set_status(event, user, to, name, unix_ms());
    const attendee_counts counts = ctx.store.counts(event);
    json result = {{"eventId", event},
                   {"userId", user},
                   {"status", to ? json(*to) : json(nullptr)},
                   {"previous", previous ? json(*previous) : json(nullptr)},
                   {"attendees", counts.to_json()}};
    if (previous == to) return result;

    // Who joined or left goes to the room on every node; the counts each node pushes
    // to its own sockets (cluster_sync.hpp says why).
    const target room = target::to_room(ctx.config.nsp, room_of(event));
    if (to)
        ctx.p.emit(room, "events:user_joined",
                   json::array({json{{"eventId", event}, {"userId", user}, {"status", *to},
                                     {"previous", result["previous"]}, {"user", {{"id", user}, {"name", name}}}}}));
    else
        ctx.p.emit(room, "events:user_left", json::array({json{{"eventId", event}, {"userId", user}, {"status", *previous}}}));
    // No longer a participant: out of the room on every socket, typing cleared (here,
    // and on the other nodes when they hear of it).
    if (!to) take_out_here(ctx, event, user);
    const json attendees = json::array({json{{"eventId", event}, {"attendees", counts.to_json()}}});
    for (const auto socket : ctx.joined.sockets_in(event))
        ctx.p.emit(target::to_socket(socket), "events:attendees", attendees);
    ctx.p.emit(target::to_user(ctx.config.nsp, user), "events:participation",
               json::array({json{{"eventId", event}, {"status", result["status"]}}}));
    tell_participation(ctx, event, user, !to);
    ctx.p.count(to ? "participations_set" : "participations_removed");
    return result;
}

namespace {

// The handlers hold references into this; it lives as long as the library, and the
// kernel loads a plugin once.
std::unique_ptr<events_context> context;

void load(sdk::plugin& p) {
    context = std::make_unique<events_context>(p, read_settings(p.config()));
    register_participation_events(*context);
    register_message_events(*context);
    register_cluster_sync(*context);
}

}  // namespace

}  // namespace switchboard::plugins::events

SWITCHBOARD_PLUGIN("events", "1.0.0", "Participant-only event rooms: participation, attendee counts, messages, typing",
                   switchboard::plugins::events::config_schema, switchboard::plugins::events::load)
