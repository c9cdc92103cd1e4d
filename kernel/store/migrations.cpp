#include "kernel/store/migrations.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include "kernel/core/log.hpp"

namespace switchboard::kernel::store {

namespace fs = std::filesystem;

namespace {

std::string sha256_hex(const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw migration_error("cannot read migration " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string_view dialect_name(dialect d) { return d == dialect::sqlite ? "sqlite" : "postgresql"; }

void create_table(database& db) {
    const auto error = db.exec(0,
                               "CREATE TABLE IF NOT EXISTS schema_migrations ("
                               " component VARCHAR(100) NOT NULL,"
                               " version INTEGER NOT NULL,"
                               " checksum VARCHAR(64) NOT NULL,"
                               " applied_at VARCHAR(32) NOT NULL,"
                               " PRIMARY KEY (component, version))",
                               nlohmann::json::object());
    if (error) throw migration_error("cannot create schema_migrations: " + error->message);
}

std::string now_iso() {
    const std::time_t t = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

}  // namespace

std::vector<std::string> split_statements(std::string_view script) {
    std::vector<std::string> out;
    std::string current;
    auto flush = [&] {
        const auto first = current.find_first_not_of(" \t\r\n");
        if (first != std::string::npos) out.push_back(current.substr(first));
        current.clear();
    };
    for (std::size_t i = 0; i < script.size(); ++i) {
        const char c = script[i];
        if (c == '-' && i + 1 < script.size() && script[i + 1] == '-') {
            i = script.find('\n', i);
            if (i == std::string_view::npos) break;
            current += '\n';
            continue;
        }
        if (c == '/' && i + 1 < script.size() && script[i + 1] == '*') {
            const auto end = script.find("*/", i + 2);
            if (end == std::string_view::npos) break;
            i = end + 1;
            current += ' ';   // SQL reads a comment as whitespace: never glue two tokens
            continue;
        }
        if (c == '\'' || c == '"') {
            const auto end = script.find(c, i + 1);
            const auto stop = end == std::string_view::npos ? script.size() : end + 1;
            current.append(script.substr(i, stop - i));
            i = stop - 1;
            continue;
        }
        if (c == '$') {
            // $tag$ ... $tag$ (PostgreSQL function bodies)
            const auto close = script.find('$', i + 1);
            if (close != std::string_view::npos) {
                const std::string_view tag = script.substr(i, close - i + 1);
                const bool is_tag = std::all_of(tag.begin() + 1, tag.end() - 1,
                                                [](char t) { return std::isalnum(static_cast<unsigned char>(t)) || t == '_'; });
                if (is_tag) {
                    const auto end = script.find(tag, close + 1);
                    const auto stop = end == std::string_view::npos ? script.size() : end + tag.size();
                    current.append(script.substr(i, stop - i));
                    i = stop - 1;
                    continue;
                }
            }
        }
        if (c == ';') {
            flush();
            continue;
        }
        current += c;
    }
    flush();
    return out;
}

std::vector<migration> find_migrations(const fs::path& root, const std::vector<std::string>& components, dialect d) {
    std::vector<migration> out;
    for (const auto& component : components) {
        const fs::path dir = root / component;
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        // version -> (file, is dialect-specific)
        std::map<int, std::pair<fs::path, bool>> chosen;
        for (const auto& entry : fs::directory_iterator(dir)) {
            const std::string name = entry.path().filename().string();
            if (!name.ends_with(".sql")) continue;
            std::string stem = name.substr(0, name.size() - 4);
            bool specific = false;
            bool other_dialect = false;
            for (const std::string_view variant : {"sqlite", "postgresql"}) {
                const std::string suffix = "." + std::string(variant);
                if (!stem.ends_with(suffix)) continue;
                if (variant != dialect_name(d)) {
                    other_dialect = true;
                } else {
                    stem.resize(stem.size() - suffix.size());
                    specific = true;
                }
            }
            if (other_dialect) continue;
            {
                int version = 0;
                const auto [ptr, parse_ec] = std::from_chars(stem.data(), stem.data() + stem.size(), version);
                if (parse_ec != std::errc{} || ptr - stem.data() != 4 || *ptr != '_' || stem.front() == '-')
                    throw migration_error("migration " + entry.path().string() +
                                          ": the name must be NNNN_title.sql (four digits, an underscore, a title)");
                auto [it, inserted] = chosen.try_emplace(version, entry.path(), specific);
                if (!inserted) {
                    if (it->second.second == specific)
                        throw migration_error("migrations " + it->second.first.string() + " and " +
                                              entry.path().string() + " have the same number");
                    if (specific) it->second = {entry.path(), specific};
                }
            }
        }
        for (const auto& [version, file] : chosen) {
            migration m;
            m.component = component;
            m.version = version;
            const std::string name = file.first.filename().string();
            m.title = name.substr(5, name.find('.') - 5);
            m.file = file.first;
            m.checksum = sha256_hex(read_file(file.first));
            out.push_back(std::move(m));
        }
    }
    return out;
}

migration_report migrate(database& db, const fs::path& root, const std::vector<std::string>& components,
                         bool dry_run) {
    migration_report report;
    const auto all = find_migrations(root, components, db.kind());
    // A dry run writes nothing, not even the bookkeeping table.
    if (!dry_run) create_table(db);
    nlohmann::json applied_rows;
    if (const auto error = db.query(0, "SELECT component, version, checksum FROM schema_migrations",
                                    nlohmann::json::object(), applied_rows)) {
        if (!dry_run) throw migration_error("cannot read schema_migrations: " + error->message);
        applied_rows = nlohmann::json::array();   // no table yet: nothing applied
    }
    std::map<std::pair<std::string, int>, std::string> applied;
    for (const auto& row : applied_rows)
        applied[{row["component"].get<std::string>(), row["version"].get<int>()}] = row["checksum"].get<std::string>();

    for (const auto& m : all) {
        const auto found = applied.find({m.component, m.version});
        if (found != applied.end()) {
            if (found->second != m.checksum)
                throw migration_error("migration " + m.file.string() +
                                      " was changed after it was applied (recorded checksum " + found->second +
                                      ", file " + m.checksum + "); add a new migration instead of editing this one");
            ++report.up_to_date;
            continue;
        }
        report.applied.push_back(m);
        if (dry_run) continue;
        std::uint64_t tx = 0;
        if (const auto error = db.begin(tx)) throw migration_error("cannot start a transaction: " + error->message);
        for (const auto& statement : split_statements(read_file(m.file))) {
            if (const auto error = db.run_script_statement(tx, statement)) {
                db.rollback(tx);
                throw migration_error("migration " + m.file.string() + " failed: " + error->message);
            }
        }
        const auto record = db.exec(tx,
                                    "INSERT INTO schema_migrations (component, version, checksum, applied_at) "
                                    "VALUES (:component, :version, :checksum, :applied_at)",
                                    {{"component", m.component},
                                     {"version", m.version},
                                     {"checksum", m.checksum},
                                     {"applied_at", now_iso()}});
        if (record) {
            db.rollback(tx);
            throw migration_error("cannot record migration " + m.file.string() + ": " + record->message);
        }
        if (const auto error = db.commit(tx))
            throw migration_error("migration " + m.file.string() + " failed to commit: " + error->message);
        SB_LOG(info, "store") << "applied migration " << m.component << "/" << m.file.filename().string();
    }
    return report;
}

}  // namespace switchboard::kernel::store
