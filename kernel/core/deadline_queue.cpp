#include "kernel/core/deadline_queue.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>

namespace switchboard::kernel {

deadline_queue::deadline_queue(deadline_scheduler& scheduler, steady_clock::duration duration,
                               expiry_fn on_expiry)
    : scheduler_(scheduler), duration_(duration), on_expiry_(on_expiry) {
    scheduler_.queues_.push_back(this);
}

deadline_queue::~deadline_queue() {
    entries_.clear();
    auto& queues = scheduler_.queues_;
    queues.erase(std::remove(queues.begin(), queues.end(), this), queues.end());
}

void deadline_queue::schedule(deadline_entry& entry, void* owner) {
    entry.hook.unlink();
    entry.owner = owner;
    entry.deadline = steady_clock::now() + duration_;
    entries_.push_back(entry);
    scheduler_.wake_by(entry.deadline);
}

void deadline_queue::schedule_at(deadline_entry& entry, void* owner, steady_clock::time_point deadline) {
    entry.hook.unlink();
    entry.owner = owner;
    entry.deadline = deadline;
    auto position = entries_.end();
    while (position != entries_.begin() && std::prev(position)->deadline > deadline) --position;
    entries_.insert(position, entry);
    scheduler_.wake_by(entry.deadline);
}

void deadline_queue::expire(steady_clock::time_point now) {
    while (!entries_.empty() && entries_.front().deadline <= now) {
        deadline_entry& entry = entries_.front();
        entries_.pop_front();
        // The callback may schedule this entry again, or destroy its owner.
        on_expiry_(entry.owner);
    }
}

bool deadline_queue::next_deadline(steady_clock::time_point& out) const {
    if (entries_.empty()) return false;
    out = entries_.front().deadline;
    return true;
}

deadline_scheduler::deadline_scheduler(boost::asio::io_context& io) : timer_(io) {}

void deadline_scheduler::wake_by(steady_clock::time_point deadline) {
    if (stopped_ || deadline >= armed_for_) return;
    armed_for_ = deadline;
    ++generation_;
    timer_.expires_at(deadline);
    timer_.async_wait([this, generation = generation_](const boost::system::error_code& ec) {
        on_timer(ec, generation);
    });
}

void deadline_scheduler::stop() {
    stopped_ = true;
    timer_.cancel();
}

void deadline_scheduler::on_timer(const boost::system::error_code& ec, unsigned generation) {
    // A rearm cancels the previous wait; only the latest generation acts.
    if (ec || stopped_ || generation != generation_) return;
    armed_for_ = steady_clock::time_point::max();
    const auto now = steady_clock::now();
    for (std::size_t i = 0; i < queues_.size(); ++i) queues_[i]->expire(now);
    arm();
}

// After a wake-up, the next one comes no sooner than this: deadlines due meanwhile
// fire together, up to this late. 10,000 sessions pinged every 25 s are 400
// deadlines a second; one timer wake-up each (epoll_wait, timerfd_settime, the
// handler) cost more than the pings' own writes. At most 50 wake-ups a second now.
constexpr std::chrono::milliseconds wake_up_slack{20};

void deadline_scheduler::arm() {
    auto earliest = steady_clock::time_point::max();
    for (auto* queue : queues_) {
        steady_clock::time_point next;
        if (queue->next_deadline(next)) earliest = std::min(earliest, next);
    }
    if (earliest != steady_clock::time_point::max())
        wake_by(std::max(earliest, steady_clock::now() + wake_up_slack));
}

}  // namespace switchboard::kernel
