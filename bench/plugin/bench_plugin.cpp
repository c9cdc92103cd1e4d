// bench: the C++ side of bench/run's handler rows, written with the SDK the way a plugin
// author would. bench/lua/handlers.lua does exactly the same in Lua, and
// bench/reference/handlers.js in Node's socket.io, so the three rows differ only in
// the language and runtime around the same work.
//
//   "bench:write" (seq, body, ack) -> INSERT INTO bench_writes, ack [null, {id}]
//   "bench:echo"  (args..., ack)   -> ack with the same arguments (inline: no database)
//   "bench:join"  (room, ack)      -> joins the room, ack []
//   "bench:relay" (room, args...)  -> broadcasts "tick" (args...) to the room (the fan-out row)
#include <string>

#include <switchboard/sdk.hpp>

namespace {

namespace sdk = switchboard::sdk;

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// The room an event names first.
std::string room_of(const sdk::event& e, const char* usage) {
    if (e.args.empty() || !e.args[0].is_string()) throw sdk::error("invalid_payload", usage);
    return e.args[0].get<std::string>();
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

    // The fan-out row: a client asks for a broadcast to a room, as a chat relay would.
    // Inline like the echo: neither waits for anything.
    p.on("bench:join", [&p](sdk::event& e) {
        p.join(e.socket, room_of(e, "bench:join expects (room: string)"));
        e.ack(sdk::json::array());
    }, {.inline_handler = true});
    p.on("bench:relay", [&p](sdk::event& e) {
        const std::string room = room_of(e, "bench:relay expects (room: string, args...)");
        p.emit(sdk::target::to_room(e.nsp, room), "tick", sdk::json(e.args.begin() + 1, e.args.end()));
    }, {.inline_handler = true});
}

}  // namespace

SWITCHBOARD_PLUGIN("bench", "1.0.0", "bench/run's handler rows: a database write, an ack echo and a room relay", "{}", load)
