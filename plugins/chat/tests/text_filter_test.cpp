#include "text_filter.hpp"

#include <gtest/gtest.h>

namespace switchboard::plugins::chat {
namespace {

TEST(ChatTextFilter, MatchesWholeWordsIgnoringCase) {
    const text_filter filter({"darn", "heck"});
    EXPECT_TRUE(filter.matches("well DARN it"));
    EXPECT_TRUE(filter.matches("heck"));
    EXPECT_TRUE(filter.matches("oh, heck!"));
    EXPECT_FALSE(filter.matches("darnation"));
    EXPECT_FALSE(filter.matches("shecky"));
    EXPECT_FALSE(filter.matches("darn_it"));
    EXPECT_FALSE(filter.matches("darné"));   // an accented letter continues the word
}

TEST(ChatTextFilter, MasksOneAsteriskPerCharacter) {
    const text_filter filter({"darn", "café"});
    EXPECT_EQ(filter.mask("Darn, darn it"), "****, **** it");
    EXPECT_EQ(filter.mask("un café noir"), "un **** noir");
    EXPECT_EQ(filter.mask("darned"), "darned");
}

TEST(ChatTextFilter, LongerWordsWin) {
    const text_filter filter({"bad", "bad word"});
    EXPECT_EQ(filter.mask("a bad word here"), "a ******** here");
}

TEST(ChatTextFilter, EmptyFilterPassesEverything) {
    const text_filter filter({});
    EXPECT_TRUE(filter.empty());
    EXPECT_FALSE(filter.matches("anything"));
    EXPECT_EQ(filter.mask("anything"), "anything");
}

}  // namespace
}  // namespace switchboard::plugins::chat
