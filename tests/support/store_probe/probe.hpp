// store-probe: the pieces of the test plugin, each registering its events.
#pragma once

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::store_probe {

// probe:query, probe:exec, probe:put, probe:get, probe:transaction, probe:slow,
// probe:inline_query, probe:dialect.
void register_storage_events(sdk::plugin& p);

// The auth hook (auth payload {apiKey}), probe:whoami, probe:notify_user,
// probe:sessions, and presence transitions (probe:watch_presence, probe:presence_log).
void register_identity_events(sdk::plugin& p);

}  // namespace switchboard::plugins::store_probe
