// calls: WebRTC call signaling for 1:1 and small group calls. The server rings the
// invitees' devices, keeps who is in which call, relays offers, answers and ICE
// candidates only between the members of a call, ends calls nobody is left in, and
// hands members TURN credentials when a TURN server is configured. Media never passes
// here. README.md documents every event, payload, ack, error code and config key.
//
// Every handler runs inline: nothing touches the database, and a signal relayed from
// the network worker is not queued behind slow work.
//
// Several nodes on Redis: a call lives on its caller's node; devices on other nodes act
// on it through that node (cluster_routes.hpp), and every node counts the users in a
// call anywhere as busy. README.md, "Several nodes", says what that guarantees.
#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>

#include <switchboard/sdk.hpp>
#include <switchboard/sdk/other_nodes.hpp>

#include "call_registry.hpp"
#include "cluster_routes.hpp"
#include "payload.hpp"
#include "settings.hpp"
#include "turn_credentials.hpp"

namespace switchboard::plugins::calls {

namespace {

using sdk::target;

std::string random_hex(std::size_t digits) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    while (out.size() < digits) {
        auto bits = random();
        for (int i = 0; i < 16 && out.size() < digits; ++i, bits >>= 4) out += hex[bits & 15];
    }
    return out;
}

constexpr std::size_t node_digits = 8;
constexpr std::size_t call_id_digits = 32;
// How long a device's request waits for the call's node before it is refused.
constexpr std::chrono::seconds home_timeout{3};
// Every node says who is in its calls this often; the others hold a user busy for
// three periods after the last word, so a node that died frees its users by then.
constexpr std::chrono::seconds engaged_period{5};
constexpr auto engaged_hold = 3 * engaged_period;
// The name of this plugin's messages to its copies on the other nodes (serverSideEmit).
constexpr std::string_view cluster_event = "calls:cluster";

// The events a device sends about a call it is in or invited to; each is answered by
// the call's home node (see cluster_routes.hpp).
enum class action { accept, reject, cancel, hangup, ice_servers, signal };
constexpr std::pair<action, const char*> action_names[] = {
    {action::accept, "call:accept"}, {action::reject, "call:reject"},         {action::cancel, "call:cancel"},
    {action::hangup, "call:hangup"}, {action::ice_servers, "call:ice_servers"}, {action::signal, "rtc:signal"}};

std::optional<action> action_named(const std::string& name) {
    for (const auto& [a, n] : action_names)
        if (name == n) return a;
    return std::nullopt;
}

struct calls_plugin {
    calls_plugin(sdk::plugin& plugin, settings s) : p(plugin), config(std::move(s)), registry(config.ring_timeout) {}

    sdk::plugin& p;
    const settings config;
    call_registry registry;
    // This node's name in the cluster, and the first digits of every call id it makes:
    // 96 random bits remain, a call id is still a capability nobody guesses into.
    const std::string node = random_hex(node_digits);
    remote_sockets remote;
    pending_requests pending;
    // Held while telling the other nodes who is busy: the periodic list leaves after the
    // changes it saw and before those it did not, so it never undoes a newer change.
    std::mutex engaged_order;
    // Local devices that asked another node about a call: that node hears when they go.
    std::mutex away_mutex;
    std::map<socket_id, std::set<std::string>> away;

    std::string new_call_id() const { return node + random_hex(call_id_digits - node_digits); }
    // The node a call lives on; this one for an id it cannot have made (not_found here).
    std::string home_of(const std::string& call_id) const {
        if (call_id.size() != call_id_digits) return node;
        return call_id.substr(0, node_digits);
    }

    void tell(const std::string& to, json message) {
        message["to"] = to;
        message["from"] = node;
        sdk::tell_other_nodes(p, cluster_event, std::move(message));
    }

    // Sends what the registry decided, after its lock is released; what concerns a
    // device on another node goes through its node.
    void deliver(const effects& out) {
        for (const auto& m : out.messages) {
            if (remote_sockets::is_remote(m.socket)) {
                const auto where = remote.find(m.socket);
                if (!where) continue;   // gone meanwhile
                tell(where->node, {{"op", "deliver"}, {"handle", where->handle}, {"user", m.user},
                                   {"toUser", m.kind == message::to::user}, {"event", m.event}, {"payload", m.payload}});
                continue;
            }
            emit(m.kind == message::to::user, m.socket, m.user, m.event, m.payload);
        }
        if (!out.engaged.empty()) {
            std::lock_guard lock(engaged_order);
            for (const auto& [user, busy] : out.engaged) tell("*", {{"op", "busy"}, {"user", user}, {"busy", busy}});
        }
        for (const auto& notification : out.missed) {
            p.count("calls_missed");
            if (config.notify_missed) p.publish("notifications:send", notification);
        }
    }

