// framed_buffer: the pre-framed immutable buffer every connection writes as it is. The
// header must be a final, unmasked RFC 6455 frame of the right opcode and length, and
// payload() must be exactly what a transport without framing (long-polling) sends.
#include "kernel/net/framed_buffer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::kernel::net {
namespace {

unsigned byte_at(std::string_view bytes, std::size_t i) { return static_cast<unsigned char>(bytes[i]); }

TEST(framed_buffer, text_frame_carries_lead_then_data) {
    const auto buffer = framed_buffer::text("4", "2[\"chat\",\"hi\"]");
    EXPECT_FALSE(buffer->is_binary());
    EXPECT_EQ(buffer->payload(), "42[\"chat\",\"hi\"]");
    const auto frame = buffer->frame();
    ASSERT_EQ(frame.size(), 2 + buffer->payload().size());
    EXPECT_EQ(byte_at(frame, 0), 0x81u);   // FIN, text
    EXPECT_EQ(byte_at(frame, 1), buffer->payload().size());   // unmasked, 7-bit length
    EXPECT_EQ(frame.substr(2), buffer->payload());
    EXPECT_EQ(buffer->size(), frame.size());
}

TEST(framed_buffer, binary_frame_keeps_bytes_as_they_are) {
    const std::string bytes("\x00\x01\xff", 3);
    const auto buffer = framed_buffer::binary(bytes);
    EXPECT_TRUE(buffer->is_binary());
    EXPECT_EQ(buffer->payload(), bytes);
    EXPECT_EQ(byte_at(buffer->frame(), 0), 0x82u);   // FIN, binary
    EXPECT_EQ(byte_at(buffer->frame(), 1), 3u);
}

TEST(framed_buffer, lengths_past_125_and_65535_use_the_extended_fields) {
    const std::string medium(300, 'm');
    const auto sixteen = framed_buffer::text("", medium);
    EXPECT_EQ(byte_at(sixteen->frame(), 1), 126u);
    EXPECT_EQ(byte_at(sixteen->frame(), 2) << 8 | byte_at(sixteen->frame(), 3), 300u);
    EXPECT_EQ(sixteen->payload(), medium);

    const std::string large(70000, 'l');
    const auto sixty_four = framed_buffer::binary(large);
    EXPECT_EQ(byte_at(sixty_four->frame(), 1), 127u);
    std::uint64_t length = 0;
    for (std::size_t i = 2; i < 10; ++i) length = length << 8 | byte_at(sixty_four->frame(), i);
    EXPECT_EQ(length, 70000u);
    EXPECT_EQ(sixty_four->payload(), large);
}

TEST(framed_buffer, raw_bytes_are_their_own_payload) {
    const auto response = framed_buffer::raw("HTTP/1.1 101 Switching Protocols\r\n\r\n");
    EXPECT_EQ(response->frame(), response->payload());
    EXPECT_FALSE(response->is_binary());
}

}  // namespace
}  // namespace switchboard::kernel::net
