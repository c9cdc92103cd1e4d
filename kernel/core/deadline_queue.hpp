// Per-worker timeouts without a timer per session.
//
// Every session has the same ping interval, ping timeout and connect timeout, so the
// sessions waiting on one of them expire in the order they started waiting: a FIFO
// list per kind of deadline is already sorted. One Asio timer per worker fires at the
// earliest head among its queues. Scheduling, rescheduling and cancelling are O(1)
// (intrusive, auto-unlinking hooks), and an idle session costs a few pointers instead
// of several timer objects.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

namespace switchboard::kernel {

using steady_clock = std::chrono::steady_clock;

// Embedded in the object that waits. Destroying it unlinks it.
struct deadline_entry {
    using hook_type = boost::intrusive::list_member_hook<
        boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

    hook_type hook;
    steady_clock::time_point deadline{};
    void* owner = nullptr;

    bool scheduled() const noexcept { return hook.is_linked(); }
    void cancel() noexcept { hook.unlink(); }
};

class deadline_scheduler;

// The entries waiting on one duration, oldest first.
class deadline_queue {
public:
    using expiry_fn = void (*)(void* owner);

    deadline_queue(deadline_scheduler& scheduler, steady_clock::duration duration, expiry_fn on_expiry);
    deadline_queue(const deadline_queue&) = delete;
    deadline_queue& operator=(const deadline_queue&) = delete;
    ~deadline_queue();

    // (Re)starts the wait of `entry` for `owner`: it expires `duration` from now.
    void schedule(deadline_entry& entry, void* owner);
    // The same, expiring at `deadline`, which may be earlier than `duration` from now:
    // the entry goes in order from the back, a short walk when it is close to now.
    void schedule_at(deadline_entry& entry, void* owner, steady_clock::time_point deadline);

    steady_clock::duration duration() const noexcept { return duration_; }

private:
    friend class deadline_scheduler;
    using list_type = boost::intrusive::list<
        deadline_entry,
        boost::intrusive::member_hook<deadline_entry, deadline_entry::hook_type, &deadline_entry::hook>,
        boost::intrusive::constant_time_size<false>>;

    // Fires every entry whose deadline is not after `now`.
    void expire(steady_clock::time_point now);
    bool next_deadline(steady_clock::time_point& out) const;

    deadline_scheduler& scheduler_;
    steady_clock::duration duration_;
    expiry_fn on_expiry_;
    list_type entries_;
};

// One timer serving several queues on one worker's io_context.
class deadline_scheduler {
public:
    explicit deadline_scheduler(boost::asio::io_context& io);

    // Called by a queue when an entry was scheduled at `deadline`.
    void wake_by(steady_clock::time_point deadline);

    // Stops the timer (at shutdown).
    void stop();

private:
    friend class deadline_queue;
    void arm();
    void on_timer(const boost::system::error_code& ec, unsigned generation);

    boost::asio::steady_timer timer_;
    std::vector<deadline_queue*> queues_;
    steady_clock::time_point armed_for_ = steady_clock::time_point::max();
    unsigned generation_ = 0;
    bool stopped_ = false;
};

}  // namespace switchboard::kernel
