// blog:create, blog:edit, blog:delete, blog:get, blog:list, blog:view, and the
// watching of posts and of the feed.
#pragma once

#include "context.hpp"

namespace switchboard::plugins::blog {

void register_post_events(blog_context& ctx);

// Validates and stores a new post of `author` from a client's or the bus's payload,
// then tells the feed. `except` is the socket whose event caused it (0: none).
post_row publish_post(blog_context& ctx, const std::string& author, const json& payload, sdk::socket_id except);

}  // namespace switchboard::plugins::blog
