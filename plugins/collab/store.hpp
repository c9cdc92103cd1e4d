// The collab tables (migrations/collab): documents and their owner, members' roles,
// and the append-only update log. Blocking: pooled handlers only. Failures throw
// sdk::database_error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

#include "y_protocol.hpp"

namespace switchboard::plugins::collab {

class collab_store {
public:
    explicit collab_store(sdk::plugin& p) : p_(p) {}

    // The document's owner; a document nobody opened before is created, owned by `user`.
    std::string open(const std::string& document, const std::string& user);
    // The owner of a document someone opened already; nullopt for an unknown one.
    std::optional<std::string> owner_of(const std::string& document);
    std::optional<std::string> member_role(const std::string& document, const std::string& user);
    // role "editor" or "reader"; empty removes the user's role.
    void set_member(const std::string& document, const std::string& user, const std::string& role);

    struct row {
        std::int64_t id;
        bytes data;
    };
    // Every stored update of the document, oldest first.
    std::vector<row> load(const std::string& document);
    // The ids of the document's stored updates.
    std::vector<std::int64_t> ids(const std::string& document);
    // The updates `ids` of the document that are still stored, oldest first.
    std::vector<row> load(const std::string& document, const std::vector<std::int64_t>& ids);
    // Returns the update's id.
    std::int64_t append(const std::string& document, const bytes& update, const std::string& user);
    // In one transaction: the `removed` updates go, `full` comes (its id returned).
    std::int64_t replace(const std::string& document, const std::vector<std::int64_t>& removed, const bytes& full,
                         const std::string& user);

private:
    // Query rows {id, data (base64)} as updates; rows that are not base64 are skipped.
    std::vector<row> rows_of(const std::string& document, const sdk::json& rows);

    sdk::plugin& p_;
};

std::string to_base64(const bytes& data);
std::optional<bytes> from_base64(const std::string& text);

}  // namespace switchboard::plugins::collab
