#include "runtime.hpp"

#include <stdexcept>

#include "tasks.hpp"
#include "values.hpp"

namespace switchboard::plugins::lua {

namespace {

// The state this thread is running in, if any (see the threads note in runtime.hpp).
thread_local vm* active_state = nullptr;

// Timers set by handlers, all states together: a script that sets one per event and
// never cancels them meets a clear error before the server runs out of memory.
constexpr std::size_t max_timers = 100000;

}  // namespace

lease::lease(std::shared_ptr<generation> gen, std::shared_ptr<vm> state)
    : generation_(std::move(gen)), state_(std::move(state)), lock_(state_->mutex()), outer_(active_state) {
    active_state = state_.get();
}

lease::lease(lease&& other) noexcept
    : generation_(std::move(other.generation_)),
      state_(std::move(other.state_)),
      lock_(std::move(other.lock_)),
      outer_(other.outer_) {}

lease::~lease() {
    if (!state_) return;
    active_state = outer_;
    // A state a run left full is replaced for the next runs; this one closes once the
    // runs and parked coroutines holding it are done.
    if (state_->exhausted()) generation_->retire(state_.get());
}

runtime::runtime(sdk::plugin& plugin, settings config) : plugin_(plugin), settings_(std::move(config)) {}

runtime::~runtime() = default;

std::shared_ptr<generation> runtime::current() const {
    std::lock_guard lock(generation_mutex_);
    return current_;
}

std::optional<lease> runtime::acquire(std::shared_ptr<generation> gen) {
    if (active_state) return lease(active_state->gen().shared_from_this(), active_state->shared_from_this());
    if (!gen) gen = current();
    if (!gen) return std::nullopt;
    try {
        return lease(gen, gen->vm_for_this_thread());
    } catch (const std::exception& e) {
        log(SWITCHBOARD_LOG_ERROR, std::string("the scripts failed to load in a new Lua state: ") + e.what());
        return std::nullopt;
    }
}

void runtime::start() {
    auto first = std::make_shared<generation>(*this, next_generation_++);
    first->build();
    register_with_host(first->declared());
    {
        std::lock_guard lock(generation_mutex_);
        current_ = first;
    }
    start_declared_timers(first);
    log(SWITCHBOARD_LOG_INFO, "loaded " + std::to_string(settings_.scripts.size()) + " script(s), " +
                                  std::to_string(first->declared().events.size()) + " event handler(s)");
}

bool runtime::reload() {
    std::lock_guard serialized(reload_mutex_);
    auto next = std::make_shared<generation>(*this, next_generation_++);
    try {
        next->build();
    } catch (const std::exception& e) {
        log(SWITCHBOARD_LOG_ERROR,
            std::string("reload refused, the previous scripts keep serving: ") + e.what());
        return false;
    }
    warn_about_new_registrations(next->declared());
    std::shared_ptr<generation> previous;
    {
        std::lock_guard lock(generation_mutex_);
        previous = std::exchange(current_, next);
    }
    // Runs in progress, parked coroutines and one-shot timers finish on the previous
    // generation's states; its periodic timers stop here.
    cancel_timers_outside(next);
    start_declared_timers(next);
    log(SWITCHBOARD_LOG_INFO, "reloaded " + std::to_string(settings_.scripts.size()) + " script(s) (generation " +
                                  std::to_string(next->id()) + ")");
    return true;
}

void runtime::report(const failure& why) const {
    log(why.expected ? SWITCHBOARD_LOG_DEBUG : SWITCHBOARD_LOG_ERROR, why.detail);
}

void runtime::report_state_replaced(std::size_t used, std::size_t limit, const std::string& label) const {
    log(SWITCHBOARD_LOG_WARN, "a Lua state still holds " + std::to_string(used) + " of its " + std::to_string(limit) +
                                  " bytes after " + label + " failed: it is replaced by a fresh one");
}

// ---------------------------------------------------------------- timers

switchboard_timer_t runtime::start_host_timer(timer_record record, std::uint64_t delay_ms, std::uint64_t interval_ms) {
    // Through sdk.hpp, whose handler the kernel releases when the timer is over (SDK
    // 1.1): the wrapper frees only what it registered. Held across the start: a timer
    // due at once waits in fire() for its record and for the id written here.
    std::lock_guard lock(timers_mutex_);
    auto host_id = std::make_shared<switchboard_timer_t>(0);
    try {
        *host_id = plugin_.start_timer(std::chrono::milliseconds(delay_ms), std::chrono::milliseconds(interval_ms),
                                       [this, host_id] { fire(host_id); });
    } catch (const std::exception&) {   // the host refused it (the caller reports that)
        return 0;
    }
    record.host_id = *host_id;
    timer_host_ids_[record.id] = *host_id;
    timers_.emplace(*host_id, std::move(record));
    return *host_id;
}

std::uint64_t runtime::start_timer(vm& owner, lua_State* L, std::uint64_t delay_ms, std::uint64_t interval_ms,
                                   std::string where) {
    std::uint64_t id = 0;
    {
        std::lock_guard lock(timers_mutex_);
        if (timers_.size() >= max_timers)
            throw std::runtime_error("too many timers (" + std::to_string(max_timers) +
                                     "): cancel the ones you no longer need");
        id = next_timer_++;
    }
    owner.keep_timer_function(L, id);
    timer_record record;
    record.id = id;
    record.gen = owner.gen().shared_from_this();
    record.state = owner.shared_from_this();
    record.repeating = interval_ms > 0;
    record.where = std::move(where);
    if (!start_host_timer(std::move(record), delay_ms, interval_ms)) {
        owner.forget_timer_function(id);
        throw std::runtime_error("the host refused the timer");
    }
    return id;
}

bool runtime::cancel_timer(std::uint64_t id) {
    timer_record record;
    {
        std::lock_guard lock(timers_mutex_);
        const auto host_id = timer_host_ids_.find(id);
        if (host_id == timer_host_ids_.end()) return false;
        const auto found = timers_.find(host_id->second);
        record = std::move(found->second);
        timers_.erase(found);
        timer_host_ids_.erase(host_id);
    }
    plugin_.host().host_timer_cancel(plugin_.self(), record.host_id);
    if (record.state) record.state->forget_timer_function(record.id);
    return true;
}

void runtime::start_declared_timers(const std::shared_ptr<generation>& gen) {
    for (const auto& declared : gen->declared().timers) {
        timer_record record;
        {
            std::lock_guard lock(timers_mutex_);
            record.id = next_timer_++;
        }
        record.gen = gen;
        record.declared_index = declared.index;
        record.repeating = declared.interval_ms > 0;
        record.where = declared.where;
        if (!start_host_timer(std::move(record), declared.delay_ms, declared.interval_ms))
            log(SWITCHBOARD_LOG_ERROR, "the host refused the timer declared at " + declared.where);
    }
}

void runtime::cancel_timers_outside(const std::shared_ptr<generation>& gen) {
    std::vector<std::uint64_t> ids;
    {
        std::lock_guard lock(timers_mutex_);
        for (const auto& [host_id, record] : timers_)
            if (record.gen != gen && (!record.state || record.repeating)) ids.push_back(record.id);
    }
    for (const auto id : ids) cancel_timer(id);
}

void runtime::fire(const std::shared_ptr<const switchboard_timer_t>& host_id) {
    timer_record record;
    {
        std::lock_guard lock(timers_mutex_);
        const auto found = timers_.find(*host_id);
        if (found == timers_.end()) return;   // cancelled while it was due
        record = found->second;
        if (!record.repeating) {
            timer_host_ids_.erase(record.id);
            timers_.erase(found);
        }
    }
    auto run = std::make_shared<timer_task>(*this, record.where);
    if (record.state) {
        lease held(record.gen, record.state);
        record.state->run_timer(run, record.id);
        if (!record.repeating) record.state->forget_timer_function(record.id);
        return;
    }
    if (auto held = acquire(record.gen)) held->state().run(run, record.declared_index);
}

// ---------------------------------------------------------------- emits and asks

namespace {

struct encoded_emit {
    sdk::detail::encoded_args args;
    std::vector<switchboard_str_t> rooms;
    std::vector<switchboard_str_t> except;
    switchboard_emit_t raw{};
};

void encode(const outgoing_emit& out, encoded_emit& e) {
    e.args = sdk::detail::encode_args(out.args);
    for (const auto& room : out.rooms) e.rooms.push_back(sdk::detail::view(room));
    for (const auto& room : out.except_rooms) e.except.push_back(sdk::detail::view(room));
    auto& raw = e.raw;
    raw.struct_size = sizeof raw;
    raw.target = out.target;
    raw.socket = out.socket;
    raw.nsp = sdk::detail::view(out.nsp);
    raw.rooms = e.rooms.data();
    raw.room_count = e.rooms.size();
    raw.except_rooms = e.except.data();
    raw.except_count = e.except.size();
    raw.except_socket = out.except_socket;
    raw.user_id = sdk::detail::view(out.user_id);
    raw.event = sdk::detail::view(out.event);
    raw.args_json = sdk::detail::view(e.args.text);
    raw.attachments = e.args.attachments.data();
    raw.attachment_count = e.args.attachments.size();
    raw.flags = out.is_volatile ? SWITCHBOARD_EMIT_VOLATILE : 0u;
}

// What an answer needs to find its coroutine again.
struct pending_answer {
    runtime* owner;
    std::shared_ptr<generation> gen;
    std::shared_ptr<vm> state;
    std::shared_ptr<task> waiting;
};

}  // namespace

switchboard_status_t runtime::emit(const outgoing_emit& out) {
    encoded_emit e;
    encode(out, e);
    return plugin_.host().host_emit(plugin_.self(), &e.raw);
}

bool runtime::ask(vm& owner, const std::shared_ptr<task>& t, sdk::socket_id socket, std::string_view event, json args,
                  std::uint32_t timeout_ms) {
    outgoing_emit out;
    out.target = SWITCHBOARD_TO_SOCKET;
    out.socket = socket;
    out.event = std::string(event);
    out.args = std::move(args);
    encoded_emit e;
    encode(out, e);
    auto* pending = new pending_answer{this, owner.gen().shared_from_this(), owner.shared_from_this(), t};
    e.raw.on_ack = &runtime::answered;
    e.raw.ack_user_data = pending;
    e.raw.ack_timeout_ms = timeout_ms;
    // Parked before the emit: the answer comes on another thread, which waits for this
    // state's lock, which the run holds until its coroutine has yielded.
    t->parked = true;
    if (plugin_.host().host_emit(plugin_.self(), &e.raw) != SWITCHBOARD_OK) {
        t->parked = false;
        delete pending;
        return false;
    }
    return true;
}

void runtime::answered(void* user_data, int timed_out, switchboard_str_t args_json,
                       const switchboard_str_t* attachments, std::size_t attachment_count) noexcept {
    std::unique_ptr<pending_answer> pending(static_cast<pending_answer*>(user_data));
    try {
        std::optional<json> answer;
        if (!timed_out) answer = sdk::detail::parse_args(args_json, attachments, attachment_count);
        lease held(pending->gen, pending->state);
        pending->state->resume(pending->waiting, [&answer](lua_State* L) {
            if (!answer) {
                lua_pushnil(L);
                lua_pushliteral(L, "timeout");
                return 2;
            }
            push_json(L, *answer);
            return 1;
        });
    } catch (const std::exception& e) {
        pending->owner->log(SWITCHBOARD_LOG_ERROR, std::string("an answer could not resume its script: ") + e.what());
    }
}

}  // namespace switchboard::plugins::lua
