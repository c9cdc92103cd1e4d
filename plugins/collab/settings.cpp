#include "settings.hpp"

#include <stdexcept>

namespace switchboard::plugins::collab {

const char* const config_schema = R"json({
  "namespace": {"type": "string", "default": "/",
                "description": "the namespace serving collab:grant and collab:role (documents are /yjs|<name>)"},
  "default_role": {"type": "string", "default": "reader",
                   "description": "role of users who neither own a document nor were given a role: reader, editor or none"},
  "reader_awareness": {"type": "boolean", "default": true,
                       "description": "relay readers' awareness (cursors, names) to the others"},
  "max_update_bytes": {"type": "integer", "default": 1000000,
                       "description": "largest update a client may send, in bytes"},
  "editing_timeout": {"type": "integer", "default": 5000,
                      "description": "milliseconds after which an editor without a new editing:start is cleared"},
  "compact_after": {"type": "integer", "default": 1000,
                    "description": "updates in a document's log that make the server ask a writer for its full state to replace them (0: never)"}
})json";

settings read_settings(const sdk::json& config) {
    settings out;
    out.nsp = config.at("namespace").get<std::string>();
    if (out.nsp.empty() || out.nsp.front() != '/')
        throw std::runtime_error("collab config: namespace must start with '/', got \"" + out.nsp + "\"");
    const auto name = config.at("default_role").get<std::string>();
    const auto parsed = parse_role(name);
    if (!parsed)
        throw std::runtime_error("collab config: default_role must be reader, editor or none, got \"" + name + "\"");
    out.default_role = *parsed;
    out.reader_awareness = config.at("reader_awareness").get<bool>();
    const auto max = config.at("max_update_bytes").get<long long>();
    if (max < 1024 || max > 100'000'000)
        throw std::runtime_error("collab config: max_update_bytes must be between 1024 and 100000000, got " +
                                 std::to_string(max));
    out.max_update_bytes = static_cast<std::size_t>(max);
    const auto compact = config.at("compact_after").get<long long>();
    if (compact != 0 && (compact < 10 || compact > 10'000'000))
        throw std::runtime_error("collab config: compact_after must be 0 or between 10 and 10000000, got " +
                                 std::to_string(compact));
    out.compact_after = static_cast<std::size_t>(compact);
    const auto editing = config.at("editing_timeout").get<long long>();
    if (editing < 100 || editing > 600'000)
        throw std::runtime_error("collab config: editing_timeout must be between 100 and 600000, got " +
                                 std::to_string(editing));
    out.editing_timeout = std::chrono::milliseconds(editing);
    return out;
}

}  // namespace switchboard::plugins::collab