    // To one local socket, or to every device of a user but one local socket (any node:
    // a user's room spans the cluster).
    void emit(bool to_user, socket_id socket, const std::string& user, const std::string& event, const json& payload) {
        auto to = to_user ? target::to_user(config.nsp, user) : target::to_socket(socket);
        if (to_user && socket) to.except(socket);
        p.emit(to, event, json::array({payload}));
    }

    // STUN and TURN servers for RTCPeerConnection({iceServers}); TURN with fresh
    // credentials, so a member can always ask again before they expire.
    json ice_servers() const {
        json servers = json::array();
        if (!config.stun_urls.empty()) servers.push_back({{"urls", config.stun_urls}});
        if (!config.turn_secret.empty()) {
            const auto expires = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch() + config.turn_ttl)
                                     .count();
            const auto credential = make_turn_credential(config.turn_secret, expires);
            servers.push_back(
                {{"urls", config.turn_urls}, {"username", credential.username}, {"credential", credential.credential}});
        }
        return servers;
    }

    // What a device asks of a call, on the call's home node; `socket` is the device as
    // the registry knows it (a local handle, or a remote_sockets id).
    json perform(action a, const std::string& user, socket_id socket, const json& payload, effects& out) {
        switch (a) {
            case action::accept: {
                json result = registry.accept(user, socket, read_call_id(payload), out);
                result["iceServers"] = ice_servers();
                return result;
            }
            case action::reject:
                return registry.reject(user, socket, read_call_id(payload), read_reason(payload), out);
            case action::cancel:
                return registry.cancel(user, socket, read_call_id(payload), out);
            case action::hangup:
                return registry.hangup(user, socket, read_call_id(payload), out);
            case action::ice_servers: {
                const auto call_id = read_call_id(payload);
                if (!registry.is_member(socket, call_id)) throw sdk::error("forbidden", "this device is not in the call");
                return json{{"callId", call_id}, {"iceServers", ice_servers()}};
            }
            case action::signal: {
                // Relayed to the one device the addressee is in the call with; `from` is
                // the signed-in sender, never what the payload claims.
                auto request = read_signal(payload, config.max_signal_bytes);
                const auto to = registry.signal_route(user, socket, request.call_id, request.to);
                out.messages.push_back({message::to::socket, to, {}, "rtc:signal",
                                        json{{"callId", request.call_id},
                                             {"from", user},
                                             {"kind", request.kind},
                                             {"payload", std::move(request.payload)}}});
                p.count("signals");
                return json{{"callId", request.call_id}};
            }
        }
        throw sdk::error("internal_error", "unknown action");
    }

    // Answers `e` with what `fn` returns; nullopt: answered later (by the call's node).
    template <class Fn>
    void respond(sdk::event& e, Fn fn) {
        try {
            if (auto result = fn()) e.reply(std::move(*result));
        } catch (const sdk::error& failure) {
            p.refuse(e, failure.code(), failure.what());
        } catch (const std::exception& failure) {
            p.log_error(e.name + " failed: " + failure.what());
            p.refuse(e, "internal_error", "the server failed to handle the event");
        }
    }

    void on_device_request(action a, const char* name) {
        p.on(config.nsp, name, [this, a](sdk::event& e) {
            respond(e, [&]() -> std::optional<json> {
                const auto user = e.require_user();
                const auto& payload = payload_of(e.args);
                // Checked here: a bad payload is refused without a trip to another node.
                const auto call_id = a == action::signal ? read_signal(payload, config.max_signal_bytes).call_id
                                                         : read_call_id(payload);
                if (a == action::reject) read_reason(payload);
                const auto home = home_of(call_id);
                if (home == node) {
                    effects out;
                    json result = perform(a, user, e.socket, payload, out);
                    deliver(out);
                    return result;
                }
                {
                    std::lock_guard lock(away_mutex);
                    away[e.socket].insert(home);
                }
                const auto id = pending.add(e, pending_requests::clock::now() + home_timeout);
                tell(home, {{"op", "request"}, {"id", id}, {"event", e.name}, {"user", user}, {"handle", e.socket},
                            {"payload", payload}});
                return std::nullopt;
            });
        }, sdk::handler_options{true});
    }

    // ---- another node's messages (in the order that node sent them)
    // A node reads what is addressed to it (its name, or "*" for every node) and leaves
    // the rest, which the same channel carries to every node.
    sdk::node_op addressed(std::function<void(const std::string& from, const json& message)> handle) {
        return [this, handle = std::move(handle)](const json& message) {
            const auto to = message.value("to", std::string());
            const auto from = message.value("from", std::string());
            if ((to == node || to == "*") && !from.empty()) handle(from, message);
        };
    }

