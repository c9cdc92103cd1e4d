// What a chat user feels: `chat:send` stored and delivered to a room's members, on a
// fixed schedule (open loop). The members sign in (--auth), one of them creates a public
// room with `chat:create`, all join it with `chat:join`; a separate client of the same
// user (a member by membership, not in the socket room) sends. Each message's text
// starts with its sequence number, so a receipt is matched without parsing the JSON.
// Latency runs from a message's intended send time to its receipt by the last member.
#include <algorithm>
#include <thread>

#include <boost/asio/steady_timer.hpp>

#include "fleet.hpp"
#include "process_probe.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace switchboard::bench {

namespace {

constexpr std::uint64_t setup_ack_id = 1;   // chat:create, chat:join
constexpr std::uint64_t first_send_ack_id = 2;

std::int64_t to_ns(clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

bool is_error_ack(std::string_view data) {
    return data.starts_with("[{") && data.find("\"code\"") != std::string_view::npos;
}

// The room's id in chat:create's result ({"room": {"id": N, ...}, ...}; keys in any order).
std::optional<std::uint64_t> created_room_id(std::string_view data) {
    const auto room = data.find("\"room\":{");
    if (room == std::string_view::npos) return std::nullopt;
    const auto id = data.find("\"id\":", room);
    if (id == std::string_view::npos) return std::nullopt;
    return protocol::integer_after(data.substr(id), "\"id\":");
}

// The sequence number a delivered chat:message's text starts with.
std::optional<std::uint64_t> message_seq(std::string_view data) {
    if (!data.starts_with("[\"chat:message\"")) return std::nullopt;
    const auto text = data.find("\"text\":\"");
    if (text == std::string_view::npos) return std::nullopt;
    return protocol::integer_after(data.substr(text), "\"text\":\"");
}

struct shard_tally {
    std::vector<std::uint32_t> count;    // deliveries per message
    std::vector<std::int64_t> last_ns;   // latest delivery per message
    std::uint64_t delivered = 0;
};

// The sender's side, on shard 0.
struct sender_state {
    explicit sender_state(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    client* sender = nullptr;
    std::vector<std::int64_t> intended_ns;
    std::size_t next = 0;
    std::string padding;
    histogram acks;                      // send to the sender's own ack
    std::uint64_t acked = 0;
    std::uint64_t refused = 0;
    std::string first_refusal;
    std::atomic<bool> done{false};
};

}  // namespace

int run_chat(const common_options& common, const chat_options& options) {
    const std::string scenario = options.key;
    const process_probe server(common.server_pid, common.database_pid);
    shard_pool pool(common.threads);
    fleet members(pool, common.where, transport::websocket);
    fleet sender(pool, common.where, transport::websocket);
    if (!members.connect(options.members, common.connect_in_flight, std::chrono::seconds(60)) ||
        !sender.connect(1, 1, std::chrono::seconds(10))) {
        note(scenario, "connecting failed: " + members.failure() + sender.failure());
        return 1;
    }

    // The room.
    std::atomic<std::uint64_t> room{0};
    std::atomic<bool> refused_setup{false};
    std::string setup_refusal;
    sender.on_packet([&](client&, const protocol::sio_packet& packet, clock::time_point) {
        if (packet.type != protocol::sio_ack || packet.ack_id != setup_ack_id) return;
        if (const auto id = created_room_id(packet.data)) return room.store(*id);
        setup_refusal = std::string(packet.data.substr(0, 200));
        refused_setup.store(true);
    });
    sender.for_each([&](client& c) {
        c.emit(protocol::event_packet("/", setup_ack_id, "[\"chat:create\",{\"name\":\"bench\"}]"));
    });
    if (!wait_until([&] { return room.load() != 0 || refused_setup.load(); }, std::chrono::seconds(10)) ||
        room.load() == 0) {
        note(scenario, "chat:create failed: " + (setup_refusal.empty() ? "no answer" : setup_refusal));
        return 1;
    }
    const std::string room_text = std::to_string(room.load());

    std::atomic<std::size_t> joined{0}, join_refused{0};
    members.on_packet([&](client&, const protocol::sio_packet& packet, clock::time_point) {
        if (packet.type != protocol::sio_ack || packet.ack_id != setup_ack_id) return;
        (is_error_ack(packet.data) ? join_refused : joined).fetch_add(1);
    });
    const std::string join = protocol::event_packet("/", setup_ack_id, "[\"chat:join\",{\"room\":" + room_text + "}]");
    members.for_each([&](client& c) { c.emit(join); });
    if (!wait_until([&] { return joined.load() + join_refused.load() >= members.ready(); }, std::chrono::seconds(30)) ||
        join_refused.load() > 0) {
        note(scenario, grouped(joined.load()) + " of " + grouped(members.ready()) + " members joined room " + room_text);
        return 1;
    }

    // The run: a fresh tally per shard, sized for every message.
    const std::size_t messages = static_cast<std::size_t>(options.rate * options.seconds);
    const std::size_t recipients = members.ready();
    const auto start = clock::now() + std::chrono::milliseconds(100);
    const auto interval = std::chrono::duration<double>(1.0 / options.rate);
    std::vector<std::int64_t> intended_ns(messages);
    for (std::size_t i = 0; i < messages; ++i)
        intended_ns[i] = to_ns(start + std::chrono::duration_cast<clock::duration>(interval * static_cast<double>(i)));
    std::vector<shard_tally> tallies(pool.size());
    pool.run_sync_all([&](std::size_t shard) {
        tallies[shard].count.assign(messages, 0);
        tallies[shard].last_ns.assign(messages, 0);
    });
    std::atomic<std::uint64_t> delivered{0};
    members.on_packet([&](client& c, const protocol::sio_packet& packet, clock::time_point received) {
        if (packet.type != protocol::sio_event) return;
        const auto seq = message_seq(packet.data);
        if (!seq || *seq >= messages) return;
        auto& t = tallies[c.shard()];
        ++t.count[*seq];
        t.last_ns[*seq] = std::max(t.last_ns[*seq], to_ns(received));
        delivered.fetch_add(1, std::memory_order_relaxed);
    });

    auto s = std::make_shared<sender_state>(pool.io(0));
    s->intended_ns = intended_ns;
    // "<seq> xxx...": the text is options.text_bytes long for any seq up to 7 digits.
    s->padding.assign(options.text_bytes > 8 ? options.text_bytes - 8 : 1, 'x');
    sender.for_each([&](client& c) { s->sender = &c; });
    sender.on_packet([s](client&, const protocol::sio_packet& packet, clock::time_point received) {
        if (packet.type != protocol::sio_ack || !packet.ack_id || *packet.ack_id < first_send_ack_id) return;
        const std::size_t seq = *packet.ack_id - first_send_ack_id;
        if (seq >= s->intended_ns.size()) return;
        if (is_error_ack(packet.data)) {
            if (s->refused++ == 0) s->first_refusal = std::string(packet.data.substr(0, 200));
            return;
        }
        ++s->acked;
        s->acks.record(to_ns(received) - s->intended_ns[seq]);
    });
    std::function<void()> send_due = [s, &send_due, &room_text] {
        const std::int64_t now = to_ns(clock::now());
        while (s->next < s->intended_ns.size() && s->intended_ns[s->next] <= now) {
            const std::size_t seq = s->next++;
            std::string text = std::to_string(seq) + " " + s->padding;
            s->sender->emit(protocol::event_packet(
                "/", first_send_ack_id + seq,
                "[\"chat:send\",{\"room\":" + room_text + ",\"text\":\"" + text + "\"}]"));
        }
        if (s->next >= s->intended_ns.size()) return s->done.store(true);
        s->timer.expires_at(clock::time_point(std::chrono::nanoseconds(s->intended_ns[s->next])));
        s->timer.async_wait([&send_due](const boost::system::error_code& ec) {
            if (!ec) send_due();
        });
    };

    const std::uint64_t expected = static_cast<std::uint64_t>(messages) * recipients;
    note(scenario, grouped(messages) + " messages to a room of " + grouped(recipients) + " members, room " + room_text);
    std::this_thread::sleep_until(start - std::chrono::milliseconds(50));
    const double cpu_before = server.cpu_seconds().value_or(0);
    const double own_before = own_cpu_seconds();
    pool.post(0, [&send_due] { send_due(); });
    const bool complete = wait_until(
        [&] { return s->done.load() && delivered.load() >= expected; },
        std::chrono::duration_cast<clock::duration>(interval * static_cast<double>(messages)) + std::chrono::seconds(20),
        std::chrono::milliseconds(1));
    const auto end = clock::now();
    const double server_cpu = server.cpu_seconds().value_or(0) - cpu_before;
    const double own_cpu = own_cpu_seconds() - own_before;
    pool.run_sync(0, [&] { s->timer.cancel(); });

    histogram last_recipient;
    std::size_t incomplete = 0;
    std::vector<std::uint32_t> count(messages, 0);
    std::vector<std::int64_t> last(messages, 0);
    pool.run_sync_all([&](std::size_t shard) {
        for (std::size_t i = 0; i < messages; ++i) {
            count[i] += tallies[shard].count[i];
            last[i] = std::max(last[i], tallies[shard].last_ns[i]);
        }
    });
    for (std::size_t i = 0; i < messages; ++i) {
        if (count[i] < recipients) ++incomplete;
        else last_recipient.record(last[i] - intended_ns[i]);
    }
    histogram acks;
    std::uint64_t acked = 0, refused = 0;
    std::string first_refusal;
    pool.run_sync(0, [&] {
        acks.merge(s->acks);
        acked = s->acked;
        refused = s->refused;
        first_refusal = s->first_refusal;
    });
    members.on_packet({});
    sender.on_packet({});

    const double wall = std::chrono::duration<double>(end - start).count();
    if (!complete)
        note(scenario, "only " + grouped(delivered.load()) + " of " + grouped(expected) + " deliveries arrived; " +
                           grouped(incomplete) + " messages incomplete");
    note(scenario, grouped(acked) + " acked; server" + std::string(server.counts_database() ? " and database" : "") +
                       " CPU " + fixed(server_cpu, 2) + " s, load generator CPU " + fixed(own_cpu, 2) + " s over " +
                       fixed(wall, 2) + " s");
    const std::string what = options.title + ", room of " + grouped(recipients) + ", " +
                             fixed(options.rate, 0) + " messages/s (" +
                             grouped(static_cast<std::uint64_t>(options.rate * recipients)) + " deliveries/s)";
    const std::string cpu_second =
        server.counts_database() ? "server-CPU-second (database included)" : "server-CPU-second";
    const std::string key = options.key + ".n" + std::to_string(recipients);
    print({key + ".messages_per_cpu_s", what + ": messages stored and delivered per " + cpu_second,
           server_cpu > 0 ? (messages - incomplete) / server_cpu : 0, "/s", "higher"});
    print_latency(key + ".last_recipient", what + ": send to last member's receipt", last_recipient);
    print({key + ".ack.p99_ms", what + ": sender's ack, p99", acks.percentile(0.99) / 1e6, "ms", "lower"});
    print({key + ".server_cpu_pct",
           what + (server.counts_database() ? ": server and database CPU, % of one core" : ": server CPU, % of one core"),
           100 * server_cpu / wall, "%", "info"});
    print({key + ".loadgen_cpu_pct", what + ": load generator CPU, % of one core", 100 * own_cpu / wall, "%", "info"});

    const bool failed = members.failed() > 0 || sender.failed() > 0 || refused > 0 || incomplete > 0;
    if (refused > 0) note(scenario, grouped(refused) + " error acks, the first: " + first_refusal);
    members.close_all(std::chrono::seconds(10));
    sender.close_all(std::chrono::seconds(10));
    return failed ? 1 : 0;
}

}  // namespace switchboard::bench
