// The byte strings below were made by yjs 13.6 and y-protocols 1.0 (tests/e2e's
// node_modules): a Y.Doc with client id 1001 edited text (with an emoji), a map (an
// object, bytes), an array, an XML element with an attribute and text, a deletion and
// a format; then client 2002 inserted one character.
#include "y_protocol.hpp"

#include <gtest/gtest.h>

namespace switchboard::plugins::collab {
namespace {

bytes from_hex(const std::string& hex) {
    bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

const char* const incremental[] = {
    "0101e90700040101741168c3a96c6c6f20f09f988020776f726c6400",
    "0101e9070e2801016d016b017604016e7c3fc000000173770178036172727503787e7d47036269677d95b4de7500",
    "0101e9070f2301016d0362696e0301020300",
    "0101e9071008010161037d01770374776f76010574687265657d0300",
    "0102e90713070101780301702800e9071305636c6173730177016300",
    "0102e907150700e90713060400e9071502686900",
    "0001e907010103",
    "0102e9071846e9070004626f6c640474727565c6e90704e9070504626f6c64046e756c6c00",
};

const char* const full_b =
    "0201d20f0044e9071801420de9070004010174016881e907000384e90703016f84e907040b20f09f988020776f726c642801016d016b0176"
    "04016e7c3fc000000173770178036172727503787e7d47036269677d95b4de752301016d0362696e0301020308010161037d01770374776f"
    "76010574687265657d03070101780301702800e9071305636c617373017701630700e90713060400e9071502686946e9070004626f6c6404"
    "74727565c6e90704e9070504626f6c64046e756c6c01e907010103";

TEST(CollabYProtocol, ReadsEveryKindOfStruct) {
    state_vector sv;
    for (const auto* hex : incremental) {
        const auto summary = summarize_update(from_hex(hex));
        ASSERT_TRUE(summary) << hex;
        sv.add(*summary);
    }
    // Y.encodeStateVector(a) was {1001: 26}.
    EXPECT_EQ(sv.clock_of(1001), 26u);
    EXPECT_EQ(sv.encode(), (bytes{1, 0xe9, 0x07, 26}));
}

TEST(CollabYProtocol, AFullStateGivesTheSameVector) {
    const auto summary = summarize_update(from_hex(full_b));
    ASSERT_TRUE(summary);
    EXPECT_TRUE(summary->deletes);
    state_vector sv;
    sv.add(*summary);
    EXPECT_EQ(sv.clock_of(1001), 26u);
    EXPECT_EQ(sv.clock_of(2002), 1u);
}

TEST(CollabYProtocol, ADeleteOnlyUpdateIsNotEmpty) {
    const auto summary = summarize_update(from_hex(incremental[6]));
    ASSERT_TRUE(summary);
    EXPECT_TRUE(summary->ranges.empty());
    EXPECT_FALSE(summary->empty());
    EXPECT_TRUE(summarize_update(empty_update())->empty());
}

TEST(CollabYProtocol, RefusesWhatIsNotAnUpdate) {
    auto truncated = from_hex(incremental[1]);
    truncated.resize(truncated.size() - 3);
    EXPECT_FALSE(summarize_update(truncated));
    auto trailing = from_hex(incremental[0]);
    trailing.push_back(7);
    EXPECT_FALSE(summarize_update(trailing));
    EXPECT_FALSE(summarize_update(bytes{}));
    EXPECT_FALSE(summarize_update(from_hex("0101e907001f")));   // content kind 31
    EXPECT_FALSE(summarize_update(bytes(20, 0xff)));
}

TEST(CollabYProtocol, GapsStopTheStateVector) {
    state_vector sv;
    sv.add(update_summary{{{7, 5, 9}}, {}, false});
    EXPECT_EQ(sv.clock_of(7), 0u) << "clocks 0..5 are missing";
    sv.add(update_summary{{{7, 0, 3}}, {}, false});
    EXPECT_EQ(sv.clock_of(7), 3u);
    sv.add(update_summary{{{7, 3, 5}}, {}, false});
    EXPECT_EQ(sv.clock_of(7), 9u);
    sv.add(update_summary{{{7, 2, 4}}, {}, false});   // a duplicate changes nothing
    EXPECT_EQ(sv.clock_of(7), 9u);
}

TEST(CollabYProtocol, AFullStateCoversTheIncrementalUpdates) {
    const auto full = summarize_update(from_hex(full_b));
    ASSERT_TRUE(full);
    for (const auto* hex : incremental) EXPECT_TRUE(covers(*full, *summarize_update(from_hex(hex)))) << hex;
    // b's own insertion is not in a's updates, so a's state does not cover it.
    update_summary a_only;
    for (const auto* hex : incremental) {
        const auto s = summarize_update(from_hex(hex));
        a_only.ranges.insert(a_only.ranges.end(), s->ranges.begin(), s->ranges.end());
        a_only.deleted.insert(a_only.deleted.end(), s->deleted.begin(), s->deleted.end());
    }
    EXPECT_FALSE(covers(a_only, *full));
    EXPECT_TRUE(covers(*full, a_only));
}

TEST(CollabYProtocol, StateVectorsRoundTrip) {
    const auto parsed = parse_state_vector(from_hex("02d20f01e9071a"));   // {2002: 1, 1001: 26}
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->at(2002), 1u);
    EXPECT_EQ(parsed->at(1001), 26u);
    EXPECT_FALSE(parse_state_vector(from_hex("02d20f01")));
}

TEST(CollabYProtocol, AwarenessMessagesRoundTrip) {
    const auto message = from_hex(
        "01e90701287b2275736572223a7b226e616d65223a22416c696365222c22636f6c6f72223a2223663030227d7d");
    const auto entries = parse_awareness(message);
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ((*entries)[0].client, 1001u);
    EXPECT_EQ((*entries)[0].clock, 1u);
    EXPECT_EQ((*entries)[0].state, R"({"user":{"name":"Alice","color":"#f00"}})");
    EXPECT_EQ(encode_awareness(*entries), message);
    EXPECT_FALSE(parse_awareness(from_hex("01e90701ff")));
}

}  // namespace
}  // namespace switchboard::plugins::collab
