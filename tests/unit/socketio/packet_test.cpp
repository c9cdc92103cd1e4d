#include "kernel/socketio/packet.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio = switchboard::kernel::socketio;
using sio::decode_error;
using sio::json;
using sio::packet;
using sio::packet_type;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace {

json bytes(std::vector<std::uint8_t> data) {
    return json::binary(std::move(data));
}

json placeholder(int num) {
    return json{{"_placeholder", true}, {"num", num}};
}

packet make(packet_type type, std::string nsp, std::int64_t id, json data) {
    packet p;
    p.type = type;
    p.nsp = std::move(nsp);
    p.id = id;
    p.data = std::move(data);
    return p;
}

packet make(packet_type type, std::string nsp = "/", std::int64_t id = sio::no_ack_id) {
    return make(type, std::move(nsp), id, json(json::value_t::discarded));
}

// Discarded values compare unequal to everything, so "no data" is compared by hand.
void expect_same(const packet& actual, const packet& expected) {
    EXPECT_EQ(actual.type, expected.type);
    EXPECT_EQ(actual.nsp, expected.nsp);
    EXPECT_EQ(actual.id, expected.id);
    ASSERT_EQ(actual.has_data(), expected.has_data());
    if (expected.has_data()) {
        EXPECT_EQ(actual.data, expected.data)
            << actual.data.dump() << " vs " << expected.data.dump();
    }
}

// Decodes a complete packet: one text message and its attachments.
packet decode_ok(std::string_view text, const std::vector<std::string>& attachments = {}) {
    sio::decoder decoder;
    std::optional<packet> out;
    decode_error error = decoder.add_text(text, out);
    EXPECT_EQ(error, decode_error::none) << text << ": " << sio::to_string(error);
    for (std::size_t i = 0; i < attachments.size(); ++i) {
        EXPECT_FALSE(out.has_value()) << text << ": complete before attachment " << i;
        EXPECT_TRUE(decoder.awaiting_attachments());
        error = decoder.add_binary(attachments[i], out);
        EXPECT_EQ(error, decode_error::none) << text << ": " << sio::to_string(error);
    }
    EXPECT_FALSE(decoder.awaiting_attachments());
    EXPECT_TRUE(out.has_value()) << text;
    return out.value_or(packet{});
}

// The error of one text message, checking the decoder is left idle and empty-handed.
decode_error decode_text_fails(std::string_view text, std::size_t max_attachments = 64) {
    sio::decoder decoder(max_attachments);
    std::optional<packet> out = make(packet_type::disconnect);
    const decode_error error = decoder.add_text(text, out);
    EXPECT_FALSE(out.has_value()) << text;
    EXPECT_FALSE(decoder.awaiting_attachments()) << text;
    return error;
}

// The error raised by the attachment that completes a binary packet.
decode_error decode_binary_fails(std::string_view text, std::size_t attachments) {
    sio::decoder decoder;
    std::optional<packet> out;
    EXPECT_EQ(decoder.add_text(text, out), decode_error::none) << text;
    decode_error error = decode_error::none;
    for (std::size_t i = 0; i < attachments && error == decode_error::none; ++i) {
        error = decoder.add_binary("\x01\x02", out);
    }
    EXPECT_FALSE(out.has_value()) << text;
    EXPECT_FALSE(decoder.awaiting_attachments()) << text;
    return error;
}

std::string encode_text(const packet& p) {
    const sio::encoded_packet encoded = sio::encode(p);
    EXPECT_TRUE(encoded.attachments.empty());
    return encoded.text;
}

std::string nested_arrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

// ---- decoding, packet by packet type ------------------------------------------------

TEST(SocketioDecode, Connect) {
    expect_same(decode_ok("0"), make(packet_type::connect));
    expect_same(decode_ok("0/admin,"), make(packet_type::connect, "/admin"));
    expect_same(decode_ok(R"(0{"token":"123"})"),
                make(packet_type::connect, "/", sio::no_ack_id, json{{"token", "123"}}));
    expect_same(decode_ok(R"(0/admin,{"token":"123"})"),
                make(packet_type::connect, "/admin", sio::no_ack_id, json{{"token", "123"}}));
    // Server-to-client answers, as the protocol test suite expects them (without the
    // Engine.IO "4" prefix).
    expect_same(decode_ok(R"(0{"sid":"abc"})"),
                make(packet_type::connect, "/", sio::no_ack_id, json{{"sid", "abc"}}));
    expect_same(decode_ok(R"(0/custom,{"sid":"x"})"),
                make(packet_type::connect, "/custom", sio::no_ack_id, json{{"sid", "x"}}));
}

TEST(SocketioDecode, NamespaceRunsToCommaOrEnd) {
    expect_same(decode_ok("0/random"), make(packet_type::connect, "/random"));
    expect_same(decode_ok("0/custom,"), make(packet_type::connect, "/custom"));
    expect_same(decode_ok("0/"), make(packet_type::connect, "/"));
    expect_same(decode_ok("0/,"), make(packet_type::connect, "/"));
    expect_same(decode_ok("0/a/b,"), make(packet_type::connect, "/a/b"));
    // Without a comma everything is the namespace, even what looks like a payload.
    expect_same(decode_ok(R"(0/a{"x":1})"), make(packet_type::connect, R"(/a{"x":1})"));
    expect_same(decode_ok("0/caf\xc3\xa9,"), make(packet_type::connect, "/caf\xc3\xa9"));
    expect_same(decode_ok(R"(2/chat,["m"])"),
                make(packet_type::event, "/chat", sio::no_ack_id, json::array({"m"})));
}

TEST(SocketioDecode, NamespaceMustBeUtf8) {
    EXPECT_EQ(decode_text_fails("0/\xff,"), decode_error::bad_namespace);
    EXPECT_EQ(decode_text_fails("0/\xc3"), decode_error::bad_namespace);
    EXPECT_EQ(decode_text_fails("0/\xc0\xaf,"), decode_error::bad_namespace);      // overlong
    EXPECT_EQ(decode_text_fails("0/\xed\xa0\x80,"), decode_error::bad_namespace);  // surrogate
    EXPECT_EQ(decode_text_fails("0/\xf4\x90\x80\x80,"), decode_error::bad_namespace);
}

TEST(SocketioDecode, NamespaceNotStartingWithSlashIsPayload) {
    EXPECT_EQ(decode_text_fails(R"(2admin,["x"])"), decode_error::bad_json);
    EXPECT_EQ(decode_text_fails(R"(2/a,b["x"])"), decode_error::bad_json);
}

TEST(SocketioDecode, ConnectPayloadMustBeAnObject) {
    EXPECT_EQ(decode_text_fails("0[]"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails(R"(0"token")"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("0null"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("0/admin,true"), decode_error::invalid_payload);
}

TEST(SocketioDecode, Disconnect) {
    expect_same(decode_ok("1"), make(packet_type::disconnect));
    expect_same(decode_ok("1/admin,"), make(packet_type::disconnect, "/admin"));
    EXPECT_EQ(decode_text_fails("1{}"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("1/admin,[]"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("1null"), decode_error::invalid_payload);
}

TEST(SocketioDecode, Event) {
    expect_same(decode_ok(R"(2["foo"])"),
                make(packet_type::event, "/", sio::no_ack_id, json::array({"foo"})));
    expect_same(decode_ok(R"(2/admin,["bar"])"),
                make(packet_type::event, "/admin", sio::no_ack_id, json::array({"bar"})));
    expect_same(decode_ok(R"(212["foo"])"),
                make(packet_type::event, "/", 12, json::array({"foo"})));
    expect_same(decode_ok(R"(2/admin,13["foo"])"),
                make(packet_type::event, "/admin", 13, json::array({"foo"})));
    expect_same(decode_ok(R"(2["hey","Jude",{"a":[1,2.5,null,true]}])"),
                make(packet_type::event, "/", sio::no_ack_id,
                     json::parse(R"(["hey","Jude",{"a":[1,2.5,null,true]}])")));
}

TEST(SocketioDecode, EventNameMayBeANumber) {
    expect_same(decode_ok(R"(2[1,"a"])"),
                make(packet_type::event, "/", sio::no_ack_id, json::parse(R"([1,"a"])")));
    expect_same(decode_ok("2[1.5]"),
                make(packet_type::event, "/", sio::no_ack_id, json::array({1.5})));
    expect_same(decode_ok("2[-3]"),
                make(packet_type::event, "/", sio::no_ack_id, json::array({-3})));
}

TEST(SocketioDecode, EventPayloadMustBeANamedArray) {
    EXPECT_EQ(decode_text_fails("2"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("2/admin,"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("2/admin"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("212"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("2[]"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("2{}"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails(R"(2{"0":"a"})"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails(R"(2"foo")"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("2[true]"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("2[null]"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails(R"(2[["foo"]])"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails(R"(2[{"foo":1}])"), decode_error::invalid_payload);
}

TEST(SocketioDecode, ReservedEventNamesAreRefused) {
    for (const char* name : {"connect", "connect_error", "disconnect", "disconnecting",
                             "newListener", "removeListener"}) {
        EXPECT_TRUE(sio::is_reserved_event(name)) << name;
        EXPECT_EQ(decode_text_fails("2[\""s + name + "\",1]"), decode_error::invalid_payload)
            << name;
        EXPECT_EQ(decode_text_fails("2/admin,7[\""s + name + "\"]"), decode_error::invalid_payload)
            << name;
    }
    // Only exact matches are reserved.
    for (const char* name : {"Connect", "connection", "disconnect ", "", "newlistener", "error"}) {
        EXPECT_FALSE(sio::is_reserved_event(name)) << name;
        const packet p = decode_ok("2[\""s + name + "\"]");
        EXPECT_EQ(p.data.at(0), name);
    }
}

TEST(SocketioDecode, Ack) {
    expect_same(decode_ok("312[]"), make(packet_type::ack, "/", 12, json::array()));
    expect_same(decode_ok(R"(3/admin,13["bar"])"),
                make(packet_type::ack, "/admin", 13, json::array({"bar"})));
    expect_same(decode_ok(R"(3456[1,"2",{"3":[false]}])"),
                make(packet_type::ack, "/", 456, json::parse(R"([1,"2",{"3":[false]}])")));
    // Without an id the reference still takes it; the server drops it for lack of a callback.
    expect_same(decode_ok(R"(3["x"])"),
                make(packet_type::ack, "/", sio::no_ack_id, json::array({"x"})));
}

TEST(SocketioDecode, AckPayloadMustBeAnArray) {
    EXPECT_EQ(decode_text_fails("3"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("312"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("312{}"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails(R"(312"a")"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("312null"), decode_error::invalid_payload);
}

TEST(SocketioDecode, ConnectError) {
    expect_same(
        decode_ok(R"(4{"message":"Not authorized"})"),
        make(packet_type::connect_error, "/", sio::no_ack_id, json{{"message", "Not authorized"}}));
    expect_same(decode_ok(R"(4/random,{"message":"Invalid namespace"})"),
                make(packet_type::connect_error, "/random", sio::no_ack_id,
                     json{{"message", "Invalid namespace"}}));
    expect_same(decode_ok(R"(4"legacy string")"),
                make(packet_type::connect_error, "/", sio::no_ack_id, json("legacy string")));
    EXPECT_EQ(decode_text_fails("4"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("4/admin,"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("4[]"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("41"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("4null"), decode_error::invalid_payload);
}

// ---- decoding, malformed headers --------------------------------------------------------

TEST(SocketioDecode, EmptyAndUnknownTypes) {
    EXPECT_EQ(decode_text_fails(""), decode_error::empty);
    for (std::string_view text : {"7"sv, "8[\"a\"]"sv, "9"sv, "a"sv, " "sv, "-"sv, "/"sv, "["sv,
                                  "\x00"sv, "\xff"sv, "{}"sv}) {
        EXPECT_EQ(decode_text_fails(text), decode_error::unknown_type) << text;
    }
}

TEST(SocketioDecode, AckIds) {
    EXPECT_EQ(decode_ok(R"(20["a"])").id, 0);
    EXPECT_EQ(decode_ok(R"(2007["a"])").id, 7);
    EXPECT_EQ(decode_ok(R"(2/a,0["a"])").id, 0);
    EXPECT_EQ(decode_ok(R"(29223372036854775807["a"])").id, INT64_MAX);
    // Whitespace after the digits is JSON padding, as in the reference.
    EXPECT_EQ(decode_ok(R"(21 ["a"])").id, 1);
    EXPECT_EQ(decode_ok("01").id, 1);
}

TEST(SocketioDecode, BadAckIds) {
    EXPECT_EQ(decode_text_fails(R"(29223372036854775808["a"])"), decode_error::bad_ack_id);
    EXPECT_EQ(decode_text_fails(R"(299999999999999999999999["a"])"), decode_error::bad_ack_id);
    EXPECT_EQ(decode_text_fails(R"(2/a,99999999999999999999999999999999999["a"])"),
              decode_error::bad_ack_id);
    EXPECT_EQ(decode_text_fails("399999999999999999999"), decode_error::bad_ack_id);
    // The reference reads whitespace here as id 0; JSON would skip it. Refused.
    EXPECT_EQ(decode_text_fails(R"(2 ["a"])"), decode_error::bad_ack_id);
    EXPECT_EQ(decode_text_fails("2\t[\"a\"]"), decode_error::bad_ack_id);
    EXPECT_EQ(decode_text_fails("2\n[\"a\"]"), decode_error::bad_ack_id);
    EXPECT_EQ(decode_text_fails(R"(2/a, ["a"])"), decode_error::bad_ack_id);
    EXPECT_EQ(decode_text_fails("0 "), decode_error::bad_ack_id);
    // Anything else that is not a digit starts the payload.
    EXPECT_EQ(decode_text_fails(R"(242abc["a"])"), decode_error::bad_json);
    EXPECT_EQ(decode_text_fails(R"(2abc["a"])"), decode_error::bad_json);
    EXPECT_EQ(decode_text_fails(R"(2-1["a"])"), decode_error::bad_json);
    EXPECT_EQ(decode_text_fails(R"(2+1["a"])"), decode_error::bad_json);
    EXPECT_EQ(decode_text_fails(R"(21.5["a"])"), decode_error::bad_json);
    EXPECT_EQ(decode_text_fails(R"(21e3["a"])"), decode_error::bad_json);
    EXPECT_EQ(decode_text_fails(R"(21 2["a"])"), decode_error::bad_json);
}

TEST(SocketioDecode, InvalidJson) {
    for (std::string_view text :
         {R"(2["a")"sv, R"(2["a"]x)"sv, R"(2["a"]])"sv, R"(2["a",])"sv, R"(2['a'])"sv,
          R"(2["a"/*c*/])"sv, "2[\"a\"]\x00"sv, "2[\"a\"]\x00]"sv, "2[\"a\x00\"]"sv,
          "2[\"a\\\x00\"]"sv, "2[1,\x00 2]"sv, R"(2["a"]["b"])"sv, "2[NaN]"sv, "2[Infinity]"sv,
          "2[01]"sv, "2[\"\xff\"]"sv, "2[\"\xc3\"]"sv, "2[\"a\nb\"]"sv,
          // JSON.parse takes these; nlohmann does not.
          "2[1e400]"sv, R"(0{"a":1)"sv, R"(4{"message")"sv, "0{}{}"sv,
          "3[]x"sv}) {
        EXPECT_EQ(decode_text_fails(text), decode_error::bad_json) << text;
    }
    // Padding after the payload is JSON whitespace.
    EXPECT_EQ(decode_ok("2[\"a\"] \r\n\t").data, json::array({"a"}));
}

TEST(SocketioDecode, StringsAreUnescaped) {
    const packet p = decode_ok(R"(2["a","\u00e9\n\"\\\/","\ud83d\ude00","\u0000"])");
    EXPECT_EQ(p.data.at(1), "\xc3\xa9\n\"\\/");
    EXPECT_EQ(p.data.at(2), "\xf0\x9f\x98\x80");
    EXPECT_EQ(p.data.at(3), "\0"s);
}

TEST(SocketioDecode, NestingIsBounded) {
    // 128 levels in all, counting the event's own array.
    const std::string ok = R"(2["a",)" + nested_arrays(127) + "]";
    EXPECT_EQ(decode_ok(ok).data.size(), 2u);
    EXPECT_EQ(decode_text_fails(R"(2["a",)" + nested_arrays(128) + "]"),
              decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("2" + std::string(1'000'000, '[')), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails(R"(2["a",{"b":)" + std::string(200, '{')),
              decode_error::invalid_payload);
    // Brackets inside strings are text, escaped quotes do not end a string.
    const std::string in_string = std::string(500, '[') + "\\\"" + std::string(500, '{');
    const packet p = decode_ok(R"(2["a",")" + in_string + R"("])");
    EXPECT_EQ(p.data.at(1), std::string(500, '[') + "\"" + std::string(500, '{'));
}

// ---- decoding, binary packets -----------------------------------------------------------

TEST(SocketioDecode, BinaryEvent) {
    expect_same(
        decode_ok(R"(51-["baz",{"_placeholder":true,"num":0}])", {"\x01\x02\x03\x04"}),
        make(packet_type::event, "/", sio::no_ack_id, json::array({"baz", bytes({1, 2, 3, 4})})));
    expect_same(
        decode_ok(
            R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
            {"\x01\x02", "\x03\x04"}),
        make(packet_type::event, "/admin", sio::no_ack_id,
             json::array({"baz", bytes({1, 2}), bytes({3, 4})})));
    expect_same(decode_ok(R"(51-14["foo",{"_placeholder":true,"num":0}])", {"\x01\x02\x03\x04"}),
                make(packet_type::event, "/", 14, json::array({"foo", bytes({1, 2, 3, 4})})));
    expect_same(
        decode_ok(
            R"(52-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
            {"\x01\x02\x03", "\x04\x05\x06"}),
        make(packet_type::event, "/", sio::no_ack_id,
             json::array({"message-back", bytes({1, 2, 3}), bytes({4, 5, 6})})));
}

TEST(SocketioDecode, BinaryAck) {
    expect_same(decode_ok(R"(61-15["bar",{"_placeholder":true,"num":0}])", {"\x01\x02\x03\x04"}),
                make(packet_type::ack, "/", 15, json::array({"bar", bytes({1, 2, 3, 4})})));
    expect_same(decode_ok(R"(61-/admin,1[{"_placeholder":true,"num":0}])", {"\xff"}),
                make(packet_type::ack, "/admin", 1, json::array({bytes({0xff})})));
    expect_same(decode_ok(R"(62-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
                          {"\x01", "\x02"}),
                make(packet_type::ack, "/", 789, json::array({bytes({1}), bytes({2})})));
    expect_same(decode_ok("61-[]", {"x"}),
                make(packet_type::ack, "/", sio::no_ack_id, json::array()));
}

TEST(SocketioDecode, NestedAndReorderedPlaceholders) {
    const packet p = decode_ok(
        R"(53-["x",{"a":[{"_placeholder":true,"num":2}],"b":{"c":{"_placeholder":true,"num":0}}},)"
        R"({"_placeholder":true,"num":1}])",
        {"zero", "one", "two"});
    EXPECT_EQ(p.data.at(1).at("a").at(0), bytes({'t', 'w', 'o'}));
    EXPECT_EQ(p.data.at(1).at("b").at("c"), bytes({'z', 'e', 'r', 'o'}));
    EXPECT_EQ(p.data.at(2), bytes({'o', 'n', 'e'}));
}

TEST(SocketioDecode, PlaceholderEdgeCases) {
    // One attachment named twice: both get the bytes.
    packet p = decode_ok(
        R"(51-["x",{"_placeholder":true,"num":0},[{"_placeholder":true,"num":0}]])", {"ab"});
    EXPECT_EQ(p.data.at(1), bytes({'a', 'b'}));
    EXPECT_EQ(p.data.at(2).at(0), bytes({'a', 'b'}));
    // An attachment nobody names is dropped, as the reference does.
    p = decode_ok(R"(52-["x",{"_placeholder":true,"num":1}])", {"unused", "b"});
    EXPECT_EQ(p.data, json::array({"x", bytes({'b'})}));
    // Extra members do not stop a placeholder from being one.
    p = decode_ok(R"(51-["x",{"_placeholder":true,"num":0,"extra":[1]}])", {""});
    EXPECT_EQ(p.data, json::array({"x", bytes({})}));
    // A number with an integral value names an attachment (JavaScript sees 1.0 as 1).
    p = decode_ok(R"(52-["x",{"_placeholder":true,"num":1.0},{"_placeholder":true,"num":-0}])",
                  {"a", "b"});
    EXPECT_EQ(p.data, json::array({"x", bytes({'b'}), bytes({'a'})}));
    // Only `_placeholder: true` marks a placeholder.
    p = decode_ok(R"(51-["x",{"_placeholder":1,"num":0},{"_placeholder":"true","num":0},)"
                  R"({"_placeholder":false,"num":0},{"placeholder":true,"num":0}])",
                  {"a"});
    EXPECT_EQ(p.data.size(), 5u);
    for (std::size_t i = 1; i < 5; ++i) {
        EXPECT_TRUE(p.data.at(i).is_object()) << i;
    }
    // No placeholder at all is fine: the attachment is just unused.
    p = decode_ok(R"(51-["x",1])", {"a"});
    EXPECT_EQ(p.data, json::parse(R"(["x",1])"));
}

TEST(SocketioDecode, PlaceholdersInPlainPacketsStayObjects) {
    const packet p = decode_ok(R"(2["x",{"_placeholder":true,"num":0}])");
    EXPECT_EQ(p.data.at(1), placeholder(0));
}

TEST(SocketioDecode, BadPlaceholders) {
    for (std::string_view num :
         {"1"sv, "2"sv, "-1"sv, "0.5"sv, "\"0\""sv, "null"sv, "true"sv, "[0]"sv, "{}"sv, "1e300"sv,
          "18446744073709551616"sv, "-9223372036854775808"sv}) {
        const std::string text = R"(51-["x",{"_placeholder":true,"num":)" + std::string(num) + "}]";
        EXPECT_EQ(decode_binary_fails(text, 1), decode_error::bad_placeholder) << text;
    }
    EXPECT_EQ(decode_binary_fails(R"(51-["x",{"_placeholder":true}])", 1),
              decode_error::bad_placeholder);
    EXPECT_EQ(
        decode_binary_fails(
            R"(52-["x",{"a":[{"_placeholder":true,"num":0},{"_placeholder":true,"num":2}]}])", 2),
        decode_error::bad_placeholder);
}

TEST(SocketioDecode, BinaryPacketPayloadIsValidatedOnTheText) {
    EXPECT_EQ(decode_text_fails(R"(51-[{"_placeholder":true,"num":0}])"),
              decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails(R"(51-["connect",{"_placeholder":true,"num":0}])"),
              decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("51-"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("51-/admin,7"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("51-[]"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("61-{}"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails("61-"), decode_error::invalid_payload);
    EXPECT_EQ(decode_text_fails(R"(51-["a")"), decode_error::bad_json);
    EXPECT_EQ(decode_text_fails(R"(51- ["a"])"), decode_error::bad_ack_id);
}

TEST(SocketioDecode, AttachmentCounts) {
    for (std::string_view text :
         {"5"sv, "6"sv, "5-"sv, R"(5-["a"])"sv, "50-"sv, R"(50-["a"])"sv, R"(600-[])"sv, "5a-"sv,
          "51a-"sv, "5 1-"sv, "51 -"sv, "5+1-"sv, "5-1-"sv, "50x1-"sv, "51.0-"sv, "51"sv,
          R"(51["a"])"sv, R"(5/admin,1-["a"])"sv, R"(5["a-b"])"sv}) {
        EXPECT_EQ(decode_text_fails(text), decode_error::bad_attachments) << text;
    }
    // Leading zeros are still decimal.
    sio::decoder decoder;
    std::optional<packet> out;
    EXPECT_EQ(decoder.add_text(R"(502-["a"])", out), decode_error::none);
    EXPECT_TRUE(decoder.awaiting_attachments());
    EXPECT_EQ(decoder.add_binary("1", out), decode_error::none);
    EXPECT_FALSE(out.has_value());
    EXPECT_EQ(decoder.add_binary("2", out), decode_error::none);
    EXPECT_TRUE(out.has_value());
}

TEST(SocketioDecode, TooManyAttachments) {
    EXPECT_EQ(decode_text_fails(R"(565-["a"])"), decode_error::too_many_attachments);
    EXPECT_EQ(decode_text_fails(R"(518446744073709551616-["a"])"),
              decode_error::too_many_attachments);
    EXPECT_EQ(decode_text_fails("5" + std::string(100, '9') + R"(-["a"])"),
              decode_error::too_many_attachments);
    EXPECT_EQ(decode_text_fails(R"(63-[])", 2), decode_error::too_many_attachments);

    sio::decoder decoder(2);
    std::optional<packet> out;
    EXPECT_EQ(decoder.add_text(R"(62-[])", out), decode_error::none);
    EXPECT_TRUE(decoder.awaiting_attachments());
    sio::decoder at_limit;
    EXPECT_EQ(at_limit.add_text(R"(564-["a"])", out), decode_error::none);
}

TEST(SocketioDecoder, RefusesPlaceholdersThatAmplifyAnAttachment) {
    // One 1,000-byte attachment named 300 times would decode to 300,000 bytes.
    std::string text = R"(51-["e")";
    for (int i = 0; i < 300; ++i) text += R"(,{"_placeholder":true,"num":0})";
    text += "]";
    sio::decoder decoder;
    std::optional<packet> out;
    ASSERT_EQ(decoder.add_text(text, out), decode_error::none);
    EXPECT_EQ(decoder.add_binary(std::string(1000, 'x'), out), decode_error::decoded_too_large);
    EXPECT_FALSE(out.has_value());
    EXPECT_FALSE(decoder.awaiting_attachments());
    // Named twice: within the default budget (2 x the bytes received).
    ASSERT_EQ(decoder.add_text(R"(51-["e",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}])", out),
              decode_error::none);
    ASSERT_EQ(decoder.add_binary(std::string(1000, 'x'), out), decode_error::none);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->data[1].get_binary().size(), 1000u);
    EXPECT_EQ(out->data[2].get_binary().size(), 1000u);
}

TEST(SocketioDecoder, BoundsThePendingAttachmentBytes) {
    sio::decoder_limits limits;
    limits.max_attachment_bytes = 2500;
    sio::decoder decoder(limits);
    std::optional<packet> out;
    ASSERT_EQ(decoder.add_text(R"(53-["e",{"_placeholder":true,"num":0}])", out), decode_error::none);
    EXPECT_EQ(decoder.add_binary(std::string(1000, 'x'), out), decode_error::none);
    EXPECT_EQ(decoder.add_binary(std::string(1000, 'x'), out), decode_error::none);
    EXPECT_EQ(decoder.add_binary(std::string(1000, 'x'), out), decode_error::attachments_too_large);
    EXPECT_FALSE(decoder.awaiting_attachments());
}

// ---- decoder state ----------------------------------------------------------------------

TEST(SocketioDecoder, BinaryWithoutPendingPacket) {
    sio::decoder decoder;
    std::optional<packet> out;
    EXPECT_EQ(decoder.add_binary("x", out), decode_error::unexpected_binary);
    EXPECT_EQ(decoder.add_text(R"(2["a"])", out), decode_error::none);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(decoder.add_binary("x", out), decode_error::unexpected_binary);
    EXPECT_FALSE(out.has_value());
}

TEST(SocketioDecoder, TextWhileAwaitingAttachmentsDropsThePendingPacket) {
    sio::decoder decoder;
    std::optional<packet> out;
    EXPECT_EQ(decoder.add_text(R"(52-["a",{"_placeholder":true,"num":1}])", out),
              decode_error::none);
    EXPECT_EQ(decoder.add_binary("first", out), decode_error::none);
    EXPECT_EQ(decoder.add_text(R"(2["b"])", out), decode_error::unexpected_text);
    EXPECT_FALSE(out.has_value());
    EXPECT_FALSE(decoder.awaiting_attachments());
    // The next binary belongs to nothing; the next text starts afresh.
    EXPECT_EQ(decoder.add_binary("second", out), decode_error::unexpected_binary);
    EXPECT_EQ(decoder.add_text(R"(51-["c",{"_placeholder":true,"num":0}])", out),
              decode_error::none);
    EXPECT_EQ(decoder.add_binary("fresh", out), decode_error::none);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->data, json::array({"c", bytes({'f', 'r', 'e', 's', 'h'})}));
}

TEST(SocketioDecoder, BadPlaceholderLeavesTheDecoderIdle) {
    sio::decoder decoder;
    std::optional<packet> out;
    EXPECT_EQ(decoder.add_text(R"(51-["a",{"_placeholder":true,"num":3}])", out),
              decode_error::none);
    EXPECT_EQ(decoder.add_binary("x", out), decode_error::bad_placeholder);
    EXPECT_FALSE(decoder.awaiting_attachments());
    EXPECT_EQ(decoder.add_binary("x", out), decode_error::unexpected_binary);
    EXPECT_EQ(decoder.add_text(R"(2["b"])", out), decode_error::none);
    EXPECT_TRUE(out.has_value());
}

TEST(SocketioDecoder, ResetDropsThePendingPacket) {
    sio::decoder decoder;
    std::optional<packet> out;
    EXPECT_EQ(decoder.add_text(R"(52-["a",{"_placeholder":true,"num":0}])", out),
              decode_error::none);
    EXPECT_EQ(decoder.add_binary("x", out), decode_error::none);
    decoder.reset();
    EXPECT_FALSE(decoder.awaiting_attachments());
    EXPECT_EQ(decoder.add_binary("y", out), decode_error::unexpected_binary);
    // Attachments of the dropped packet do not leak into the next one.
    EXPECT_EQ(decoder.add_text(
                  R"(52-["b",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])", out),
              decode_error::none);
    EXPECT_EQ(decoder.add_binary("1", out), decode_error::none);
    EXPECT_FALSE(out.has_value());
    EXPECT_EQ(decoder.add_binary("2", out), decode_error::none);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->data, json::array({"b", bytes({'1'}), bytes({'2'})}));
    decoder.reset();  // idle: a no-op
    EXPECT_EQ(decoder.add_text("0", out), decode_error::none);
}

TEST(SocketioDecoder, KeepsWorkingAfterTextErrors) {
    sio::decoder decoder;
    std::optional<packet> out;
    for (std::string_view bad :
         {""sv, "7"sv, "2[]"sv, "2[x"sv, "5-"sv, "5999-"sv, "2 [1]"sv, "0/\xff,"sv}) {
        EXPECT_NE(decoder.add_text(bad, out), decode_error::none) << bad;
        EXPECT_FALSE(decoder.awaiting_attachments());
        EXPECT_EQ(decoder.add_text(R"(2["ok"])", out), decode_error::none);
        ASSERT_TRUE(out.has_value());
        EXPECT_EQ(out->data, json::array({"ok"}));
    }
}

TEST(SocketioDecoder, SeveralPacketsInARow) {
    sio::decoder decoder;
    std::optional<packet> out;
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(decoder.add_text(R"(51-["a",{"_placeholder":true,"num":0}])", out),
                  decode_error::none);
        EXPECT_FALSE(out.has_value());
        EXPECT_EQ(decoder.add_binary(std::string(1, static_cast<char>('0' + i)), out),
                  decode_error::none);
        ASSERT_TRUE(out.has_value());
        EXPECT_EQ(out->data.at(1), bytes({static_cast<std::uint8_t>('0' + i)}));
        EXPECT_EQ(decoder.add_text("1", out), decode_error::none);
        ASSERT_TRUE(out.has_value());
        EXPECT_EQ(out->type, packet_type::disconnect);
    }
}

TEST(SocketioDecoder, ErrorNamesAreDistinct) {
    std::vector<std::string_view> names;
    for (int i = 0; i <= static_cast<int>(decode_error::bad_placeholder); ++i) {
        const std::string_view name = sio::to_string(static_cast<decode_error>(i));
        EXPECT_FALSE(name.empty());
        for (const std::string_view other : names) {
            EXPECT_NE(name, other);
        }
        names.push_back(name);
    }
    EXPECT_EQ(sio::to_string(decode_error::bad_ack_id), "bad_ack_id");
}

// ---- encoding ---------------------------------------------------------------------------

TEST(SocketioEncode, ProtocolExamples) {
    EXPECT_EQ(encode_text(make(packet_type::connect)), "0");
    EXPECT_EQ(encode_text(make(packet_type::connect, "/", sio::no_ack_id,
                               json{{"sid", "wZX3oN0bSVIhsaknAAAI"}})),
              R"(0{"sid":"wZX3oN0bSVIhsaknAAAI"})");
    EXPECT_EQ(encode_text(make(packet_type::connect, "/admin")), "0/admin,");
    EXPECT_EQ(encode_text(make(packet_type::connect, "/admin", sio::no_ack_id,
                               json{{"sid", "oSO0OpakMV_3jnilAAAA"}})),
              R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})");
    EXPECT_EQ(encode_text(make(packet_type::connect_error, "/", sio::no_ack_id,
                               json{{"message", "Not authorized"}})),
              R"(4{"message":"Not authorized"})");
    EXPECT_EQ(encode_text(make(packet_type::event, "/", sio::no_ack_id, json::array({"foo"}))),
              R"(2["foo"])");
    EXPECT_EQ(encode_text(make(packet_type::event, "/admin", sio::no_ack_id, json::array({"bar"}))),
              R"(2/admin,["bar"])");
    EXPECT_EQ(encode_text(make(packet_type::event, "/", 12, json::array({"foo"}))),
              R"(212["foo"])");
    EXPECT_EQ(encode_text(make(packet_type::ack, "/", 12, json::array())), "312[]");
    EXPECT_EQ(encode_text(make(packet_type::event, "/admin", 13, json::array({"foo"}))),
              R"(2/admin,13["foo"])");
    EXPECT_EQ(encode_text(make(packet_type::ack, "/admin", 13, json::array({"bar"}))),
              R"(3/admin,13["bar"])");
    EXPECT_EQ(encode_text(make(packet_type::disconnect)), "1");
    EXPECT_EQ(encode_text(make(packet_type::disconnect, "/admin")), "1/admin,");
}

TEST(SocketioEncode, TestSuiteStrings) {
    // The protocol test suite's expected frames, minus the Engine.IO "4".
    EXPECT_EQ(
        encode_text(make(packet_type::ack, "/", 456, json::parse(R"([1,"2",{"3":[false]}])"))),
        R"(3456[1,"2",{"3":[false]}])");
    EXPECT_EQ(encode_text(make(packet_type::connect_error, "/random", sio::no_ack_id,
                               json{{"message", "Invalid namespace"}})),
              R"(4/random,{"message":"Invalid namespace"})");
    EXPECT_EQ(encode_text(make(packet_type::connect, "/", sio::no_ack_id, json{{"sid", "abc"}})),
              R"(0{"sid":"abc"})");
    EXPECT_EQ(
        encode_text(make(packet_type::connect, "/custom", sio::no_ack_id, json{{"sid", "x"}})),
        R"(0/custom,{"sid":"x"})");

    const auto event =
        sio::encode(make(packet_type::event, "/", sio::no_ack_id,
                         json::array({"message-back", bytes({1, 2, 3}), bytes({4, 5, 6})})));
    EXPECT_EQ(event.text,
              R"(52-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
    EXPECT_EQ(event.attachments, (std::vector<std::string>{"\x01\x02\x03", "\x04\x05\x06"}));

    const auto ack = sio::encode(
        make(packet_type::ack, "/", 789, json::array({bytes({1, 2, 3}), bytes({4, 5, 6})})));
    EXPECT_EQ(ack.text, R"(62-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
    EXPECT_EQ(ack.attachments, (std::vector<std::string>{"\x01\x02\x03", "\x04\x05\x06"}));
}

TEST(SocketioEncode, BinaryProtocolExamples) {
    auto encoded = sio::encode(
        make(packet_type::event, "/", sio::no_ack_id, json::array({"baz", bytes({1, 2, 3, 4})})));
    EXPECT_EQ(encoded.text, R"(51-["baz",{"_placeholder":true,"num":0}])");
    EXPECT_EQ(encoded.attachments, std::vector<std::string>{"\x01\x02\x03\x04"});

    encoded = sio::encode(make(packet_type::event, "/admin", sio::no_ack_id,
                               json::array({"baz", bytes({1, 2}), bytes({3, 4})})));
    EXPECT_EQ(encoded.text,
              R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
    EXPECT_EQ(encoded.attachments, (std::vector<std::string>{"\x01\x02", "\x03\x04"}));

    encoded =
        sio::encode(make(packet_type::event, "/", 14, json::array({"foo", bytes({1, 2, 3, 4})})));
    EXPECT_EQ(encoded.text, R"(51-14["foo",{"_placeholder":true,"num":0}])");

    encoded =
        sio::encode(make(packet_type::ack, "/", 15, json::array({"bar", bytes({1, 2, 3, 4})})));
    EXPECT_EQ(encoded.text, R"(61-15["bar",{"_placeholder":true,"num":0}])");

    encoded = sio::encode(make(packet_type::ack, "/admin", 1, json::array({bytes({7})})));
    EXPECT_EQ(encoded.text, R"(61-/admin,1[{"_placeholder":true,"num":0}])");
    EXPECT_EQ(encoded.attachments, std::vector<std::string>{"\x07"});
}

TEST(SocketioEncode, NestedBinariesAreNumberedDepthFirst) {
    // Object members come in key order ("a" before "z"), as dump() writes them.
    json data =
        json::array({"x", json{{"z", bytes({1})}, {"a", json::array({bytes({2}), 5})}}, bytes({3}),
                     json{{"k", json{{"deep", json::array({json::array({bytes({4})})})}}}}});
    const auto encoded = sio::encode(make(packet_type::event, "/n", 3, data));
    EXPECT_EQ(
        encoded.text,
        R"(54-/n,3["x",{"a":[{"_placeholder":true,"num":0},5],"z":{"_placeholder":true,"num":1}},)"
        R"({"_placeholder":true,"num":2},{"k":{"deep":[[{"_placeholder":true,"num":3}]]}}])");
    EXPECT_EQ(encoded.attachments, (std::vector<std::string>{"\x02", "\x01", "\x03", "\x04"}));
}

TEST(SocketioEncode, EmptyBinaryIsAnAttachment) {
    const auto encoded =
        sio::encode(make(packet_type::event, "/", sio::no_ack_id, json::array({"e", bytes({})})));
    EXPECT_EQ(encoded.text, R"(51-["e",{"_placeholder":true,"num":0}])");
    EXPECT_EQ(encoded.attachments, std::vector<std::string>{""});
}

TEST(SocketioEncode, NamespaceAndId) {
    EXPECT_EQ(encode_text(make(packet_type::connect, "")), "0");
    EXPECT_EQ(encode_text(make(packet_type::event, "/", 0, json::array({"a"}))), R"(20["a"])");
    EXPECT_EQ(encode_text(make(packet_type::event, "/x", 0, json::array({"a"}))), R"(2/x,0["a"])");
    EXPECT_EQ(encode_text(make(packet_type::event, "/", INT64_MAX, json::array({"a"}))),
              R"(29223372036854775807["a"])");
    EXPECT_EQ(encode_text(make(packet_type::ack, "/x", 5, json::array())), "3/x,5[]");
    EXPECT_EQ(encode_text(make(packet_type::disconnect, "/x", 5)), "1/x,5");
}

TEST(SocketioEncode, BinaryTypesWithoutBinaryArePlain) {
    EXPECT_EQ(encode_text(make(packet_type::binary_event, "/", 1, json::array({"a"}))),
              R"(21["a"])");
    EXPECT_EQ(encode_text(make(packet_type::binary_ack, "/", 1, json::array())), "31[]");
    const auto encoded = sio::encode(
        make(packet_type::binary_event, "/", sio::no_ack_id, json::array({"a", bytes({9})})));
    EXPECT_EQ(encoded.text, R"(51-["a",{"_placeholder":true,"num":0}])");
}

TEST(SocketioEncode, StringsAsJavaScriptWritesThem) {
    EXPECT_EQ(encode_text(make(packet_type::event, "/", sio::no_ack_id,
                               json::array({"caf\xc3\xa9 \xf0\x9f\x98\x80", "q\"b\\n\n\x1f\x7f"}))),
              "2[\"caf\xc3\xa9 \xf0\x9f\x98\x80\",\"q\\\"b\\\\n\\n\\u001f\x7f\"]");
}

TEST(SocketioEncode, InvalidUtf8IsReplacedNotThrown) {
    packet p = make(packet_type::event, "/", sio::no_ack_id,
                    json::array({"a\xff"
                                 "b",
                                 "\xc3"}));
    std::string text;
    EXPECT_NO_THROW(text = encode_text(p));
    EXPECT_EQ(text,
              "2[\"a\xef\xbf\xbd"
              "b\",\"\xef\xbf\xbd\"]");
    // Also on the binary path, keys included.
    p.data = json::array({"a", json{{"k\xfe", "v\xfe"}, {"b", bytes({1})}}});
    sio::encoded_packet encoded;
    EXPECT_NO_THROW(encoded = sio::encode(p));
    EXPECT_EQ(
        encoded.text,
        "51-[\"a\",{\"b\":{\"_placeholder\":true,\"num\":0},\"k\xef\xbf\xbd\":\"v\xef\xbf\xbd\"}]");
    const packet back = decode_ok(encoded.text, encoded.attachments);
    EXPECT_EQ(back.data.at(1).at("k\xef\xbf\xbd"), "v\xef\xbf\xbd");
}

TEST(SocketioEncode, AllJsonKindsOnTheBinaryPath) {
    const json data = json::parse(R"(["n",null,true,false,-7,18446744073709551615,1.5,"s",[],{}])");
    json with_binary = data;
    with_binary.push_back(bytes({0}));
    const auto plain = sio::encode(make(packet_type::event, "/", sio::no_ack_id, data));
    const auto binary = sio::encode(make(packet_type::event, "/", sio::no_ack_id, with_binary));
    EXPECT_EQ(binary.text, "51-" + plain.text.substr(1, plain.text.size() - 2) +
                               R"(,{"_placeholder":true,"num":0}])");
}

// ---- round trips ------------------------------------------------------------------------

TEST(SocketioRoundTrip, EncodeThenDecode) {
    const std::vector<packet> packets{
        make(packet_type::connect),
        make(packet_type::connect, "/admin", sio::no_ack_id, json{{"token", "t"}, {"n", 1}}),
        make(packet_type::disconnect, "/chat"),
        make(packet_type::event, "/", sio::no_ack_id, json::array({"a"})),
        make(packet_type::event, "/x", 0, json::array({42, "b", json::object(), nullptr})),
        make(packet_type::event, "/", 99,
             json::parse(R"(["e",{"deep":[[[{"x":-1.25e-7}]]]},"\u0000"])")),
        make(packet_type::ack, "/", 3, json::array()),
        make(packet_type::ack, "/y", INT64_MAX, json::array({json::array({1, 2})})),
        make(packet_type::connect_error, "/", sio::no_ack_id,
             json{{"message", "no"}, {"data", {1}}}),
        make(packet_type::connect_error, "/z", sio::no_ack_id, json("plain")),
        make(packet_type::event, "/", 5, json::array({"b", bytes({1, 2}), json{{"k", bytes({})}}})),
        make(packet_type::ack, "/q", 6, json::array({bytes({0, 255}), json::array({bytes({9})})})),
    };
    for (const packet& p : packets) {
        const auto encoded = sio::encode(p);
        expect_same(decode_ok(encoded.text, encoded.attachments), p);
    }
}

TEST(SocketioRoundTrip, DecodeThenEncode) {
    for (std::string_view text :
         {"0"sv, "0/admin,"sv, R"(0{"sid":"abc"})"sv, "1/a,"sv, R"(2["foo",1,{"a":[true,null]}])"sv,
          R"(2/admin,13["foo"])"sv, "312[]"sv, R"(3/admin,13["bar"])"sv,
          R"(4{"message":"Not authorized"})"sv, R"(4"x")"sv}) {
        EXPECT_EQ(encode_text(decode_ok(text)), text);
    }
    // Spellings the encoder normalises.
    EXPECT_EQ(encode_text(decode_ok("0/admin")), "0/admin,");
    EXPECT_EQ(encode_text(decode_ok("0/,")), "0");
    EXPECT_EQ(encode_text(decode_ok(R"(2007 [ "a" ] )")), R"(27["a"])");

    const std::string text =
        R"(52-/admin,9["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])";
    const auto encoded = sio::encode(decode_ok(text, {"\x01\x02", "\x03\x04"}));
    EXPECT_EQ(encoded.text, text);
    EXPECT_EQ(encoded.attachments, (std::vector<std::string>{"\x01\x02", "\x03\x04"}));
}

// JSON.stringify escapes a lone surrogate ("\ud83d"); JSON.parse accepts it and so must
// we (as U+FFFD), or a client sending half an emoji loses its connection.
TEST(SocketioLoneSurrogates, AreReadAsReplacementCharacters) {
    using namespace switchboard::kernel::socketio;
    decoder d;
    std::optional<packet> out;
    ASSERT_EQ(d.add_text(R"(2["message","a\ud83db","\udc00","\ud83d\ude00","\\ud800"])", out), decode_error::none);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->data[1], "a\xEF\xBF\xBD" "b");
    EXPECT_EQ(out->data[2], "\xEF\xBF\xBD");
    EXPECT_EQ(out->data[3], "\xF0\x9F\x98\x80");   // a real pair is untouched
    EXPECT_EQ(out->data[4], "\\ud800");             // an escaped backslash, then text
}
