#include "backend_api.hpp"

#include <string>
#include <string_view>

#include "payloads.hpp"

namespace switchboard::plugins::notifications {

namespace {

using sdk::http_request;
using sdk::http_response;

http_response json_response(int status, const json& body) {
    http_response out;
    out.status = status;
    out.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return out;
}

http_response error_response(int status, std::string_view code, std::string_view message) {
    return json_response(status, json{{"code", code}, {"message", message}});
}

// Compares without stopping at the first difference: the time a wrong key takes
// must not tell how much of it was right.
bool same_secret(std::string_view given, std::string_view expected) {
    if (given.size() != expected.size()) return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < given.size(); ++i)
        difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
    return difference == 0;
}

bool authorized(const http_request& request, const std::string& api_key) {
    if (!request.headers.is_object()) return false;
    const auto header = request.headers.find("authorization");
    if (header == request.headers.end() || !header->is_string()) return false;
    const std::string_view value = header->get_ref<const std::string&>();
    constexpr std::string_view scheme = "Bearer ";
    if (value.size() <= scheme.size() || value.substr(0, scheme.size()) != scheme) return false;
    return same_secret(value.substr(scheme.size()), api_key);
}

std::string author_of(const json& payload) {
    const auto author = payload.find("author");
    if (author == payload.end() || author->is_null()) return "system";
    if (!author->is_string() || author->get_ref<const std::string&>().empty() ||
        utf8_length(author->get_ref<const std::string&>()) > 255)
        throw sdk::error("invalid_payload", "author must be a string of 1 to 255 characters");
    return author->get<std::string>();
}

// Runs one API call: authentication, JSON body, then `fn(body)`; maps failures to
// statuses a backend can act on.
template <class Fn>
http_response serve(sdk::plugin& p, const settings& config, const http_request& request, Fn&& fn) {
    if (!authorized(request, config.api_key))
        return error_response(401, "unauthorized", "send Authorization: Bearer <api_key>");
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) return error_response(400, "invalid_payload", "the body must be a JSON object");
    try {
        return json_response(201, fn(body));
    } catch (const sdk::error& failure) {
        if (failure.code() == "invalid_payload") return error_response(400, failure.code(), failure.what());
        p.log_error(std::string("HTTP API: ") + failure.what());
        // db_unavailable and friends: worth retrying later.
        return error_response(503, failure.code(), "the notification could not be stored");
    }
}

}  // namespace

void register_backend_api(sdk::plugin& p, const settings& config, notifier& delivery) {
    if (config.api_key.empty()) {
        p.log_info("no api_key: the HTTP API is off (the bus still works)");
    } else {
        p.route("POST", "/api/notifications", [&p, &config, &delivery](const http_request& request) {
            return serve(p, config, request, [&](const json& body) {
                const auto recipients = read_recipients(body, config);
                const auto input = read_notification(body, config);
                return json{{"notifications", delivery.send(recipients, input)}};
            });
        });
        p.route("POST", "/api/notifications/announcements", [&p, &config, &delivery](const http_request& request) {
            return serve(p, config, request, [&](const json& body) {
                const auto author = author_of(body);
                const auto input = read_notification(body, config, "announcement");
                return json{{"announcement", delivery.announce(author, input)}};
            });
        });
    }

    // The bus has nobody to answer: a bad payload is logged and counted, the
    // publisher's bug shows on /metrics (switchboard_plugin_notifications_bus_rejected).
    auto on_bus = [&p](std::string_view topic, auto&& fn) {
        try {
            fn();
        } catch (const std::exception& failure) {
            p.count("bus_rejected");
            p.log_warn(std::string(topic) + " payload refused: " + failure.what());
        }
    };
    p.subscribe(send_topic, [&config, &delivery, on_bus](std::string_view topic, const json& payload) {
        on_bus(topic, [&] {
            const auto recipients = read_recipients(payload, config);
            const auto input = read_notification(payload, config);
            delivery.send(recipients, input);
        });
    });
    p.subscribe(announce_topic, [&config, &delivery, on_bus](std::string_view topic, const json& payload) {
        on_bus(topic, [&] {
            if (!payload.is_object()) throw sdk::error("invalid_payload", "the announcement must be an object");
            const auto input = read_notification(payload, config, "announcement");
            delivery.announce(author_of(payload), input);
        });
    });
}

}  // namespace switchboard::plugins::notifications
