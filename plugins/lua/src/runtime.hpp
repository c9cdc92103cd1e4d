// The Lua runtime: the current generation of scripts, the swap on reload, and what the
// scripts' runs share across threads (timers, answers to asks, the socket directory).
//
// Threads. A run happens on the thread the host called: a network worker for inline
// handlers, a pool thread otherwise. It takes that thread's state of the current
// generation and holds the state's mutex (a `lease`) while Lua runs. An answer to an
// ask or a timer set by a handler comes back on some pool thread and takes the state
// that holds the waiting coroutine or the timer's function. A thread holds at most one
// state: a hook the host calls synchronously from inside a run (a join hook) runs in
// the state the thread is already in.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <switchboard/sdk.hpp>

#include "generation.hpp"
#include "settings.hpp"
#include "socket_directory.hpp"
#include "task.hpp"
#include "vm.hpp"

namespace switchboard::plugins::lua {

using json = nlohmann::ordered_json;   // as sdk::json: key order kept

// A state held by the calling thread: its mutex is locked for the lease's lifetime.
class lease {
public:
    lease(std::shared_ptr<generation> gen, std::shared_ptr<vm> state);
    lease(lease&& other) noexcept;
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    lease& operator=(lease&&) = delete;
    ~lease();

    vm& state() const noexcept { return *state_; }

private:
    std::shared_ptr<generation> generation_;
    std::shared_ptr<vm> state_;
    std::unique_lock<std::recursive_mutex> lock_;
    vm* outer_ = nullptr;
};

// An emit a script asked for, in the SDK's terms.
struct outgoing_emit {
    switchboard_target_t target = SWITCHBOARD_TO_NAMESPACE;
    sdk::socket_id socket = 0;
    std::string nsp;
    std::vector<std::string> rooms;
    std::vector<std::string> except_rooms;
    sdk::socket_id except_socket = 0;
    std::string user_id;
    std::string event;
    json args = json::array();
    bool is_volatile = false;
};

class runtime {
public:
    // How a client event reached the runtime: through a handler registered for its
    // name at start-up, or through a catch-all ("*") for names that appeared later.
    enum class route { named_inline, named_pooled, any_inline, any_pooled };

    runtime(sdk::plugin& plugin, settings config);
    ~runtime();
    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    // Loads the scripts, registers what they declared with the host and starts their
    // timers. Throws std::runtime_error ("file.lua:12: what") when a script fails.
    void start();
    // Loads the scripts into a new generation and swaps it in. A script that fails
    // leaves the current generation serving; false then, and the log says why.
    bool reload();

    sdk::plugin& plugin() noexcept { return plugin_; }
    const settings& config() const noexcept { return settings_; }
    socket_directory& sockets() noexcept { return sockets_; }
    std::shared_ptr<generation> current() const;

    // This thread's state of `gen` (of the current generation when null), or the
    // state the thread is already running in. Empty when the scripts fail to load.
    std::optional<lease> acquire(std::shared_ptr<generation> gen = nullptr);

    // --- what the host calls (registration.cpp) ---
    void handle_event(sdk::event& e, route how);
    void handle_connect(const sdk::socket_info& s);   // throws sdk::error to refuse
    void handle_disconnect(const sdk::socket_info& s, std::string_view reason, bool inline_hook);
    void handle_join(const sdk::socket_info& s, std::string_view room);   // throws sdk::error to refuse
    std::optional<json> handle_auth(const sdk::auth_request& request);
    void handle_presence(std::string_view user_id, bool online);
    void handle_message(std::string_view topic, const json& payload);
    // `route_path`: the route as the scripts declared it (it may hold {name} segments).
    sdk::http_response handle_http(const sdk::http_request& request, const std::string& route_path);

    // --- what the switchboard module calls ---

    // A timer running the function at the top of `L` (popped) in `owner`'s state;
    // returns its id (for cancel_timer).
    std::uint64_t start_timer(vm& owner, lua_State* L, std::uint64_t delay_ms, std::uint64_t interval_ms,
                              std::string where);
    bool cancel_timer(std::uint64_t id);
    switchboard_status_t emit(const outgoing_emit& out);
    // Emits `event` to `socket` with an ack; parks `t`, which the answer (or nil,
    // "timeout") resumes. False when the host refused the emit.
    bool ask(vm& owner, const std::shared_ptr<task>& t, sdk::socket_id socket, std::string_view event, json args,
             std::uint32_t timeout_ms);

    // --- the log ---
    void log(switchboard_log_level_t level, std::string_view message) const { plugin_.log(level, message); }
    void report(const failure& why) const;
    void report_state_replaced(std::size_t used, std::size_t limit, const std::string& label) const;

    // What was registered with the host at start-up: a reload can change handlers but
    // not add registrations (the SDK accepts them only while the plugin loads).
    struct registrations {
        std::vector<std::pair<std::string, bool>> events;   // name, inline
        bool connect_inline = true;
        bool disconnect_inline = false;
        bool join = false;
        bool auth = false;
        bool presence = false;
        std::vector<std::string> topics;
        std::vector<std::pair<std::string, std::string>> routes;   // method, path
    };

private:
    struct timer_record {
        std::uint64_t id = 0;                 // the runtime's id (a key in a state's timer table)
        switchboard_timer_t host_id = 0;
        std::shared_ptr<generation> gen;
        std::shared_ptr<vm> state;            // runtime timers: the state holding the function
        int declared_index = 0;               // declared timers: the function's index, in every state
        bool repeating = false;
        std::string where;
    };

    void register_with_host(const catalog& declared);   // registration.cpp
    void warn_about_new_registrations(const catalog& declared) const;
    switchboard_timer_t start_host_timer(timer_record record, std::uint64_t delay_ms, std::uint64_t interval_ms);
    void start_declared_timers(const std::shared_ptr<generation>& gen);
    void cancel_timers_outside(const std::shared_ptr<generation>& gen);
    // A timer is due (its id is read under timers_mutex_: the start may still hold it).
    void fire(const std::shared_ptr<const switchboard_timer_t>& host_id);
    static void answered(void* user_data, int timed_out, switchboard_str_t args_json,
                         const switchboard_str_t* attachments, std::size_t attachment_count) noexcept;

    sdk::plugin& plugin_;
    const settings settings_;
    socket_directory sockets_;
    registrations registered_;

    mutable std::mutex generation_mutex_;
    std::shared_ptr<generation> current_;
    std::atomic<std::uint64_t> next_generation_{1};
    std::mutex reload_mutex_;

    std::mutex timers_mutex_;
    std::unordered_map<switchboard_timer_t, timer_record> timers_;   // by host id
    std::unordered_map<std::uint64_t, switchboard_timer_t> timer_host_ids_;
    std::uint64_t next_timer_ = 1;
};

}  // namespace switchboard::plugins::lua
