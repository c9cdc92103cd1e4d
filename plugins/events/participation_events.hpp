// Who is in an event and its room: events:join, events:leave, events:participants,
// events:participate, the backend's `events:participation` bus topic, and the hooks
// that keep the rooms to participants (join, disconnect).
#pragma once

#include "context.hpp"

namespace switchboard::plugins::events {

void register_participation_events(events_context& ctx);

// A participant's status, or forbidden. The refusal does not say whether the event
// exists: to a non-participant, every event looks the same.
std::string require_participant(events_context& ctx, const std::string& event, const std::string& user);

}  // namespace switchboard::plugins::events
