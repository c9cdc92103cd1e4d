#include "settings.hpp"

#include <switchboard/settings.hpp>


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
    const sdk::config_reader reader(config, "collab");
    out.nsp = reader.nsp();
    const auto name = reader.text("default_role");
    const auto parsed = parse_role(name);
    if (!parsed) reader.fail("default_role must be reader, editor or none, got \"" + name + "\"");
    out.default_role = *parsed;
    out.reader_awareness = reader.flag("reader_awareness");
    out.max_update_bytes = static_cast<std::size_t>(reader.integer("max_update_bytes", 1024, 100'000'000));
    const auto compact = reader.at("compact_after").get<long long>();
    if (compact != 0 && (compact < 10 || compact > 10'000'000))
        reader.fail("compact_after must be 0 or between 10 and 10000000, got " + std::to_string(compact));
    out.compact_after = static_cast<std::size_t>(compact);
    out.editing_timeout = std::chrono::milliseconds(reader.integer("editing_timeout", 100, 600'000));
    return out;
}

}  // namespace switchboard::plugins::collab
