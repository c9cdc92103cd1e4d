// Several nodes on Redis: what one node's memory holds of a document, kept on the
// others. Clients of one document may be on any node: the relays (sync-update,
// awareness-update) reach every node's sockets through the cluster's namespace
// broadcasts already; what these messages add is each node's memory of the document,
// which its joiners are served from:
//
//   update     {doc, id, data}          an update this node stored (row `id`)
//   compacted  {doc, removed, id, data} this node's compaction replaced `removed`
//   awareness  {doc, data}              awareness entries this node accepted or removed
//   role       {doc, user, role}        a role given here, for the sessions open elsewhere
//
// sent as serverSideEmit("collab:cluster", message), data in base64. The other nodes
// apply them without relaying (their sockets got the relay already). A node where the
// document is not open ignores updates (it loads the log when it opens it) but keeps the
// awareness, so a joiner there sees who is in the document on the other nodes.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

#include "y_protocol.hpp"

namespace switchboard::plugins::collab {

struct collab_context;

// The awareness of the clients connected to other nodes, per document.
class remote_awareness {
public:
    // Applies entries as received: a state replaces an older clock's, "null" removes.
    void apply(const std::string& document, const std::vector<awareness_entry>& entries);
    std::vector<awareness_entry> of(const std::string& document) const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::map<std::uint64_t, awareness_entry>> documents_;
};

// What this node tells the others (nothing leaves without a cluster).
void share_update(collab_context& ctx, const std::string& document, std::int64_t id, const bytes& data);
void share_compaction(collab_context& ctx, const std::string& document, const std::vector<std::int64_t>& removed,
                      std::int64_t id, const bytes& data);
void share_awareness(collab_context& ctx, const std::string& document, const std::vector<awareness_entry>& entries);
void share_role(collab_context& ctx, const std::string& document, const std::string& user, const char* role);

// Subscribes to the other nodes' messages.
void register_cluster_sync(collab_context& ctx);

}  // namespace switchboard::plugins::collab
