#include "kernel/cluster/redis_presence.hpp"

#include <charconv>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "kernel/core/log.hpp"
#include "kernel/core/random_id.hpp"

namespace switchboard::kernel::cluster {

namespace asio = boost::asio;

namespace {

// Every script gets KEYS = {nodes (sorted set node -> deadline ms), users (hash user ->
// total sockets), version (counter)} and ARGV = {channel, node key prefix, node id, ...}.
// `change` moves a user's total, publishes [version, user, total] and records
// (user, before, after, version) for the reply; a reply is {status, records...}.
constexpr std::string_view script_prelude = R"lua(
local records = {}
local function change(user, delta)
  local before = tonumber(redis.call('HGET', KEYS[2], user) or '0')
  local after = before + delta
  if after > 0 then redis.call('HSET', KEYS[2], user, after) else after = 0; redis.call('HDEL', KEYS[2], user) end
  if after == before then return end
  local version = redis.call('INCR', KEYS[3])
  redis.call('PUBLISH', ARGV[1], cjson.encode({version, user, after}))
  for _, value in ipairs({user, before, after, version}) do records[#records + 1] = value end
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function remove_node(node)
  local key = ARGV[2] .. node
  local counts = redis.call('HGETALL', key)
  for i = 1, #counts, 2 do change(counts[i], -tonumber(counts[i + 1])) end
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[1], node)
end
local function reply(status)
  local out = {status}
  for _, value in ipairs(records) do out[#out + 1] = value end
  return out
end
)lua";

// ARGV[4] user, ARGV[5] this node's sockets of the user. Status 0: this node is not
// registered (it was presumed dead), so nothing changed: it must sync.
constexpr std::string_view set_count_script = R"lua(
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) then return {0} end
local key = ARGV[2] .. ARGV[3]
local old = tonumber(redis.call('HGET', key, ARGV[4]) or '0')
local new = tonumber(ARGV[5])
if new > 0 then redis.call('HSET', key, ARGV[4], new) else redis.call('HDEL', key, ARGV[4]) end
change(ARGV[4], new - old)
return reply(1)
)lua";

// ARGV[4] node timeout ms, ARGV[5..] user, sockets pairs: this node's whole state,
// replacing whatever Redis had of it (nothing, or what it had before an outage).
constexpr std::string_view sync_script = R"lua(
redis.call('ZADD', KEYS[1], now_ms() + tonumber(ARGV[4]), ARGV[3])
local key = ARGV[2] .. ARGV[3]
local old = {}
local counts = redis.call('HGETALL', key)
for i = 1, #counts, 2 do old[counts[i]] = tonumber(counts[i + 1]) end
redis.call('DEL', key)
for i = 5, #ARGV, 2 do
  local user, sockets = ARGV[i], tonumber(ARGV[i + 1])
  redis.call('HSET', key, user, sockets)
  change(user, sockets - (old[user] or 0))
  old[user] = nil
end
for user, sockets in pairs(old) do change(user, -sockets) end
return reply(1)
)lua";

// ARGV[4] node timeout ms. Refreshes this node's deadline (status 0: it had been
// removed, it must sync) and removes every node past its deadline.
constexpr std::string_view heartbeat_script = R"lua(
local now = now_ms()
local registered = redis.call('ZSCORE', KEYS[1], ARGV[3])
if registered then redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3]) end
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)) do remove_node(node) end
return reply(registered and 1 or 0)
)lua";

constexpr std::string_view leave_script = R"lua(
remove_node(ARGV[3])
return reply(1)
)lua";

// {version, {user, total, ...}}: the totals as of `version`.
constexpr std::string_view snapshot_script = R"lua(
return {tonumber(redis.call('GET', KEYS[3]) or '0'), redis.call('HGETALL', KEYS[2])}
)lua";

