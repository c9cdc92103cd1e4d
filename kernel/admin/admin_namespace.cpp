#include "kernel/admin/admin_namespace.hpp"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <future>
#include <mutex>

#include <openssl/crypto.h>

#include "kernel/admin/bcrypt_check.hpp"
#include "kernel/core/log.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::kernel::admin {

using socketio::json;

namespace {

constexpr auto stats_interval = std::chrono::seconds(2);
// bcrypt costs tens of milliseconds a try: a flood of logins must not take the pool.
constexpr int max_logins_in_progress = 4;
// What the Node server refuses to emit, and what the UI's users could otherwise send by
// mistake: the client would take them for its own lifecycle events.
constexpr std::string_view reserved_events[] = {"connect",    "connect_error",  "disconnect",
                                                "disconnecting", "newListener", "removeListener"};

std::int64_t unix_ms_now() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// The time as JSON.stringify(new Date()) writes it, which is what the UI parses.
std::string iso_time_now() {
    const std::int64_t ms = unix_ms_now();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[40];
    const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(text + length, sizeof text - length, ".%03dZ", static_cast<int>(ms % 1000));
    return text;
}

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
    return name;
}

json invalid_credentials() { return json{{"message", "invalid credentials"}}; }

bool same_text(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// A socket as the Admin UI lists it, from how fetchSockets describes it (so this node's
// sockets and every other node's look the same).
json admin_view(const cluster::ordered_json& described, const std::string& nsp) {
    const auto& handshake = described.at("handshake");
    const auto& headers = handshake.at("headers");
    json data = described.contains("data") ? json(described["data"]) : json::object();
    json admin_part = json::object();
    if (data.is_object() && data.contains("_admin")) {
        admin_part = std::move(data["_admin"]);
        data.erase("_admin");
    }
    // As the Node instrument: the address a proxy reports, if one does.
    json address = handshake.value("address", cluster::ordered_json(""));
    for (const char* forwarded : {"x-forwarded-for", "cf-connecting-ip"})
        if (headers.contains(forwarded)) address = json(headers[forwarded]);
    json view{{"id", json(described.at("id"))}};
    if (admin_part.contains("clientId")) view["clientId"] = admin_part["clientId"];
    if (admin_part.contains("transport")) view["transport"] = admin_part["transport"];
    view["nsp"] = nsp;
    view["data"] = std::move(data);
    view["handshake"] = json{{"address", std::move(address)},
                             {"headers", json(headers)},
                             {"query", json(handshake.value("query", cluster::ordered_json::object()))},
                             {"issued", json(handshake.value("issued", cluster::ordered_json(0)))},
                             {"secure", json(handshake.value("secure", cluster::ordered_json(false)))},
                             {"time", json(handshake.value("time", cluster::ordered_json("")))},
                             {"url", json(handshake.value("url", cluster::ordered_json("")))},
                             {"xdomain", json(handshake.value("xdomain", cluster::ordered_json(false)))}};
    view["rooms"] = json(described.value("rooms", cluster::ordered_json::array()));
    return view;
}

// A command's target: a room (or socket id), or the whole namespace when the UI gives
// none. Nothing when the filter is not a room name.
std::optional<socketio::broadcast_options> target_of(const json& args, std::size_t index) {
    socketio::broadcast_options options;
    if (args.size() <= index || args[index].is_null()) return options;
    if (!args[index].is_string()) return std::nullopt;
    if (const auto room = args[index].get<std::string>(); !room.empty()) options.rooms.push_back(room);
    return options;
}

}  // namespace

admin_namespace::admin_namespace(const config::admin_settings& settings, admin_environment environment)
    : settings_(settings), env_(std::move(environment)), hostname_(host_name()) {
    if (settings_.server_id.empty()) settings_.server_id = hostname_;
    reported_ = traffic::snapshot();
}

admin_namespace::~admin_namespace() = default;

