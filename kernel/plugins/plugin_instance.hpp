// The kernel's record of one plugin, and the answer object its hooks write into: the
// two types the SDK names opaquely (`switchboard_plugin_t`, `switchboard_result_t`).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>
#include <nlohmann/json.hpp>

#include "kernel/plugins/handler_metrics.hpp"
#include "switchboard/sdk.h"

namespace switchboard::kernel::plugins {
class plugin_host;
class plugin_registry;
}  // namespace switchboard::kernel::plugins

struct switchboard_plugin {
    switchboard::kernel::plugins::plugin_host* host = nullptr;
    std::string name;
    std::filesystem::path file;
    boost::dll::shared_library library;
    const switchboard_plugin_descriptor_t* descriptor = nullptr;
    nlohmann::json config = nlohmann::json::object();
    void* state = nullptr;
    bool loaded = false;
    // Set only while its on_load runs: where its registrations are staged until the
    // load succeeds (then they are committed to the host's registry). Null otherwise,
    // which is how a registration out of phase is told apart.
    switchboard::kernel::plugins::plugin_registry* staging = nullptr;
    // For /metrics and /status: host calls that failed (logged), reloads asked of it,
    // and its database statements' run time.
    std::atomic<std::uint64_t> failures{0};
    std::atomic<std::uint64_t> reloads{0};
    switchboard::kernel::latency_histogram db_statements;
    // SDK 1.1 host_set_release: the plugin's release function, and the user_data of
    // its registrations made while it was set (released at unload or a failed load).
    switchboard_release_fn release = nullptr;
    std::vector<void*> registered_data;

    // Records a registration's user_data for release (during on_load only).
    void remember_registration(void* user_data) {
        if (release && user_data) registered_data.push_back(user_data);
    }
    // Calls release for every recorded registration, once.
    void release_registrations() noexcept {
        auto data = std::move(registered_data);
        registered_data.clear();
        if (release)
            for (void* user_data : data) release(user_data);
    }
};

// Where a hook writes its answer.
struct switchboard_result {
    std::optional<nlohmann::json> error;   // {code, message}
    std::optional<nlohmann::json> value;   // host_result_json
    int http_status = 0;
    std::string content_type;
    std::string body;
};

namespace switchboard::kernel::plugins {
using plugin_instance = ::switchboard_plugin;
}
