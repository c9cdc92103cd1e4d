#include "kernel/plugins/plugin_host.hpp"

#include <future>

#include "kernel/plugins/sdk_strings.hpp"
#include "kernel/plugins/socket_snapshot.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::kernel::plugins {

using nlohmann::json;

void plugin_host::run_connect_hooks(socketio::socket& s, std::function<void(std::optional<json>)> decide) {
    auto snapshot = std::make_shared<socket_snapshot>(s, settings_.socketio.parser);
    std::vector<const connect_hook*> hooks;
    bool all_inline = true;
    for (const auto& h : registry_.connect_hooks()) {
        if (!nsp_matches(h.nsp, s.nsp())) continue;
        hooks.push_back(&h);
        all_inline = all_inline && h.is_inline;
    }
    auto run = [snapshot, hooks = std::move(hooks), decide = std::move(decide)] {
        const auto info = snapshot->info();
        for (const auto* h : hooks) {
            switchboard_result result;
            h->fn(h->user_data, &info, &result);
            if (result.error) {
                const json& error = *result.error;
                return decide(json{{"message", error.value("message", "connection refused")},
                                   {"data", {{"code", error.value("code", "forbidden")}}}});
            }
        }
        decide(std::nullopt);
    };
    if (all_inline) run();
    else pool_->post(std::move(run), dispatcher_->strand_of(s));
}

// Runs `call(hook, info)` for each of `hooks` in the socket's namespace: inline ones
// here, pooled ones on the socket's strand, in the order of its events.
template <class Hook, class Call>
void plugin_host::run_socket_hooks(socketio::socket& s, const std::vector<Hook>& hooks, const Call& call) {
    std::shared_ptr<socket_snapshot> snapshot;
    std::shared_ptr<handler_pool::strand> strand;
    for (const auto& h : hooks) {
        if (!nsp_matches(h.nsp, s.nsp())) continue;
        if (!snapshot) snapshot = std::make_shared<socket_snapshot>(s, settings_.socketio.parser);
        if (h.is_inline) {
            call(h, snapshot->info());
            continue;
        }
        if (!strand) strand = dispatcher_->strand_of(s);
        pool_->post([snapshot, h, call] { call(h, snapshot->info()); }, strand);
    }
}

void plugin_host::run_disconnect_hooks(socketio::socket& s, std::string_view reason) {
    run_socket_hooks(s, registry_.disconnect_hooks(), [reason = std::string(reason)](const disconnect_hook& h,
                                                                         const switchboard_socket_info_t& info) {
        h.fn(h.user_data, &info, view(reason));
    });
}

// A plugin sees connected, then the socket's events, then disconnect (one strand).
void plugin_host::run_connected_hooks(socketio::socket& s) {
    run_socket_hooks(s, registry_.connected_hooks(), [](const connected_hook& h, const switchboard_socket_info_t& info) {
        h.fn(h.user_data, &info);
    });
}

void plugin_host::run_auth_hooks(socketio::socket& s, std::function<void(std::optional<auth_decision>)> decided) {
    std::vector<const auth_hook*> hooks;
    for (const auto& h : registry_.auth_hooks())
        if (nsp_matches(h.nsp, s.nsp())) hooks.push_back(&h);
    if (hooks.empty()) return decided(std::nullopt);
    auto snapshot = std::make_shared<socket_snapshot>(s, settings_.socketio.parser);
    pool_->post([snapshot, hooks = std::move(hooks), decided = std::move(decided)] {
        switchboard_auth_request_t request{};
        request.struct_size = sizeof request;
        request.nsp = view(snapshot->nsp);
        request.auth_json = view(snapshot->auth_json);
        request.handshake_json = view(snapshot->handshake_json);
        for (const auto* h : hooks) {
            switchboard_result result;
            h->fn(h->user_data, &request, &result);
            if (result.error) {
                const json& error = *result.error;
                return decided(auth_decision{std::nullopt,
                                             json{{"message", error.value("message", "authentication refused")},
                                                  {"data", {{"code", error.value("code", "forbidden")}}}}});
            }
            if (result.value && result.value->is_object()) return decided(auth_decision{*result.value, std::nullopt});
        }
        decided(std::nullopt);
    }, dispatcher_->strand_of(s));
}

std::optional<json> plugin_host::authorize_join(std::uint64_t handle, std::string_view room) {
    if (registry_.join_hooks().empty()) return std::nullopt;
    // Take the socket's description on its worker, then run the hooks here.
    auto promise = std::make_shared<std::promise<std::shared_ptr<socket_snapshot>>>();
    auto future = promise->get_future();
    environment_.socketio.with_socket(handle, [promise, parser = settings_.socketio.parser](socketio::socket* s) {
        promise->set_value(s ? std::make_shared<socket_snapshot>(*s, parser) : nullptr);
    });
    const auto snapshot = future.get();
    if (!snapshot) return json{{"code", "not_found"}, {"message", "the socket is gone"}};
    const auto info = snapshot->info();
    for (const auto& h : registry_.join_hooks()) {
        if (!nsp_matches(h.nsp, snapshot->nsp)) continue;
        switchboard_result result;
        h.fn(h.user_data, &info, view(room), &result);
        if (result.error) return result.error;
    }
    return std::nullopt;
}

void plugin_host::install_namespace_handlers() {
    auto& io = environment_.socketio;
    for (const auto& nsp : io.settings().namespaces) {
        socketio::namespace_handlers handlers;
        if (registry_.has_connect_hook_for(nsp.name))
            handlers.authorize = [this](socketio::socket& s, std::function<void(std::optional<json>)> decide) {
                run_connect_hooks(s, std::move(decide));
            };
        handlers.on_event_text = [this](socketio::socket& s, std::string_view event, socketio::encoded_arguments args,
                                        std::int64_t ack_id) { dispatcher_->dispatch(s, event, std::move(args), ack_id); };
        handlers.on_disconnect = [this](socketio::socket& s, std::string_view reason) {
            run_disconnect_hooks(s, reason);
        };
        if (registry_.has_connected_hook_for(nsp.name))
            handlers.on_connection = [this](socketio::socket& s) { run_connected_hooks(s); };
        io.set_handlers(nsp.name, std::move(handlers));
    }
}

}  // namespace switchboard::kernel::plugins