template <class Number>
std::optional<Number> number_of(std::string_view text) {
    Number value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

redis_presence::redis_presence(redis_presence_settings settings, const rooms::presence& local,
                               transition_fn transition)
    : settings_(std::move(settings)),
      local_view_(local),
      transition_(std::move(transition)),
      node_id_(make_random_id()),
      channel_(settings_.key + "-presence#"),
      work_(io_.get_executor()),
      heartbeat_timer_(io_) {
    const auto endpoint = redis_endpoint::parse(settings_.url);
    publisher_ = std::make_shared<redis_client>(io_, endpoint, "presence writer");
    subscriber_ = std::make_shared<redis_client>(io_, endpoint, "presence subscriber");
}

redis_presence::~redis_presence() { stop(); }

void redis_presence::start() {
    subscriber_->on_push([this](std::string_view, std::string_view, std::string payload) { on_published(payload); });
    subscriber_->on_state([this](bool connected) {
        if (connected) return request_snapshot();
        synced_ = false;
    });
    // Whatever happened while Redis was away, this node's state goes back whole.
    publisher_->on_state([this](bool connected) {
        if (connected) sync();
    });
    subscriber_->subscribe(channel_);
    publisher_->start();
    subscriber_->start();
    schedule_heartbeat();
    thread_ = std::thread([this] { io_.run(); });
    SB_LOG(info, "cluster") << "presence node " << node_id_ << ": heartbeat " << settings_.heartbeat.count()
                            << " ms, node timeout " << settings_.node_timeout.count() << " ms";
}

void redis_presence::stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
        heartbeat_timer_.cancel();
        auto finish = [this] {
            publisher_->stop();
            subscriber_->stop();
            work_.reset();
            io_.stop();
        };
        if (!publisher_->connected()) return finish();
        // Gone for good: the other nodes need not wait for the deadline.
        eval(leave_script, {}, [this, finish](std::optional<resp_value> reply) {
            apply_owned(reply);
            finish();
        });
    });
    thread_.join();
}

void redis_presence::eval(std::string_view script, std::vector<std::string> args, redis_client::reply_fn done) {
    std::string body(script_prelude);
    body += script;
    const std::string users = settings_.key + "-presence#users";
    const std::string nodes = settings_.key + "-presence#nodes";
    const std::string version = settings_.key + "-presence#version";
    const std::string node_prefix = settings_.key + "-presence#node#";
    std::vector<std::string_view> command{"EVAL", body, "3", nodes, users, version, channel_, node_prefix, node_id_};
    for (const auto& arg : args) command.push_back(arg);
    publisher_->command(command, std::move(done));
}

void redis_presence::local_changed(const std::string& user_id, std::uint32_t sockets) {
    asio::post(io_, [this, user_id, sockets] { write_count(user_id, sockets); });
}

void redis_presence::write_count(const std::string& user_id, std::uint32_t sockets) {
    if (sockets > 0) local_[user_id] = sockets;
    else local_.erase(user_id);
    // Unreachable: the sync on reconnection writes the whole state.
    if (!publisher_->connected()) return;
    eval(set_count_script, {user_id, std::to_string(sockets)}, [this](std::optional<resp_value> reply) {
        if (reply && apply_owned(reply) == 0) sync();
    });
}

void redis_presence::sync() {
    std::vector<std::string> args{std::to_string(settings_.node_timeout.count())};
    for (const auto& [user, sockets] : local_) {
        args.push_back(user);
        args.push_back(std::to_string(sockets));
    }
    eval(sync_script, std::move(args), [this](std::optional<resp_value> reply) { apply_owned(reply); });
}

void redis_presence::schedule_heartbeat() {
    heartbeat_timer_.expires_after(settings_.heartbeat);
    heartbeat_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        heartbeat();
        schedule_heartbeat();
    });
}

void redis_presence::heartbeat() {
    if (!publisher_->connected()) return;
    eval(heartbeat_script, {std::to_string(settings_.node_timeout.count())},
         [this](std::optional<resp_value> reply) {
             if (reply && apply_owned(reply) == 0) {
                 SB_LOG(warn, "cluster") << "presence: this node was presumed dead (no heartbeat for "
                                         << settings_.node_timeout.count() << " ms); writing its users back";
                 sync();
             }
         });
}

