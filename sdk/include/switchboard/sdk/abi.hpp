// The C ABI as C++ sees it: the basic aliases, a status's name, the errors a handler
// throws, the views between std::string_view and switchboard_str_t, and the checks a
// wrapper makes before using what a later SDK minor added. Part of sdk.hpp.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include "switchboard/sdk.h"

namespace switchboard::sdk {

// Ordered: objects keep their keys in the order they were read or inserted.
using json = nlohmann::ordered_json;
using socket_id = switchboard_socket_t;
// What a host call answered (emit, leave, sockets_leave...): SWITCHBOARD_OK or why not.
using status = switchboard_status_t;

// A status's name for logs and errors: "ok", "invalid_argument", "not_found"...
constexpr std::string_view status_name(status s) noexcept {
    switch (s) {
        case SWITCHBOARD_OK: return "ok";
        case SWITCHBOARD_INVALID_ARGUMENT: return "invalid_argument";
        case SWITCHBOARD_NOT_FOUND: return "not_found";
        case SWITCHBOARD_REFUSED: return "refused";
        case SWITCHBOARD_NOT_ALLOWED_HERE: return "not_allowed_here";
        case SWITCHBOARD_UNSUPPORTED: return "unsupported";
        case SWITCHBOARD_ERROR: return "error";
    }
    return "unknown";
}

// An error whose code reaches the client (in an ack or a hook's refusal).
class error : public std::runtime_error {
public:
    error(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
    const std::string& code() const noexcept { return code_; }

private:
    std::string code_;
};

// A failed database call: its code is stable ("db_unavailable", "db_constraint",
// "db_error"), its message the database's own. A handler that lets it escape answers
// the client with the code and a generic message: SQL and values stay in the log.
class database_error : public error {
public:
    using error::error;
};

namespace detail {

inline switchboard_str_t view(std::string_view text) noexcept { return {text.data(), text.size()}; }
inline std::string_view view(switchboard_str_t s) noexcept { return {s.data ? s.data : "", s.size}; }

// Whether a struct the kernel handed over (it starts with struct_size) has `Member`:
// a kernel of an older minor passes a shorter one.
#define SWITCHBOARD_HAS_MEMBER(pointer, member)                                                                      \
    ((pointer)->struct_size >=                                                                                      \
     offsetof(std::remove_cv_t<std::remove_pointer_t<decltype(pointer)>>, member) + sizeof((pointer)->member))
// Whether a kernel's host table has `entry` (SDK minors append to it).
#define SWITCHBOARD_HOST_HAS(host, entry) (SWITCHBOARD_HAS_MEMBER(host, entry) && (host)->entry != nullptr)

}  // namespace detail

}  // namespace switchboard::sdk
