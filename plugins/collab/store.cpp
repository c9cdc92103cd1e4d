#include "store.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <iterator>

#include <switchboard/support.hpp>

namespace switchboard::plugins::collab {

namespace {

using sdk::unix_ms;

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string to_base64(const bytes& data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < data.size(); i += 3) {
        const std::size_t rest = std::min<std::size_t>(3, data.size() - i);
        std::uint32_t n = std::uint32_t(data[i]) << 16;
        if (rest > 1) n |= std::uint32_t(data[i + 1]) << 8;
        if (rest > 2) n |= data[i + 2];
        out += alphabet[n >> 18];
        out += alphabet[(n >> 12) & 63];
        out += rest > 1 ? alphabet[(n >> 6) & 63] : '=';
        out += rest > 2 ? alphabet[n & 63] : '=';
    }
    return out;
}

std::optional<bytes> from_base64(const std::string& text) {
    static const auto table = [] {
        std::array<int, 256> t{};
        t.fill(-1);
        for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = i;
        return t;
    }();
    if (text.size() % 4 != 0) return std::nullopt;
    bytes out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = text[i + k];
            if (c == '=' && i + 4 == text.size() && k >= 2) {
                v[k] = 0;
                ++pad;
                continue;
            }
            if (pad > 0) return std::nullopt;
            v[k] = table[static_cast<unsigned char>(c)];
            if (v[k] < 0) return std::nullopt;
        }
        const std::uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
        out.push_back(static_cast<std::uint8_t>(n >> 16));
        if (pad < 2) out.push_back(static_cast<std::uint8_t>((n >> 8) & 0xff));
        if (pad < 1) out.push_back(static_cast<std::uint8_t>(n & 0xff));
    }
    return out;
}

std::string collab_store::open(const std::string& document, const std::string& user) {
    // ON CONFLICT DO NOTHING: two first openers at once still make one owner, the
    // one whose insert landed first.
    p_.exec("INSERT INTO collab_documents (name, owner_id, created_at) VALUES (:name, :owner, :at) "
            "ON CONFLICT (name) DO NOTHING",
            {{"name", document}, {"owner", user}, {"at", unix_ms()}});
    const auto rows = p_.query("SELECT owner_id FROM collab_documents WHERE name = :name", {{"name", document}});
    if (rows.empty()) throw sdk::database_error("db_error", "the document vanished after its insert");
    return rows[0].at("owner_id").get<std::string>();
}

std::optional<std::string> collab_store::owner_of(const std::string& document) {
    const auto rows = p_.query("SELECT owner_id FROM collab_documents WHERE name = :name", {{"name", document}});
    if (rows.empty()) return std::nullopt;
    return rows[0].at("owner_id").get<std::string>();
}

std::optional<std::string> collab_store::member_role(const std::string& document, const std::string& user) {
    const auto rows = p_.query("SELECT role FROM collab_members WHERE document = :doc AND user_id = :user",
                               {{"doc", document}, {"user", user}});
    if (rows.empty()) return std::nullopt;
    return rows[0].at("role").get<std::string>();
}

void collab_store::set_member(const std::string& document, const std::string& user, const std::string& role) {
    if (role.empty()) {
        p_.exec("DELETE FROM collab_members WHERE document = :doc AND user_id = :user",
                {{"doc", document}, {"user", user}});
        return;
    }
    p_.exec("INSERT INTO collab_members (document, user_id, role) VALUES (:doc, :user, :role) "
            "ON CONFLICT (document, user_id) DO UPDATE SET role = excluded.role",
            {{"doc", document}, {"user", user}, {"role", role}});
}

namespace {

// " IN (:i0, :i1, ...)" for ids[from, from + ids_per_statement), the values added to
// `params`.
// In chunks: one statement per id would be slow, one for thousands too long.
constexpr std::size_t ids_per_statement = 100;

std::string id_list(const std::vector<std::int64_t>& ids, std::size_t from, sdk::json& params) {
    std::string sql = " IN (";
    for (std::size_t k = from; k < std::min(ids.size(), from + ids_per_statement); ++k) {
        const auto name = "i" + std::to_string(k - from);
        sql += (k == from ? ":" : ", :") + name;
        params[name] = ids[k];
    }
    return sql + ")";
}

}  // namespace

std::vector<collab_store::row> collab_store::rows_of(const std::string& document, const sdk::json& rows) {
    std::vector<row> out;
    for (const auto& row : rows) {
        auto update = from_base64(row.at("data").get<std::string>());
        // A row that is not base64 was not written here: skip it rather than refuse
        // the whole document, and say so.
        if (!update) {
            p_.log_warn("collab: a stored update of \"" + document + "\" is not base64; skipped");
            continue;
        }
        out.push_back({row.at("id").get<std::int64_t>(), std::move(*update)});
    }
    return out;
}

std::vector<collab_store::row> collab_store::load(const std::string& document) {
    return rows_of(document,
                   p_.query("SELECT id, data FROM collab_updates WHERE document = :doc ORDER BY id", {{"doc", document}}));
}

std::vector<std::int64_t> collab_store::ids(const std::string& document) {
    std::vector<std::int64_t> out;
    for (const auto& row : p_.query("SELECT id FROM collab_updates WHERE document = :doc", {{"doc", document}}))
        out.push_back(row.at("id").get<std::int64_t>());
    return out;
}

std::vector<collab_store::row> collab_store::load(const std::string& document, const std::vector<std::int64_t>& ids) {
    std::vector<row> out;
    for (std::size_t i = 0; i < ids.size(); i += ids_per_statement) {
        sdk::json params{{"doc", document}};
        const auto where = id_list(ids, i, params);
        auto chunk = rows_of(document, p_.query("SELECT id, data FROM collab_updates WHERE document = :doc AND id" +
                                                    where + " ORDER BY id",
                                                params));
        std::move(chunk.begin(), chunk.end(), std::back_inserter(out));
    }
    return out;
}

namespace {

// RETURNING: SQLite 3.35+ and PostgreSQL both give the new row's id this way.
constexpr const char* insert_update =
    "INSERT INTO collab_updates (document, data, user_id, created_at) VALUES (:doc, :data, :user, :at) RETURNING id";

}  // namespace

std::int64_t collab_store::append(const std::string& document, const bytes& update, const std::string& user) {
    const auto rows =
        p_.query(insert_update, {{"doc", document}, {"data", to_base64(update)}, {"user", user}, {"at", unix_ms()}});
    if (rows.empty()) throw sdk::database_error("db_error", "the insert returned no id");
    return rows[0].at("id").get<std::int64_t>();
}

std::int64_t collab_store::replace(const std::string& document, const std::vector<std::int64_t>& removed,
                                   const bytes& full, const std::string& user) {
    return p_.in_transaction([&](const sdk::transaction& tx) {
        for (std::size_t i = 0; i < removed.size(); i += ids_per_statement) {
            sdk::json params{{"doc", document}};
            const auto where = id_list(removed, i, params);
            tx.exec("DELETE FROM collab_updates WHERE document = :doc AND id" + where, params);
        }
        const auto rows =
            tx.query(insert_update, {{"doc", document}, {"data", to_base64(full)}, {"user", user}, {"at", unix_ms()}});
        if (rows.empty()) throw sdk::database_error("db_error", "the insert returned no id");
        return rows[0].at("id").get<std::int64_t>();
    });
}

}  // namespace switchboard::plugins::collab
