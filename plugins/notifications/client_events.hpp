// The events clients send: list, read, read_all, announce, announcements.
#pragma once

#include <string>

#include <switchboard/sdk.hpp>

#include "notifier.hpp"
#include "settings.hpp"

namespace switchboard::plugins::notifications {

// Registers the client events in the configured namespace. `config` and `delivery`
// must outlive the plugin's handlers (they live as long as the plugin).
void register_client_events(sdk::plugin& plugin, const settings& config, notifier& delivery);

}  // namespace switchboard::plugins::notifications
