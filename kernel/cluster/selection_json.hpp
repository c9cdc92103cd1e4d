// A selection as the adapters of socket.io write it in their messages:
// {rooms: [...], except: [...], flags: {...}}.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "kernel/cluster/adapter.hpp"

namespace switchboard::kernel::cluster {

// The strings of a JSON array (a numeric room as its text, as Node looks it up);
// anything else is skipped.
std::vector<std::string> room_names_of(const ordered_json& value);
selection selection_from(const ordered_json& opts);
ordered_json options_json(const selection& which, bool is_volatile = false);
// A broadcast with acks' options: flags.timeout in milliseconds.
ordered_json acked_options_json(const selection& to, std::chrono::milliseconds timeout);
// Whether a message of socket.io's carries binary (then Node sends it as msgpack).
bool has_binary(const ordered_json& value);

}  // namespace switchboard::kernel::cluster