    void listen_to_other_nodes() {
        // A user another node says is in a call stays busy here this long after its word.
        const auto hold_until = [] { return call_registry::clock::now() + engaged_hold; };
        sdk::on_other_nodes(
            p, cluster_event,
            {{"request", addressed([this](const std::string& from, const json& m) { answer_request(from, m); })},
             {"reply", addressed([this](const std::string&, const json& m) { take_reply(m); })},
             {"deliver", addressed([this](const std::string&, const json& m) {
                  emit(m.value("toUser", false), m.value("handle", socket_id{0}), m.value("user", std::string()),
                       m.value("event", std::string()), m.value("payload", json()));
              })},
             {"busy", addressed([this, hold_until](const std::string& from, const json& m) {
                  registry.set_busy_elsewhere(m.value("user", std::string()), from, m.value("busy", false),
                                              hold_until());
              })},
             {"engaged", addressed([this, hold_until](const std::string& from, const json& m) {
                  std::vector<std::string> users;
                  for (const auto& user : m.value("users", json::array()))
                      if (user.is_string()) users.push_back(user.get<std::string>());
                  registry.set_engaged_on(from, users, hold_until());
              })},
             {"gone", addressed([this](const std::string& from, const json& m) {
                  // A device of that node that asked about our calls disconnected.
                  if (const auto id = remote.forget(from, m.value("handle", socket_id{0}))) {
                      effects out;
                      registry.disconnected(*id, out);
                      deliver(out);
                  }
              })}});
    }

    void answer_request(const std::string& from, const json& message) {
        json reply{{"op", "reply"}, {"id", message.value("id", std::string())}};
        effects out;
        try {
            const auto a = action_named(message.value("event", std::string()));
            const auto user = message.value("user", std::string());
            if (!a || user.empty()) throw sdk::error("invalid_payload", "an unknown request from another node");
            const auto socket = remote.id_of(from, message.value("handle", socket_id{0}));
            reply["result"] = perform(*a, user, socket, message.value("payload", json::object()), out);
        } catch (const sdk::error& failure) {
            reply["error"] = {{"code", failure.code()}, {"message", failure.what()}};
        } catch (const std::exception& failure) {
            p.log_error(std::string("calls: a request of another node failed: ") + failure.what());
            reply["error"] = {{"code", "internal_error"}, {"message", "the server failed to handle the event"}};
        }
        deliver(out);
        tell(from, std::move(reply));
    }

    void take_reply(const json& message) {
        auto e = pending.take(message.value("id", std::string()));
        if (!e) return;   // answered too late: refused already
        const auto error = message.value("error", json());
        if (error.is_object())
            return p.refuse(*e, error.value("code", "internal_error"), error.value("message", "failed"));
        e->reply(message.value("result", json()));
    }

    void register_events() {
        p.serve(config.nsp, "call:invite", [this](sdk::event& e) {
            const auto user = e.require_user();
            const auto request = read_invite(payload_of(e.args), user, config.max_participants);
            effects out;
            json result = registry.invite(user, e.socket, request, new_call_id(), call_registry::clock::now(), out);
            deliver(out);
            p.count("calls_started");
            result["iceServers"] = ice_servers();
            return result;
        }, sdk::handler_options{true});
        for (const auto& [a, name] : action_names) on_device_request(a, name);

        p.on_disconnect([this](const sdk::socket_info& s, std::string_view) {
            effects out;
            registry.disconnected(s.socket, out);
            deliver(out);
            std::set<std::string> homes;
            {
                std::lock_guard lock(away_mutex);
                if (const auto it = away.find(s.socket); it != away.end()) {
                    homes = std::move(it->second);
                    away.erase(it);
                }
            }
            for (const auto& home : homes) tell(home, {{"op", "gone"}, {"handle", s.socket}});
        }, config.nsp, sdk::handler_options{true});

        listen_to_other_nodes();

        // One sweep for every ringing call instead of a timer per invite; it also
        // refuses the requests whose call's node did not answer.
        const auto period = std::clamp(config.ring_timeout / 10, std::chrono::milliseconds(20),
                                       std::chrono::milliseconds(1000));
        p.start_timer(period, period, [this] {
            effects out;
            registry.expire(call_registry::clock::now(), out);
            deliver(out);
            for (const auto& e : pending.expire(pending_requests::clock::now()))
                p.refuse(e, "not_found", "no such call (it may have ended, or its node is gone)");
        }, sdk::handler_options{true});
        p.start_timer(engaged_period, engaged_period,
                      [this] {
                          std::lock_guard lock(engaged_order);
                          tell("*", {{"op", "engaged"}, {"users", registry.engaged_users()}});
                      },
                      sdk::handler_options{true});
    }
};

std::unique_ptr<calls_plugin> instance;

void load(sdk::plugin& p) {
    instance = std::make_unique<calls_plugin>(p, read_settings(p.config()));
    instance->register_events();
}

}  // namespace

}  // namespace switchboard::plugins::calls

SWITCHBOARD_PLUGIN("calls", "1.0.0", "WebRTC call signaling: ringing, answer, reject, busy, timeout, hangup, TURN",
                   switchboard::plugins::calls::config_schema, switchboard::plugins::calls::load)