void admin_namespace::install() {
    socketio::namespace_handlers handlers;
    handlers.authorize = [this](socketio::socket& s, std::function<void(std::optional<json>)> decide) {
        authorize(s, std::move(decide));
    };
    handlers.on_connection = [this](socketio::socket& s) { on_admin_connected(s); };
    handlers.on_event = [this](socketio::socket& s, std::string_view event, json& args, std::int64_t ack_id) {
        on_command(s, event, args, ack_id);
    };
    env_.io.set_handlers(settings_.namespace_name, std::move(handlers));
    if (development()) env_.io.set_observer(this);
    SB_LOG(info, "admin") << "Admin UI namespace " << settings_.namespace_name << " on (" << settings_.mode
                          << (settings_.readonly ? ", read-only" : "") << ", server id " << settings_.server_id << ")";
}

void admin_namespace::authorize(socketio::socket& s, std::function<void(std::optional<json>)> decide) {
    const json& auth = s.auth();
    if (!auth.is_object()) return decide(invalid_credentials());
    if (const auto session = auth.find("sessionId"); session != auth.end() && session->is_string() &&
                                                     sessions_.valid(session->get_ref<const std::string&>()))
        return decide(std::nullopt);
    const auto username = auth.find("username");
    const auto password = auth.find("password");
    if (username == auth.end() || password == auth.end() || !username->is_string() || !password->is_string())
        return decide(invalid_credentials());
    if (logins_in_progress_.fetch_add(1) >= max_logins_in_progress) {
        --logins_in_progress_;
        SB_LOG(info, "admin") << "login from " << s.handshake().remote_address << " refused: too many at once";
        return decide(json{{"message", "too many login attempts at once, retry"}});
    }
    env_.run_blocking([this, handle = s.handle(), address = s.handshake().remote_address,
                       username = username->get<std::string>(), password = password->get<std::string>(),
                       decide = std::move(decide)]() mutable {
        // The hash is checked whatever the name: a wrong name costs as long as a wrong password.
        const bool password_ok = bcrypt_matches(password, settings_.password_hash);
        const bool accepted = password_ok && same_text(username, settings_.username);
        --logins_in_progress_;
        if (!accepted) {
            SB_LOG(info, "admin") << "login from " << address << " refused: invalid credentials";
            return decide(invalid_credentials());
        }
        env_.io.with_socket(handle, [this, decide = std::move(decide)](socketio::socket* s) {
            if (!s) return;
            // Held until the CONNECT answer leaves, then read right after it.
            s->emit("session", json::array({sessions_.open()}));
            decide(std::nullopt);
        });
    });
}

void admin_namespace::on_admin_connected(socketio::socket& s) {
    SB_LOG(info, "admin") << "Admin UI connected from " << s.handshake().remote_address << " (socket " << s.id() << ")";
    json features = json::array();
    if (!settings_.readonly)
        features = {"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"};
    features.push_back("AGGREGATED_EVENTS");
    if (development()) features.push_back("ALL_EVENTS");
    s.emit("config", json::array({json{{"supportedFeatures", std::move(features)}}}));
    if (development()) send_all_sockets(s.handle());
}

void admin_namespace::send_all_sockets(std::uint64_t handle) {
    struct collected {
        std::mutex mutex;
        json sockets = json::array();
        std::size_t namespaces_left = 0;
    };
    const auto counts = env_.io.connected_sockets_by_namespace();
    auto shared = std::make_shared<collected>();
    shared->namespaces_left = counts.size();
    for (const auto& [nsp, count] : counts) {
        env_.io.fetch_sockets(nsp, {}, [this, shared, handle, nsp = nsp](cluster::fetch_result result) {
            std::lock_guard lock(shared->mutex);
            for (const auto& described : result.sockets) shared->sockets.push_back(admin_view(described, nsp));
            if (--shared->namespaces_left != 0) return;
            env_.io.with_socket(handle, [sockets = std::move(shared->sockets)](socketio::socket* s) mutable {
                if (s) s->emit("all_sockets", json::array({std::move(sockets)}));
            });
        });
    }
}

