#include "kernel/engineio/packet.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace eio = switchboard::kernel::engineio;
using eio::decode_error;
using eio::packet;
using eio::packet_type;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace {

std::string all_bytes() {
    std::string bytes;
    for (int i = 0; i < 256; ++i) {
        bytes.push_back(static_cast<char>(i));
    }
    return bytes;
}

std::vector<packet> decode_ok(std::string_view body, std::size_t max_packets = 1024) {
    std::vector<packet> packets;
    const decode_error error = eio::decode_payload(body, packets, max_packets);
    EXPECT_EQ(error, decode_error::none) << eio::to_string(error);
    return packets;
}

decode_error decode_fails(std::string_view body, std::size_t max_packets = 1024) {
    // A stale packet must not survive a failed decode: callers reuse the vector.
    std::vector<packet> packets{packet{packet_type::noop, false, "stale"}};
    const decode_error error = eio::decode_payload(body, packets, max_packets);
    EXPECT_TRUE(packets.empty());
    return error;
}

}  // namespace

// ---- single text packets ---------------------------------------------------------------

TEST(EngineioDecodeText, EveryPacketType) {
    const struct {
        std::string_view text;
        packet_type type;
        std::string_view data;
    } cases[] = {
        {R"(0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})",
         packet_type::open,
         R"({"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})"},
        {"1", packet_type::close, ""},
        {"2", packet_type::ping, ""},
        {"2probe", packet_type::ping, "probe"},
        {"3probe", packet_type::pong, "probe"},
        {"4HelloWorld", packet_type::message, "HelloWorld"},
        {"5", packet_type::upgrade, ""},
        {"6", packet_type::noop, ""},
    };
    for (const auto& c : cases) {
        packet p;
        ASSERT_EQ(eio::decode_text(c.text, p), decode_error::none) << c.text;
        EXPECT_EQ(p.type, c.type) << c.text;
        EXPECT_FALSE(p.binary) << c.text;
        EXPECT_EQ(p.data, c.data) << c.text;
    }
}

TEST(EngineioDecodeText, MessageDataIsKeptVerbatim) {
    packet p;
    // Socket.IO packets ride inside messages: the digit that follows is theirs, not ours.
    ASSERT_EQ(eio::decode_text(R"(42["chat:message",{"text":"hi"}])", p), decode_error::none);
    EXPECT_EQ(p.type, packet_type::message);
    EXPECT_EQ(p.data, R"(2["chat:message",{"text":"hi"}])");

    ASSERT_EQ(eio::decode_text("4 leading space, trailing \n", p), decode_error::none);
    EXPECT_EQ(p.data, " leading space, trailing \n");

    const std::string with_nul = "4a\0b"s;
    ASSERT_EQ(eio::decode_text(with_nul, p), decode_error::none);
    EXPECT_EQ(p.data, "a\0b"s);
}

TEST(EngineioDecodeText, Utf8MultibyteText) {
    packet p;
    const std::string_view text = "4€€€ héllo 日本語 🎉";
    ASSERT_EQ(eio::decode_text(text, p), decode_error::none);
    EXPECT_EQ(p.type, packet_type::message);
    EXPECT_EQ(p.data, "€€€ héllo 日本語 🎉");
}

TEST(EngineioDecodeText, EmptyIsAnError) {
    packet p;
    EXPECT_EQ(eio::decode_text("", p), decode_error::empty);
}

TEST(EngineioDecodeText, UnknownTypes) {
    packet p;
    for (std::string_view text : {"7", "8hello", "9", "/", ":", "a", "B", "x4hello", " 4", "-1",
                                  "\x1e", "{\"a\":1}", "é"}) {
        EXPECT_EQ(eio::decode_text(text, p), decode_error::unknown_type) << text;
    }
    for (int byte = 0; byte < 256; ++byte) {
        const char c = static_cast<char>(byte);
        if ((c >= '0' && c <= '6') || c == 'b') {
            continue;
        }
        EXPECT_EQ(eio::decode_text(std::string(1, c) + "data", p), decode_error::unknown_type)
            << byte;
    }
}

TEST(EngineioDecodeText, MultiDigitTypeIsNotAType) {
    // Only the first character is the type: "10" is a close packet carrying "0".
    packet p;
    ASSERT_EQ(eio::decode_text("10", p), decode_error::none);
    EXPECT_EQ(p.type, packet_type::close);
    EXPECT_EQ(p.data, "0");
}

