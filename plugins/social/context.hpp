// What every handler of the social plugin shares, and the few rules they all apply.
#pragma once

#include <cstdint>
#include <string>

#include <switchboard/sdk.hpp>
#include <switchboard/support.hpp>

#include "graph_store.hpp"
#include "presence_visibility.hpp"
#include "settings.hpp"

namespace switchboard::plugins::social {

struct social_context {
    social_context(sdk::plugin& plugin, settings s) : p(plugin), config(std::move(s)), store(plugin) {}

    sdk::plugin& p;
    const settings config;
    graph_store store;
    presence_watchers watchers;   // who sees whose presence, to take it back
};

using sdk::unix_ms;   // what the tables store (switchboard/support.hpp)

// Every device of `user`, but `except` (the socket whose event caused it; 0: none).
void tell(social_context& ctx, const std::string& user, const char* event, json payload, sdk::socket_id except = 0);

// Through the notifications plugin's bus topic, when `notify` is on.
void notify(social_context& ctx, const std::string& user, const char* type, const std::string& title, json data);

// The other user of a relation event: `userId`, not the caller.
std::string other_user(const sdk::event& e, const std::string& self);

// May `viewer` read `owner`'s lists (followers, following, friends)? The owner always;
// nobody when either blocked the other; for a private account, its approved followers.
void require_lists_visible(social_context& ctx, const std::string& viewer, const std::string& owner);

}  // namespace switchboard::plugins::social
