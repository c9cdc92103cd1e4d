#include "turn_credentials.hpp"

#include <gtest/gtest.h>

namespace switchboard::plugins::calls {
namespace {

TEST(CallsTurn, Base64PadsLikeRfc4648) {
    EXPECT_EQ(base64(""), "");
    EXPECT_EQ(base64("f"), "Zg==");
    EXPECT_EQ(base64("fo"), "Zm8=");
    EXPECT_EQ(base64("foo"), "Zm9v");
    EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(CallsTurn, CredentialIsTheHmacSha1OfTheExpiry) {
    // The value coturn computes for secret "north" and username "1700000000"
    // (openssl dgst -sha1 -hmac north -binary | base64).
    const auto c = make_turn_credential("north", 1700000000);
    EXPECT_EQ(c.username, "1700000000");
    EXPECT_EQ(c.credential, "CWyHi3zCeWqXBir9thl4m+iZPRY=");
}

}  // namespace
}  // namespace switchboard::plugins::calls