TEST(EngineioDecodeText, Base64BinaryMessage) {
    packet p;
    ASSERT_EQ(eio::decode_text("bAQIDBA==", p), decode_error::none);
    EXPECT_EQ(p.type, packet_type::message);
    EXPECT_TRUE(p.binary);
    EXPECT_EQ(p.data, "\x01\x02\x03\x04"s);
}

TEST(EngineioDecodeText, LoneBIsAnEmptyBinaryMessage) {
    // engine.io-client encodes an empty ArrayBuffer as "b" + "" (FileReader or Buffer).
    packet p;
    ASSERT_EQ(eio::decode_text("b", p), decode_error::none);
    EXPECT_EQ(p.type, packet_type::message);
    EXPECT_TRUE(p.binary);
    EXPECT_TRUE(p.data.empty());
}

TEST(EngineioDecodeText, BadBase64BinaryMessage) {
    packet p;
    for (std::string_view text : {"bA", "bAQ", "bAQI", "bAQIDB", "bAQ=", "bA===", "b====",
                                  "bAQ=D", "bAQ==AQID", "bAQ-D", "bAQ_D", "bAQ D", "bAQ\nD",
                                  "bAR==", "bAQJ=", "b4hello", "bbbb="}) {
        EXPECT_EQ(eio::decode_text(text, p), decode_error::bad_base64) << text;
    }
}

TEST(EngineioDecodeText, ReusedPacketLosesOldState) {
    packet p;
    ASSERT_EQ(eio::decode_text("bAQID", p), decode_error::none);
    ASSERT_TRUE(p.binary);
    ASSERT_EQ(eio::decode_text("4x", p), decode_error::none);
    EXPECT_FALSE(p.binary);
    EXPECT_EQ(p.data, "x");
    ASSERT_EQ(eio::decode_text("1", p), decode_error::none);
    EXPECT_EQ(p.type, packet_type::close);
    EXPECT_TRUE(p.data.empty());
}

// ---- binary WebSocket frames -----------------------------------------------------------

TEST(EngineioBinary, MakeBinaryMessage) {
    const std::string bytes = all_bytes();
    const packet p = eio::make_binary_message(bytes);
    EXPECT_EQ(p.type, packet_type::message);
    EXPECT_TRUE(p.binary);
    EXPECT_EQ(p.data, bytes);

    const packet empty = eio::make_binary_message({});
    EXPECT_TRUE(empty.binary);
    EXPECT_TRUE(empty.data.empty());
}

// ---- polling payloads ------------------------------------------------------------------

TEST(EngineioDecodePayload, SpecExampleTextAndBinary) {
    const auto packets = decode_ok("4hello\x1e" "bAQIDBA==");
    ASSERT_EQ(packets.size(), 2u);
    EXPECT_EQ(packets[0].type, packet_type::message);
    EXPECT_FALSE(packets[0].binary);
    EXPECT_EQ(packets[0].data, "hello");
    EXPECT_EQ(packets[1].type, packet_type::message);
    EXPECT_TRUE(packets[1].binary);
    EXPECT_EQ(packets[1].data, "\x01\x02\x03\x04"s);
}

TEST(EngineioDecodePayload, SpecExampleUtf8) {
    const auto packets = decode_ok("4hello\x1e" "4€€€");
    ASSERT_EQ(packets.size(), 2u);
    EXPECT_EQ(packets[0].data, "hello");
    EXPECT_EQ(packets[1].data, "€€€");
}

TEST(EngineioDecodePayload, SinglePacket) {
    const auto packets = decode_ok("2probe");
    ASSERT_EQ(packets.size(), 1u);
    EXPECT_EQ(packets[0].type, packet_type::ping);
    EXPECT_EQ(packets[0].data, "probe");
}

TEST(EngineioDecodePayload, EveryTypeInOneBody) {
    const auto packets = decode_ok("0{}\x1e" "1\x1e" "2\x1e" "3\x1e" "4m\x1e" "5\x1e" "6\x1e" "b");
    ASSERT_EQ(packets.size(), 8u);
    for (int i = 0; i <= 6; ++i) {
        EXPECT_EQ(packets[i].type, static_cast<packet_type>(i));
        EXPECT_FALSE(packets[i].binary);
    }
    EXPECT_EQ(packets[0].data, "{}");
    EXPECT_EQ(packets[4].data, "m");
    EXPECT_TRUE(packets[7].binary);
    EXPECT_TRUE(packets[7].data.empty());
}

TEST(EngineioDecodePayload, BinaryWhoseBytesHoldSeparators) {
    // 1e 1e ff 00 1e: the separators hide inside base64, so they must not split the body.
    const auto packets = decode_ok("bHh7/AB4=\x1e" "4after");
    ASSERT_EQ(packets.size(), 2u);
    EXPECT_TRUE(packets[0].binary);
    EXPECT_EQ(packets[0].data, "\x1e\x1e\xff\x00\x1e"s);
    EXPECT_EQ(packets[1].data, "after");
}

