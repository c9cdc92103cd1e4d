// calls: WebRTC call signaling for 1:1 and small group calls. The server rings the
// invitees' devices, keeps who is in which call, relays offers, answers and ICE
// candidates only between the members of a call, ends calls nobody is left in, and
// hands members TURN credentials when a TURN server is configured. Media never passes
// here. README.md documents every event, payload, ack, error code and config key.
//
// Every handler runs inline: nothing touches the database, and a signal relayed from
// the network worker is not queued behind slow work.
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include <switchboard/sdk.hpp>

#include "call_registry.hpp"
#include "payload.hpp"
#include "settings.hpp"
#include "turn_credentials.hpp"

namespace switchboard::plugins::calls {

namespace {

using sdk::target;

// 128 random bits: a call id is a capability nobody can guess into.
std::string new_call_id() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    static constexpr char hex[] = "0123456789abcdef";
    std::string id;
    for (int word = 0; word < 2; ++word) {
        auto bits = random();
        for (int i = 0; i < 16; ++i, bits >>= 4) id += hex[bits & 15];
    }
    return id;
}

struct calls_plugin {
    calls_plugin(sdk::plugin& plugin, settings s) : p(plugin), config(std::move(s)), registry(config.ring_timeout) {}

    sdk::plugin& p;
    const settings config;
    call_registry registry;

    // Sends what the registry decided, after its lock is released.
    void deliver(const effects& out) {
        for (const auto& m : out.messages) {
            auto to = m.kind == message::to::socket ? target::to_socket(m.socket) : target::to_user(config.nsp, m.user);
            if (m.kind == message::to::user && m.socket) to.except(m.socket);
            p.emit(to, m.event, json::array({m.payload}));
        }
        for (const auto& notification : out.missed) {
            p.count("calls_missed");
            if (config.notify_missed) p.publish("notifications:send", notification);
        }
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

    template <class Operation>
    json run(Operation operation) {
        effects out;
        json result = operation(out);
        deliver(out);
        return result;
    }

    void serve(const char* name, std::function<json(sdk::event&, const std::string& user, effects&)> fn) {
        p.serve(config.nsp, name, [this, fn = std::move(fn)](sdk::event& e) {
            const auto user = e.require_user();
            return run([&](effects& out) { return fn(e, user, out); });
        }, sdk::handler_options{true});
    }

    void register_events() {
        serve("call:invite", [this](sdk::event& e, const std::string& user, effects& out) {
            const auto request = read_invite(payload_of(e.args), user, config.max_participants);
            json result = registry.invite(user, e.socket, request, new_call_id(), call_registry::clock::now(), out);
            p.count("calls_started");
            result["iceServers"] = ice_servers();
            return result;
        });
        serve("call:accept", [this](sdk::event& e, const std::string& user, effects& out) {
            json result = registry.accept(user, e.socket, read_call_id(payload_of(e.args)), out);
            result["iceServers"] = ice_servers();
            return result;
        });
        serve("call:reject", [this](sdk::event& e, const std::string& user, effects& out) {
            const auto& payload = payload_of(e.args);
            return registry.reject(user, e.socket, read_call_id(payload), read_reason(payload), out);
        });
        serve("call:cancel", [this](sdk::event& e, const std::string& user, effects& out) {
            return registry.cancel(user, e.socket, read_call_id(payload_of(e.args)), out);
        });
        serve("call:hangup", [this](sdk::event& e, const std::string& user, effects& out) {
            return registry.hangup(user, e.socket, read_call_id(payload_of(e.args)), out);
        });
        serve("call:ice_servers", [this](sdk::event& e, const std::string&, effects&) {
            const auto call_id = read_call_id(payload_of(e.args));
            if (!registry.is_member(e.socket, call_id)) throw sdk::error("forbidden", "this device is not in the call");
            return json{{"callId", call_id}, {"iceServers", ice_servers()}};
        });
        // Relayed to the one device the addressee is in the call with; `from` is the
        // signed-in sender, never what the payload claims.
        p.serve(config.nsp, "rtc:signal", [this](sdk::event& e) {
            const auto user = e.require_user();
            auto request = read_signal(payload_of(e.args), config.max_signal_bytes);
            const auto to = registry.signal_route(user, e.socket, request.call_id, request.to);
            p.emit(target::to_socket(to), "rtc:signal",
                   json::array({json{{"callId", request.call_id},
                                     {"from", user},
                                     {"kind", request.kind},
                                     {"payload", std::move(request.payload)}}}));
            p.count("signals");
            return json{{"callId", request.call_id}};
        }, sdk::handler_options{true});

        p.on_disconnect([this](const sdk::socket_info& s, std::string_view) {
            effects out;
            registry.disconnected(s.socket, out);
            deliver(out);
        }, config.nsp, sdk::handler_options{true});

        // One sweep for every ringing call instead of a timer per invite.
        const auto period = std::clamp(config.ring_timeout / 10, std::chrono::milliseconds(20),
                                       std::chrono::milliseconds(1000));
        p.start_timer(period, period, [this] {
            effects out;
            registry.expire(call_registry::clock::now(), out);
            deliver(out);
        }, sdk::handler_options{true});
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
