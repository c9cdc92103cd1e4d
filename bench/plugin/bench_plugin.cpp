// bench: the C++ side of bench/run's handler rows, written with the SDK the way a plugin
// author would. bench/lua/handlers.lua does exactly the same in Lua, and
// bench/reference/handlers.js in Node's socket.io, so the three rows differ only in
// the language and runtime around the same work.
//
//   "bench:write" (seq, body, ack) -> INSERT INTO bench_writes, ack [null, {id}]
//   "bench:echo"  (args..., ack)   -> ack with the same arguments (inline: no database)
#include <string>

#include <switchboard/sdk.hpp>

namespace {

namespace sdk = switchboard::sdk;

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void load(sdk::plugin& p) {
    // Pooled: a database call blocks its thread, so it must not run on a network worker.
    p.on("bench:write", [&p](sdk::event& e) {
        const sdk::json seq = e.args.size() > 0 ? e.args[0] : sdk::json();
        const sdk::json body = e.args.size() > 1 ? e.args[1] : sdk::json();
        if (!seq.is_number_integer() || !body.is_string())
            throw sdk::error("invalid_payload", "bench:write expects (seq: integer, body: string)");
        const sdk::json rows =
            p.query("INSERT INTO bench_writes (seq, body, created_at) VALUES (:seq, :body, :created_at) RETURNING id",
                    {{"seq", seq}, {"body", body}, {"created_at", now_ms()}});
        if (rows.empty()) throw sdk::error("db_error", "the new row's id did not come back");
        e.reply({{"id", rows[0].at("id")}});
    });

    p.on("bench:echo", [](sdk::event& e) { e.ack(e.args); }, {.inline_handler = true});
}

}  // namespace

SWITCHBOARD_PLUGIN("bench", "1.0.0", "bench/run's handler rows: a database write and an ack echo", "{}", load)