TEST(EngineioDecodePayload, EmptyBody) {
    EXPECT_EQ(decode_fails(""), decode_error::empty);
}

TEST(EngineioDecodePayload, EmptySegments) {
    for (std::string_view body : {"\x1e"sv, "\x1e\x1e"sv, "4a\x1e\x1e" "4b"sv, "\x1e" "4a"sv,
                                  "4a\x1e"sv, "4a\x1e" "4b\x1e"sv, "\x1e" "4a\x1e"sv}) {
        EXPECT_EQ(decode_fails(body), decode_error::empty) << body.size();
    }
}

TEST(EngineioDecodePayload, OneBadSegmentRefusesTheWholeBody) {
    EXPECT_EQ(decode_fails("4a\x1e" "7\x1e" "4b"), decode_error::unknown_type);
    EXPECT_EQ(decode_fails("4a\x1e" "4b\x1e" "x"), decode_error::unknown_type);
    EXPECT_EQ(decode_fails("bAQID\x1e" "bAQI"), decode_error::bad_base64);
    EXPECT_EQ(decode_fails("4a\x1e" "b!!!!\x1e" "4b"), decode_error::bad_base64);
    // A v3 length-prefixed body fails only by luck of its first digit ("6:4hello" is a
    // valid v4 noop carrying ":4hello"): v3 clients are refused by EIO=4 at the handshake.
    EXPECT_EQ(decode_fails("9:4abcdefg"), decode_error::unknown_type);
}

TEST(EngineioDecodePayload, FirstErrorWins) {
    EXPECT_EQ(decode_fails("9\x1e\x1e" "bA"), decode_error::unknown_type);
    EXPECT_EQ(decode_fails("bA\x1e" "9"), decode_error::bad_base64);
}

TEST(EngineioDecodePayload, PacketLimit) {
    EXPECT_EQ(decode_ok("4a\x1e" "4b\x1e" "4c", 3).size(), 3u);
    EXPECT_EQ(decode_fails("4a\x1e" "4b\x1e" "4c", 2), decode_error::too_many_packets);
    EXPECT_EQ(decode_fails("4a", 0), decode_error::too_many_packets);
    EXPECT_EQ(decode_ok("4a", 1).size(), 1u);

    std::string body;
    for (int i = 0; i < 1025; ++i) {
        eio::append_to_payload(body, packet_type::message, "x", false);
    }
    EXPECT_EQ(decode_fails(body), decode_error::too_many_packets);
    EXPECT_EQ(decode_ok(body, 1025).size(), 1025u);
    // The limit is checked before anything is decoded: even junk over it is refused as such.
    EXPECT_EQ(decode_fails(std::string(2000, '\x1e')), decode_error::too_many_packets);
}

TEST(EngineioDecodePayload, ReusedVectorIsReplaced) {
    std::vector<packet> packets;
    ASSERT_EQ(eio::decode_payload("4a\x1e" "4b\x1e" "4c", packets), decode_error::none);
    ASSERT_EQ(eio::decode_payload("3", packets), decode_error::none);
    ASSERT_EQ(packets.size(), 1u);
    EXPECT_EQ(packets[0].type, packet_type::pong);
}

TEST(EngineioDecodePayload, LargePayload) {
    std::string body;
    std::vector<std::string> expected;
    const std::string bytes = all_bytes();
    for (int i = 0; i < 1000; ++i) {
        if (i % 3 == 0) {
            std::string chunk = bytes + std::to_string(i);
            eio::append_to_payload(body, packet_type::message, chunk, true);
            expected.push_back(std::move(chunk));
        } else {
            std::string text(997 + i, static_cast<char>('a' + i % 26));
            eio::append_to_payload(body, packet_type::message, text, false);
            expected.push_back(std::move(text));
        }
    }
    const auto packets = decode_ok(body);
    ASSERT_EQ(packets.size(), expected.size());
    for (std::size_t i = 0; i < packets.size(); ++i) {
        EXPECT_EQ(packets[i].binary, i % 3 == 0) << i;
        EXPECT_EQ(packets[i].data, expected[i]) << i;
    }

    // One big binary packet: 1 MiB of every byte value.
    std::string big;
    for (int i = 0; i < 4096; ++i) {
        big += bytes;
    }
    std::string one;
    eio::append_to_payload(one, packet_type::message, big, true);
    const auto decoded = decode_ok(one);
    ASSERT_EQ(decoded.size(), 1u);
    EXPECT_EQ(decoded[0].data, big);
}

