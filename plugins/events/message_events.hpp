// What participants say in an event room: events:send, events:history, and the
// typing relay (events:typing, events:stop_typing), cleared after typing_timeout.
#pragma once

#include "context.hpp"

namespace switchboard::plugins::events {

void register_message_events(events_context& ctx);

}  // namespace switchboard::plugins::events
