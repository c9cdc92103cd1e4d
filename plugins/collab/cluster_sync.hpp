// Several nodes on Redis: clients of one document may be on any node. Each node
// relays to its own sockets only (relay_here); these messages carry what one node
// accepted to the others, which add it to their memory of the document (their joiners
// are served from it) and relay it to their sockets, under the document's lock, so a
// joiner there gets every update either in its snapshot or relayed after it:
//
//   update     {doc, id, data}          an update this node stored (row `id`)
//   compacted  {doc, removed, id, data} this node's compaction replaced `removed`
//   awareness  {doc, data}              awareness entries this node accepted or removed
//   role       {doc, user, role}        a role given here, for the sessions open elsewhere
//
// sent as serverSideEmit("collab:cluster", message), data in base64, and applied in
// the order their node sent them. A node where the document is not open ignores updates
// and compactions (it loads the log when it opens it: the sender stored them before
// telling) but keeps the awareness, so a joiner there sees who is in the document on
// the other nodes.
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
    // Returns those applied (not older than what was known), to relay.
    std::vector<awareness_entry> apply(const std::string& document, const std::vector<awareness_entry>& entries);
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
