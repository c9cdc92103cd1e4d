// What the runtime registers with the host, and what the host's calls do.
//
// The SDK takes registrations only while the plugin loads, but a reload may bring new
// event names: each name the start-up scripts use gets a handler of its own (inline
// or pooled, as declared), and two catch-alls ("*", inline and pooled) serve the
// names that appear later. Hooks (connect, disconnect...) are registered as the
// start-up scripts declare them; a reload that needs one more is told to restart.
#include <algorithm>
#include <map>
#include <set>

#include "runtime.hpp"
#include "tasks.hpp"

namespace switchboard::plugins::lua {

namespace {

bool nsp_matches(const std::string& pattern, std::string_view nsp) { return pattern == "*" || pattern == nsp; }

// Whether the current scripts have a hook for `nsp`: most connections need no state.
bool any_for(const std::shared_ptr<generation>& gen, std::vector<hook_declaration> catalog::*hooks,
             std::string_view nsp) {
    if (!gen) return false;
    const auto& declared = gen->declared().*hooks;
    return std::any_of(declared.begin(), declared.end(), [&](const auto& h) { return nsp_matches(h.nsp, nsp); });
}

}  // namespace

void runtime::register_with_host(const catalog& declared) {
    std::map<std::string, bool> names;   // name -> inline (only if every declaration is)
    for (const auto& e : declared.events) {
        const auto [it, fresh] = names.emplace(e.name, e.is_inline);
        if (!fresh) it->second = it->second && e.is_inline;
    }
    for (const auto& [name, is_inline] : names) {
        const route how = is_inline ? route::named_inline : route::named_pooled;
        plugin_.on("*", name, [this, how](sdk::event& e) { handle_event(e, how); }, {is_inline});
        registered_.events.emplace_back(name, is_inline);
    }
    plugin_.on("*", "*", [this](sdk::event& e) { handle_event(e, route::any_inline); }, {true});
    plugin_.on("*", "*", [this](sdk::event& e) { handle_event(e, route::any_pooled); }, {false});

    // Always a connect hook: it fills the socket directory every ctx reads from.
    registered_.connect_inline =
        std::all_of(declared.connect.begin(), declared.connect.end(), [](const auto& h) { return h.is_inline; });
    plugin_.on_connect([this](const sdk::socket_info& s) { handle_connect(s); }, "*", {registered_.connect_inline});
    // Pooled: it runs after the socket's queued events, which still read the directory.
    plugin_.on_disconnect(
        [this](const sdk::socket_info& s, std::string_view reason) { handle_disconnect(s, reason, false); }, "*",
        {false});
    registered_.disconnect_inline =
        std::any_of(declared.disconnect.begin(), declared.disconnect.end(), [](const auto& h) { return h.is_inline; });
    if (registered_.disconnect_inline)
        plugin_.on_disconnect(
            [this](const sdk::socket_info& s, std::string_view reason) { handle_disconnect(s, reason, true); }, "*",
            {true});

    if ((registered_.join = !declared.join.empty()))
        plugin_.on_join([this](const sdk::socket_info& s, std::string_view room) { handle_join(s, room); });
    if ((registered_.auth = !declared.auth.empty()))
        plugin_.on_auth([this](const sdk::auth_request& r) { return handle_auth(r); });
    if ((registered_.presence = !declared.presence.empty()))
        plugin_.on_presence([this](std::string_view user_id, bool online) { handle_presence(user_id, online); });
    std::set<std::string> topics;
    for (const auto& t : declared.topics) topics.insert(t.topic);
    for (const auto& topic : topics) {
        plugin_.subscribe(topic, [this](std::string_view t, const json& payload) { handle_message(t, payload); });
        registered_.topics.push_back(topic);
    }
    for (const auto& r : declared.routes) {
        // The route as registered, not the request's path: a `{name}` pattern matches
        // many paths, and the scripts declared the pattern.
        plugin_.route(r.method, r.path, [this, path = r.path](const sdk::http_request& request) {
            return handle_http(request, path);
        });
        registered_.routes.emplace_back(r.method, r.path);
    }
}

void runtime::warn_about_new_registrations(const catalog& declared) const {
    auto warn = [this](const std::string& text) { log(SWITCHBOARD_LOG_WARN, text); };
    for (const auto& e : declared.events) {
        const auto found = std::find_if(registered_.events.begin(), registered_.events.end(),
                                        [&](const auto& r) { return r.first == e.name; });
        if (found != registered_.events.end() && found->second != e.is_inline)
            warn("event \"" + e.name + "\" (" + e.where + ") is now " + (e.is_inline ? "inline" : "pooled") +
                 ": it keeps running " + (found->second ? "inline" : "pooled") + ", as at start-up, until a restart");
    }
    for (const auto& h : declared.connect)
        if (!h.is_inline && registered_.connect_inline)
            warn("on_connect (" + h.where + ") is pooled but the start-up scripts' connect hooks were inline: it runs "
                 "inline (no database calls) until a restart");
    if (!declared.join.empty() && !registered_.join)
        warn("on_join (" + declared.join.front().where + ") takes effect at the next restart: the host takes new "
             "hooks only at start-up");
    if (!declared.auth.empty() && !registered_.auth)
        warn("on_auth (" + declared.auth.front().where + ") takes effect at the next restart");
    if (!declared.presence.empty() && !registered_.presence)
        warn("on_presence (" + declared.presence.front().where + ") takes effect at the next restart");
    for (const auto& t : declared.topics)
        if (std::find(registered_.topics.begin(), registered_.topics.end(), t.topic) == registered_.topics.end())
            warn("subscribe(\"" + t.topic + "\") (" + t.where + ") takes effect at the next restart");
    for (const auto& r : declared.routes)
        if (std::find(registered_.routes.begin(), registered_.routes.end(), std::make_pair(r.method, r.path)) ==
            registered_.routes.end())
            warn("route " + r.method + " " + r.path + " (" + r.where + ") takes effect at the next restart");
}

void runtime::handle_event(sdk::event& e, route how) {
    const bool catch_all = how == route::any_inline || how == route::any_pooled;
    const bool inline_run = how == route::any_inline || how == route::named_inline;
    if (catch_all) {
        // Both catch-alls see every unnamed event: each serves the handlers of its kind.
        const auto gen = current();
        const auto* d = gen ? gen->declared().find_event(e.nsp, e.name) : nullptr;
        if (!d || d->is_inline != inline_run) return;
    }
    auto held = acquire();
    if (!held) {
        if (e.wants_ack()) e.fail("unavailable", "the scripts could not load");
        return;
    }
    vm& state = held->state();
    const auto* d = state.declared().find_event(e.nsp, e.name);
    if (!d) return;   // as the reference server: an event nobody handles is ignored
    auto socket = sockets_.find(e.socket);
    auto run = std::make_shared<event_task>(*this, std::move(e), std::move(socket), d->where);
    run->is_inline = inline_run;
    state.run(run, d->index);
}

void runtime::handle_connect(const sdk::socket_info& s) {
    auto entry = make_socket_entry(s);
    sockets_.add(entry);
    if (!any_for(current(), &catalog::connect, s.nsp)) return;
    auto held = acquire();
    if (!held) {
        sockets_.remove(s.socket);
        throw sdk::error("unavailable", "the scripts could not load");
    }
    for (const auto& h : held->state().declared().connect) {
        if (!nsp_matches(h.nsp, s.nsp)) continue;
        auto run = std::make_shared<connect_task>(*this, entry, s.user, h.where, registered_.connect_inline);
        held->state().run(run, h.index);
        if (run->refused) {
            sockets_.remove(s.socket);
            throw sdk::error(run->refused->first, run->refused->second);
        }
    }
}

void runtime::handle_disconnect(const sdk::socket_info& s, std::string_view reason, bool inline_hook) {
    auto entry = sockets_.find(s.socket);
    if (!entry) entry = make_socket_entry(s);
    if (!any_for(current(), &catalog::disconnect, s.nsp)) {
        if (!inline_hook) sockets_.remove(s.socket);
        return;
    }
    if (auto held = acquire()) {
        for (const auto& h : held->state().declared().disconnect) {
            if (!nsp_matches(h.nsp, s.nsp)) continue;
            // Inline handlers run in the inline hook when there is one, else here.
            const bool here = inline_hook ? h.is_inline : (!h.is_inline || !registered_.disconnect_inline);
            if (!here) continue;
            auto run = std::make_shared<disconnect_task>(*this, entry, s.user, std::string(reason), h.where,
                                                         inline_hook);
            held->state().run(run, h.index);
        }
    }
    if (!inline_hook) sockets_.remove(s.socket);
}

void runtime::handle_join(const sdk::socket_info& s, std::string_view room) {
    auto held = acquire();
    if (!held) throw sdk::error("unavailable", "the scripts could not load");
    const auto entry = make_socket_entry(s);
    for (const auto& h : held->state().declared().join) {
        if (!nsp_matches(h.nsp, s.nsp)) continue;
        auto run = std::make_shared<join_task>(*this, entry, s.user, std::string(room), h.where);
        held->state().run(run, h.index);
        if (run->refused) throw sdk::error(run->refused->first, run->refused->second);
    }
}

std::optional<json> runtime::handle_auth(const sdk::auth_request& request) {
    auto held = acquire();
    if (!held) throw sdk::error("unavailable", "the scripts could not load");
    for (const auto& h : held->state().declared().auth) {
        if (!nsp_matches(h.nsp, request.nsp)) continue;
        auto run = std::make_shared<auth_task>(*this, request, h.where);
        held->state().run(run, h.index);
        if (run->refused) throw sdk::error(run->refused->first, run->refused->second);
        if (run->user) return run->user;
    }
    return std::nullopt;
}

void runtime::handle_presence(std::string_view user_id, bool online) {
    auto held = acquire();
    if (!held) return;
    for (const auto& h : held->state().declared().presence)
        held->state().run(std::make_shared<presence_task>(*this, std::string(user_id), online, h.where), h.index);
}

void runtime::handle_message(std::string_view topic, const json& payload) {
    auto held = acquire();
    if (!held) return;
    for (const auto& t : held->state().declared().topics)
        if (t.topic == topic)
            held->state().run(std::make_shared<bus_task>(*this, std::string(topic), payload, t.where), t.index);
}

sdk::http_response runtime::handle_http(const sdk::http_request& request, const std::string& route_path) {
    auto held = acquire();
    if (!held) return {503, "application/json", R"({"code":"unavailable","message":"the scripts could not load"})"};
    for (const auto& r : held->state().declared().routes) {
        if (r.method != request.method || r.path != route_path) continue;
        auto run = std::make_shared<http_task>(*this, request, r.where);
        held->state().run(run, r.index);
        return run->response;
    }
    return {404, "application/json", R"({"code":"not_found","message":"no script serves this route since the reload"})"};
}

}  // namespace switchboard::plugins::lua
