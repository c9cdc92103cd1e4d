// Room membership on one worker: room name -> local members.
//
// Each worker has its own index per namespace, so joins, leaves and broadcasts touch
// no lock. Members are pointers owned elsewhere; a member must leave every room it
// joined before it goes away (the socket does so on disconnect).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kernel/rooms/member_list.hpp"

namespace switchboard::kernel::rooms {

// Lets unordered_map<std::string, ...> be searched with a string_view, no temporary.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

template <class Member>
class room_index {
public:
    using members = member_list<Member>;

    // Told when a room gets its first member here (true) or loses its last (false), for
    // whoever follows rooms per node (a cluster subscribing per room). Unset: nobody.
    std::function<void(const std::string& room, bool exists)> on_room_change;

    // Returns true when `member` was not in `room` yet.
    bool join(std::string_view room, Member* member) {
        auto found = rooms_.find(room);
        if (found == rooms_.end()) {
            found = rooms_.emplace(std::string(room), members{}).first;
            if (on_room_change) on_room_change(found->first, true);
        }
        return found->second.insert(member);
    }

    // Returns true when `member` was in `room`. An emptied room is dropped.
    bool leave(std::string_view room, Member* member) {
        const auto found = rooms_.find(room);
        if (found == rooms_.end()) return false;
        const bool was_member = found->second.erase(member);
        if (found->second.empty()) {
            if (on_room_change) on_room_change(found->first, false);
            rooms_.erase(found);
        }
        return was_member;
    }

    // The members of `room`, or null when nobody here is in it.
    const members* find(std::string_view room) const {
        const auto found = rooms_.find(room);
        return found == rooms_.end() ? nullptr : &found->second;
    }

    std::size_t room_count() const noexcept { return rooms_.size(); }

    template <class Fn>
    void for_each_room(Fn&& fn) const {
        for (const auto& [name, room_members] : rooms_) fn(name, room_members);
    }

private:
    std::unordered_map<std::string, members, string_hash, std::equal_to<>> rooms_;
};

}  // namespace switchboard::kernel::rooms
