// Friend requests and friendships: social:friend_request, social:friend_accept,
// social:friend_reject, social:friend_cancel, social:unfriend, social:friends,
// social:friend_requests. Each change is told to both sides' devices.
#pragma once

#include "context.hpp"

namespace switchboard::plugins::social {

void register_friend_events(social_context& ctx);

}  // namespace switchboard::plugins::social
