// Fan-out through an event handler (the handler rows): N clients join one room through
// the handler's join event, one more client emits the relay event (room, seq, body) on
// scenario 2's schedule, and the handler under test broadcasts it to the room as `tick`.
// Scenario 2 asks the kernel test app for the same broadcast, so the difference between
// the two rows is what the handler's runtime (Lua, a C++ plugin, Node) adds per broadcast.
#include "fanout.hpp"
#include "fleet.hpp"
#include "process_probe.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace switchboard::bench {

int run_relay(const common_options& common, const relay_options& options) {
    const std::string scenario = options.key;
    const std::string n = grouped(options.clients);
    const process_probe server(common.server_pid, common.database_pid);
    shard_pool pool(common.threads);

    fleet receivers(pool, common.where, transport::websocket);
    if (!receivers.connect(options.clients, common.connect_in_flight, std::chrono::seconds(120))) {
        note(scenario, "connecting " + n + " clients failed: " + receivers.failure());
        return 1;
    }
    fleet sender(pool, common.where, transport::websocket);
    if (!sender.connect(1, 1, std::chrono::seconds(10))) {
        note(scenario, "sender: " + sender.failure());
        return 1;
    }
    fanout f(pool, {&receivers}, sender, server, "bench", {.join = options.join_event, .relay = options.event});
    if (!f.join_all(std::chrono::seconds(60))) {
        note(scenario, "not every client joined the room through " + options.join_event);
        return 1;
    }

    // Unmeasured: the whole path once (Node compiles its JavaScript lazily, Lua's and the
    // plugin's first calls allocate) before anything is counted.
    fanout_plan warm;
    warm.interval = std::chrono::milliseconds(20);
    warm.bursts = 50;
    warm.report = false;
    f.run(warm, scenario);

    const std::string key = options.key + ".n" + std::to_string(options.clients);
    const std::string label = options.title + ", N=" + n;
    f.run(isolated_plan(key, label, options.fan), scenario);
    f.run(burst_plan(key, label, options.fan), scenario);

    const bool lost = receivers.failed() > 0;
    if (lost) note(scenario, grouped(receivers.failed()) + " clients lost: " + receivers.failure());
    sender.close_all(std::chrono::seconds(5));
    receivers.close_all(std::chrono::seconds(10));
    return lost ? 1 : 0;
}

}  // namespace switchboard::bench
