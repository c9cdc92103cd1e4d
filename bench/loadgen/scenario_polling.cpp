// Scenario 5: scenario 2's fan-out, received over HTTP long-polling. The sender stays
// on WebSocket, so the figures are the cost of polling delivery.
#include "fanout.hpp"
#include "fleet.hpp"
#include "process_probe.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace switchboard::bench {

int run_polling(const common_options& common, const polling_options& options) {
    const std::string scenario = "polling";
    const std::string n = grouped(options.clients);
    const std::string key_n = "n" + std::to_string(options.clients);
    const process_probe server(common.server_pid);
    shard_pool pool(common.threads);

    fleet clients(pool, common.where, transport::polling);
    if (!clients.connect(options.clients, common.connect_in_flight, std::chrono::seconds(120))) {
        note(scenario, "connecting " + n + " polling clients failed: " + clients.failure());
        return 1;
    }
    fleet sender(pool, common.where, transport::websocket);
    if (!sender.connect(1, 1, std::chrono::seconds(10))) {
        note(scenario, "sender: " + sender.failure());
        return 1;
    }
    fanout f(pool, {&clients}, sender, server, "bench");
    if (!f.join_all(std::chrono::seconds(60))) {
        note(scenario, "not every polling client joined the room");
        return 1;
    }
    note(scenario, n + " polling clients in the room");

    const std::string label = "Fan-out polling, N=" + n;
    f.run(isolated_plan("fanout.polling." + key_n, label, options.fan), scenario);
    f.run(burst_plan("fanout.polling." + key_n, label, options.fan), scenario);

    const bool lost = clients.failed() > 0;
    if (lost) note(scenario, grouped(clients.failed()) + " polling clients lost: " + clients.failure());
    sender.close_all(std::chrono::seconds(5));
    clients.close_all(std::chrono::seconds(10));
    return lost ? 1 : 0;
}

}  // namespace switchboard::bench
