// A plugin host with its explicit inputs (a Socket.IO server over one worker that never
// runs, no database) and plugins defined in the test itself: a descriptor whose on_load
// runs a lambda. What the host table is handed back is kept for the test to call.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernel/config/config.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/plugins/plugin_host.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::kernel::plugins::testing {

// What an in-process plugin's on_load does, and what it was given.
struct in_process_plugin {
    std::string name;
    std::function<switchboard_status_t(switchboard_plugin_t*, const switchboard_host_t*)> on_load;
    switchboard_plugin_t* self = nullptr;
    const switchboard_host_t* host = nullptr;
    switchboard_plugin_descriptor_t descriptor{};
    std::vector<void*> released;   // what the host released, in order

    static in_process_plugin*& loading() {
        static in_process_plugin* current = nullptr;
        return current;
    }
    static switchboard_status_t run_on_load(switchboard_plugin_t* self, const switchboard_host_t* host, void**) {
        auto* plugin = loading();
        plugin->self = self;
        plugin->host = host;
        return plugin->on_load(self, host);
    }
    static in_process_plugin* owner_of(void* user_data);
};

// user_data the tests register: each knows its plugin, so release can record it there.
struct tag {
    in_process_plugin* plugin;
    int id;
};
inline in_process_plugin* in_process_plugin::owner_of(void* user_data) { return static_cast<tag*>(user_data)->plugin; }
inline void record_release(void* user_data) {
    in_process_plugin::owner_of(user_data)->released.push_back(user_data);
}

class host_under_test {
public:
    host_under_test()
        : io_(settings_, {&worker_}),
          host_(host_environment{io_, {}, []() -> store::database& { throw std::runtime_error("no database here"); },
                                 "/deployment"},
                settings_) {}

    plugin_host& host() { return host_; }

    // Loads `plugin` (its on_load run by the host's loader); throws as the loader does.
    void load(in_process_plugin& plugin) {
        plugin.descriptor.struct_size = sizeof plugin.descriptor;
        plugin.descriptor.abi_major = SWITCHBOARD_ABI_MAJOR;
        plugin.descriptor.abi_minor = SWITCHBOARD_ABI_MINOR;
        plugin.descriptor.name = plugin.name.c_str();
        plugin.descriptor.version = "test";
        plugin.descriptor.on_load = &in_process_plugin::run_on_load;
        auto instance = std::make_unique<plugin_instance>();
        instance->name = plugin.name;
        instance->descriptor = &plugin.descriptor;
        in_process_plugin::loading() = &plugin;
        host_.start(std::move(instance));
    }

private:
    config::settings settings_ = [] {
        config::settings s;
        s.server.handler_threads = 2;
        return s;
    }();
    worker worker_{0};
    socketio::server io_;
    plugin_host host_;
};

}  // namespace switchboard::kernel::plugins::testing
