#include "kernel/socketio/server.hpp"

#include <atomic>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <utility>

#include "kernel/core/log.hpp"
#include "kernel/core/prometheus_text.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/net/http_message.hpp"
#include "kernel/rooms/fan_out.hpp"
#include "kernel/socketio/client.hpp"
#include "kernel/socketio/msgpack_parser.hpp"
#include "kernel/socketio/placeholders.hpp"
#include "kernel/socketio/recovery_log.hpp"

namespace switchboard::kernel::socketio {

engineio::wire_message to_wire(const packet& p, config::packet_parser parser) {
    if (parser == config::packet_parser::msgpack) return {engineio::wire_packet::binary(msgpack::encode(p))};
    return to_wire(p);
}

engineio::wire_message to_wire(const packet& p) { return to_message(encode(p)); }

engineio::wire_message to_message(const encoded_packet& encoded) {
    engineio::wire_message message;
    message.reserve(1 + encoded.attachments.size());
    message.push_back(engineio::wire_packet::message(encoded.text));
    for (const auto& attachment : encoded.attachments) message.push_back(engineio::wire_packet::binary(attachment));
    return message;
}

namespace {

// An EVENT packet with `offset` appended as its last argument: the text packet's array
// closes the packet (attachments follow as their own parts), so the offset goes before
// its last ']'.
engineio::wire_message with_offset(const engineio::wire_message& message, const std::string& offset) {
    engineio::wire_message out = message;
    std::string text(message.front()->payload().substr(1));   // without the Engine.IO type digit
    const auto close = text.rfind(']');
    if (close == std::string::npos) return out;
    text.insert(close, "," + json(offset).dump());
    out.front() = engineio::wire_packet::message(text);
    return out;
}

}  // namespace

engineio::wire_message event_message(std::string_view nsp, const cluster::ordered_json& data) {
    std::string body;
    std::vector<std::string> attachments;
    detail::write_with_placeholders(data, body, attachments);
    std::string text = attachments.empty() ? std::string(1, '0' + static_cast<int>(packet_type::event))
                                           : std::string(1, '0' + static_cast<int>(packet_type::binary_event)) +
                                                 std::to_string(attachments.size()) + "-";
    if (nsp != "/") {
        text += nsp;
        text += ',';
    }
    text += body;
    engineio::wire_message message;
    message.push_back(engineio::wire_packet::message(text));
    for (const auto& bytes : attachments) message.push_back(engineio::wire_packet::binary(bytes));
    return message;
}

// A logged event waiting for a worker to write it to its sockets.
struct logged_event {
    std::string nsp;
    broadcast_options options;
    std::shared_ptr<const engineio::wire_message> message;
    cluster::log_position offset;
};

struct server::worker_state {
    worker_state(worker& w, std::chrono::milliseconds connect_timeout)
        : index(w.index()),
          connect_timeouts(w.deadlines(), connect_timeout,
                           [](void* owner) { static_cast<client*>(owner)->on_connect_timeout(); }) {}

