// What the handlers share: the SDK handle, the settings, the store and the open
// documents. One instance lives from load to unload.
#pragma once

#include <optional>
#include <string>

#include <switchboard/sdk.hpp>

#include "documents.hpp"
#include "settings.hpp"
#include "store.hpp"

namespace switchboard::plugins::collab {

struct collab_context {
    collab_context(sdk::plugin& plugin, settings s) : p(plugin), config(std::move(s)), store(plugin) {}

    sdk::plugin& p;
    const settings config;
    collab_store store;
    document_registry documents;

    // The role of `user` in `document` as stored: owner, member role, or the default.
    role role_of(const std::string& document, const std::string& owner, const std::string& user);
};

// The document a namespace serves ("/yjs|notes" -> "notes"); nullopt for other namespaces.
std::optional<std::string> document_of(std::string_view nsp);

// The y-socket.io provider protocol: sync-step-1, sync-update, awareness-update, and
// awareness removal on disconnect.
void register_sync_events(collab_context& ctx);

// collab:grant and collab:role on the configured namespace.
void register_role_events(collab_context& ctx);

}  // namespace switchboard::plugins::collab
