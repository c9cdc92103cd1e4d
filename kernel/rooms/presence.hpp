// Who is online: connected sockets per authenticated user, across every worker.
//
// A user is online while any of their sockets is connected. The first socket and the
// last one are the transitions plugins hear about (the presence plugin builds on them).
// Connects and disconnects are rare next to messages, so one mutex is enough.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::kernel::rooms {

class presence {
public:
    // Returns true when this is the user's first socket.
    bool add(std::string_view user_id);
    // Returns true when this was the user's last socket.
    bool remove(std::string_view user_id);
    std::uint32_t sockets_of(std::string_view user_id) const;
    // Online user ids in order, `limit` from `offset`.
    std::vector<std::string> online(std::size_t offset, std::size_t limit) const;
    std::size_t online_count() const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::uint32_t, std::less<>> sockets_;
};

}  // namespace switchboard::kernel::rooms
