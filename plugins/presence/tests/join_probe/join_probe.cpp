// presence-probe (tests only): a join hook standing for a deployment's own rules on
// who may see whose presence, as a contacts plugin would have.
//
//   room "presence:user:private-*"      -> refused: forbidden, "private presence"
//   room "presence:count" for a user whose id starts with "nocount-" -> refused
//
// Built into build/test-plugins, never into build/plugins: a deployment has to name
// that directory in plugin_path to load it.
#include <string>
#include <string_view>

#include <switchboard/sdk.hpp>

namespace {

using switchboard::sdk::plugin;
using switchboard::sdk::socket_info;

void load(plugin& p) {
    p.on_join([](const socket_info& s, std::string_view room) {
        if (room.starts_with("presence:user:private-"))
            throw switchboard::sdk::error("forbidden", "private presence");
        const auto id = s.user.is_object() ? s.user.value("id", std::string()) : std::string();
        if (room == "presence:count" && id.starts_with("nocount-"))
            throw switchboard::sdk::error("forbidden", "no count for you");
    });
}

}  // namespace

SWITCHBOARD_PLUGIN("presence-probe", "1.0.0", "Test only: a join hook refusing some presence rooms", nullptr, load)
