// How backends, other plugins and Lua scripts send: the HTTP API (guarded by the
// shared API key) and the server-side bus topics.
//
//   POST /api/notifications                {userId | userIds, type, title, message, data}
//   POST /api/notifications/announcements  {type?, title, message, data, author?}
//   bus "notifications:send"               the same as POST /api/notifications
//   bus "notifications:announce"           the same as POST .../announcements
#pragma once

#include <switchboard/sdk.hpp>

#include "notifier.hpp"
#include "settings.hpp"

namespace switchboard::plugins::notifications {

inline constexpr const char* send_topic = "notifications:send";
inline constexpr const char* announce_topic = "notifications:announce";

// The HTTP routes are registered only when an API key is configured.
void register_backend_api(sdk::plugin& plugin, const settings& config, notifier& delivery);

}  // namespace switchboard::plugins::notifications
