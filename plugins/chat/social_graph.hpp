// What chat asks the social graph for message requests (#14): whether either user
// blocked the other, and who follows whom. Read only through the social plugin's
// versioned view `social_graph_v1` (migrations/social/0002_graph_view_v1.sql), never
// its tables: the view is the interface social promises to keep. Blocking: pooled
// handlers (and load) only.
#pragma once

#include <string>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::chat {

struct pair_relations {
    bool blocked = false;       // either blocked the other
    bool a_follows_b = false;   // active follows only (a pending request is not one)
    bool b_follows_a = false;
};

class social_graph {
public:
    explicit social_graph(sdk::plugin& p) : plugin_(p) {}

    // Throws std::runtime_error saying what to do when the view is missing (the
    // social plugin is not enabled, so its migrations never ran): the plugin then
    // refuses to load.
    void require_view();

    pair_relations between(const std::string& a, const std::string& b);

private:
    sdk::plugin& plugin_;
};

}  // namespace switchboard::plugins::chat
