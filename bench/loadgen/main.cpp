// switchboard_loadgen: drives one scenario against a running Socket.IO server and
// prints its metrics (see report.hpp). bench/run starts the servers and calls it once
// per scenario; it can also be run by hand against any server:
//
//   switchboard_loadgen sessions --port 3000 --server-pid 1234 --clients 1000
#include <sys/resource.h>

#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "helper_processes.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace {

using namespace switchboard::bench;

constexpr const char* usage = R"(usage: switchboard_loadgen SCENARIO [options]

Scenarios:
  sessions     N idle WebSocket sessions (RSS per session, idle CPU), then a fan-out
               to them in one room: isolated broadcasts, then bursts
  polling      the same fan-out to N clients on HTTP long-polling only
  acks         N clients, each emitting with an ack in a closed loop
  handshakes   WebSocket connect + Socket.IO CONNECT + close, C at a time
  chat         chat:send stored and delivered to a room of N signed-in members
               (the chat plugin's events; needs --auth)
  relay        the fan-out through an event handler: N clients join a room
               through --join-event, the sender emits --event (room, seq, body),
               the handler broadcasts `tick` (seq, body) to the room
  cluster      the fan-out across two nodes of one cluster: N clients split over
               --port and --second-port, the sender on --port; pass the second
               node's and Redis's pids with --also-pid

Common options:
  --host ADDR            server address (127.0.0.1)
  --port N               server port (required)
  --server-pid PID       the server process, for /proc/PID/stat and status (required)
  --database-pid PID     a database server in processes of its own (PostgreSQL's
                         postmaster): its CPU and its children's count as the server's
  --also-pid PID[,PID]   more processes of the deployment (a cluster's other node,
                         redis-server): their CPU counts as the server's
  --auth JSON            the auth payload of every client's CONNECT ({"token":"..."})
  --threads T            load generator threads, each with many connections (1)
  --connect-in-flight K  handshakes under way at once while connecting (100)

sessions / polling:
  --clients N            clients (1000 / 200)
  --settle-seconds S     wait after connecting before reading RSS (2)       [sessions]
  --idle-seconds S       idle CPU window; 0 skips it (10)                    [sessions]
  --no-fanout            idle measurements only                             [sessions]
  --processes P          hold the sessions in P load generator processes, for more
                         sessions than one process's descriptors allow (1)  [sessions]
  --seconds S            sending time of each fan-out run (5)
  --isolated-rate R      broadcasts per second, one at a time (20)
  --burst-size B         broadcasts sent back to back in a burst (10)
  --burst-rate R         bursts per second (4)
  --event-bytes B        size of the Engine.IO packet each recipient gets (100)

acks:       --clients N (500)  --seconds S (5)  --warmup-seconds S (1)  --event-bytes B (100)
            --event NAME (message-with-ack)  --key K (acks)  --title T (Acks): the handler
            under test, and how its metrics are keyed and labelled
chat:       --members N (100)  --rate R messages/s (100)  --seconds S (5)
            --text-bytes B (100)  --key K (chat)  --title T (Chat)
cluster:    --second-port N (required)  --clients N (1000), and the fan-out options
            of sessions (--seconds, --isolated-rate, --burst-size, --burst-rate,
            --event-bytes)
relay:      --clients N (1000)  --join-event NAME (bench:join)  --event NAME
            (bench:relay)  --key K (relay)  --title T (Fan-out through a handler),
            and the fan-out options of sessions
handshakes: --concurrency C (50)  --seconds S (5)  --warmup-seconds S (0.5)
)";

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "switchboard_loadgen: " << message << "\n\n" << usage;
    std::exit(2);
}

