// The events clients send: presence:subscribe, presence:unsubscribe, presence:set and
// presence:count. Acks answer [null, result] on success and [{code, message}] on failure.
#pragma once

#include <switchboard/sdk.hpp>

#include "presence_store.hpp"
#include "presence_tracker.hpp"
#include "settings.hpp"
#include "subscriptions.hpp"

namespace switchboard::plugins::presence {

// Everything the handlers need; it outlives them (see presence_plugin.cpp).
struct services {
    settings config;
    presence_store& store;
    presence_tracker& tracker;
    subscription_registry& subscriptions;
};

void register_client_events(sdk::plugin& p, services& s);

}  // namespace switchboard::plugins::presence
