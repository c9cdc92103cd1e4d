// The identity side of store-probe: an auth hook for API keys, the socket's user,
// delivery to every device of a user, and the presence transitions the kernel reports.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "probe.hpp"

namespace switchboard::plugins::store_probe {

namespace {

using sdk::event;
using sdk::json;
using sdk::target;

constexpr const char* watchers_room = "probe:presence-watchers";

// Transitions in the order the hook heard them; tests read them with probe:presence_log.
struct presence_record {
    std::mutex mutex;
    std::vector<json> transitions;
    std::uint64_t next_seq = 1;
};

std::string user_field(const event& e) {
    if (e.args.empty() || !e.args[0].is_object()) throw sdk::error("invalid_payload", "expected an object argument");
    const auto user = e.args[0].find("user");
    if (user == e.args[0].end() || !user->is_string() || user->get<std::string>().empty())
        throw sdk::error("invalid_payload", "user must be a non-empty string");
    return user->get<std::string>();
}

// {apiKey} admits a service client as user "api:<as>" (claims-like: the kernel maps
// "sub" to "id"); a wrong key is refused with the hook's own code. Without apiKey the
// hook has no opinion and the JWT decides.
void register_auth_hook(sdk::plugin& p) {
    const std::string accepted = p.config().value("api_key", "");
    p.on_auth([accepted](const sdk::auth_request& request) -> std::optional<json> {
        if (!request.auth.is_object() || !request.auth.contains("apiKey")) return std::nullopt;
        const json& key = request.auth["apiKey"];
        if (accepted.empty() || !key.is_string() || key.get<std::string>() != accepted)
            throw sdk::error("invalid_api_key", "unknown API key");
        const std::string as = request.auth.value("as", "service");
        return json{{"sub", "api:" + as}, {"name", "API client " + as}, {"via", "api_key"}, {"nsp", request.nsp}};
    });
}

void register_user_events(sdk::plugin& p) {
    p.on("probe:whoami", [](event& e) { e.ack(json::array({e.user})); });
    p.on("probe:notify_user", [&p](event& e) {
        const std::string user = user_field(e);
        const json from = e.user.is_object() ? e.user.value("id", json()) : json();
        p.emit(target::to_user(e.nsp, user), "probe:notice",
               json::array({json{{"message", e.args[0].value("message", json())}, {"from", from}}}));
        e.ack(true);
    });
    p.on("probe:sessions", [&p](event& e) { e.ack(p.user_sessions(user_field(e))); });
}

void register_presence(sdk::plugin& p) {
    auto record = std::make_shared<presence_record>();
    p.on_presence([&p, record](std::string_view user_id, bool online) {
        json transition;
        {
            std::lock_guard lock(record->mutex);
            transition = json{{"user", user_id}, {"online", online}, {"seq", record->next_seq++}};
            record->transitions.push_back(transition);
        }
        p.emit(target::to_room("/", watchers_room), "probe:presence", json::array({transition}));
    });
    p.on("probe:watch_presence", [&p](event& e) {
        p.join(e.socket, watchers_room);
        e.ack(true);
    });
    // probe:presence_log {user?}: the transitions heard so far (of one user, if given).
    p.on("probe:presence_log", [record](event& e) {
        const bool filtered = !e.args.empty() && e.args[0].is_object() && e.args[0].contains("user");
        const std::string user = filtered ? user_field(e) : std::string();
        json out = json::array();
        std::lock_guard lock(record->mutex);
        for (const auto& t : record->transitions)
            if (!filtered || t["user"] == user) out.push_back(t);
        e.ack(json::array({out}));
    });
}

}  // namespace

void register_identity_events(sdk::plugin& p) {
    register_auth_hook(p);
    register_user_events(p);
    register_presence(p);
}

}  // namespace switchboard::plugins::store_probe
