// The collab plugin's config section, read once at load and validated.
#pragma once

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
};

extern const char* const config_schema;

settings read_settings(const sdk::json& config);

}  // namespace switchboard::plugins::collab
