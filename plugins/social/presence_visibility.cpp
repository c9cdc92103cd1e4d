#include "presence_visibility.hpp"

#include <algorithm>

#include <switchboard/sdk/other_nodes.hpp>

#include "context.hpp"
#include "payload.hpp"

namespace switchboard::plugins::social {

namespace {

constexpr std::string_view presence_room_prefix = "presence:user:";

// Another node's serverSideEmit("social:cluster", {op: "presence_recheck", a, b}): a
// relation between a and b ended there, and the watchers here must be looked at too.
constexpr std::string_view channel = "social:cluster";

std::string room_of(const std::string& user) { return std::string(presence_room_prefix) + user; }

// May `watcher` see `watched`'s presence? Always themselves; never across a block.
bool may_see(social_context& ctx, const std::string& watcher, const std::string& watched) {
    if (watcher == watched) return true;
    if (ctx.store.blocked_between(watcher, watched)) return false;
    switch (ctx.config.presence) {
        case presence_visibility::everyone: return true;
        case presence_visibility::followers: return ctx.store.follow_status(watcher, watched) == "active";
        case presence_visibility::friends: return ctx.store.are_friends(watcher, watched);
    }
    return false;
}

const char* refusal_for(presence_visibility mode) {
    switch (mode) {
        case presence_visibility::followers: return "only this user's approved followers see their presence";
        case presence_visibility::friends: return "only this user's friends see their presence";
        case presence_visibility::everyone: break;
    }
    return "not possible with this user";
}

}  // namespace

void presence_watchers::add(sdk::socket_id socket, const std::string& watcher, const std::string& watched) {
    std::lock_guard lock(mutex_);
    auto& sockets = sockets_[{watcher, watched}];
    if (std::find(sockets.begin(), sockets.end(), socket) != sockets.end()) return;
    sockets.push_back(socket);
    pairs_of_socket_.emplace(socket, std::make_pair(watcher, watched));
}

std::vector<sdk::socket_id> presence_watchers::take(const std::string& watcher, const std::string& watched) {
    std::lock_guard lock(mutex_);
    const auto found = sockets_.find({watcher, watched});
    if (found == sockets_.end()) return {};
    auto sockets = std::move(found->second);
    sockets_.erase(found);
    for (const auto socket : sockets) {
        auto [first, last] = pairs_of_socket_.equal_range(socket);
        for (auto it = first; it != last;) {
            it = it->second == std::make_pair(watcher, watched) ? pairs_of_socket_.erase(it) : std::next(it);
        }
    }
    return sockets;
}

void presence_watchers::drop_socket(sdk::socket_id socket) {
    std::lock_guard lock(mutex_);
    auto [first, last] = pairs_of_socket_.equal_range(socket);
    for (auto it = first; it != last; ++it) {
        const auto found = sockets_.find(it->second);
        if (found == sockets_.end()) continue;
        auto& sockets = found->second;
        sockets.erase(std::remove(sockets.begin(), sockets.end(), socket), sockets.end());
        if (sockets.empty()) sockets_.erase(found);
    }
    pairs_of_socket_.erase(first, last);
}

std::string_view watched_user_of_room(std::string_view room) {
    if (room.substr(0, presence_room_prefix.size()) != presence_room_prefix) return {};
    return room.substr(presence_room_prefix.size());
}

void register_presence_visibility(social_context& ctx) {
    // Every namespace: presence serves them all.
    ctx.p.on_join([&ctx](const sdk::socket_info& socket, std::string_view room) {
        const std::string watched(watched_user_of_room(room));
        if (watched.empty()) return;
        const std::string watcher = socket.user_id();
        if (watcher.empty()) throw sdk::error("unauthorized", "sign in to see presence");
        // Recorded before the check: a relation ending between the check and the join
        // then finds this socket to take out (recheck_presence).
        ctx.watchers.add(socket.socket, watcher, watched);
        if (!may_see(ctx, watcher, watched)) {
            // Other sockets of the watcher still in the room lost their consent too.
            for (const auto other : ctx.watchers.take(watcher, watched))
                if (other != socket.socket) ctx.p.leave(other, room);
            throw sdk::error("forbidden", refusal_for(ctx.config.presence));
        }
    });
    ctx.p.on_disconnect([&ctx](const sdk::socket_info& socket, std::string_view) {
        ctx.watchers.drop_socket(socket.socket);
    }, "*", sdk::handler_options{true});
    sdk::on_other_nodes(ctx.p, channel, {{"presence_recheck", [&ctx](const json& message) {
                            recheck_presence_here(ctx, read_user_id(message, "a"), read_user_id(message, "b"));
                        }}});
}

void recheck_presence(social_context& ctx, const std::string& a, const std::string& b) {
    recheck_presence_here(ctx, a, b);
    sdk::tell_other_nodes(ctx.p, channel, {{"op", "presence_recheck"}, {"a", a}, {"b", b}});
}

void recheck_presence_here(social_context& ctx, const std::string& a, const std::string& b) {
    for (const auto& [watcher, watched] : {std::pair{a, b}, std::pair{b, a}}) {
        if (may_see(ctx, watcher, watched)) continue;
        for (const auto socket : ctx.watchers.take(watcher, watched)) ctx.p.leave(socket, room_of(watched));
    }
}

}  // namespace switchboard::plugins::social
