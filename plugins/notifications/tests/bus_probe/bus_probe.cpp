// notifications-probe (tests only): lets a spec publish on the server-side bus, the
// way another plugin or a Lua script reaches the notifications plugin.
//
//   socket.emit("probe:publish", topic, payload, ack)  ->  ack(null, true)
//
// Built into build/test-plugins, never into build/plugins: a deployment has to name
// that directory in plugin_path to load it.
#include <string>

#include <switchboard/sdk.hpp>

namespace {

using switchboard::sdk::event;
using switchboard::sdk::json;
using switchboard::sdk::plugin;

void load(plugin& p) {
    p.on("probe:publish", [&p](event& e) {
        if (!e.args.is_array() || e.args.size() < 2 || !e.args[0].is_string())
            throw switchboard::sdk::error("invalid_payload", "expected (topic, payload)");
        p.publish(e.args[0].get<std::string>(), e.args[1]);
        e.ack(json::array({nullptr, true}));
    });
}

}  // namespace

SWITCHBOARD_PLUGIN("notifications-probe", "1.0.0", "Test only: publishes on the bus for the notifications specs",
                   nullptr, load)