// Every client is a descriptor (two for polling): take all the hard limit allows.
void raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) note("main", "could not raise RLIMIT_NOFILE");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        std::cout << usage;
        return argc < 2 ? 2 : 0;
    }
    const std::string scenario = argv[1];
    std::map<std::string, std::string> values;
    bool no_fanout = false;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--no-fanout") {
            no_fanout = true;
            continue;
        }
        if (!arg.starts_with("--") || i + 1 >= argc) fail("expected --option VALUE, got \"" + arg + "\"");
        values[arg.substr(2)] = argv[++i];
    }
    auto take = [&](const std::string& name, auto fallback) {
        const auto found = values.find(name);
        if (found == values.end()) return fallback;
        const std::string text = found->second;
        values.erase(found);
        try {
            std::size_t used = 0;
            decltype(fallback) value{};
            if constexpr (std::is_same_v<decltype(fallback), double>) value = std::stod(text, &used);
            else if constexpr (std::is_same_v<decltype(fallback), int>) value = std::stoi(text, &used);
            else value = static_cast<decltype(fallback)>(std::stoull(text, &used));
            if (used != text.size() || value < 0) throw std::invalid_argument(text);
            return value;
        } catch (const std::exception&) {
            fail("--" + name + " expects a non-negative number, got \"" + text + "\"");
        }
    };

    auto take_text = [&](const std::string& name, const std::string& fallback) {
        const auto found = values.find(name);
        if (found == values.end()) return fallback;
        std::string text = found->second;
        values.erase(found);
        return text;
    };

    // An event name goes into the JSON the load generator writes as it is.
    auto take_event_name = [&](const std::string& name, const std::string& fallback) {
        std::string text = take_text(name, fallback);
        if (text.empty() || text.find_first_of("\"\\") != std::string::npos)
            fail("--" + name + " expects an event name without quotes or backslashes");
        return text;
    };

    // --key and --title: how a scenario's metrics are keyed and labelled.
    auto take_labels = [&](auto& options) {
        options.key = take_text("key", options.key);
        options.title = take_text("title", options.title);
    };

    common_options common;
    const std::string host = take_text("host", "127.0.0.1");
    const int port = take("port", 0);
    if (port <= 0 || port > 65535) fail("--port is required (1..65535)");
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(host, ec);
    if (ec) fail("--host expects an IP address, got \"" + host + "\"");
    common.where.endpoint = {address, static_cast<unsigned short>(port)};
    common.where.host = host + ":" + std::to_string(port);
    common.server_pid = take("server-pid", 0);
    if (common.server_pid <= 0) fail("--server-pid is required");
    common.database_pid = take("database-pid", 0);
    for (std::string pids = take_text("also-pid", ""); !pids.empty();) {
        const auto comma = pids.find(',');
        const std::string one = pids.substr(0, comma);
        pids = comma == std::string::npos ? "" : pids.substr(comma + 1);
        if (one.empty() || one.find_first_not_of("0123456789") != std::string::npos)
            fail("--also-pid expects process ids separated by commas, got \"" + one + "\"");
        common.also_pids.push_back(std::stoi(one));
    }
    common.where.auth = take_text("auth", "");
    if (!common.where.auth.empty() && !common.where.auth.starts_with("{")) fail("--auth expects a JSON object");
    common.threads = take("threads", std::size_t{1});
    common.connect_in_flight = take("connect-in-flight", std::size_t{100});

    auto take_fanout = [&](fanout_options& fan) {
        fan.seconds = take("seconds", fan.seconds);
        fan.isolated_rate = take("isolated-rate", fan.isolated_rate);
        fan.burst_size = take("burst-size", fan.burst_size);
        fan.burst_rate = take("burst-rate", fan.burst_rate);
        fan.event_bytes = take("event-bytes", fan.event_bytes);
        if (fan.isolated_rate <= 0 || fan.burst_rate <= 0 || fan.burst_size == 0)
            fail("rates and burst size must be above zero");
    };

    std::function<int()> run;
    if (scenario == "sessions") {
        sessions_options options;
        options.clients = take("clients", options.clients);
        options.settle_seconds = take("settle-seconds", options.settle_seconds);
        options.idle_seconds = take("idle-seconds", options.idle_seconds);
        options.fanout = !no_fanout;
        options.processes = take("processes", options.processes);
        if (options.processes == 0 || (options.processes > 1 && options.fanout))
            fail("--processes P: at least 1, and above 1 only with --no-fanout");
        take_fanout(options.fan);
        run = [=] { return run_sessions(common, options); };
    } else if (scenario == "polling") {
        polling_options options;
        options.clients = take("clients", options.clients);
        take_fanout(options.fan);
        run = [=] { return run_polling(common, options); };
    } else if (scenario == "acks") {
        acks_options options;
        options.clients = take("clients", options.clients);
        options.seconds = take("seconds", options.seconds);
        options.warmup_seconds = take("warmup-seconds", options.warmup_seconds);
        options.event_bytes = take("event-bytes", options.event_bytes);
        options.event = take_event_name("event", options.event);
        take_labels(options);
        run = [=] { return run_acks(common, options); };
    } else if (scenario == "relay") {
        relay_options options;
        options.clients = take("clients", options.clients);
        options.join_event = take_event_name("join-event", options.join_event);
        options.event = take_event_name("event", options.event);
        take_labels(options);
        if (options.clients == 0) fail("relay needs at least 1 client");
        take_fanout(options.fan);
        run = [=] { return run_relay(common, options); };
    } else if (scenario == "hold") {
        const std::size_t clients = take("clients", std::size_t{1000});
        run = [=] { return run_hold(common.where, clients, common.connect_in_flight); };
    } else if (scenario == "chat") {
        chat_options options;
        options.members = take("members", options.members);
        options.rate = take("rate", options.rate);
        options.seconds = take("seconds", options.seconds);
        options.text_bytes = take("text-bytes", options.text_bytes);
        take_labels(options);
        if (options.members == 0 || options.rate <= 0 || options.seconds <= 0) fail("members, rate and seconds must be above zero");
        if (common.where.auth.empty()) fail("chat needs --auth {\"token\":\"...\"}: chat events need a signed-in user");
        run = [=] { return run_chat(common, options); };
    } else if (scenario == "cluster") {
        cluster_options options;
        options.clients = take("clients", options.clients);
        const int second_port = take("second-port", 0);
        if (second_port <= 0 || second_port > 65535) fail("cluster needs --second-port (1..65535)");
        if (options.clients < 2) fail("cluster needs at least 2 clients, one per node");
        options.second = common.where;
        options.second.endpoint.port(static_cast<unsigned short>(second_port));
        options.second.host = host + ":" + std::to_string(second_port);
        take_fanout(options.fan);
        run = [=] { return run_cluster(common, options); };
    } else if (scenario == "handshakes") {
        handshakes_options options;
        options.concurrency = take("concurrency", options.concurrency);
        options.seconds = take("seconds", options.seconds);
        options.warmup_seconds = take("warmup-seconds", options.warmup_seconds);
        run = [=] { return run_handshakes(common, options); };
    } else {
        fail("unknown scenario \"" + scenario + "\"");
    }
    if (!values.empty()) fail("unknown option --" + values.begin()->first + " for " + scenario);

    raise_descriptor_limit();
    return run();
}
