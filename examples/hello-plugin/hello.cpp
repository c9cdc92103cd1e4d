// hello: the smallest plugin that shows every kind of thing a plugin registers.
//
//   "hello:greet" (name, ack)  -> ack("<greeting>, <name>!"), counted on /metrics
//   "hello:boom"  (ack)        -> throws; the SDK answers {code: "internal_error"}
//   connect hook               -> refuses a client whose auth says {banned: true}
//   GET /hello                 -> {"greeting": ..., "greeted": n}
//
// The greeting comes from the deployment (config: {greeting: "Bonjour"}); the kernel
// checks its type and fills in the default before load runs.
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <switchboard/sdk.hpp>

namespace {

namespace sdk = switchboard::sdk;

constexpr const char* config_schema = R"({
  "greeting": {"type": "string", "default": "Hello", "description": "what hello:greet says before the name"}
})";

// Greetings since start, for GET /hello (the counter on /metrics says the same).
std::atomic<std::int64_t> greeted{0};

void load(sdk::plugin& p) {
    const std::string greeting = p.config().value("greeting", "Hello");

    p.on_connect([](const sdk::socket_info& s) {
        if (s.auth.is_object() && s.auth.value("banned", false))
            throw sdk::error("forbidden", "banned clients may not connect");
    });

    p.on("hello:greet", [&p, greeting](sdk::event& e) {
        const auto& name = e.args.empty() ? sdk::json() : e.args[0];
        if (!name.is_string() || name.get<std::string>().empty())
            throw sdk::error("invalid_payload", "hello:greet expects a name");
        ++greeted;
        p.count("greetings");
        e.ack(greeting + ", " + name.get<std::string>() + "!");
    });

    // A handler that fails: only its own client hears about it (an error ack).
    p.on("hello:boom", [](sdk::event&) -> void { throw std::runtime_error("boom, as asked"); });

    p.route("GET", "/hello", [greeting](const sdk::http_request&) {
        sdk::http_response response;
        response.body = sdk::json{{"greeting", greeting}, {"greeted", greeted.load()}}.dump();
        return response;
    });

    p.log_info("ready to greet with \"" + greeting + "\"");
}

}  // namespace

SWITCHBOARD_PLUGIN("hello", "1.0.0", "Greets clients: the SDK's example plugin", config_schema, load)