// ---- encoding --------------------------------------------------------------------------

TEST(EngineioEncode, EncodeText) {
    EXPECT_EQ(eio::encode_text(packet_type::open, R"({"sid":"x"})"), R"(0{"sid":"x"})");
    EXPECT_EQ(eio::encode_text(packet_type::close), "1");
    EXPECT_EQ(eio::encode_text(packet_type::ping), "2");
    EXPECT_EQ(eio::encode_text(packet_type::pong, "probe"), "3probe");
    EXPECT_EQ(eio::encode_text(packet_type::message, "HelloWorld"), "4HelloWorld");
    EXPECT_EQ(eio::encode_text(packet_type::upgrade), "5");
    EXPECT_EQ(eio::encode_text(packet_type::noop), "6");
    EXPECT_EQ(eio::encode_text(packet_type::message, "€"), "4€");
}

TEST(EngineioEncode, AppendToPayloadMatchesEngineIoParser) {
    // Strings produced by engine.io-parser 5 encodePayload for the same packets.
    std::string payload;
    eio::append_to_payload(payload, packet_type::message, "hello", false);
    EXPECT_EQ(payload, "4hello");
    eio::append_to_payload(payload, packet_type::message, "\x01\x02\x03\x04", true);
    EXPECT_EQ(payload, "4hello\x1e" "bAQIDBA==");

    payload.clear();
    eio::append_to_payload(payload, packet_type::ping, "probe", false);
    eio::append_to_payload(payload, packet_type::message, "€€€", false);
    eio::append_to_payload(payload, packet_type::close, "", false);
    eio::append_to_payload(payload, packet_type::message, "", true);
    EXPECT_EQ(payload, "2probe\x1e" "4€€€\x1e" "1\x1e" "b");

    payload.clear();
    eio::append_to_payload(payload, packet_type::message, "\x1e\x1e\xff\x00\x1e"sv, true);
    EXPECT_EQ(payload, "bHh7/AB4=");
}

TEST(EngineioEncode, BinaryIgnoresType) {
    std::string payload;
    eio::append_to_payload(payload, packet_type::ping, "\x01", true);
    EXPECT_EQ(payload, "bAQ==");
}

// ---- round trips -----------------------------------------------------------------------

TEST(EngineioRoundTrip, PayloadOfEveryKind) {
    struct item {
        packet_type type;
        std::string data;
        bool binary;
    };
    const std::vector<item> items = {
        {packet_type::open, R"({"sid":"s"})", false},
        {packet_type::close, "", false},
        {packet_type::ping, "probe", false},
        {packet_type::pong, "", false},
        {packet_type::message, "日本語 🎉", false},
        {packet_type::message, all_bytes(), true},
        {packet_type::message, "", true},
        {packet_type::message, "\x1e", true},
        {packet_type::message, "ab", true},
        {packet_type::upgrade, "", false},
        {packet_type::noop, "", false},
    };
    std::string body;
    for (const auto& i : items) {
        eio::append_to_payload(body, i.type, i.data, i.binary);
    }
    const auto packets = decode_ok(body);
    ASSERT_EQ(packets.size(), items.size());
    std::string again;
    for (std::size_t n = 0; n < items.size(); ++n) {
        EXPECT_EQ(packets[n].type, items[n].type) << n;
        EXPECT_EQ(packets[n].binary, items[n].binary) << n;
        EXPECT_EQ(packets[n].data, items[n].data) << n;
        eio::append_to_payload(again, packets[n].type, packets[n].data, packets[n].binary);
    }
    EXPECT_EQ(again, body);
}

TEST(EngineioRoundTrip, EncodeTextThenDecode) {
    for (int t = 0; t <= 6; ++t) {
        const auto type = static_cast<packet_type>(t);
        packet p;
        ASSERT_EQ(eio::decode_text(eio::encode_text(type, "data€"), p), decode_error::none);
        EXPECT_EQ(p.type, type);
        EXPECT_EQ(p.data, "data€");
        EXPECT_FALSE(p.binary);
    }
}

// ---- base64 ----------------------------------------------------------------------------

