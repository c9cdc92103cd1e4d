// Messages: chat:send, chat:history, chat:edit, chat:delete, chat:react, chat:read
// (README.md has the payloads).
#pragma once

#include "context.hpp"

namespace switchboard::plugins::chat {

void register_message_events(chat_context& ctx);

}  // namespace switchboard::plugins::chat
