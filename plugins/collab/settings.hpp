// The collab plugin's config section, read once at load and validated.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <switchboard/sdk.hpp>

#include "documents.hpp"

namespace switchboard::plugins::collab {

// Documents live in namespaces "/yjs|<name>", as the y-socket.io provider connects.
inline constexpr std::string_view document_prefix = "/yjs|";

struct settings {
    std::string nsp = "/";                // where collab:grant and collab:role are served
    role default_role = role::reader;     // users who are neither the owner nor members
    bool reader_awareness = true;         // readers' cursors and names are relayed
    std::size_t max_update_bytes = 1'000'000;
    std::size_t compact_after = 1000;
    std::chrono::milliseconds editing_timeout{5000};   // an editor without editing:start since is cleared     // updates in a document's log before compacting (0: never)
};

extern const char* const config_schema;

settings read_settings(const sdk::json& config);

}  // namespace switchboard::plugins::collab
