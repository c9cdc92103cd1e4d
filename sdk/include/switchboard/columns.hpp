// Reading columns of the rows plugin::query returns, for plugins written with sdk.hpp.
//
// Drivers differ in what they hand back: SQLite returns computed columns (COUNT(*),
// RETURNING on some versions) as text where PostgreSQL returns numbers. These readers
// accept both and refuse anything else with sdk::database_error, which the event
// trampoline reports as the caller's `db_error`.
//
// Header-only and outside the C ABI: plugins compile it in, the kernel never sees it.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include <switchboard/sdk.hpp>

namespace switchboard::sdk::columns {

inline std::int64_t as_int(const json& value) {
    if (value.is_number_integer()) return value.get<std::int64_t>();
    if (value.is_number()) return static_cast<std::int64_t>(value.get<double>());
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        std::int64_t out = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
        if (ec == std::errc{} && end == text.data() + text.size()) return out;
    }
    throw database_error("db_error", "expected a number from the database, got " + value.dump());
}

// NULL reads as nothing.
inline std::optional<std::int64_t> optional_int(const json& value) {
    if (value.is_null()) return std::nullopt;
    return as_int(value);
}

// Text; NULL (or anything not text) reads as "".
inline std::string as_string(const json& value) { return value.is_string() ? value.get<std::string>() : std::string(); }

// Keyset pages (newest first, older than a cursor): the query asks for one row more
// than the page holds, LIMIT bound to rows_to_ask(limit), and that row, when it comes,
// says an older page exists. read_page hands `read` the page's rows (at most `limit`,
// in the query's order) and answers whether there were more. Every plugin's lists
// (posts, comments, messages, followers, notifications) page this way.
inline std::int64_t rows_to_ask(std::size_t limit) { return static_cast<std::int64_t>(limit) + 1; }

template <class Read>
bool read_page(const json& rows, std::size_t limit, Read&& read) {
    for (std::size_t i = 0; i < rows.size() && i < limit; ++i) read(rows[i]);
    return rows.size() > limit;
}

}  // namespace switchboard::sdk::columns
