// What clients (and the bus) send, checked field by field with the SDK's readers
// (switchboard/payload.hpp): each throws sdk::error("invalid_payload", ...), so a
// handler reads all its fields before it touches anything.
#pragma once

#include <switchboard/payload.hpp>

namespace switchboard::plugins::blog {

using sdk::json;
using namespace sdk::payload;

}  // namespace switchboard::plugins::blog
