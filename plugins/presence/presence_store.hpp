// The presence state every node must agree on: who is online in which status, and how
// many signed-in users each namespace has.
//
// One node keeps it in memory (make_memory_store). Several nodes need one store they
// share (Redis, say) behind this same interface; nothing else in the plugin changes.
// Every method is thread-safe and quick: callers hold no lock of the store's.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::plugins::presence {

class presence_store {
public:
    virtual ~presence_store() = default;

    // The status of an online user ("online", "away" or "busy"); nothing when offline.
    virtual std::optional<std::string> status_of(std::string_view user_id) const = 0;
    // Records the user online in `status`; false if they already were.
    virtual bool mark_online(std::string_view user_id, std::string_view status) = 0;
    // Records the user offline; returns the status they had, nothing if already offline.
    virtual std::optional<std::string> mark_offline(std::string_view user_id) = 0;
    // Changes an online user's status; false when offline or unchanged.
    virtual bool set_status(std::string_view user_id, std::string_view status) = 0;

    // One more, or one fewer, socket of `user_id` connected to `nsp`.
    virtual void add_socket(std::string_view nsp, std::string_view user_id) = 0;
    virtual void remove_socket(std::string_view nsp, std::string_view user_id) = 0;
    // Users with at least one socket in `nsp`.
    virtual std::size_t users_in(std::string_view nsp) const = 0;
    // Every namespace a signed-in user has connected to: where subscribers can be.
    virtual std::vector<std::string> namespaces() const = 0;
};

std::unique_ptr<presence_store> make_memory_store();

}  // namespace switchboard::plugins::presence
