#include "kernel/socketio/server.hpp"

#include <atomic>
#include <stdexcept>

#include "kernel/core/log.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/socketio/client.hpp"

namespace switchboard::kernel::socketio {

engineio::wire_message to_wire(const packet& p) {
    encoded_packet encoded = encode(p);
    engineio::wire_message message;
    message.reserve(1 + encoded.attachments.size());
    message.push_back(engineio::wire_packet::message(encoded.text));
    for (const auto& attachment : encoded.attachments) message.push_back(engineio::wire_packet::binary(attachment));
    return message;
}

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
};

namespace {
// A handle names its worker in its top bits, so any thread can route to it.
constexpr int handle_worker_shift = 48;
}  // namespace

server::server(const config::settings& settings, std::vector<worker*> workers)
    : settings_(settings.socketio), workers_(std::move(workers)) {
    for (const auto& nsp : settings_.namespaces) handlers_.emplace(nsp.name, namespace_handlers{});
    for (auto* w : workers_) {
        auto state = std::make_unique<worker_state>(*w, settings_.connect_timeout);
        for (const auto& nsp : settings_.namespaces)
            state->namespaces.push_back(std::make_unique<local_namespace>(*this, nsp.name, handlers_.at(nsp.name)));
        states_.push_back(std::move(state));
    }
}

server::~server() = default;

void server::user_connected(const std::string& user_id) {
    presence_.add(user_id, [&] {
        if (presence_listener_) presence_listener_(user_id, true);
    });
}

void server::user_disconnected(const std::string& user_id) {
    presence_.remove(user_id, [&] {
        if (presence_listener_) presence_listener_(user_id, false);
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
    broadcast(nsp, options, std::make_shared<const engineio::wire_message>(to_wire(p)));
}

void server::broadcast(std::string_view nsp, const broadcast_options& options,
                       std::shared_ptr<const engineio::wire_message> message) {
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
    const std::uint64_t epoch = ++local().broadcast_epoch;
    // A room name can also be a socket id: every socket is in the room of its own id.
    auto for_room = [nsp](const std::string& room, auto&& visit) {
        if (const auto* members = nsp->rooms.find(room))
            for (socket* s : *members) visit(s);
        if (const auto found = nsp->sockets.find(room); found != nsp->sockets.end()) visit(found->second);
    };
    for (const auto& room : options.except) for_room(room, [epoch](socket* s) { s->broadcast_mark = epoch; });
    if (options.except_socket) {
        const auto& by_handle = local().by_handle;
        if (const auto found = by_handle.find(options.except_socket); found != by_handle.end())
            found->second->broadcast_mark = epoch;
    }
    auto select = [&](socket* s) {
        if (s->broadcast_mark == epoch) return;
        s->broadcast_mark = epoch;
        fn(s);
    };
    if (options.rooms.empty()) {
        for (const auto& [id, s] : nsp->sockets) select(s);
    } else {
        for (const auto& room : options.rooms) for_room(room, select);
    }
}

void server::broadcast_text(std::string_view nsp, const broadcast_options& options, std::string_view event,
                            std::string_view args_json) {
    // The EVENT packet's text: 2[/nsp,]["event",<the arguments as given>]
    std::string text(1, static_cast<char>('0' + static_cast<int>(packet_type::event)));
    if (nsp != "/") {
        text += nsp;
        text += ',';
    }
    text += '[';
    text += json(event).dump();
    constexpr std::string_view json_space = " \t\r\n";
    const auto first = args_json.find_first_not_of(json_space, args_json.find('[') + 1);
    const auto last = args_json.find_last_not_of(json_space);   // the closing ']'
    if (first != std::string_view::npos && first < last) {
        text += ',';
        text.append(args_json.substr(first, last - first));
    }
    text += ']';
    engineio::wire_message message;
    message.push_back(engineio::wire_packet::message(text));
    broadcast(nsp, options, std::make_shared<const engineio::wire_message>(std::move(message)));
}

void server::for_each_selected(std::string_view nsp, const broadcast_options& options,
                               std::function<void(socket&)> fn, std::function<void(std::size_t)> done) {
    struct progress {
        std::string nsp;
        broadcast_options options;
        std::function<void(socket&)> fn;
        std::function<void(std::size_t)> done;
        std::atomic<std::size_t> workers_left{0};
        std::atomic<std::size_t> count{0};
    };
    auto shared = std::make_shared<progress>();
    shared->nsp = std::string(nsp);
    shared->options = options;
    shared->fn = std::move(fn);
    shared->done = std::move(done);
    shared->workers_left = workers_.size();
    for (std::size_t index = 0; index < workers_.size(); ++index) {
        workers_[index]->post([this, index, shared] {
            // Handles first, then the work: `fn` may join, leave or disconnect, which
            // changes the very rooms and socket maps the selection walks.
            std::vector<std::uint64_t> handles;
            select_local(shared->nsp, shared->options, [&](socket* s) { handles.push_back(s->handle()); });
            auto& by_handle = states_[index]->by_handle;
            std::size_t applied = 0;
            for (const auto handle : handles) {
                const auto found = by_handle.find(handle);
                if (found == by_handle.end()) continue;
                shared->fn(*found->second);
                ++applied;
            }
            shared->count += applied;
            if (--shared->workers_left == 0 && shared->done) shared->done(shared->count.load());
        });
    }
}

void server::deliver_local(std::string_view nsp, const broadcast_options& options,
                           const engineio::wire_message& message) {
    select_local(nsp, options, [&](socket* s) { s->send(message, options.is_volatile); });
}

}  // namespace switchboard::kernel::socketio