TEST(EngineioBase64, Rfc4648Vectors) {
    const struct {
        std::string_view plain, encoded;
    } vectors[] = {
        {"", ""},           {"f", "Zg=="},         {"fo", "Zm8="},
        {"foo", "Zm9v"},    {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
        {"Man is distinguished", "TWFuIGlzIGRpc3Rpbmd1aXNoZWQ="},
        {"\xfb\xff\xbf", "+/+/"},
    };
    for (const auto& v : vectors) {
        EXPECT_EQ(eio::base64_encode(v.plain), v.encoded) << v.plain;
        std::string out = "junk";
        ASSERT_TRUE(eio::base64_decode(v.encoded, out)) << v.encoded;
        EXPECT_EQ(out, v.plain);
    }
}

TEST(EngineioBase64, EveryLengthAndByteRoundTrips) {
    const std::string bytes = all_bytes();
    for (std::size_t len = 0; len <= bytes.size(); ++len) {
        const std::string_view plain(bytes.data() + (len * 7) % (bytes.size() - len + 1), len);
        const std::string encoded = eio::base64_encode(plain);
        EXPECT_EQ(encoded.size(), (len + 2) / 3 * 4);
        std::string out;
        ASSERT_TRUE(eio::base64_decode(encoded, out)) << len;
        EXPECT_EQ(out, plain) << len;
    }
}

TEST(EngineioBase64, RejectsBadLength) {
    std::string out;
    for (std::string_view text : {"A", "AA", "AAA", "AAAAA", "Zg=", "Zg", "Zm9vY", "Zm9vYg="}) {
        EXPECT_FALSE(eio::base64_decode(text, out)) << text;
        EXPECT_TRUE(out.empty());
    }
}

TEST(EngineioBase64, RejectsBadCharacters) {
    std::string out;
    // URL-safe alphabet, whitespace, line breaks, NUL, non-ASCII, the separator.
    for (std::string_view text : {"Zm9-"sv, "Zm9_"sv, "Zm 9"sv, "Zm9v\r\nYmFy"sv, " Zm9v"sv,
                                  "Zm9v\n"sv, "Zm9\0"sv, "Zm9\xc3"sv, "Zm9\x1e"sv, "Zm.v"sv,
                                  "Z*=="sv, "Zm9vYm\"y"sv}) {
        EXPECT_FALSE(eio::base64_decode(text, out)) << text;
        EXPECT_TRUE(out.empty());
    }
    // Every non-alphabet byte, in every position of a quad.
    const std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int byte = 0; byte < 256; ++byte) {
        const char c = static_cast<char>(byte);
        if (alphabet.find(c) != std::string_view::npos) {
            continue;
        }
        for (int pos = 0; pos < 4; ++pos) {
            std::string text = "QUJDQUJD";
            text[4 + pos] = c;
            if (c == '=' && pos >= 2) {
                continue;  // valid-looking padding, covered below
            }
            EXPECT_FALSE(eio::base64_decode(text, out)) << byte << " at " << pos;
        }
    }
}

TEST(EngineioBase64, RejectsBadPadding) {
    std::string out;
    for (std::string_view text : {"====", "A===", "=AAA", "AA=A", "Zg==Zg==", "Zm8=Zm8=",
                                  "Zg==AAAA", "Z===", "Zm9v====", "Zg=\x1e"}) {
        EXPECT_FALSE(eio::base64_decode(text, out)) << text;
        EXPECT_TRUE(out.empty());
    }
}

TEST(EngineioBase64, RejectsNonCanonicalTrailingBits) {
    // "Zh==" and "Zm9=" decode to the same bytes as "Zg==" and "Zm8=" in lenient decoders;
    // no encoder writes them, and accepting them would give one payload two spellings.
    std::string out;
    for (std::string_view text : {"Zh==", "Zv==", "Zm9=", "Zm/=", "AB==", "AAB="}) {
        EXPECT_FALSE(eio::base64_decode(text, out)) << text;
    }
    EXPECT_TRUE(eio::base64_decode("AA==", out));
    EXPECT_TRUE(eio::base64_decode("AAA=", out));
}

// ---- errors ----------------------------------------------------------------------------

TEST(EngineioDecodeError, ToStringIsShortAndDistinct) {
    const decode_error all[] = {decode_error::none,        decode_error::empty,
                                decode_error::unknown_type, decode_error::bad_base64,
                                decode_error::too_large,   decode_error::too_many_packets};
    std::vector<std::string_view> seen;
    for (auto e : all) {
        const std::string_view s = eio::to_string(e);
        EXPECT_FALSE(s.empty());
        EXPECT_LT(s.size(), 40u);
        for (auto other : seen) {
            EXPECT_NE(s, other);
        }
        seen.push_back(s);
    }
    EXPECT_EQ(eio::to_string(decode_error::unknown_type), "unknown packet type");
    EXPECT_FALSE(eio::to_string(static_cast<decode_error>(200)).empty());
}
