#include "fanout.hpp"

#include <algorithm>
#include <thread>

#include <boost/asio/steady_timer.hpp>

#include "report.hpp"

namespace switchboard::bench {

namespace {

constexpr std::string_view tick_prefix = "[\"tick\",";
// Around the arguments of a delivered tick: '4' (Engine.IO message), '2' (event),
// ["tick", ... ].
constexpr std::size_t tick_overhead = 1 + 1 + tick_prefix.size() + 1;
constexpr std::uint64_t join_ack_id = 1;

std::int64_t to_ns(clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

clock::duration span(double seconds) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

fanout_plan isolated_plan(const std::string& key, const std::string& label, const fanout_options& fan) {
    fanout_plan plan;
    plan.key = key + ".isolated";
    plan.label = label + ", isolated broadcasts";
    plan.interval = span(1.0 / fan.isolated_rate);
    plan.bursts = static_cast<std::size_t>(fan.seconds * fan.isolated_rate);
    plan.event_bytes = fan.event_bytes;
    return plan;
}

fanout_plan burst_plan(const std::string& key, const std::string& label, const fanout_options& fan) {
    fanout_plan plan;
    plan.key = key + ".burst" + std::to_string(fan.burst_size);
    plan.label = label + ", bursts of " + std::to_string(fan.burst_size);
    plan.burst = fan.burst_size;
    plan.interval = span(1.0 / fan.burst_rate);
    plan.bursts = std::max<std::size_t>(1, static_cast<std::size_t>(fan.seconds * fan.burst_rate));
    plan.event_bytes = fan.event_bytes;
    return plan;
}

// What one shard's receivers saw of the current run. Each shard has its own copy of
// the schedule, so the main thread never writes what a shard may be reading.
struct fanout::tally {
    std::uint64_t first_seq = 0;         // sequence number of the run's first tick
    std::vector<std::int64_t> intended_ns;
    std::vector<std::uint32_t> count;    // deliveries per tick
    std::vector<std::int64_t> last_ns;   // latest delivery per tick
    histogram every;                     // latency of each delivery
};

// The sender's side of one run, on shard 0.
struct fanout::schedule {
    explicit schedule(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    client* sender = nullptr;
    std::uint64_t first_seq = 0;
    std::vector<std::int64_t> intended_ns;
    std::size_t next = 0;   // index into intended_ns
    std::size_t event_bytes = 100;
    std::atomic<bool> done{false};
};

fanout::fanout(shard_pool& pool, std::vector<fleet*> receivers, fleet& sender, const process_probe& server,
               std::string room, fanout_events events)
    : pool_(pool),
      receivers_(std::move(receivers)),
      sender_(sender),
      server_(server),
      room_(std::move(room)),
      events_(std::move(events)) {
    for (std::size_t i = 0; i < pool.size(); ++i) tallies_.push_back(std::make_unique<tally>());
    for (auto* receivers : receivers_)
        receivers->on_packet([this](client& c, const protocol::sio_packet& packet, clock::time_point received) {
            on_receiver_packet(c, packet, received);
        });
}

fanout::~fanout() {
    for (auto* receivers : receivers_) receivers->on_packet({});
}

std::size_t fanout::receivers_ready() const {
    std::size_t ready = 0;
    for (const auto* receivers : receivers_) ready += receivers->ready();
    return ready;
}

std::size_t fanout::receivers_failed() const {
    std::size_t failed = 0;
    for (const auto* receivers : receivers_) failed += receivers->failed();
    return failed;
}

bool fanout::join_all(clock::duration timeout) {
    const std::size_t goal = receivers_ready();
    const std::string join = protocol::event_packet("/", join_ack_id, "[\"" + events_.join + "\",\"" + room_ + "\"]");
    for (auto* receivers : receivers_) receivers->for_each([&](client& c) { c.emit(join); });
    return wait_until([&] { return joined_.load() >= goal; }, timeout);
}

void fanout::on_receiver_packet(client& c, const protocol::sio_packet& packet, clock::time_point received) {
    (void)c;
    if (packet.type == protocol::sio_ack) {
        if (packet.ack_id == join_ack_id) joined_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    if (packet.type != protocol::sio_event) return;
    auto& t = *tallies_[c.shard()];
    const auto seq = protocol::integer_after(packet.data, tick_prefix);
    if (!seq || *seq < t.first_seq) return;
    const std::size_t index = static_cast<std::size_t>(*seq - t.first_seq);
    if (index >= t.count.size()) return;
    const std::int64_t at = to_ns(received);
    ++t.count[index];
    t.last_ns[index] = std::max(t.last_ns[index], at);
    t.every.record(at - t.intended_ns[index]);
    delivered_.fetch_add(1, std::memory_order_relaxed);
}

void fanout::send_due(const std::shared_ptr<schedule>& s) {
    const std::int64_t now = to_ns(clock::now());
    while (s->next < s->intended_ns.size() && s->intended_ns[s->next] <= now) {
        const std::uint64_t seq = s->first_seq + s->next;
        const std::string args = protocol::sized_arguments(seq, tick_overhead, s->event_bytes);
        const std::string array =
            events_.relay.empty()
                ? "[\"emit\",{\"to\":\"" + room_ + "\",\"event\":\"tick\",\"args\":[" + args + "]}]"
                : "[\"" + events_.relay + "\",\"" + room_ + "\"," + args + "]";
        s->sender->emit(protocol::event_packet("/", std::nullopt, array));
        ++s->next;
    }
    if (s->next >= s->intended_ns.size()) {
        s->done.store(true);
        return;
    }
    s->timer.expires_at(clock::time_point(std::chrono::nanoseconds(s->intended_ns[s->next])));
    s->timer.async_wait([this, s](const boost::system::error_code& ec) {
        if (!ec) send_due(s);
    });
}

void fanout::run(const fanout_plan& plan, const std::string& scenario) {
    const std::size_t recipients = receivers_ready() - receivers_failed();
    const std::size_t ticks = plan.burst * plan.bursts;
    const std::uint64_t expected = static_cast<std::uint64_t>(ticks) * recipients;
    const double broadcasts_per_s =
        static_cast<double>(plan.burst) / std::chrono::duration<double>(plan.interval).count();
    if (plan.report) note(scenario, plan.label + ": " + grouped(ticks) + " broadcasts to " + grouped(recipients) + " clients");

    // A fresh tally per run; ticks of an earlier run that arrive late fall outside it.
    const std::uint64_t first_seq = next_seq_;
    next_seq_ += ticks;
    const auto start = clock::now() + std::chrono::milliseconds(100);
    std::vector<std::int64_t> intended_ns(ticks);
    for (std::size_t i = 0; i < ticks; ++i)
        intended_ns[i] = to_ns(start + (i / plan.burst) * plan.interval);
    pool_.run_sync_all([&](std::size_t shard) {
        auto& t = *tallies_[shard];
        t.first_seq = first_seq;
        t.intended_ns = intended_ns;
        t.count.assign(ticks, 0);
        t.last_ns.assign(ticks, 0);
        t.every.reset();
    });
    delivered_.store(0);

    auto s = std::make_shared<schedule>(pool_.io(0));
    s->event_bytes = plan.event_bytes;
    s->first_seq = first_seq;
    s->intended_ns = intended_ns;
    sender_.for_each([&](client& c) { s->sender = &c; });

    const double cpu_before = server_.cpu_seconds().value_or(0);
    const double own_before = own_cpu_seconds();
    pool_.post(0, [this, s] { send_due(s); });

    const auto sending_time = plan.interval * plan.bursts;
    const bool complete = wait_until([&] { return s->done.load() && delivered_.load() >= expected; },
                                     sending_time + std::chrono::seconds(20), std::chrono::milliseconds(1));
    const auto end = clock::now();
    const double server_cpu = server_.cpu_seconds().value_or(0) - cpu_before;
    const double own_cpu = own_cpu_seconds() - own_before;
    pool_.run_sync(0, [&] { s->timer.cancel(); });

    // Merge the shards: a tick's last recipient is the latest receipt on any shard.
    histogram last_recipient;
    histogram every;
    std::size_t incomplete = 0;
    std::vector<std::uint32_t> count(ticks, 0);
    std::vector<std::int64_t> last(ticks, 0);
    pool_.run_sync_all([&](std::size_t shard) {
        const auto& t = *tallies_[shard];
        for (std::size_t i = 0; i < ticks; ++i) {
            count[i] += t.count[i];
            last[i] = std::max(last[i], t.last_ns[i]);
        }
        every.merge(t.every);
    });
    for (std::size_t i = 0; i < ticks; ++i) {
        if (count[i] < recipients) {
            ++incomplete;
            continue;
        }
        last_recipient.record(last[i] - intended_ns[i]);
    }
    const std::uint64_t delivered = delivered_.load();
    if (!plan.report) return;
    const double wall = std::chrono::duration<double>(end - start).count();
    if (!complete)
        note(scenario, "only " + grouped(delivered) + " of " + grouped(expected) + " deliveries arrived; " +
                           grouped(incomplete) + " broadcasts incomplete");
    note(scenario, "every delivery: p50 " + fixed(every.percentile(0.5) / 1e6, 3) + " ms, p99 " +
                       fixed(every.percentile(0.99) / 1e6, 3) + " ms; server CPU " + fixed(server_cpu, 2) +
                       " s, load generator CPU " + fixed(own_cpu, 2) + " s over " + fixed(wall, 2) + " s");

    const std::string rate = fixed(broadcasts_per_s, broadcasts_per_s < 10 ? 1 : 0) + " broadcasts/s (" +
                             grouped(static_cast<std::uint64_t>(broadcasts_per_s * recipients)) +
                             " deliveries/s offered)";
    const std::string what = plan.label + ", " + rate;
    print({plan.key + ".deliveries_per_cpu_s", what + ": deliveries per server-CPU-second",
           server_cpu > 0 ? delivered / server_cpu : 0, "/s", "higher", plan.throughput_target});
    print_latency(plan.key + ".last_recipient", what + ": last-recipient latency", last_recipient, plan.p99_target);
    print({plan.key + ".server_cpu_pct", what + ": server CPU, % of one core", 100 * server_cpu / wall, "%", "info"});
    print({plan.key + ".loadgen_cpu_pct", what + ": load generator CPU, % of one core", 100 * own_cpu / wall, "%",
           "info"});
    if (incomplete > 0)
        print({plan.key + ".lost_deliveries", what + ": deliveries lost", static_cast<double>(expected - delivered),
               "", "lower"});
    // The next run must not count this one's stragglers.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

}  // namespace switchboard::bench
