// The fan-out measurement: receivers in one room, one more client (the sender) asking
// the server to emit `tick` events to that room on a fixed schedule (open loop: the
// schedule never waits for the server); the asking goes to the kernel test app or to an
// event handler (fanout_events). Each tick carries its sequence
// number; latency runs from the tick's intended send time to its receipt, so a server
// that falls behind is charged for the whole wait (no coordinated omission). The
// receivers may be several fleets, each on a server of its own (a cluster's nodes):
// every tick must then reach all of them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fleet.hpp"
#include "histogram.hpp"
#include "process_probe.hpp"

namespace switchboard::bench {

// One run: `bursts` groups of `burst` emits, a group every `interval`.
struct fanout_plan {
    std::string key;     // "fanout.ws.n1000.isolated"
    std::string label;   // "Fan-out WS, N=1,000, 20 broadcasts/s one at a time"
    std::size_t burst = 1;
    clock::duration interval{};
    std::size_t bursts = 0;
    std::size_t event_bytes = 100;   // the Engine.IO packet each receiver gets
    std::string throughput_target = "-";
    std::string p99_target = "-";
    bool report = true;   // false for a warm-up: measure nothing, print nothing
};

// What a fan-out scenario offers: isolated broadcasts, then bursts.
struct fanout_options {
    double seconds = 5;                // sending time of each run
    double isolated_rate = 20;         // broadcasts per second, one at a time
    std::size_t burst_size = 10;       // broadcasts sent back to back...
    double burst_rate = 4;             // ...this many times per second
    std::size_t event_bytes = 100;     // the Engine.IO packet each recipient gets
};
// The two runs of `fan`, keyed `<key>.isolated` and `<key>.burst<B>`, labelled after
// `label` ("Fan-out WS, N=1,000").
fanout_plan isolated_plan(const std::string& key, const std::string& label, const fanout_options& fan);
fanout_plan burst_plan(const std::string& key, const std::string& label, const fanout_options& fan);

// Which events join the room and ask for a broadcast. The kernel test app's by default:
// ["join", room] (acked) and ["emit", {"to": room, "event": "tick", "args": [seq, body]}].
// With `relay` set, an event handler's: ["<join>", room] (acked) and
// ["<relay>", room, seq, body], which the handler broadcasts to the room as
// ["tick", seq, body] (bench/plugin, bench/lua, bench/reference).
struct fanout_events {
    std::string join = "join";
    std::string relay;
};

class fanout {
public:
    // `receivers` get the room; `sender` holds one more client, not in the room.
    fanout(shard_pool& pool, std::vector<fleet*> receivers, fleet& sender, const process_probe& server,
           std::string room, fanout_events events = {});
    ~fanout();

    // Every receiver joins the room (and waits for the join's ack).
    bool join_all(clock::duration timeout);
    // Runs the plan and prints its metrics.
    void run(const fanout_plan& plan, const std::string& scenario);

private:
    struct tally;
    struct schedule;

    void on_receiver_packet(client& c, const protocol::sio_packet& packet, clock::time_point received);
    void send_due(const std::shared_ptr<schedule>& s);

    shard_pool& pool_;
    std::size_t receivers_ready() const;
    std::size_t receivers_failed() const;

    std::vector<fleet*> receivers_;
    fleet& sender_;
    const process_probe& server_;
    std::string room_;
    fanout_events events_;
    std::vector<std::unique_ptr<tally>> tallies_;   // one per shard, touched on its thread only
    std::uint64_t next_seq_ = 0;
    std::atomic<std::size_t> joined_{0};
    std::atomic<std::uint64_t> delivered_{0};
};

}  // namespace switchboard::bench
