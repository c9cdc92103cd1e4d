// location-probe (tests only): a join hook standing for a deployment's own rule on who
// may follow a location room: "location:private-*" is refused unless the user's id
// starts with "staff-".
//
// Built into build/test-plugins, never into build/plugins: a deployment has to name
// that directory in plugin_path to load it.
#include <string>
#include <string_view>

#include <switchboard/sdk.hpp>

namespace {

void load(switchboard::sdk::plugin& p) {
    p.on_join([](const switchboard::sdk::socket_info& s, std::string_view room) {
        if (room.starts_with("location:private-") && !s.user_id().starts_with("staff-"))
            throw switchboard::sdk::error("forbidden", "staff only");
    });
}

}  // namespace

SWITCHBOARD_PLUGIN("location-probe", "1.0.0", "Test only: a join hook refusing private location rooms", nullptr, load)
