#include "reply.hpp"

namespace switchboard::plugins::chat {

namespace {

void answer_failure(sdk::plugin& p, const sdk::event& e, const std::string& code, const std::string& message) {
    if (e.wants_ack()) {
        e.fail(code, message);
        return;
    }
    p.emit(sdk::target::to_socket(e.socket), "chat:error",
           json::array({json{{"event", e.name}, {"code", code}, {"message", message}}}));
}

}  // namespace

std::string user_id_of(const json& user) {
    if (!user.is_object()) return {};
    const auto id = user.find("id");
    if (id == user.end()) return {};
    // The kernel names a non-string id by its JSON text; so do we.
    return id->is_string() ? id->get<std::string>() : id->dump();
}

void serve(sdk::plugin& p, const std::string& nsp, const char* event, chat_handler fn, bool inline_handler) {
    p.on(nsp, event, [&p, fn = std::move(fn)](sdk::event& e) {
        try {
            const std::string user = user_id_of(e.user);
            if (user.empty()) throw sdk::error("unauthorized", "chat needs an authenticated user");
            json result = fn(e, user);
            e.ack(json::array({nullptr, std::move(result)}));
        } catch (const sdk::error& failure) {
            const std::string& code = failure.code();
            if (code.rfind("db_", 0) == 0 || code == "not_allowed_here") {
                // SQL text and driver messages are for operators, not clients.
                p.log_error(std::string(e.name) + ": " + code + ": " + failure.what());
                p.count("database_errors");
                answer_failure(p, e, code == "db_unavailable" ? "unavailable" : "internal_error",
                               code == "db_unavailable" ? "the database is unavailable, try again"
                                                        : "the server failed to handle the event");
                return;
            }
            answer_failure(p, e, code, failure.what());
        } catch (const std::exception& failure) {
            p.log_error(std::string(e.name) + " failed: " + failure.what());
            answer_failure(p, e, "internal_error", "the server failed to handle the event");
        }
    }, sdk::handler_options{inline_handler});
}

}  // namespace switchboard::plugins::chat
