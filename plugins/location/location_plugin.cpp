// location: live positions shared to a room or to chosen users, throttled per user,
// the last known one kept in memory for a while and given to whoever joins, and never
// sent to anyone outside the audience its sharer chose.
// README.md documents every event, payload, ack, error code and config key.
//
// Everything but location:join and location:leave runs inline: no handler touches the
// database, and a position relayed from the network worker is not queued behind slow work.
//
// Several nodes on Redis: positions reach the audience on every node through the
// cluster's broadcasts; what the book remembers (for joiners and location:list) is kept
// on every node by a serverSideEmit `location:cluster` of each share made here ("put")
// and each share ended here ("end"), which the other nodes apply without announcing.
#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <switchboard/sdk.hpp>
#include <switchboard/support.hpp>
#include <switchboard/sdk/other_nodes.hpp>

#include "payload.hpp"
#include "position_book.hpp"
#include "settings.hpp"

namespace switchboard::plugins::location {

namespace {

using sdk::target;
using sdk::unix_ms;

// The Socket.IO room of location room `name`: its own prefix, so a client cannot
// reach another feature's room through location:join.
std::string room_of(const std::string& name) { return "location:" + name; }

json position_json(const known_position& p, const std::optional<std::string>& room) {
    json out = to_json(p.where);
    out["user"] = p.user;
    if (room) out["room"] = *room;
    out["at"] = p.at;
    return out;
}

json positions_json(const std::vector<known_position>& positions, const std::optional<std::string>& room) {
    json out = json::array();
    for (const auto& p : positions) out.push_back(position_json(p, room));
    return out;
}

// The name of this plugin's messages to its copies on the other nodes (serverSideEmit).
constexpr std::string_view cluster_event = "location:cluster";

json ended_json(const std::vector<ended_share>& ended) {
    json out = json::array();
    for (const auto& share : ended) {
        json item{{"user", share.user}};
        if (share.room) item["room"] = *share.room;
        else item["users"] = share.recipients;
        out.push_back(std::move(item));
    }
    return out;
}

std::vector<ended_share> ended_from(const json& shares) {
    std::vector<ended_share> out;
    if (!shares.is_array()) return out;
    for (const auto& item : shares) {
        if (!item.is_object() || !item.value("user", json()).is_string()) continue;
        ended_share share{item["user"].get<std::string>(), std::nullopt, {}};
        if (item.value("room", json()).is_string()) share.room = item["room"].get<std::string>();
        else if (item.value("users", json()).is_array())
            for (const auto& u : item["users"])
                if (u.is_string()) share.recipients.push_back(u.get<std::string>());
        out.push_back(std::move(share));
    }
    return out;
}

struct location_plugin {
    location_plugin(sdk::plugin& plugin, settings s) : p(plugin), config(std::move(s)), book(config.min_interval, config.ttl) {}

    sdk::plugin& p;
    const settings config;
    position_book book;

    // Held from a change of the book to telling the other nodes of it, so they hear the
    // changes in the order the book made them (a share's end never before the share).
    std::mutex cluster_order;

    // Tells the other nodes what this one's book learned; nothing without a cluster.
    void tell_cluster(json message) { sdk::tell_other_nodes(p, cluster_event, std::move(message)); }

    // Ends shares in the book with `change` and tells the other nodes which.
    template <class Change>
    std::vector<ended_share> end_shares(Change change) {
        std::lock_guard lock(cluster_order);
        auto ended = change();
        if (!ended.empty()) tell_cluster({{"op", "end"}, {"shares", ended_json(ended)}});
        return ended;
    }

    void announce_ended(const std::vector<ended_share>& ended, std::string_view reason) {
        for (const auto& share : ended) {
            json payload{{"user", share.user}, {"reason", reason}};
            if (share.room) {
                payload["room"] = *share.room;
                p.emit(target::to_room(config.nsp, room_of(*share.room)), "location:stopped", json::array({payload}));
                continue;
            }
            for (const auto& recipient : share.recipients)
                p.emit(target::to_user(config.nsp, recipient), "location:stopped", json::array({payload}));
        }
    }

    json join(sdk::event& e) {
        e.require_user();
        const auto room = read_room(payload_of(e.args));
        if (!book.is_member(e.socket, room) && book.rooms_of(e.socket) >= config.max_rooms)
            throw sdk::error("limit_reached", "a socket follows at most " + std::to_string(config.max_rooms) +
                                                  " location rooms: leave one first");
        // Join hooks (a deployment's own rules on who may follow whom) decide first;
        // a refusal reaches the client with their code.
        p.join(e.socket, room_of(room), true);
        book.joined(e.socket, room);
        return {{"room", room}, {"positions", positions_json(book.in_room(room, position_book::clock::now()), room)}};
    }

    json leave(sdk::event& e) {
        const auto room = read_room(payload_of(e.args));
        p.leave(e.socket, room_of(room));
        announce_ended(end_shares([&] { return book.left(e.socket, room); }), "left");
        return {{"room", room}};
    }

