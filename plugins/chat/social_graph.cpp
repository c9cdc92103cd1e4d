#include "social_graph.hpp"

#include <stdexcept>

#include <switchboard/columns.hpp>

namespace switchboard::plugins::chat {

void social_graph::require_view() {
    try {
        plugin_.query("SELECT from_user, to_user, relation FROM social_graph_v1 WHERE 1 = 0");
    } catch (const std::exception& failure) {
        throw std::runtime_error(
            std::string("chat: message_requests needs the social plugin's graph view social_graph_v1, which this "
                        "database lacks (") +
            failure.what() +
            "): enable the social plugin in the same deployment (its migrations create the view), or set "
            "message_requests to false");
    }
}

pair_relations social_graph::between(const std::string& a, const std::string& b) {
    pair_relations out;
    // Statements never bind one name twice (drivers differ on repeated names).
    const auto rows = plugin_.query(
        "SELECT from_user, relation FROM social_graph_v1 "
        "WHERE (from_user = :a1 AND to_user = :b1) OR (from_user = :b2 AND to_user = :a2)",
        {{"a1", a}, {"b1", b}, {"b2", b}, {"a2", a}});
    for (const auto& row : rows) {
        const std::string from = sdk::columns::as_string(row.at("from_user"));
        const std::string relation = sdk::columns::as_string(row.at("relation"));
        if (relation == "blocks") out.blocked = true;
        else if (relation == "follows" && from == a) out.a_follows_b = true;
        else if (relation == "follows") out.b_follows_a = true;
    }
    return out;
}

}  // namespace switchboard::plugins::chat
