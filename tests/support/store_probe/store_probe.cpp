// store-probe: the tests' plugin for authentication and storage (see README.md).
#include "probe.hpp"

namespace {

void load(switchboard::sdk::plugin& p) {
    switchboard::plugins::store_probe::register_storage_events(p);
    switchboard::plugins::store_probe::register_identity_events(p);
}

}  // namespace

SWITCHBOARD_PLUGIN("store-probe", "1.0.0", "Test plugin: drives the SDK's database, auth hook and presence calls",
                   R"({"api_key":{"type":"string","default":"","description":"the API key the auth hook accepts; empty: the hook never admits"}})",
                   load)
