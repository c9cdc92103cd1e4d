#include "kernel/plugins/plugin_host.hpp"

#include "kernel/core/log.hpp"
#include "kernel/plugins/sdk_strings.hpp"
#include "kernel/plugins/socket_snapshot.hpp"

namespace switchboard::kernel::plugins {

using nlohmann::json;

void plugin_host::install_routes(const route_sink& add) {
    for (const auto& [key, route] : registry_.routes()) {
        const auto& [method, path] = key;
        const bool added = add(method, path, [this, route](net::http_request&& request, http_responder respond) {
            // Route handlers may block: they run on the pool.
            pool_->post([route, request = std::move(request), respond = std::move(respond)] {
                const std::string headers_json =
                    headers_object(request.headers).dump(-1, ' ', false, json::error_handler_t::replace);
                const auto method_name = net::to_string(request.method);
                switchboard_http_request_t raw{};
                raw.struct_size = sizeof raw;
                raw.method = view(method_name);
                raw.path = view(request.path);
                raw.query = view(request.query);
                raw.headers_json = view(headers_json);
                raw.body = view(request.body);
                switchboard_result result;
                log::context about_request;
                about_request.add("request_id", request.log_id);
                const log::thread_context about(&about_request, {});
                route.fn(route.user_data, &raw, &result);
                if (result.http_status == 0) {
                    SB_LOG(error, route.plugin->name) << "route " << request.path << " gave no answer";
                    respond(net::make_http_response(500, "application/json",
                                                    R"({"code":"internal_error","message":"no answer"})"));
                    return;
                }
                respond(net::make_http_response(result.http_status, result.content_type, result.body));
            });
        });
        if (!added) SB_LOG(error, route.plugin->name) << "route " << method << " " << path << " is taken (by another plugin or the server API); ignored";
    }
}

}  // namespace switchboard::kernel::plugins
