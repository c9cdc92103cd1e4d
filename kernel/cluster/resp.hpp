// RESP2, the Redis protocol: commands out as arrays of bulk strings, replies in parsed
// incrementally from whatever the socket delivered. Written here rather than linking
// hiredis: the cluster needs a dozen commands and pub/sub pushes, and owning the loop
// keeps Redis I/O on the cluster thread's io_context with the rest of the kernel's
// Asio code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::kernel::cluster {

struct resp_value {
    enum class kind { simple, error, integer, bulk, array, null };
    kind type = kind::null;
    std::string text;                  // simple, error, bulk
    std::int64_t integer = 0;          // integer
    std::vector<resp_value> elements;  // array

    bool is_error() const noexcept { return type == kind::error; }
    bool is_array() const noexcept { return type == kind::array; }
};

// `args` as one RESP command (an array of bulk strings); binary-safe.
std::string encode_command(const std::vector<std::string_view>& args);

// Splits a byte stream into replies. A malformed stream is an error the connection
// must be dropped for: nothing after it can be framed.
class resp_parser {
public:
    void feed(std::string_view bytes) { buffer_.append(bytes); }
    // The next complete reply, if one has arrived. Sets `malformed` and returns nothing
    // when the stream is not RESP.
    std::optional<resp_value> next(bool& malformed);
    void reset() noexcept {
        buffer_.clear();
        position_ = 0;
    }

private:
    // Parses one value at `pos`; nothing when incomplete (pos unchanged).
    std::optional<resp_value> parse(std::size_t& pos, bool& malformed, int depth) const;
    std::optional<std::string_view> line_at(std::size_t pos) const;

    std::string buffer_;
    std::size_t position_ = 0;
};

}  // namespace switchboard::kernel::cluster
