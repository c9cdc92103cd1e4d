// The members of one room on one worker, in one contiguous list.
//
// A broadcast to a room of ten thousand walks every member; a hash set's members are
// scattered nodes, one cache miss each before the member itself is read, and in no
// useful order. Here the walk reads an array, in the order members joined (close to the
// order their connections were accepted, which is also how the kernel laid out their
// sockets). The position of each member is kept in a map beside it, so joining and
// leaving stay constant time: a leaving member's place takes the last one.
//
// The map's node is the size of the set's it replaces (a pointer and a position next
// to the link, in the same allocator bin); the array adds one pointer per member.
#pragma once

#include <cstddef>
#include <unordered_map>
#include <vector>

namespace switchboard::kernel::rooms {

template <class Member>
class member_list {
public:
    // Returns true when `member` was not in the list yet.
    bool insert(Member* member) {
        if (!position_.try_emplace(member, members_.size()).second) return false;
        members_.push_back(member);
        return true;
    }

    // Returns true when `member` was in the list.
    bool erase(Member* member) {
        const auto found = position_.find(member);
        if (found == position_.end()) return false;
        const std::size_t place = found->second;
        position_.erase(found);
        Member* last = members_.back();
        members_.pop_back();
        if (place < members_.size()) {
            members_[place] = last;
            position_[last] = place;
        }
        return true;
    }

    bool contains(Member* member) const { return position_.contains(member); }
    std::size_t size() const noexcept { return members_.size(); }
    bool empty() const noexcept { return members_.empty(); }
    auto begin() const noexcept { return members_.begin(); }
    auto end() const noexcept { return members_.end(); }

private:
    std::vector<Member*> members_;
    std::unordered_map<Member*, std::size_t> position_;
};

}  // namespace switchboard::kernel::rooms
