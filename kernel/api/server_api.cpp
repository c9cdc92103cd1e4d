#include "kernel/api/server_api.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "kernel/core/log.hpp"
#include "kernel/socketio/packet.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::kernel::api {

namespace {

// Ordered, so what a backend sends (an emit's data above all) keeps its key order.
using body_json = nlohmann::ordered_json;

// A refusal on its way to the caller as {error: {code, message}}.
struct refusal {
    int status;
    std::string code;
    std::string message;
};

constexpr std::size_t default_page = 100;
constexpr std::size_t max_page = 1000;

// The API's paths, each also the start of its sub-paths ("/api/rooms" owns
// "/api/rooms/lobby/count").
constexpr std::array<std::string_view, 5> owned_prefixes = {"/api/emit", "/api/publish", "/api/sockets",
                                                            "/api/presence", "/api/rooms"};

std::string json_text(const body_json& value) { return value.dump(-1, ' ', false, body_json::error_handler_t::replace); }

void answer(const http_api::responder& respond, int status, const body_json& body) {
    respond(net::make_http_response(status, "application/json", json_text(body)));
}

void answer(const http_api::responder& respond, const refusal& r) {
    answer(respond, r.status, body_json{{"error", {{"code", r.code}, {"message", r.message}}}});
}

// ---- reading a request body: each reader throws a refusal naming the field ----

body_json parse_object(const std::string& body) {
    body_json value = body_json::parse(body, nullptr, false);
    if (value.is_discarded()) throw refusal{400, "invalid_json", "the body is not valid JSON"};
    if (!value.is_object()) throw refusal{400, "invalid_payload", "the body must be a JSON object"};
    return value;
}

std::optional<std::string> optional_string(const body_json& body, const char* key) {
    const auto found = body.find(key);
    if (found == body.end() || found->is_null()) return std::nullopt;
    if (!found->is_string() || found->get_ref<const std::string&>().empty())
        throw refusal{400, "invalid_payload", std::string(key) + " must be a non-empty string"};
    return found->get<std::string>();
}

// How long an emit may wait for its acks: the HTTP request waits as long.
constexpr std::uint64_t max_ack_timeout_ms = 60'000;

std::string required_string(const body_json& body, const char* key) {
    auto value = optional_string(body, key);
    if (!value) throw refusal{400, "invalid_payload", std::string("missing ") + key};
    return std::move(*value);
}

bool optional_bool(const body_json& body, const char* key) {
    const auto found = body.find(key);
    if (found == body.end() || found->is_null()) return false;
    if (!found->is_boolean()) throw refusal{400, "invalid_payload", std::string(key) + " must be true or false"};
    return found->get<bool>();
}

// A list of names. User ids may be numbers, named by their JSON text as the kernel
// names them ("42"), so `users: [42]` reaches the sockets of the user whose id is 42.
std::vector<std::string> name_list(const body_json& body, const char* key, bool numbers_allowed = false) {
    std::vector<std::string> names;
    const auto found = body.find(key);
    if (found == body.end() || found->is_null()) return names;
    const std::string expected = std::string(key) + (numbers_allowed ? " must be a list of strings or integers"
                                                                     : " must be a list of strings");
    if (!found->is_array()) throw refusal{400, "invalid_payload", expected};
    for (const auto& item : *found) {
        if (item.is_string() && !item.get_ref<const std::string&>().empty()) {
            names.push_back(item.get<std::string>());
        } else if (numbers_allowed && item.is_number_integer()) {
            names.push_back(item.dump());
        } else {
            throw refusal{400, "invalid_payload", expected};
        }
    }
    return names;
}

// The sockets a call is about: the namespace, narrowed to rooms, users (their user:<id>
// rooms) and socket ids (each socket's own room), minus the except rooms.
socketio::broadcast_options selection_of(const body_json& body) {
    socketio::broadcast_options options;
    options.rooms = name_list(body, "rooms");
    for (auto& user : name_list(body, "users", true)) options.rooms.push_back("user:" + user);
    for (auto& id : name_list(body, "sockets")) options.rooms.push_back(std::move(id));
    options.except = name_list(body, "except_rooms");
    return options;
}

std::string namespace_of(const body_json& body, const socketio::server& realtime) {
    auto nsp = optional_string(body, "nsp").value_or("/");
    if (!realtime.has_namespace(nsp))
        throw refusal{404, "unknown_namespace", "namespace " + nsp + " is not configured"};
    return nsp;
}

std::size_t page_param(const net::http_request& request, std::string_view name, std::size_t fallback,
                       std::size_t max) {
    const auto text = request.query_param(name);
    if (!text) return fallback;
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || text->front() == '-' || value > max)
        throw refusal{400, "invalid_query", std::string(name) + " must be an integer from 0 to " + std::to_string(max)};
    return static_cast<std::size_t>(value);
}

