// The Engine.IO v3 codec against payloads written the way engine.io-parser 2.x writes them.
#include "kernel/engineio/packet_v3.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eio = switchboard::kernel::engineio;
using eio::decode_error;
using eio::packet;
using eio::packet_type;
using namespace std::string_literals;

namespace {

std::vector<packet> decode_ok(std::string_view body, bool binary = false) {
    std::vector<packet> packets;
    const auto error = eio::v3::decode_payload(body, binary, packets);
    EXPECT_EQ(error, decode_error::none) << eio::to_string(error);
    return packets;
}

decode_error decode_error_of(std::string_view body, bool binary = false) {
    std::vector<packet> packets;
    const auto error = eio::v3::decode_payload(body, binary, packets);
    EXPECT_TRUE(packets.empty());
    return error;
}

}  // namespace

TEST(engineio_v3, utf16_length_counts_code_units_as_javascript_does) {
    EXPECT_EQ(eio::v3::utf16_length(""), 0u);
    EXPECT_EQ(eio::v3::utf16_length("abc"), 3u);
    EXPECT_EQ(eio::v3::utf16_length("Zoë"), 3u);              // 2-byte UTF-8, one unit
    EXPECT_EQ(eio::v3::utf16_length("\u2028你"), 2u);         // 3-byte UTF-8, one unit each
    EXPECT_EQ(eio::v3::utf16_length("🚀"), 2u);               // 4-byte UTF-8, a surrogate pair
}

TEST(engineio_v3, text_payload_lengths_are_utf16_units) {
    const auto packets = decode_ok("2:4a5:4é🚀x1:2");
    ASSERT_EQ(packets.size(), 3u);
    EXPECT_EQ(packets[0].type, packet_type::message);
    EXPECT_EQ(packets[0].data, "a");
    EXPECT_EQ(packets[1].data, "é🚀x");
    EXPECT_EQ(packets[2].type, packet_type::ping);
    EXPECT_TRUE(decode_ok("0:").empty());
}

TEST(engineio_v3, base64_binary_carries_its_type) {
    const auto packets = decode_ok("6:b4AQID");
    ASSERT_EQ(packets.size(), 1u);
    EXPECT_TRUE(packets[0].binary);
    EXPECT_EQ(packets[0].type, packet_type::message);
    EXPECT_EQ(packets[0].data, "\x01\x02\x03"s);
}

TEST(engineio_v3, broken_text_payloads_are_refused_whole) {
    EXPECT_EQ(decode_error_of(""), decode_error::empty);
    EXPECT_EQ(decode_error_of("4a"), decode_error::unknown_type);           // no length
    EXPECT_EQ(decode_error_of(":4a"), decode_error::unknown_type);          // empty length
    EXPECT_EQ(decode_error_of("9:4short"), decode_error::unknown_type);     // past the end
    EXPECT_EQ(decode_error_of("2:4🚀"), decode_error::unknown_type);         // inside a surrogate pair
    EXPECT_EQ(decode_error_of("2:4a2:9x"), decode_error::unknown_type);     // one bad packet
    EXPECT_EQ(decode_error_of("x:4a"), decode_error::unknown_type);
    EXPECT_EQ(decode_error_of("99999999999:4"), decode_error::unknown_type);
    EXPECT_EQ(decode_error_of("3:b4!"), decode_error::bad_base64);
}

TEST(engineio_v3, binary_payloads_decode_text_and_binary_packets) {
    // Text "4hé" (4 UTF-8 bytes), then binary message [4, 0xff, 0x00].
    const std::string body = "\x00\x04\xff" "4h\xc3\xa9" "\x01\x03\xff\x04\xff\x00"s;
    const auto packets = decode_ok(body, true);
    ASSERT_EQ(packets.size(), 2u);
    EXPECT_FALSE(packets[0].binary);
    EXPECT_EQ(packets[0].data, "hé");
    EXPECT_TRUE(packets[1].binary);
    EXPECT_EQ(packets[1].type, packet_type::message);
    EXPECT_EQ(packets[1].data, "\xff\x00"s);
    EXPECT_EQ(decode_error_of("\x02\x01\xff" "4"s, true), decode_error::unknown_type);     // flag
    EXPECT_EQ(decode_error_of("\x00\x09\xff" "4"s, true), decode_error::unknown_type);     // past the end
    EXPECT_EQ(decode_error_of("\x00\x0a\xff" "4"s, true), decode_error::unknown_type);     // digit > 9
    EXPECT_EQ(decode_error_of("\x00\x01"s, true), decode_error::unknown_type);             // no 0xff
}

TEST(engineio_v3, payloads_encode_as_the_reference_writes_them) {
    const std::vector<eio::wire_packet_ptr> text_only = {eio::wire_packet::message("2[\"a🚀\"]"),
                                                         eio::wire_packet::text(packet_type::pong)};
    const auto text = eio::v3::encode_payload(text_only, true);
    EXPECT_FALSE(text.binary);
    EXPECT_EQ(text.body, "9:42[\"a🚀\"]1:3");

    const std::vector<eio::wire_packet_ptr> with_binary = {eio::wire_packet::message("x"),
                                                           eio::wire_packet::binary("\x01\x02\x03")};
    const auto b64 = eio::v3::encode_payload(with_binary, false);
    EXPECT_FALSE(b64.binary);
    EXPECT_EQ(b64.body, "2:4x6:b4AQID");
    const auto xhr2 = eio::v3::encode_payload(with_binary, true);
    EXPECT_TRUE(xhr2.binary);
    EXPECT_EQ(xhr2.body, "\x00\x02\xff" "4x" "\x01\x04\xff\x04\x01\x02\x03"s);
    // And back.
    const auto packets = decode_ok(xhr2.body, true);
    ASSERT_EQ(packets.size(), 2u);
    EXPECT_EQ(packets[1].data, "\x01\x02\x03"s);
}

TEST(engineio_v3, websocket_binary_frames_start_with_the_type) {
    packet p;
    ASSERT_EQ(eio::v3::decode_binary_frame("\x04\x00\x01"s, p), decode_error::none);
    EXPECT_EQ(p.type, packet_type::message);
    EXPECT_EQ(p.data, "\x00\x01"s);
    EXPECT_EQ(eio::v3::decode_binary_frame("", p), decode_error::empty);
    EXPECT_EQ(eio::v3::decode_binary_frame("\x07"s, p), decode_error::unknown_type);
    EXPECT_EQ(eio::v3::binary_message("\x09"s)->payload(), "\x04\x09"s);
}