void admin_namespace::on_command(socketio::socket& s, std::string_view command, json& args, std::int64_t ack_id) {
    auto answer = [&](std::optional<std::pair<std::string, std::string>> refusal) {
        if (refusal)
            SB_LOG(warn, "admin") << "command " << command << " from " << s.handshake().remote_address
                                  << " refused: " << refusal->second;
        if (ack_id == socketio::no_ack_id) return;
        s.ack(ack_id, refusal ? json{{"code", refusal->first}, {"message", refusal->second}} : json::array());
    };
    const bool known = command == "emit" || command == "join" || command == "leave" || command == "_disconnect";
    if (!known) return answer(std::pair{"unknown_command", "unknown admin command"});
    if (settings_.readonly) return answer(std::pair{"forbidden", "the admin namespace is read-only"});
    if (args.empty() || !args[0].is_string() || !env_.io.has_namespace(args[0].get_ref<const std::string&>()))
        return answer(std::pair{"invalid_payload", "the first argument must be a configured namespace"});
    const std::string nsp = args[0].get<std::string>();
    const std::size_t filter_index = command == "emit" ? 1 : 2;
    auto target = target_of(args, filter_index);
    if (!target) return answer(std::pair{"invalid_payload", "the room filter must be a room name or nothing"});
    if (command == "emit") {
        if (args.size() < 3 || !args[2].is_string())
            return answer(std::pair{"invalid_payload", "emit needs (namespace, room filter, event, ...args)"});
        const std::string event = args[2].get<std::string>();
        if (std::find(std::begin(reserved_events), std::end(reserved_events), event) != std::end(reserved_events))
            return answer(std::pair{"invalid_payload", "\"" + event + "\" is a reserved event name"});
        SB_LOG(info, "admin") << "emit " << event << " to " << nsp
                              << (target->rooms.empty() ? std::string() : " room " + target->rooms.front());
        env_.io.broadcast(nsp, *target, event, json(args.begin() + 3, args.end()));
        return answer(std::nullopt);
    }
    if (command == "_disconnect") {
        if (!args[1].is_boolean()) return answer(std::pair{"invalid_payload", "_disconnect needs (namespace, close, room filter)"});
        SB_LOG(info, "admin") << "disconnect sockets of " << nsp
                              << (target->rooms.empty() ? std::string() : " room " + target->rooms.front());
        env_.io.disconnect_sockets(nsp, *target, args[1].get<bool>(), {});
        return answer(std::nullopt);
    }
    if (args.size() < 2 || !args[1].is_string() || args[1].get_ref<const std::string&>().empty())
        return answer(std::pair{"invalid_payload", std::string(command) + " needs (namespace, room, room filter)"});
    std::vector<std::string> rooms{args[1].get<std::string>()};
    SB_LOG(info, "admin") << command << " " << rooms.front() << " for sockets of " << nsp
                          << (target->rooms.empty() ? std::string() : " room " + target->rooms.front());
    if (command == "join") env_.io.sockets_join(nsp, *target, std::move(rooms), {});
    else env_.io.sockets_leave(nsp, *target, std::move(rooms), {});
    answer(std::nullopt);
}

