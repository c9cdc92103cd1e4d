// Schema migrations: plain SQL files per component (the kernel, each plugin), applied
// in order, each in its own transaction, and recorded with their checksum.
//
//   migrations/<component>/NNNN_title.sql              portable
//   migrations/<component>/NNNN_title.<dialect>.sql    sqlite or postgresql only
//
// A dialect file wins over the portable one of the same number. A migration changed
// after it was applied is an error naming the file, never a silent re-run.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernel/store/database.hpp"

namespace switchboard::kernel::store {

struct migration {
    std::string component;
    int version = 0;
    std::string title;
    std::filesystem::path file;
    std::string checksum;   // SHA-256 of the file, hex
};

struct migration_report {
    std::vector<migration> applied;   // applied now (or, in a dry run, pending)
    std::size_t up_to_date = 0;       // already applied and unchanged
};

class migration_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The migrations of `components` found under `root`, in order (component, version).
// Throws migration_error for a bad file name or two files with one number.
std::vector<migration> find_migrations(const std::filesystem::path& root, const std::vector<std::string>& components,
                                       dialect d);

// Applies what is pending (nothing with `dry_run`). Throws migration_error naming
// the file when one was edited after it was applied or when a statement fails.
migration_report migrate(database& db, const std::filesystem::path& root, const std::vector<std::string>& components,
                         bool dry_run = false);

// Splits a script into statements at top-level semicolons (quotes, comments and
// PostgreSQL dollar-quoted bodies respected).
std::vector<std::string> split_statements(std::string_view script);

}  // namespace switchboard::kernel::store