// A path segment, percent-decoded ('+' is a plus sign in a path, not a space).
std::string path_segment(std::string_view raw) {
    std::string escaped;
    for (const char c : raw) escaped += c == '+' ? std::string("%2B") : std::string(1, c);
    return net::percent_decode(escaped);
}

// "/api/rooms/lobby/count" -> ["api", "rooms", "lobby", "count"] (raw segments).
std::vector<std::string_view> segments_of(std::string_view path) {
    std::vector<std::string_view> out;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        const auto end = path.find('/');
        out.push_back(path.substr(0, end));
        path.remove_prefix(end == std::string_view::npos ? path.size() : end);
    }
    return out;
}

bool same_key(std::string_view given, const std::string& key) {
    return given.size() == key.size() && CRYPTO_memcmp(given.data(), key.data(), key.size()) == 0;
}

}  // namespace

std::vector<std::string> resolve_api_keys(const config::api_settings& settings) {
    std::vector<std::string> keys = settings.keys;
    for (const auto& name : settings.keys_env) {
        const char* value = std::getenv(name.c_str());
        if (value && *value) keys.emplace_back(value);
    }
    return keys;
}

server_api::server_api(const config::api_settings& settings, socketio::server& realtime, publisher publish)
    : keys_(resolve_api_keys(settings)), realtime_(realtime), publish_(std::move(publish)) {
    if (keys_.empty())
        SB_LOG(info, "api") << "the server API is off: no key in api.keys or the variables of api.keys_env";
}

bool server_api::owns(std::string_view path) noexcept {
    return std::any_of(owned_prefixes.begin(), owned_prefixes.end(), [path](std::string_view prefix) {
        return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
    });
}

