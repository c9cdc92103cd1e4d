#include "position_book.hpp"

#include <algorithm>

namespace switchboard::plugins::location {

namespace {

// One throttle key per user and audience; NUL cannot occur in ids or room names.
std::string throttle_key(const std::string& user, const audience& to) {
    std::string key = user;
    key += '\0';
    if (to.room) return key + "r" + *to.room;
    key += "u";
    for (const auto& u : to.users) (key += u) += '\0';
    return key;
}

}  // namespace

void position_book::joined(socket_id socket, const std::string& room) {
    std::lock_guard lock(mutex_);
    rooms_of_[socket].insert(room);
}

bool position_book::is_member(socket_id socket, const std::string& room) const {
    std::lock_guard lock(mutex_);
    const auto it = rooms_of_.find(socket);
    return it != rooms_of_.end() && it->second.contains(room);
}

std::size_t position_book::rooms_of(socket_id socket) const {
    std::lock_guard lock(mutex_);
    const auto it = rooms_of_.find(socket);
    return it == rooms_of_.end() ? 0 : it->second.size();
}

template <class RoomMatch, class DirectMatch>
std::vector<ended_share> position_book::end_where(RoomMatch room_match, DirectMatch direct_match) {
    std::vector<ended_share> out;
    for (auto it = room_positions_.begin(); it != room_positions_.end();) {
        if (room_match(it->first, it->second)) {
            out.push_back({it->first.second, it->first.first, {}});
            it = room_positions_.erase(it);
        } else {
            ++it;
        }
    }
    // Keys sort by sharer first, so one sharer's recipients are neighbours: one
    // ended_share per sharer.
    for (auto it = direct_positions_.begin(); it != direct_positions_.end();) {
        if (direct_match(it->first, it->second)) {
            if (out.empty() || out.back().room || out.back().user != it->first.first)
                out.push_back({it->first.first, std::nullopt, {}});
            out.back().recipients.push_back(it->first.second);
            it = direct_positions_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::vector<ended_share> position_book::left(socket_id socket, const std::string& room) {
    std::lock_guard lock(mutex_);
    if (const auto it = rooms_of_.find(socket); it != rooms_of_.end()) {
        it->second.erase(room);
        if (it->second.empty()) rooms_of_.erase(it);
    }
    return end_where([&](const room_key& k, const entry& e) { return k.first == room && !e.remote && e.socket == socket; },
                     [](const direct_key&, const entry&) { return false; });
}

std::vector<ended_share> position_book::disconnected(socket_id socket) {
    std::lock_guard lock(mutex_);
    rooms_of_.erase(socket);
    return end_where([&](const room_key&, const entry& e) { return !e.remote && e.socket == socket; },
                     [&](const direct_key&, const entry& e) { return !e.remote && e.socket == socket; });
}

std::chrono::milliseconds position_book::admit(const std::string& user, const audience& to, clock::time_point now) {
    if (min_interval_.count() == 0) return std::chrono::milliseconds(0);
    std::lock_guard lock(mutex_);
    auto [it, fresh] = last_share_.try_emplace(throttle_key(user, to), now);
    if (!fresh) {
        const auto next = it->second + min_interval_;
        if (now < next) {
            // Rounded up: a client that waits exactly this long is admitted.
            const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now);
            return wait;
        }
        it->second = now;
    }
    return std::chrono::milliseconds(0);
}

void position_book::put(const std::string& user, socket_id socket, const audience& to, const position& where,
                        std::int64_t at, clock::time_point now) {
    std::lock_guard lock(mutex_);
    const entry e{where, at, socket, now + ttl_};
    if (to.room) {
        room_positions_[{*to.room, user}] = e;
        return;
    }
    for (const auto& recipient : to.users) direct_positions_[{user, recipient}] = e;
}

std::vector<ended_share> position_book::stop(const std::string& user, const audience& what) {
    std::lock_guard lock(mutex_);
    const bool everything = !what.room && what.users.empty();
    return end_where(
        [&](const room_key& k, const entry&) {
            return k.second == user && (everything || (what.room && k.first == *what.room));
        },
        [&](const direct_key& k, const entry&) {
            if (k.first != user) return false;
            if (everything) return true;
            return std::binary_search(what.users.begin(), what.users.end(), k.second);
        });
}

std::vector<ended_share> position_book::expire(clock::time_point now) {
    std::lock_guard lock(mutex_);
    // The throttle's memory goes with it: a key older than the interval decides nothing.
    for (auto it = last_share_.begin(); it != last_share_.end();) {
        if (it->second + min_interval_ <= now) it = last_share_.erase(it);
        else ++it;
    }
    const auto due_remote = [&](const auto&, const entry& e) { return e.remote && e.expires <= now; };
    std::erase_if(room_positions_, [&](const auto& item) { return due_remote(item.first, item.second); });
    std::erase_if(direct_positions_, [&](const auto& item) { return due_remote(item.first, item.second); });
    return end_where([&](const room_key&, const entry& e) { return e.expires <= now; },
                     [&](const direct_key&, const entry& e) { return e.expires <= now; });
}

void position_book::put_remote(const std::string& user, const audience& to, const position& where, std::int64_t at,
                               std::chrono::milliseconds ttl, clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (min_interval_.count() > 0) last_share_[throttle_key(user, to)] = now;
    const entry e{where, at, 0, now + ttl, true};
    if (to.room) {
        room_positions_[{*to.room, user}] = e;
        return;
    }
    for (const auto& recipient : to.users) direct_positions_[{user, recipient}] = e;
}

void position_book::end_remote(const std::vector<ended_share>& ended) {
    std::lock_guard lock(mutex_);
    for (const auto& share : ended) {
        if (share.room) {
            room_positions_.erase({*share.room, share.user});
            continue;
        }
        for (const auto& recipient : share.recipients) direct_positions_.erase({share.user, recipient});
    }
}

std::vector<known_position> position_book::in_room(const std::string& room, clock::time_point now) const {
    std::lock_guard lock(mutex_);
    std::vector<known_position> out;
    for (auto it = room_positions_.lower_bound({room, std::string()});
         it != room_positions_.end() && it->first.first == room; ++it)
        if (it->second.expires > now) out.push_back({it->first.second, it->second.where, it->second.at});
    return out;
}

std::vector<known_position> position_book::shared_with(const std::string& recipient, clock::time_point now) const {
    std::lock_guard lock(mutex_);
    std::vector<known_position> out;
    for (const auto& [key, e] : direct_positions_)
        if (key.second == recipient && e.expires > now) out.push_back({key.first, e.where, e.at});
    return out;
}

}  // namespace switchboard::plugins::location