std::int64_t redis_presence::apply_owned(const std::optional<resp_value>& reply) {
    if (!reply || !reply->is_array() || reply->elements.empty()) {
        if (reply && reply->is_error()) SB_LOG(warn, "cluster") << "presence script failed: " << reply->text;
        return -1;
    }
    const auto& items = reply->elements;
    for (std::size_t i = 1; i + 3 < items.size(); i += 4) {
        const auto& user = items[i].text;
        const auto before = items[i + 1].integer;
        const auto after = items[i + 2].integer;
        apply(user, static_cast<std::uint32_t>(after), static_cast<std::uint64_t>(items[i + 3].integer), false);
        if (before == 0 && after > 0) transition_(user, true);
        else if (before > 0 && after == 0) transition_(user, false);
    }
    return items[0].integer;
}

void redis_presence::request_snapshot() {
    snapshot_pending_ = true;
    held_.clear();
    eval(snapshot_script, {}, [this](std::optional<resp_value> reply) {
        if (!reply || !reply->is_array() || reply->elements.size() != 2 || !reply->elements[1].is_array()) {
            // The subscriber reconnects and asks again; until then the local view answers.
            SB_LOG(warn, "cluster") << "presence: cannot read the cluster's totals";
            snapshot_pending_ = false;
            return;
        }
        const auto version = static_cast<std::uint64_t>(reply->elements[0].integer);
        const auto& flat = reply->elements[1].elements;
        {
            std::lock_guard lock(totals_mutex_);
            totals_.clear();
            for (std::size_t i = 0; i + 1 < flat.size(); i += 2)
                if (const auto sockets = number_of<std::uint32_t>(flat[i + 1].text); sockets && *sockets > 0)
                    totals_[flat[i].text] = total{*sockets, version};
        }
        stream_version_ = version;
        snapshot_pending_ = false;
        auto held = std::move(held_);
        held_.clear();
        for (const auto& payload : held) on_published(payload);
        synced_ = true;
    });
}

void redis_presence::on_published(const std::string& payload) {
    if (snapshot_pending_) return held_.push_back(payload);
    const auto change = nlohmann::json::parse(payload, nullptr, false);
    if (!change.is_array() || change.size() != 3 || !change[0].is_number_unsigned() || !change[1].is_string() ||
        !change[2].is_number_unsigned()) {
        SB_LOG(warn, "cluster") << "presence: an unreadable change on " << channel_;
        return;
    }
    const auto version = change[0].get<std::uint64_t>();
    if (version <= stream_version_) return;   // already in the snapshot
    stream_version_ = version;
    apply(change[1].get<std::string>(), change[2].get<std::uint32_t>(), version, true);
}

void redis_presence::apply(const std::string& user_id, std::uint32_t sockets, std::uint64_t version,
                           bool from_stream) {
    // A script's reply and its published change may arrive in either order; the newer
    // version wins. The stream is in order, so what it says last about a user stands.
    if (!from_stream && version <= stream_version_) return;
    std::lock_guard lock(totals_mutex_);
    auto found = totals_.find(user_id);
    if (found != totals_.end() && found->second.version > version) return;
    if (from_stream && sockets == 0) {
        if (found != totals_.end()) totals_.erase(found);
        return;
    }
    if (found == totals_.end()) found = totals_.emplace(user_id, total{}).first;
    found->second = total{sockets, version};
}

std::uint32_t redis_presence::sockets_of(std::string_view user_id) const {
    if (!synced_) return local_view_.sockets_of(user_id);
    std::lock_guard lock(totals_mutex_);
    const auto found = totals_.find(user_id);
    return found == totals_.end() ? 0 : found->second.sockets;
}

std::vector<std::string> redis_presence::online(std::size_t offset, std::size_t limit) const {
    if (!synced_) return local_view_.online(offset, limit);
    std::vector<std::string> out;
    std::lock_guard lock(totals_mutex_);
    for (const auto& [user, entry] : totals_) {
        if (out.size() >= limit) break;
        if (entry.sockets == 0) continue;
        if (offset > 0) {
            --offset;
            continue;
        }
        out.push_back(user);
    }
    return out;
}

std::size_t redis_presence::online_count() const {
    if (!synced_) return local_view_.online_count();
    std::lock_guard lock(totals_mutex_);
    std::size_t count = 0;
    for (const auto& [user, entry] : totals_) count += entry.sockets > 0 ? 1 : 0;
    return count;
}

}  // namespace switchboard::kernel::cluster