bool server_api::authorized(const net::http_request& request) const {
    std::string_view given = request.header("x-api-key");
    if (given.empty()) {
        const std::string_view authorization = request.header("authorization");
        for (const std::string_view scheme : {std::string_view("apikey "), std::string_view("Bearer ")})
            if (authorization.size() > scheme.size() &&
                std::equal(scheme.begin(), scheme.end(), authorization.begin(),
                           [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
                given = authorization.substr(scheme.size());
    }
    if (given.empty()) return false;
    // Every key is compared, in constant time each, so timing tells nothing of which.
    bool match = false;
    for (const auto& key : keys_) match = same_key(given, key) || match;
    return match;
}

void server_api::handle(net::http_request&& request, http_api::responder respond) const {
    try {
        if (!enabled())
            throw refusal{404, "api_disabled", "the server API is off: set api.keys or SWITCHBOARD_API_KEY"};
        if (!authorized(request))
            throw refusal{401, "unauthorized", "send the API key in X-API-Key or Authorization: apikey <key>"};

        const auto parts = segments_of(request.path);
        const auto method = net::to_string(request.method);
        auto expect = [&](std::string_view wanted) {
            if (method != wanted) throw refusal{405, "method_not_allowed", "use " + std::string(wanted)};
        };
        // Counts of sockets come back from every worker, so these answer later.
        auto answer_count = [respond](std::size_t count) { answer(respond, 200, body_json{{"sockets", count}}); };

        if (parts.size() == 2 && parts[1] == "emit") {
            expect("POST");
            const auto body = parse_object(request.body);
            const auto nsp = namespace_of(body, realtime_);
            const auto event = required_string(body, "event");
            if (socketio::is_reserved_event(event))
                throw refusal{400, "invalid_payload", "\"" + event + "\" is a reserved event name"};
            const auto data = body.find("data");
            std::string args = "[]";
            if (data != body.end() && !data->is_null()) {
                if (!data->is_array()) throw refusal{400, "invalid_payload", "data must be a list of the event's arguments"};
                args = json_text(*data);
            }
            auto options = selection_of(body);
            options.is_volatile = optional_bool(body, "volatile");
            if (const auto wait = body.find("ack_timeout_ms"); wait != body.end() && !wait->is_null()) {
                // Every selected client on every node owes an ack: the answer is theirs.
                if (!wait->is_number_unsigned() || wait->get<std::uint64_t>() == 0 ||
                    wait->get<std::uint64_t>() > max_ack_timeout_ms)
                    throw refusal{400, "invalid_payload",
                                  "ack_timeout_ms must be a whole number of milliseconds from 1 to " +
                                      std::to_string(max_ack_timeout_ms)};
                if (options.is_volatile) throw refusal{400, "invalid_payload", "a volatile emit cannot wait for acks"};
                return realtime_.broadcast_with_acks(
                    nsp, options, event, args, std::chrono::milliseconds(wait->get<std::uint64_t>()),
                    [respond](cluster::gathered acks) {
                        answer(respond, 200,
                               body_json{{"acks", std::move(acks.items)}, {"nodes", acks.nodes}, {"partial", acks.partial}});
                    });
            }
            realtime_.broadcast_text(nsp, options, event, args);
            return answer(respond, 200, body_json{{"ok", true}});
        }
        if (parts.size() == 3 && parts[1] == "sockets") {
            expect("POST");
            const auto body = parse_object(request.body);
            const auto nsp = namespace_of(body, realtime_);
            const auto options = selection_of(body);
            if (parts[2] == "join" || parts[2] == "leave") {
                const bool join = parts[2] == "join";
                auto rooms = name_list(body, join ? "join" : "leave");
                if (rooms.empty())
                    throw refusal{400, "invalid_payload",
                                  std::string("missing ") + (join ? "join" : "leave") + ": the rooms, as a list"};
                if (join) realtime_.sockets_join(nsp, options, std::move(rooms), answer_count);
                else realtime_.sockets_leave(nsp, options, std::move(rooms), answer_count);
                return;
            }
            if (parts[2] == "disconnect")
                return realtime_.disconnect_sockets(nsp, options, optional_bool(body, "close"), answer_count);
        }
        if (parts.size() == 2 && parts[1] == "publish") {
            expect("POST");
            const auto body = parse_object(request.body);
            auto topic = required_string(body, "topic");
            const auto payload = body.find("payload");
            publish_(std::move(topic), payload == body.end() ? std::string("null") : json_text(*payload));
            return answer(respond, 202, body_json{{"ok", true}});
        }
        if (parts.size() >= 3 && parts[1] == "presence" && parts[2] == "users") {
            expect("GET");
            auto& presence = realtime_.presence();
            if (parts.size() == 3) {
                const auto offset = page_param(request, "offset", 0, static_cast<std::size_t>(-1) >> 1);
                const auto limit = page_param(request, "limit", default_page, max_page);
                return answer(respond, 200,
                              body_json{{"users", presence.online(offset, limit)},
                                        {"total", presence.online_count()},
                                        {"offset", offset},
                                        {"limit", limit}});
            }
            if (parts.size() == 4) {
                const auto id = path_segment(parts[3]);
                const auto sessions = presence.sockets_of(id);
                return answer(respond, 200, body_json{{"id", id}, {"online", sessions > 0}, {"sessions", sessions}});
            }
        }
        if (parts.size() == 4 && parts[1] == "rooms" && parts[3] == "count") {
            expect("GET");
            const auto nsp = request.query_param("nsp").value_or("/");
            if (!realtime_.has_namespace(nsp))
                throw refusal{404, "unknown_namespace", "namespace " + nsp + " is not configured"};
            socketio::broadcast_options options;
            options.rooms.push_back(path_segment(parts[2]));
            realtime_.fetch_sockets(nsp, options, [respond](cluster::fetch_result result) {
                answer(respond, 200,
                       body_json{{"sockets", result.sockets.size()}, {"nodes", result.nodes}, {"partial", result.partial}});
            });
            return;
        }
        throw refusal{404, "not_found", "no such server API call (see docs/server-api.md)"};
    } catch (const refusal& r) {
        answer(respond, r);
    } catch (const std::exception& failure) {
        SB_LOG(error, "api").with("request_id", request.log_id) << request.path << " failed: " << failure.what();
        answer(respond, refusal{500, "internal_error", "the server failed to handle the call"});
    }
}

}  // namespace switchboard::kernel::api