    json share(sdk::event& e) {
        const auto user = e.require_user();
        const auto request = read_share(payload_of(e.args), user, config.max_recipients);
        if (request.to.room && !book.is_member(e.socket, *request.to.room))
            throw sdk::error("forbidden", "join the room (location:join) before sharing to it");
        const auto now = position_book::clock::now();
        if (const auto wait = book.admit(user, request.to, now); wait.count() > 0) {
            p.count("shares_throttled");
            throw sdk::error("rate_limited", "too many positions: retry in " + std::to_string(wait.count()) + " ms");
        }
        const auto at = unix_ms();
        json replica = to_json(request.where);
        if (request.to.room) replica["room"] = *request.to.room;
        else replica["users"] = request.to.users;
        replica.update({{"op", "put"}, {"user", user}, {"at", at}, {"ttl", config.ttl.count()}});
        {
            std::lock_guard lock(cluster_order);
            book.put(user, e.socket, request.to, request.where, at, now);
            tell_cluster(std::move(replica));
        }
        p.count("shares");
        const json update = position_json({user, request.where, at}, request.to.room);
        if (request.to.room) {
            // The sharer's socket learns from its ack; its other devices in the room see it.
            p.emit(target::to_room(config.nsp, room_of(*request.to.room)).except(e.socket), "location:update",
                   json::array({update}));
        } else {
            // One emit per recipient: none learns who else receives it.
            for (const auto& recipient : request.to.users)
                p.emit(target::to_user(config.nsp, recipient), "location:update", json::array({update}));
        }
        return {{"at", at}};
    }

    json stop(sdk::event& e) {
        const auto user = e.require_user();
        const auto what = read_stop(payload_of(e.args, true), config.max_recipients);
        const auto ended = end_shares([&] { return book.stop(user, what); });
        announce_ended(ended, "stopped");
        return {{"stopped", ended.size()}};
    }

    // Another node's put, in the order that node sent it (on_other_nodes logs and skips
    // a message this version cannot read: the nodes may run different versions).
    void put_from_cluster(const json& message) {
        if (!message.value("user", json()).is_string() || !message.value("at", json()).is_number_integer() ||
            !message.value("ttl", json()).is_number_integer())
            throw sdk::error("invalid_payload", "not a put");
        const auto user = message["user"].get<std::string>();
        const auto share = read_share(message, user, config.max_recipients);
        // It expires when it does on its node: `at` + ttl on the wall clock, which
        // the nodes share (NTP), where their steady clocks have nothing in common.
        const auto at = message["at"].get<std::int64_t>();
        const auto ttl = std::clamp<std::int64_t>(message["ttl"].get<std::int64_t>(), 0, 86'400'000);
        const auto left = std::chrono::milliseconds(std::max<std::int64_t>(0, at + ttl - unix_ms()));
        book.put_remote(user, share.to, share.where, at, left, position_book::clock::now());
    }

    json list(sdk::event& e) {
        const auto user = e.require_user();
        const auto& payload = payload_of(e.args, true);
        const auto now = position_book::clock::now();
        if (!payload.contains("room")) return {{"positions", positions_json(book.shared_with(user, now), std::nullopt)}};
        const auto room = read_room(payload);
        if (!book.is_member(e.socket, room)) throw sdk::error("forbidden", "join the room before listing it");
        return {{"room", room}, {"positions", positions_json(book.in_room(room, now), room)}};
    }
};

std::unique_ptr<location_plugin> instance;

void load(sdk::plugin& p) {
    instance = std::make_unique<location_plugin>(p, read_settings(p.config()));
    auto& self = *instance;
    const auto& nsp = self.config.nsp;
    const sdk::handler_options inline_handler{true};
    // Pooled: the join hooks it runs may block (a deployment's database, a Lua script).
    // Leave is pooled too, so a leave sent right after a join is handled after it.
    p.serve(nsp, "location:join", [&self](sdk::event& e) { return self.join(e); });
    p.serve(nsp, "location:leave", [&self](sdk::event& e) { return self.leave(e); });
    p.serve(nsp, "location:share", [&self](sdk::event& e) { return self.share(e); }, inline_handler);
    p.serve(nsp, "location:stop", [&self](sdk::event& e) { return self.stop(e); }, inline_handler);
    p.serve(nsp, "location:list", [&self](sdk::event& e) { return self.list(e); }, inline_handler);

    // Inline, so the audience learns at once that a disconnected device stopped sharing.
    p.on_disconnect([&self](const sdk::socket_info& s, std::string_view) {
        self.announce_ended(self.end_shares([&] { return self.book.disconnected(s.socket); }), "disconnected");
    }, nsp, inline_handler);
    // Pooled too: it runs after the socket's queued pooled handlers, so a location:join
    // still in flight at disconnect cannot leave a membership behind.
    p.on_disconnect([&self](const sdk::socket_info& s, std::string_view) { self.book.disconnected(s.socket); }, nsp);

    sdk::on_other_nodes(p, cluster_event,
                        {{"put", [&self](const json& m) { self.put_from_cluster(m); }},
                         {"end", [&self](const json& m) { self.book.end_remote(ended_from(m.value("shares", json()))); }}});

    // One sweep for every position instead of a timer per share; its period bounds how
    // late an expiry is announced to a small fraction of the ttl.
    const auto period = std::clamp(self.config.ttl / 10, std::chrono::milliseconds(20), std::chrono::milliseconds(1000));
    p.start_timer(period, period, [&self] {
        self.announce_ended(self.end_shares([&] { return self.book.expire(position_book::clock::now()); }), "expired");
    }, inline_handler);
}

}  // namespace

}  // namespace switchboard::plugins::location

SWITCHBOARD_PLUGIN("location", "1.0.0", "Live location sharing to rooms or chosen users, throttled, with a TTL",
                   switchboard::plugins::location::config_schema, switchboard::plugins::location::load)