json admin_namespace::server_stats() {
    const auto now = traffic::snapshot();
    const std::int64_t second = unix_ms_now() / 1000 * 1000;
    json events = json::array();
    auto add = [&](std::string_view type, std::uint64_t count, std::string_view sub_type = {}) {
        if (count == 0) return;
        json entry{{"timestamp", second}, {"type", type}};
        if (!sub_type.empty()) entry["subType"] = sub_type;
        entry["count"] = count;
        events.push_back(std::move(entry));
    };
    add("rawConnection",
        (now.opened_polling + now.opened_websocket) - (reported_.opened_polling + reported_.opened_websocket));
    for (std::size_t i = 0; i < traffic::close_reasons.size(); ++i)
        add("rawDisconnection", now.closed_by_reason[i] - reported_.closed_by_reason[i], traffic::close_reasons[i]);
    add("packetsIn", now.packets_in - reported_.packets_in);
    add("packetsOut", now.packets_out - reported_.packets_out);
    add("bytesIn", now.bytes_in - reported_.bytes_in);
    add("bytesOut", now.bytes_out - reported_.bytes_out);
    reported_ = now;
    json namespaces = json::array();
    for (const auto& [name, count] : env_.io.connected_sockets_by_namespace())
        namespaces.push_back(json{{"name", name}, {"socketsCount", count}});
    const double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    return json{{"serverId", settings_.server_id},
                {"hostname", hostname_},
                {"pid", static_cast<std::int64_t>(::getpid())},
                {"uptime", uptime},
                {"clientsCount", env_.session_count()},
                {"pollingClientsCount", std::max<std::int64_t>(0, now.polling_now)},
                {"aggregatedEvents", std::move(events)},
                {"namespaces", std::move(namespaces)}};
}

void admin_namespace::start() {
    env_.timer_worker.post([this] {
        stats_timer_ = std::make_unique<boost::asio::steady_timer>(env_.timer_worker.io());
        tell_admins("server_stats", json::array({server_stats()}));
        schedule_stats();
    });
}

void admin_namespace::schedule_stats() {
    stats_timer_->expires_after(stats_interval);
    stats_timer_->async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        tell_admins("server_stats", json::array({server_stats()}));
        schedule_stats();
    });
}

void admin_namespace::stop() {
    std::promise<void> stopped;
    env_.timer_worker.post([this, &stopped] {
        stats_timer_.reset();   // cancels the wait: its handler sees operation_aborted
        stopped.set_value();
    });
    stopped.get_future().wait();
}

void admin_namespace::tell_admins(std::string_view event, json args) {
    env_.io.broadcast(settings_.namespace_name, {}, event, std::move(args));
}

void admin_namespace::on_connected(socketio::socket& s) {
    tell_admins("socket_connected",
                json::array({admin_view(env_.io.description_of(s), s.nsp()), iso_time_now()}));
}

void admin_namespace::on_transport_changed(socketio::socket& s) {
    tell_admins("socket_updated",
                json::array({json{{"id", s.id()}, {"nsp", s.nsp()}, {"transport", s.session().transport_name()}}}));
}

void admin_namespace::on_disconnected(socketio::socket& s, std::string_view reason) {
    tell_admins("socket_disconnected", json::array({s.nsp(), s.id(), reason, iso_time_now()}));
}

void admin_namespace::on_joined(socketio::socket& s, std::string_view room) {
    // Rooms joined while connecting are in the socket_connected that follows.
    if (!s.connected()) return;
    tell_admins("room_joined", json::array({s.nsp(), room, s.id(), iso_time_now()}));
}

void admin_namespace::on_left(socketio::socket& s, std::string_view room) {
    tell_admins("room_left", json::array({s.nsp(), room, s.id(), iso_time_now()}));
}

void admin_namespace::on_event_received(socketio::socket& s, std::string_view event, const json& args) {
    if (s.nsp() == settings_.namespace_name) return;
    json event_and_args = json::array({event});
    event_and_args.insert(event_and_args.end(), args.begin(), args.end());
    tell_admins("event_received", json::array({s.nsp(), s.id(), std::move(event_and_args), iso_time_now()}));
}

void admin_namespace::on_event_sent(socketio::socket& s, const json& event_and_args) {
    if (s.nsp() == settings_.namespace_name) return;
    tell_admins("event_sent", json::array({s.nsp(), s.id(), event_and_args, iso_time_now()}));
}

void admin_namespace::describe(const socketio::socket& s, cluster::ordered_json& data) {
    // What the Node instrument keeps in socket.data._admin, so a Node node's UI lists
    // this node's sockets as it lists its own.
    const auto& session = s.session();
    data["_admin"] = {{"clientId", session.id().substr(0, 12)}, {"transport", session.transport_name()}};
}

}  // namespace switchboard::kernel::admin
