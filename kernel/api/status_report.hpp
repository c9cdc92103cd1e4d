// `switchboard status`: the running server's /status document as a summary a person
// reads at a glance (version, uptime, sessions, namespaces, plugins, cluster link,
// recovery and backpressure counters).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace switchboard::kernel::api {

// The summary of a /status document from `where` (http://host:port), one fact a line.
std::string format_status(const nlohmann::json& status, const std::string& where);

// "3d 4h", "2h 5m", "4m 7s", "12s".
std::string format_uptime(long long seconds);

}  // namespace switchboard::kernel::api