    std::size_t index;
    std::vector<std::unique_ptr<local_namespace>> namespaces;
    std::unordered_map<std::uint64_t, socket*> by_handle;
    std::uint64_t next_handle = 1;
    std::uint64_t broadcast_epoch = 0;
    deadline_queue connect_timeouts;
    // Logged events for this worker, in log order (filled from any thread).
    std::mutex logged_mutex;
    std::vector<std::shared_ptr<const logged_event>> logged;
    bool drain_posted = false;
};

namespace {
// A handle names its worker in its top bits, so any thread can route to it.
constexpr int handle_worker_shift = 48;
}  // namespace

server::server(const config::settings& settings, std::vector<worker*> workers)
    : settings_(settings.socketio), path_(settings.server.path), workers_(std::move(workers)) {
    for (const auto& nsp : settings_.namespaces) {
        handlers_.emplace(nsp.name, namespace_handlers{});
        namespace_sockets_.try_emplace(nsp.name, 0);
    }
    for (auto* w : workers_) {
        auto state = std::make_unique<worker_state>(*w, settings_.connect_timeout);
        for (const auto& nsp : settings_.namespaces) {
            state->namespaces.push_back(std::make_unique<local_namespace>(*this, nsp.name, handlers_.at(nsp.name),
                                                                          namespace_sockets_.at(nsp.name)));
            // A cluster that subscribes per room learns which rooms this node has.
            state->namespaces.back()->rooms.on_room_change = [this, name = nsp.name](const std::string& room,
                                                                                     bool exists) {
                if (adapter_) adapter_->room_changed(name, room, exists);
            };
        }
        states_.push_back(std::move(state));
    }
    if (settings_.recovery.enabled) {
        local_log_ = std::make_unique<recovery_log>(settings_.recovery);
        sessions_ = local_log_.get();
    }
}

server::~server() = default;

void server::user_connected(const std::string& user_id) {
    presence_.add(user_id, [&] {
        if (presence_listener_ && !cluster_presence_) presence_listener_(user_id, true);
    });
}

void server::user_disconnected(const std::string& user_id) {
    presence_.remove(user_id, [&] {
        if (presence_listener_ && !cluster_presence_) presence_listener_(user_id, false);
    });
}

void server::set_handlers(std::string_view nsp, namespace_handlers handlers) {
    const auto found = handlers_.find(std::string(nsp));
    if (found == handlers_.end())
        throw std::invalid_argument("namespace " + std::string(nsp) + " is not configured");
    found->second = std::move(handlers);
}

server::worker_state& server::local() const {
    auto* current = worker::current();
    return *states_.at(current ? current->index() : 0);
}

std::unique_ptr<engineio::session_handler> server::on_session_open(engineio::session& session) {
    return std::make_unique<client>(*this, session);
}

local_namespace* server::find_namespace(std::string_view name) {
    for (auto& nsp : local().namespaces)
        if (nsp->name == name) return nsp.get();
    return nullptr;
}

std::uint64_t server::register_socket(socket& s) {
    auto& state = local();
    const std::uint64_t handle = (static_cast<std::uint64_t>(state.index + 1) << handle_worker_shift) | state.next_handle++;
    state.by_handle.emplace(handle, &s);
    return handle;
}

void server::unregister_socket(const socket& s) { local().by_handle.erase(s.handle()); }

deadline_queue& server::connect_timeouts() { return local().connect_timeouts; }

std::size_t server::local_socket_count() const { return local().by_handle.size(); }

std::vector<std::pair<std::string, std::size_t>> server::connected_sockets_by_namespace() const {
    std::vector<std::pair<std::string, std::size_t>> counts;
    for (const auto& nsp : settings_.namespaces)
        counts.emplace_back(nsp.name, namespace_sockets_.at(nsp.name).load(std::memory_order_relaxed));
    return counts;
}

void server::room_counts(std::function<void(std::vector<std::pair<std::string, std::size_t>>)> done) {
    struct collected {
        std::mutex mutex;
        std::map<std::string, std::set<std::string>> names;   // by namespace
    };
    auto shared = std::make_shared<collected>();
    on_every_worker(
        [this, shared](std::size_t) {
            for (const auto& configured : settings_.namespaces) {
                auto* local_nsp = find_namespace(configured.name);
                if (!local_nsp) continue;
                std::lock_guard lock(shared->mutex);
                auto& names = shared->names[configured.name];
                local_nsp->rooms.for_each_room([&](const std::string& name, const auto&) { names.insert(name); });
            }
        },
        [this, shared, done = std::move(done)] {
            std::vector<std::pair<std::string, std::size_t>> counts;
            for (const auto& configured : settings_.namespaces)
                counts.emplace_back(configured.name, shared->names[configured.name].size());
            done(std::move(counts));
        });
}

void server::with_socket(std::uint64_t handle, std::function<void(socket*)> fn) {
    const std::size_t index = (handle >> handle_worker_shift) - 1;
    if (index >= workers_.size()) return fn(nullptr);
    workers_[index]->dispatch([this, index, handle, fn = std::move(fn)] {
        auto& by_handle = states_[index]->by_handle;
        const auto found = by_handle.find(handle);
        fn(found == by_handle.end() ? nullptr : found->second);
    });
}

void server::broadcast(std::string_view nsp, const broadcast_options& options, std::string_view event, json args) {
    packet p;
    p.type = packet_type::event;
    p.nsp = std::string(nsp);
    args.insert(args.begin(), json(event));
    p.data = std::move(args);
    if (cluster_logs_broadcasts() && !options.is_volatile)   // it comes back in the log's order
        return publish_to_cluster(nsp, with_sender_as_room(options), cluster::ordered_json(p.data));
    fan_out(nsp, options, std::make_shared<const engineio::wire_message>(to_wire(p)));
    if (adapter_) publish_to_cluster(nsp, options, cluster::ordered_json(p.data));
}

void server::publish_to_cluster(std::string_view nsp, const broadcast_options& options,
                                const cluster::ordered_json& data) {
    // The sender's own socket (except_socket) is on this node: nothing to skip elsewhere.
    adapter_->broadcast(std::string(nsp), data, cluster::selection{options.rooms, options.except},
                        options.is_volatile);
}

void server::broadcast(std::string_view nsp, const broadcast_options& options,
                       std::shared_ptr<const engineio::wire_message> message) {
    // What was built as text (arguments given as JSON text, other nodes' broadcasts) is
    // rewritten once here for a msgpack deployment, not once per recipient.
    if (settings_.parser == config::packet_parser::msgpack && !message->empty() && !message->front()->is_binary())
        message = std::make_shared<const engineio::wire_message>(msgpack::from_default_format(*message));
    auto* current = worker::current();
    auto shared_options = std::make_shared<const broadcast_options>(options);
    auto shared_nsp = std::make_shared<const std::string>(nsp);
    for (auto* w : workers_) {
        if (w == current) continue;
        w->post([this, shared_nsp, shared_options, message] { deliver_local(*shared_nsp, *shared_options, *message); });
    }
    if (current) deliver_local(nsp, options, *message);
}

template <class Fn>
void server::select_local(std::string_view nsp_name, const broadcast_options& options, Fn&& fn) {
    auto* nsp = find_namespace(nsp_name);
    if (!nsp) return;
    socket* sender = nullptr;
    if (options.except_socket) {
        const auto& by_handle = local().by_handle;
        if (const auto found = by_handle.find(options.except_socket); found != by_handle.end()) sender = found->second;
    }
    rooms::for_each_recipient(nsp->rooms, nsp->sockets, ++local().broadcast_epoch,
                              rooms::fan_out_target<socket>{options.rooms, options.except, sender},
                              std::forward<Fn>(fn));
}

void server::broadcast_text(std::string_view nsp, const broadcast_options& options, std::string_view event,
                            std::string_view args_json) {
    broadcast_text(nsp, options, event, encoded_arguments{std::string(args_json), {}});
}

void server::broadcast_text(std::string_view nsp, const broadcast_options& options, std::string_view event,
                            encoded_arguments args) {
    // The EVENT packet's text: 2[/nsp,]["event",<the arguments as given>]
    const bool logged_by_cluster = cluster_logs_broadcasts() && !options.is_volatile;
    // The cluster's messages carry values: parsed once, in the text's key order.
    cluster::ordered_json data;
    if (adapter_) {
        payload_work().parses.fetch_add(1, std::memory_order_relaxed);
        data = cluster::ordered_json::parse(args.text, nullptr, false);
        detail::restore_binary(data, args.attachments);
    }
    if (!logged_by_cluster) {
        auto message = to_message(encode_arguments(nsp, no_ack_id, event, std::move(args)));
        fan_out(nsp, options, std::make_shared<const engineio::wire_message>(std::move(message)));
    }
    if (adapter_ && data.is_array()) {
        data.insert(data.begin(), cluster::ordered_json(event));
        publish_to_cluster(nsp, logged_by_cluster ? with_sender_as_room(options) : options, data);
    }
}

void server::on_every_worker(std::function<void(std::size_t)> fn, std::function<void()> done) {
    struct progress {
        std::function<void(std::size_t)> fn;
        std::function<void()> done;
        std::atomic<std::size_t> workers_left{0};
    };
    auto shared = std::make_shared<progress>();
    shared->fn = std::move(fn);
    shared->done = std::move(done);
    shared->workers_left = workers_.size();
    for (std::size_t index = 0; index < workers_.size(); ++index) {
        workers_[index]->post([index, shared] {
            shared->fn(index);
            if (--shared->workers_left == 0 && shared->done) shared->done();
        });
    }
}

void server::for_each_selected(std::string_view nsp, const broadcast_options& options,
                               std::function<void(socket&)> fn, std::function<void(std::size_t)> done) {
    auto count = std::make_shared<std::atomic<std::size_t>>(0);
    on_every_worker(
        [this, nsp = std::string(nsp), options, fn = std::move(fn), count](std::size_t index) {
            // Handles first, then the work: `fn` may join, leave or disconnect, which
            // changes the very rooms and socket maps the selection walks.
            std::vector<std::uint64_t> handles;
            select_local(nsp, options, [&](socket* s) { handles.push_back(s->handle()); });
            auto& by_handle = states_[index]->by_handle;
            for (const auto handle : handles) {
                const auto found = by_handle.find(handle);
                if (found == by_handle.end()) continue;
                fn(*found->second);
                ++*count;
            }
        },
        [count, done = std::move(done)] {
            if (done) done(count->load());
        });
}

namespace {

broadcast_options options_of(const cluster::selection& which) {
    broadcast_options options;
    options.rooms = which.rooms;
    options.except = which.except;
    return options;
}

// A handshake's time as JavaScript's Date#toString writes it, which is what Node's
// fetchSockets reports.
std::string date_string(std::int64_t unix_ms) {
    const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::strftime(text, sizeof text, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)", &utc);
    return text;
}

// A socket as fetchSockets describes it to the other nodes.
cluster::ordered_json describe_socket(const socket& s, std::string_view path) {
    using cluster::ordered_json;
    const auto& handshake = s.handshake();
    ordered_json headers = ordered_json::object();
    for (const auto& [name, value] : handshake.headers) headers[std::string(name)] = std::string(value);
    ordered_json query = ordered_json::object();
    for (const auto& [name, value] : net::parse_query(handshake.query)) query[name] = value;
    ordered_json rooms = ordered_json::array({s.id()});
    for (const auto& room : s.rooms()) rooms.push_back(room);
    ordered_json data = ordered_json::object();
    if (!s.user().is_null()) data["user"] = ordered_json(s.user());
    return ordered_json{{"id", s.id()},
                        {"handshake",
                         {{"headers", std::move(headers)},
                          {"time", date_string(handshake.issued_ms)},
                          {"address", handshake.remote_address},
                          {"xdomain", !handshake.header("origin").empty()},
                          {"secure", false},
                          {"issued", handshake.issued_ms},
                          {"url", std::string(path) + "?" + handshake.query},
                          {"query", std::move(query)},
                          {"auth", ordered_json(s.auth())}}},
                        {"rooms", std::move(rooms)},
                        {"data", std::move(data)}};
}

}  // namespace

void server::apply_everywhere(std::string_view nsp, const broadcast_options& which,
                              std::function<void(socket&)> local_part,
                              const std::function<void(cluster::adapter::sent_fn)>& cluster_part,
                              std::function<void(std::size_t)> done) {
    // Answered once both this node's part is applied and the others' has left: a caller
    // that asks the cluster something next is answered after the change everywhere.
    struct progress {
        std::function<void(std::size_t)> done;
        std::atomic<int> parts_left{2};
        std::size_t local_count = 0;
        void part_done() {
            if (--parts_left == 0 && done) done(local_count);
        }
    };
    auto shared = std::make_shared<progress>();
    shared->done = std::move(done);
    if (adapter_) cluster_part([shared] { shared->part_done(); });
    else shared->part_done();
    for_each_selected(nsp, which, std::move(local_part), [shared](std::size_t count) {
        shared->local_count = count;
        shared->part_done();
    });
}

void server::sockets_join(std::string_view nsp, const broadcast_options& which, std::vector<std::string> rooms,
                          std::function<void(std::size_t)> done) {
    const cluster::selection selected{which.rooms, which.except};
    apply_everywhere(nsp, which, [rooms](socket& s) {
        for (const auto& room : rooms) s.join(room);
    }, [&](auto sent) { adapter_->join(std::string(nsp), selected, rooms, std::move(sent)); }, std::move(done));
}

void server::sockets_leave(std::string_view nsp, const broadcast_options& which, std::vector<std::string> rooms,
                           std::function<void(std::size_t)> done) {
    const cluster::selection selected{which.rooms, which.except};
    apply_everywhere(nsp, which, [rooms](socket& s) {
        for (const auto& room : rooms) s.leave(room);
    }, [&](auto sent) { adapter_->leave(std::string(nsp), selected, rooms, std::move(sent)); }, std::move(done));
}

void server::disconnect_sockets(std::string_view nsp, const broadcast_options& which, bool close,
                                std::function<void(std::size_t)> done) {
    const cluster::selection selected{which.rooms, which.except};
    apply_everywhere(nsp, which, [close](socket& s) { s.disconnect(close); },
                     [&](auto sent) { adapter_->disconnect(std::string(nsp), selected, close, std::move(sent)); },
                     std::move(done));
}

void server::fetch_sockets(std::string_view nsp, const broadcast_options& which,
                           std::function<void(cluster::fetch_result)> done) {
    const cluster::selection selected{which.rooms, which.except};
    if (adapter_) return adapter_->fetch(std::string(nsp), selected, std::move(done));
    describe(std::string(nsp), selected, [done = std::move(done)](cluster::ordered_json sockets) {
        cluster::fetch_result result;
        result.sockets = std::move(sockets);
        done(std::move(result));
    });
}

void server::deliver(const std::string& nsp, const cluster::ordered_json& data, const cluster::selection& to,
                     bool is_volatile) {
    auto options = options_of(to);
    options.is_volatile = is_volatile;
    fan_out(nsp, options, std::make_shared<const engineio::wire_message>(event_message(nsp, data)));
}

void server::deliver_logged(const std::string& nsp, const cluster::ordered_json& data, const cluster::selection& to,
                            const cluster::log_position& offset) {
    engineio::wire_message message;
    if (recovery_enabled()) {
        auto with_offset = data;
        with_offset.push_back(offset.text());
        message = event_message(nsp, with_offset);
    } else {
        message = event_message(nsp, data);
    }
    queue_logged(nsp, options_of(to), std::make_shared<const engineio::wire_message>(std::move(message)), offset);
}

void server::fan_out(std::string_view nsp, const broadcast_options& options,
                     std::shared_ptr<const engineio::wire_message> message) {
    if (!local_log_ || options.is_volatile) return broadcast(nsp, options, std::move(message));
    const auto logged = with_sender_as_room(options);
    local_log_->append(
        std::string(nsp), logged.rooms, logged.except,
        [&](const cluster::log_position& offset) {
            return std::make_shared<const engineio::wire_message>(with_offset(*message, offset.text()));
        },
        [&](const cluster::log_position& offset, const recovery_log::message_ptr& encoded) {
            queue_logged(nsp, options, encoded, offset);
        });
}

void server::emit_logged(socket& s, std::string_view event, json args) {
    args.insert(args.begin(), json(event));
    emit_logged(s, [&] { return event_message(s.nsp(), cluster::ordered_json(args)); },
                [&] { return cluster::ordered_json(args); });
}

void server::emit_logged(socket& s, const std::function<engineio::wire_message()>& build,
                         const std::function<cluster::ordered_json()>& tree) {
    broadcast_options options;
    options.rooms = {s.id()};
    if (cluster_logs_broadcasts())
        return adapter_->broadcast(s.nsp(), tree(), cluster::selection{options.rooms, {}}, false);
    auto* current = worker::current();
    const std::optional<std::size_t> own_worker =
        current ? std::optional<std::size_t>(current->index()) : std::nullopt;
    if (!local_log_) return s.send(build());
    const auto message = build();
    local_log_->append(
        s.nsp(), options.rooms, {},
        [&](const cluster::log_position& offset) {
            return std::make_shared<const engineio::wire_message>(with_offset(message, offset.text()));
        },
        [&](const cluster::log_position& offset, const recovery_log::message_ptr& encoded) {
            queue_logged(s.nsp(), options, encoded, offset, own_worker);
        });
}

void server::queue_logged(std::string_view nsp, const broadcast_options& options,
                          std::shared_ptr<const engineio::wire_message> message, const cluster::log_position& offset,
                          std::optional<std::size_t> only_worker) {
    auto event = std::make_shared<const logged_event>(logged_event{std::string(nsp), options, std::move(message), offset});
    for (std::size_t index = 0; index < states_.size(); ++index) {
        if (only_worker && *only_worker != index) continue;
        auto& state = *states_[index];
        bool post = false;
        {
            std::lock_guard lock(state.logged_mutex);
            state.logged.push_back(event);
            post = !std::exchange(state.drain_posted, true);
        }
        // One wake-up per batch: the order is the queue's, never the posts'.
        if (post) workers_[index]->post([this, index] { drain_logged(index); });
    }
}

void server::drain_logged(std::size_t worker_index) {
    auto& state = *states_[worker_index];
    std::vector<std::shared_ptr<const logged_event>> batch;
    {
        std::lock_guard lock(state.logged_mutex);
        batch.swap(state.logged);
        state.drain_posted = false;
    }
    for (const auto& event : batch) {
        select_local(event->nsp, event->options, [&](socket* s) { s->send_logged(*event->message, event->offset); });
        if (auto* nsp = find_namespace(event->nsp)) nsp->delivered = event->offset;
    }
}

broadcast_options server::with_sender_as_room(const broadcast_options& options) const {
    if (!options.except_socket) return options;
    broadcast_options out = options;
    std::lock_guard lock(ids_mutex_);
    if (const auto found = ids_by_handle_.find(options.except_socket); found != ids_by_handle_.end())
        out.except.push_back(found->second);
    return out;
}

void server::remember_id(std::uint64_t handle, const std::string& id, bool recoverable) {
    if (!recoverable && !cluster_logs_broadcasts()) return;
    std::lock_guard lock(ids_mutex_);
    ids_by_handle_[handle] = id;
}

void server::forget_id(std::uint64_t handle, bool recoverable) {
    if (!recoverable && !cluster_logs_broadcasts()) return;
    std::lock_guard lock(ids_mutex_);
    ids_by_handle_.erase(handle);
}

void server::set_session_store(cluster::session_store* store) noexcept {
    sessions_ = store;
    if (store != local_log_.get()) local_log_.reset();
}

void recovery_counters::not_recovered(std::string_view why) {
    std::lock_guard lock(mutex_);
    auto found = refused_.find(why);
    if (found == refused_.end()) found = refused_.emplace(std::string(why), 0).first;
    ++found->second;
}

std::string recovery_counters::metrics_text() const {
    std::string out;
    prometheus::append_single(out, "switchboard_recovery_recovered_total", "counter",
                              "Sockets whose session connection state recovery restored.", recovered.load());
    prometheus::append_single(out, "switchboard_recovery_replayed_events_total", "counter",
                              "Missed events replayed to recovered sockets.", replayed_events.load());
    prometheus::append_family(out, "switchboard_recovery_not_recovered_total", "counter",
                              "Recoveries asked for and refused, by why.");
    for (const auto& [why, count] : not_recovered_counts())
        prometheus::append_sample(out, "switchboard_recovery_not_recovered_total",
                                  "reason=\"" + escape_label_value(why) + "\"", count);
    return out;
}

std::vector<std::pair<std::string, std::uint64_t>> recovery_counters::not_recovered_counts() const {
    std::lock_guard lock(mutex_);
    return {refused_.begin(), refused_.end()};
}

void server::join(const std::string& nsp, const cluster::selection& which, std::vector<std::string> rooms) {
    for_each_selected(nsp, options_of(which), [rooms = std::move(rooms)](socket& s) {
        for (const auto& room : rooms) s.join(room);
    }, {});
}

void server::leave(const std::string& nsp, const cluster::selection& which, std::vector<std::string> rooms) {
    for_each_selected(nsp, options_of(which), [rooms = std::move(rooms)](socket& s) {
        for (const auto& room : rooms) s.leave(room);
    }, {});
}

void server::disconnect(const std::string& nsp, const cluster::selection& which, bool close) {
    for_each_selected(nsp, options_of(which), [close](socket& s) { s.disconnect(close); }, {});
}

void server::describe(const std::string& nsp, const cluster::selection& which,
                      std::function<void(cluster::ordered_json)> done) {
    struct collected {
        std::mutex mutex;
        cluster::ordered_json sockets = cluster::ordered_json::array();
    };
    auto shared = std::make_shared<collected>();
    for_each_selected(nsp, options_of(which), [this, shared](socket& s) {
        auto described = description_of(s);
        std::lock_guard lock(shared->mutex);
        shared->sockets.push_back(std::move(described));
    }, [shared, done = std::move(done)](std::size_t) { done(std::move(shared->sockets)); });
}

cluster::ordered_json server::description_of(const socket& s) const {
    auto described = describe_socket(s, path_);
    if (observer_) observer_->describe(s, described["data"]);
    return described;
}

void server::room_names(const std::string& nsp, std::function<void(std::vector<std::string>)> done) {
    struct collected {
        std::mutex mutex;
        std::set<std::string> names;
    };
    auto shared = std::make_shared<collected>();
    on_every_worker(
        [this, shared, nsp](std::size_t) {
            auto* local_nsp = find_namespace(nsp);
            if (!local_nsp) return;
            std::lock_guard lock(shared->mutex);
            local_nsp->rooms.for_each_room([&](const std::string& name, const auto&) { shared->names.insert(name); });
            for (const auto& [id, s] : local_nsp->sockets) shared->names.emplace(id);
        },
        [shared, done = std::move(done)] { done(std::vector<std::string>(shared->names.begin(), shared->names.end())); });
}

void server::server_side_emit(const std::string& nsp, const cluster::ordered_json& data) {
    if (!data[0].is_string() || !server_side_emit_listener_) {
        SB_LOG(debug, "cluster") << "serverSideEmit on " << nsp << " ignored: " << data[0].dump();
        return;
    }
    cluster::ordered_json args(data.begin() + 1, data.end());
    server_side_emit_listener_(data[0].get<std::string>(),
                               args.dump(-1, ' ', false, cluster::ordered_json::error_handler_t::replace));
}

bool server::emit_to_other_nodes(const std::string& event, const nlohmann::json& args) {
    if (!adapter_) return false;
    cluster::ordered_json data = cluster::ordered_json::array({event});
    for (const auto& arg : args) data.push_back(cluster::ordered_json(arg));
    adapter_->emit_to_other_nodes("/", data);
    return true;
}

void server::deliver_with_acks(const std::string& nsp, const cluster::ordered_json& data,
                               const cluster::selection& to, std::chrono::milliseconds timeout,
                               std::function<void(std::size_t)> counted,
                               std::function<void(std::optional<cluster::ordered_json>)> acked) {
    if (data.empty() || !data[0].is_string()) return counted(0);
    const auto event = data[0].get<std::string>();
    const json args(cluster::ordered_json(data.begin() + 1, data.end()));
    // Each worker sends as it selects; the count is only known after the last worker,
    // so an ack that beats it waits: the requester must hear the count first.
    struct tally {
        std::mutex mutex;
        bool counted = false;
        std::vector<std::optional<cluster::ordered_json>> early;
        std::function<void(std::optional<cluster::ordered_json>)> acked;
    };
    auto shared = std::make_shared<tally>();
    shared->acked = std::move(acked);
    for_each_selected(
        nsp, options_of(to),
        [shared, event, args, timeout](socket& s) {
            s.emit_with_ack(event, args, timeout, [shared](std::optional<json> answer) {
                std::optional<cluster::ordered_json> first;
                if (answer) first = answer->is_array() && !answer->empty() ? cluster::ordered_json((*answer)[0])
                                                                           : cluster::ordered_json();
                std::unique_lock lock(shared->mutex);
                if (!shared->counted) return shared->early.push_back(std::move(first));
                lock.unlock();
                shared->acked(std::move(first));
            });
        },
        [shared, counted = std::move(counted)](std::size_t count) {
            counted(count);
            std::vector<std::optional<cluster::ordered_json>> early;
            {
                std::lock_guard lock(shared->mutex);
                shared->counted = true;
                early.swap(shared->early);
            }
            for (auto& answer : early) shared->acked(std::move(answer));
        });
}

void server::broadcast_with_acks(std::string_view nsp, const broadcast_options& options, std::string_view event,
                                 std::string_view args_json, std::chrono::milliseconds timeout,
                                 std::function<void(cluster::gathered)> done) {
    auto data = cluster::ordered_json::parse(args_json, nullptr, false);
    if (!data.is_array()) data = cluster::ordered_json::array();
    data.insert(data.begin(), cluster::ordered_json(event));
    const cluster::selection to{options.rooms, options.except};
    if (adapter_) return adapter_->broadcast_with_acks(std::string(nsp), data, to, timeout, std::move(done));
    // This node alone: every selected socket answers once, with its ack or without.
    struct gathering {
        std::mutex mutex;
        std::optional<std::size_t> expected;
        std::size_t answered = 0;
        cluster::gathered result;
        std::function<void(cluster::gathered)> done;
        // Under the mutex: `done` once every socket answered (then called unlocked).
        std::function<void(cluster::gathered)> completion() {
            if (!expected || answered != *expected) return {};
            return std::exchange(done, {});
        }
        void finish_if_complete(std::unique_lock<std::mutex>& lock) {
            auto complete = completion();
            if (!complete) return;
            auto gathered = std::move(result);
            lock.unlock();
            complete(std::move(gathered));
        }
    };
    auto shared = std::make_shared<gathering>();
    shared->done = std::move(done);
    deliver_with_acks(
        std::string(nsp), data, to, timeout,
        [shared](std::size_t count) {
            std::unique_lock lock(shared->mutex);
            shared->expected = count;
            shared->finish_if_complete(lock);
        },
        [shared](std::optional<cluster::ordered_json> answer) {
            std::unique_lock lock(shared->mutex);
            ++shared->answered;
            if (answer) shared->result.items.push_back(std::move(*answer));
            else shared->result.partial = true;
            shared->finish_if_complete(lock);
        });
}

void server::deliver_local(std::string_view nsp, const broadcast_options& options,
                           const engineio::wire_message& message) {
    // Collected first, then sent to with the memory of the recipients a few places ahead
    // already requested: at ten thousand recipients their sockets, sessions and
    // connections are out of the cache, and a send that waits on each in turn cost more
    // than the rest of its work. The list is this thread's, kept for the next broadcast
    // (moved out while in use, so a send that broadcasts again gets its own).
    thread_local std::vector<socket*> spare;
    std::vector<socket*> recipients = std::move(spare);
    recipients.clear();
    select_local(nsp, options, [&](socket* s) { recipients.push_back(s); });
    constexpr std::size_t socket_ahead = 12, session_ahead = 8, transport_ahead = 4;
    const std::size_t count = recipients.size();
    for (std::size_t i = 0; i < count; ++i) {
        if (i + socket_ahead < count) recipients[i + socket_ahead]->prefetch_for_send();
        if (i + session_ahead < count) recipients[i + session_ahead]->prefetch_session_for_send();
        if (i + transport_ahead < count) recipients[i + transport_ahead]->prefetch_transport_for_send();
        recipients[i]->send(message, options.is_volatile);
    }
    spare = std::move(recipients);
}

}  // namespace switchboard::kernel::socketio
