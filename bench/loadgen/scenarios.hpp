// The benchmark's scenarios. Each connects its own clients to a running server, measures
// the server's CPU and memory through /proc/<server pid>, prints metrics (report.hpp)
// and returns a process exit code: 0 when it could measure, 1 when the run failed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "client.hpp"
#include "fanout.hpp"

namespace switchboard::bench {

struct common_options {
    target where;
    int server_pid = 0;
    int database_pid = 0;                 // a database server in processes of its own, counted with the server
    std::vector<int> also_pids;           // more processes of the deployment (a second node, redis-server), counted too
    std::size_t threads = 1;              // load generator threads (shards)
    std::size_t connect_in_flight = 100;  // handshakes under way at once while connecting
};

// Scenarios 1 and 2: N idle WebSocket sessions (memory, idle CPU), then the same
// sessions as one room's fan-out audience.
struct sessions_options {
    std::size_t clients = 1000;
    double settle_seconds = 2;         // after connecting, before reading RSS
    double idle_seconds = 10;          // idle CPU window
    bool fanout = true;
    std::size_t processes = 1;         // load generator processes holding the sessions (idle only)
    fanout_options fan;
};
int run_sessions(const common_options& common, const sessions_options& options);

// The fan-out across a cluster: two nodes on one Redis, the receivers split over both,
// the sender on the first (`common.where`); every process of the deployment counted.
struct cluster_options {
    std::size_t clients = 1000;
    target second;                     // the other node
    fanout_options fan;
};
int run_cluster(const common_options& common, const cluster_options& options);

// Fan-out through an event handler: N clients join a room through `join_event`, the
// sender emits `event` (room, seq, body) and the handler broadcasts `tick` (seq, body).
struct relay_options {
    std::size_t clients = 1000;
    std::string join_event = "bench:join";
    std::string event = "bench:relay";
    std::string key = "relay";                        // metric keys start with it
    std::string title = "Fan-out through a handler";  // labels start with it
    fanout_options fan;
};
int run_relay(const common_options& common, const relay_options& options);

// Scenario 5: the fan-out to clients on HTTP long-polling only.
struct polling_options {
    std::size_t clients = 200;
    fanout_options fan;
};
int run_polling(const common_options& common, const polling_options& options);

// Scenario 3: emits with acks, each client in a closed loop.
struct acks_options {
    std::string event = "message-with-ack";   // what the clients emit: the server's handler under test
    std::string key = "acks";                 // metric keys start with it
    std::string title = "Acks";               // labels start with it
    std::size_t clients = 500;
    double warmup_seconds = 1;
    double seconds = 5;
    std::size_t event_bytes = 100;
};
int run_acks(const common_options& common, const acks_options& options);

// Scenario 4: WebSocket connects + Socket.IO CONNECT, then close, `concurrency` at a time.
struct handshakes_options {
    std::size_t concurrency = 50;
    double warmup_seconds = 0.5;
    double seconds = 5;
};
int run_handshakes(const common_options& common, const handshakes_options& options);

// A chat room: `members` signed-in clients join a room (chat:create, chat:join) and one
// more client sends `chat:send` at `rate` messages per second (open loop). Needs --auth.
struct chat_options {
    std::size_t members = 100;
    double rate = 100;                // messages per second
    double seconds = 5;
    std::size_t text_bytes = 100;     // each message's text
    std::string key = "chat";
    std::string title = "Chat";
};
int run_chat(const common_options& common, const chat_options& options);

}  // namespace switchboard::bench
