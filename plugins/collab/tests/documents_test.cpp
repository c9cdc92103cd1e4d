#include "documents.hpp"

#include <gtest/gtest.h>

namespace switchboard::plugins::collab {
namespace {

TEST(CollabDocuments, AJoinerGetsWhatItsStateVectorLacks) {
    document doc;
    doc.add(1, {1}, update_summary{{{7, 0, 3}}, {}, false});
    doc.add(2, {2}, update_summary{{{7, 3, 5}}, {}, false});
    doc.add(3, {3}, update_summary{{{8, 0, 1}}, {}, false});
    doc.add(4, {4}, update_summary{{}, {{7, 0, 1}}, true});
    EXPECT_EQ(doc.missing_for({}).size(), 4u);
    const auto lacking = doc.missing_for({{7, 3}, {8, 1}});
    ASSERT_EQ(lacking.size(), 2u);
    EXPECT_EQ(lacking[0]->data, bytes{2});
    EXPECT_EQ(lacking[1]->data, bytes{4}) << "deletions always go";
    EXPECT_EQ(doc.known.clock_of(7), 5u);
}

TEST(CollabDocuments, AFullStateReplacesOnlyWhatItCovers) {
    document doc;
    doc.add(1, {1}, update_summary{{{7, 0, 3}}, {}, false});
    doc.add(2, {2}, update_summary{{{7, 3, 5}}, {}, false});
    doc.add(3, {3}, update_summary{{}, {{7, 1, 2}}, true});
    // Arrived after the writer answered: neither its structs nor its deletion are in.
    doc.add(4, {4}, update_summary{{{8, 0, 2}}, {}, false});
    doc.add(5, {5}, update_summary{{}, {{7, 3, 4}}, true});
    const update_summary full{{{7, 0, 5}}, {{7, 1, 2}}, true};
    const auto covered = doc.covered_by(full);
    EXPECT_EQ(covered, (std::vector<std::int64_t>{1, 2, 3}));
    doc.replace(covered, 9, {9}, full);
    ASSERT_EQ(doc.updates.size(), 3u);
    EXPECT_EQ(doc.updates[0]->id, 4);
    EXPECT_EQ(doc.updates[1]->id, 5);
    EXPECT_EQ(doc.updates[2]->id, 9);
    EXPECT_EQ(doc.known.clock_of(7), 5u);
    EXPECT_EQ(doc.known.clock_of(8), 2u);
    // Another node's word of that compaction, after this node read the full state
    // from the log: the covered updates go, the full state stays once.
    document other;
    other.add(1, {1}, update_summary{{{7, 0, 3}}, {}, false});
    other.add(9, {9}, full);
    other.replace(covered, 9, {9}, full);
    ASSERT_EQ(other.updates.size(), 1u);
    EXPECT_EQ(other.updates[0]->id, 9);
}

TEST(CollabDocuments, AwarenessBelongsToTheSocketThatAnnouncedIt) {
    document doc;
    EXPECT_EQ(doc.apply_awareness(1, {{100, 1, R"({"n":"a"})"}}).size(), 1u);
    EXPECT_TRUE(doc.apply_awareness(2, {{100, 2, R"({"n":"evil"})"}}).empty());
    EXPECT_EQ(doc.apply_awareness(2, {{200, 1, R"({"n":"b"})"}}).size(), 1u);
    EXPECT_EQ(doc.awareness_states().size(), 2u);
    const auto removed = doc.remove_awareness_of(1);
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0].client, 100u);
    EXPECT_EQ(removed[0].clock, 2u);
    EXPECT_EQ(removed[0].state, "null");
    EXPECT_EQ(doc.awareness_states().size(), 1u);
}

TEST(CollabDocuments, OneSocketHoldsAtMostEightAwarenessClients) {
    document doc;
    std::vector<awareness_entry> many;
    for (std::uint64_t id = 1; id <= 20; ++id) many.push_back({id, 1, "{}"});
    EXPECT_EQ(doc.apply_awareness(1, many).size(), max_awareness_clients);
    EXPECT_EQ(doc.apply_awareness(1, {{1, 2, R"({"x":1})"}}).size(), 1u) << "a known id still updates";
    EXPECT_EQ(doc.apply_awareness(2, {{30, 1, "{}"}}).size(), 1u) << "the bound is per socket";
}

TEST(CollabDocuments, TheLastSocketOutUnloadsTheDocument) {
    document_registry registry;
    const auto doc = registry.attach(1, {"notes", "/yjs|notes", "alice", role::owner});
    EXPECT_EQ(registry.attach(2, {"notes", "/yjs|notes", "bob", role::reader}), doc);
    registry.set_role("notes", "bob", role::editor);
    EXPECT_EQ(registry.session_of(2)->access, role::editor);
    registry.set_role("notes", "alice", role::reader);
    EXPECT_EQ(registry.session_of(1)->access, role::owner) << "the owner stays owner";
    EXPECT_EQ(registry.detach(1)->s.user, "alice");
    EXPECT_EQ(registry.find("notes"), doc);
    EXPECT_EQ(registry.detach(2)->doc, doc);
    EXPECT_EQ(registry.find("notes"), nullptr);
    EXPECT_FALSE(registry.detach(2));
}

}  // namespace
}  // namespace switchboard::plugins::collab
