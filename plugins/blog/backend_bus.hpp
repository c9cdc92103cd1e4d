// Posts from the backend: the `blog:create` bus topic, which the server API's
// POST /api/publish, other plugins and Lua scripts reach.
#pragma once

#include "context.hpp"

namespace switchboard::plugins::blog {

void register_backend_bus(blog_context& ctx);

}  // namespace switchboard::plugins::blog
