#include "kernel/net/websocket_frame.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::kernel::net {
namespace {

using status = ws_parse_status;

constexpr std::array<std::uint8_t, 4> default_key = {0x37, 0xfa, 0x21, 0x3d};

// How a test frame states its length: the shortest form, or a forced (possibly
// non-minimal) 16- or 64-bit form.
enum class length_form { shortest, bits16, bits64 };

struct frame_options {
    bool masked = true;
    length_form form = length_form::shortest;
    std::array<std::uint8_t, 4> key = default_key;
};

// A client frame as a browser would send it (masked), with knobs to break the rules.
std::string client_frame(std::uint8_t byte0, std::string_view payload, frame_options options = {}) {
    const std::uint64_t length = payload.size();
    const std::uint8_t mask_bit = options.masked ? 0x80 : 0x00;
    std::string out;
    out += static_cast<char>(byte0);
    length_form form = options.form;
    if (form == length_form::shortest) {
        form = length <= 125 ? length_form::shortest
                             : (length <= 0xFFFF ? length_form::bits16 : length_form::bits64);
    }
    if (form == length_form::shortest) {
        out += static_cast<char>(mask_bit | length);
    } else {
        const int width = form == length_form::bits16 ? 2 : 8;
        out += static_cast<char>(mask_bit | (width == 2 ? 126 : 127));
        for (int i = width - 1; i >= 0; --i) out += static_cast<char>(length >> (8 * i));
    }
    if (options.masked) {
        for (auto b : options.key) out += static_cast<char>(b);
    }
    for (std::size_t i = 0; i < payload.size(); ++i) {
        const std::uint8_t m = options.masked ? options.key[i % 4] : 0;
        out += static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ m);
    }
    return out;
}

// Turns a frame the server wrote into the frame a client would send: mask bit, key,
// masked payload.
std::string mask_server_frame(std::string_view frame, std::array<std::uint8_t, 4> key) {
    const auto len7 = static_cast<std::uint8_t>(frame[1]) & 0x7F;
    const std::size_t header = len7 == 126 ? 4 : (len7 == 127 ? 10 : 2);
    std::string out(frame.substr(0, header));
    out[1] = static_cast<char>(static_cast<std::uint8_t>(out[1]) | 0x80);
    for (auto b : key) out += static_cast<char>(b);
    for (std::size_t i = header; i < frame.size(); ++i) {
        out += static_cast<char>(static_cast<std::uint8_t>(frame[i]) ^ key[(i - header) % 4]);
    }
    return out;
}

constexpr std::uint8_t fin = 0x80;
constexpr std::uint8_t op_cont = 0x0;
constexpr std::uint8_t op_text = 0x1;
constexpr std::uint8_t op_binary = 0x2;
constexpr std::uint8_t op_close = 0x8;
constexpr std::uint8_t op_ping = 0x9;
constexpr std::uint8_t op_pong = 0xA;

struct event {
    event(status s, ws_opcode o = ws_opcode::text, std::string p = {})
        : st(s), opcode(o), payload(std::move(p)) {}
    status st;
    ws_opcode opcode;
    std::string payload;
    bool operator==(const event&) const = default;
};

std::ostream& operator<<(std::ostream& os, const event& e) {
    return os << "{status " << static_cast<int>(e.st) << ", opcode " << static_cast<int>(e.opcode)
              << ", " << e.payload.size() << " bytes}";
}

// Plays the caller: appends each chunk to its buffer, parses until need_more, drops
// what was consumed. Stops at the first error, which it records.
std::vector<event> feed(std::string_view stream, const std::vector<std::size_t>& cuts,
                        std::size_t max_message_size = 1 << 20) {
    ws_frame_parser parser(max_message_size);
    std::vector<event> events;
    std::string buffer;
    std::size_t start = 0;
    std::vector<std::size_t> ends = cuts;
    ends.push_back(stream.size());
    for (std::size_t end : ends) {
        buffer.append(stream.substr(start, end - start));
        start = end;
        for (;;) {
            std::size_t consumed = 0;
            ws_message message;
            const status st = parser.parse(buffer.data(), buffer.size(), consumed, message);
            EXPECT_LE(consumed, buffer.size());
            if (st == status::message) {
                events.push_back({st, message.opcode, std::string(message.payload)});
                buffer.erase(0, consumed);
                continue;
            }
            if (st == status::need_more) {
                buffer.erase(0, consumed);
                break;
            }
            events.push_back({st});
            return events;
        }
    }
    return events;
}

std::vector<event> feed_whole(std::string_view stream, std::size_t max = 1 << 20) {
    return feed(stream, {}, max);
}

std::vector<event> feed_bytewise(std::string_view stream, std::size_t max = 1 << 20) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
    return feed(stream, cuts, max);
}

// The outcome must not depend on how the stream was cut into reads.
void expect_split_invariant(std::string_view stream, const std::vector<event>& expected,
                            std::size_t max = 1 << 20) {
    EXPECT_EQ(feed_whole(stream, max), expected);
    EXPECT_EQ(feed_bytewise(stream, max), expected);
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        EXPECT_EQ(feed(stream, {cut}, max), expected) << "cut at " << cut;
    }
}

status parse_one(std::string stream, std::size_t max = 1 << 20) {
    ws_frame_parser parser(max);
    std::size_t consumed = 0;
    ws_message message;
    return parser.parse(stream.data(), stream.size(), consumed, message);
}

std::string bytes(std::initializer_list<int> values) {
    std::string out;
    for (int v : values) out += static_cast<char>(v);
    return out;
}

// --- handshake ---------------------------------------------------------------------

TEST(websocket_accept_key, rfc6455_example) {
    // RFC 6455 section 1.3.
    EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

// --- writing -----------------------------------------------------------------------

TEST(write_frame_header, length_forms) {
    std::uint8_t out[ws_max_server_header];

    ASSERT_EQ(write_frame_header(ws_opcode::text, 0, out), 2u);
    EXPECT_EQ(out[0], 0x81);
    EXPECT_EQ(out[1], 0x00);

    ASSERT_EQ(write_frame_header(ws_opcode::binary, 125, out), 2u);
    EXPECT_EQ(out[0], 0x82);
    EXPECT_EQ(out[1], 125);

    ASSERT_EQ(write_frame_header(ws_opcode::text, 126, out), 4u);
    EXPECT_EQ(out[1], 126);
    EXPECT_EQ(out[2], 0x00);
    EXPECT_EQ(out[3], 126);

    ASSERT_EQ(write_frame_header(ws_opcode::text, 0xFFFF, out), 4u);
    EXPECT_EQ(out[2], 0xFF);
    EXPECT_EQ(out[3], 0xFF);

    ASSERT_EQ(write_frame_header(ws_opcode::text, 0x10000, out), 10u);
    EXPECT_EQ(out[1], 127);
    const std::uint8_t expected_65536[] = {0, 0, 0, 0, 0, 1, 0, 0};
    for (int i = 0; i < 8; ++i) EXPECT_EQ(out[2 + i], expected_65536[i]) << i;

    ASSERT_EQ(write_frame_header(ws_opcode::pong, 0x0102030405060708ull, out), 10u);
    EXPECT_EQ(out[0], 0x8A);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(out[2 + i], i + 1) << i;
}

TEST(make_frame, header_then_payload) {
    EXPECT_EQ(make_frame(ws_opcode::text, "Hello"), bytes({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}));
    EXPECT_EQ(make_frame(ws_opcode::ping, ""), bytes({0x89, 0x00}));
    const std::string big(300, 'x');
    const std::string frame = make_frame(ws_opcode::binary, big);
    ASSERT_EQ(frame.size(), 4 + big.size());
    EXPECT_EQ(frame.substr(0, 4), bytes({0x82, 126, 0x01, 0x2C}));
    EXPECT_EQ(frame.substr(4), big);
}

// Every length around the unmasking loop's word and block boundaries, and each length
// form, survives write -> mask -> parse.
TEST(make_frame, round_trips_through_the_parser) {
    std::vector<std::size_t> sizes;
    for (std::size_t n = 0; n <= 140; ++n) sizes.push_back(n);
    for (std::size_t n : {255u, 256u, 1000u, 65535u, 65536u, 70001u}) sizes.push_back(n);
    for (std::size_t n : sizes) {
        std::string payload(n, '\0');
        for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>((i * 131 + 7) & 0xFF);
        std::string stream = mask_server_frame(make_frame(ws_opcode::binary, payload),
                                               {0xA1, 0x00, 0xFF, 0x5C});
        ws_frame_parser parser(1 << 20);
        std::size_t consumed = 0;
        ws_message message;
        ASSERT_EQ(parser.parse(stream.data(), stream.size(), consumed, message), status::message) << n;
        EXPECT_EQ(consumed, stream.size());
        EXPECT_EQ(message.opcode, ws_opcode::binary);
        EXPECT_EQ(message.payload, payload) << n;
    }
}

TEST(make_close_frame, code_is_big_endian) {
    EXPECT_EQ(make_close_frame(ws_close_code::normal), bytes({0x88, 0x02, 0x03, 0xE8}));
    EXPECT_EQ(make_close_frame(ws_close_code::too_big, "big"),
              bytes({0x88, 0x05, 0x03, 0xF1, 'b', 'i', 'g'}));
}

TEST(make_close_frame, reason_truncated_on_a_character_boundary) {
    const std::string ascii_123(123, 'a');
    EXPECT_EQ(make_close_frame(ws_close_code::normal, ascii_123).size(), 2u + 125u);
    EXPECT_EQ(make_close_frame(ws_close_code::normal, ascii_123 + "b").size(), 2u + 125u);

    std::string two_byte, three_byte, four_byte;
    for (int i = 0; i < 100; ++i) two_byte += "\xC3\xA9";            // é
    for (int i = 0; i < 100; ++i) three_byte += "\xE2\x82\xAC";      // €
    for (int i = 0; i < 100; ++i) four_byte += "\xF0\x9F\x98\x80";   // 😀
    for (const std::string& reason : {two_byte, three_byte, four_byte, "a" + three_byte,
                                      "ab" + four_byte}) {
        const std::string frame = make_close_frame(ws_close_code::going_away, reason);
        ASSERT_LE(frame.size(), 2u + 125u);
        const std::string_view sent_reason = std::string_view(frame).substr(4);
        EXPECT_TRUE(is_valid_utf8(sent_reason));
        EXPECT_EQ(reason.substr(0, sent_reason.size()), sent_reason);
        EXPECT_GT(sent_reason.size(), 123u - 4u);   // dropped at most one character
        // And a client echoing it back passes our own close checks.
        EXPECT_EQ(parse_one(mask_server_frame(frame, default_key)), status::message);
    }
}

// --- parsing: the happy paths ------------------------------------------------------

TEST(ws_frame_parser, rfc6455_masked_hello_is_zero_copy) {
    // RFC 6455 section 5.7: a single-frame masked text message containing "Hello".
    std::string stream = bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    ws_frame_parser parser(1024);
    std::size_t consumed = 0;
    ws_message message;
    ASSERT_EQ(parser.parse(stream.data(), stream.size(), consumed, message), status::message);
    EXPECT_EQ(consumed, stream.size());
    EXPECT_EQ(message.opcode, ws_opcode::text);
    EXPECT_EQ(message.payload, "Hello");
    EXPECT_EQ(message.payload.data(), stream.data() + 6);   // unmasked in place
    EXPECT_EQ(parser.buffered(), 0u);
}

TEST(ws_frame_parser, several_messages_in_one_read_come_one_per_call) {
    std::string stream = client_frame(fin | op_text, "one") + client_frame(fin | op_binary, "two") +
                         client_frame(fin | op_ping, "p");
    ws_frame_parser parser(1024);
    std::size_t consumed = 0;
    ws_message message;
    ASSERT_EQ(parser.parse(stream.data(), stream.size(), consumed, message), status::message);
    EXPECT_EQ(message.payload, "one");
    EXPECT_EQ(consumed, 9u);
    stream.erase(0, consumed);
    ASSERT_EQ(parser.parse(stream.data(), stream.size(), consumed, message), status::message);
    EXPECT_EQ(message.opcode, ws_opcode::binary);
    EXPECT_EQ(message.payload, "two");
    stream.erase(0, consumed);
    ASSERT_EQ(parser.parse(stream.data(), stream.size(), consumed, message), status::message);
    EXPECT_EQ(message.opcode, ws_opcode::ping);
    stream.erase(0, consumed);
    EXPECT_TRUE(stream.empty());
    EXPECT_EQ(parser.parse(stream.data(), stream.size(), consumed, message), status::need_more);
    EXPECT_EQ(consumed, 0u);
}

TEST(ws_frame_parser, partial_frame_is_left_in_the_buffer) {
    const std::string frame = client_frame(fin | op_text, "Hello");
    for (std::size_t n = 0; n < frame.size(); ++n) {
        std::string partial = frame.substr(0, n);
        ws_frame_parser parser(1024);
        std::size_t consumed = 99;
        ws_message message;
        EXPECT_EQ(parser.parse(partial.data(), partial.size(), consumed, message), status::need_more);
        EXPECT_EQ(consumed, 0u);
        EXPECT_EQ(partial, frame.substr(0, n)) << "nothing unmasked before the frame is whole";
    }
}

TEST(ws_frame_parser, every_split_point_gives_the_same_messages) {
    std::string many_lengths;
    std::vector<event> expected;
    for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 31u, 32u, 33u, 125u, 126u, 200u}) {
        const std::string payload(n, static_cast<char>('a' + n % 26));
        many_lengths += client_frame(fin | op_text, payload);
        expected.push_back({status::message, ws_opcode::text, payload});
    }
    expect_split_invariant(many_lengths, expected);

    const std::string mixed = client_frame(fin | op_text, "{\"hi\":\"\xC3\xA9\"}") +
                              client_frame(fin | op_pong, "") +
                              client_frame(fin | op_binary, std::string("\0\xFF\x80", 3)) +
                              client_frame(fin | op_close, bytes({0x03, 0xE8}) + "bye");
    expect_split_invariant(mixed, {{status::message, ws_opcode::text, "{\"hi\":\"\xC3\xA9\"}"},
                                   {status::message, ws_opcode::pong, ""},
                                   {status::message, ws_opcode::binary, std::string("\0\xFF\x80", 3)},
                                   {status::message, ws_opcode::close, bytes({0x03, 0xE8}) + "bye"}});
}

TEST(ws_frame_parser, non_minimal_lengths_are_accepted) {
    expect_split_invariant(client_frame(fin | op_text, "abc", {.form = length_form::bits16}),
                           {{status::message, ws_opcode::text, "abc"}});
    expect_split_invariant(client_frame(fin | op_text, "abc", {.form = length_form::bits64}),
                           {{status::message, ws_opcode::text, "abc"}});
    const std::string medium(300, 'm');
    EXPECT_EQ(feed_whole(client_frame(fin | op_binary, medium, {.form = length_form::bits64})),
              (std::vector<event>{{status::message, ws_opcode::binary, medium}}));
}

TEST(ws_frame_parser, big_messages_use_the_extended_lengths) {
    const std::string sixteen(65535, 's');
    const std::string sixty_four(65536 + 3, 'l');
    const std::string stream =
        client_frame(fin | op_binary, sixteen) + client_frame(fin | op_text, sixty_four);
    EXPECT_EQ(stream[1], static_cast<char>(0x80 | 126));
    const auto events = feed(stream, {3, 9, 70000, 131000});
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].payload, sixteen);
    EXPECT_EQ(events[1].payload, sixty_four);
}

// --- fragmentation -----------------------------------------------------------------

TEST(ws_frame_parser, fragmented_message_with_interleaved_ping) {
    const std::string stream = client_frame(op_text, "Hel") + client_frame(fin | op_ping, "are you there") +
                               client_frame(op_cont, "") + client_frame(op_cont, "l") +
                               client_frame(fin | op_cont, "o") + client_frame(fin | op_binary, "next");
    expect_split_invariant(stream, {{status::message, ws_opcode::ping, "are you there"},
                                    {status::message, ws_opcode::text, "Hello"},
                                    {status::message, ws_opcode::binary, "next"}});
}

TEST(ws_frame_parser, absorbed_fragment_reports_need_more_with_consumed) {
    std::string stream = client_frame(op_binary, "abc");
    const std::size_t first_size = stream.size();
    stream += client_frame(fin | op_cont, "def").substr(0, 4);   // half of the last fragment
    ws_frame_parser parser(1024);
    std::size_t consumed = 0;
    ws_message message;
    ASSERT_EQ(parser.parse(stream.data(), stream.size(), consumed, message), status::need_more);
    EXPECT_EQ(consumed, first_size);
    EXPECT_EQ(parser.buffered(), 3u);
    stream.erase(0, consumed);
    // Nothing more to do without new bytes.
    ASSERT_EQ(parser.parse(stream.data(), stream.size(), consumed, message), status::need_more);
    EXPECT_EQ(consumed, 0u);

    stream = client_frame(fin | op_cont, "def");
    ASSERT_EQ(parser.parse(stream.data(), stream.size(), consumed, message), status::message);
    EXPECT_EQ(message.opcode, ws_opcode::binary);
    EXPECT_EQ(message.payload, "abcdef");
    EXPECT_EQ(consumed, stream.size());
    // The joined message stays valid until the next call, which releases it.
    stream.clear();
    ASSERT_EQ(parser.parse(stream.data(), stream.size(), consumed, message), status::need_more);
    EXPECT_EQ(parser.buffered(), 0u);
}

TEST(ws_frame_parser, empty_fragmented_message) {
    expect_split_invariant(client_frame(op_text, "") + client_frame(fin | op_cont, ""),
                           {{status::message, ws_opcode::text, ""}});
}

TEST(ws_frame_parser, two_fragmented_messages_in_a_row) {
    const std::string stream = client_frame(op_text, "ab") + client_frame(fin | op_cont, "c") +
                               client_frame(op_binary, "x") + client_frame(fin | op_cont, "yz");
    expect_split_invariant(stream, {{status::message, ws_opcode::text, "abc"},
                                    {status::message, ws_opcode::binary, "xyz"}});
}

TEST(ws_frame_parser, continuation_without_a_message_is_a_protocol_error) {
    expect_split_invariant(client_frame(fin | op_cont, "x"), {{status::protocol_error}});
    expect_split_invariant(client_frame(op_cont, "x"), {{status::protocol_error}});
    expect_split_invariant(client_frame(op_text, "a") + client_frame(fin | op_cont, "b") +
                               client_frame(fin | op_cont, "c"),
                           {{status::message, ws_opcode::text, "ab"}, {status::protocol_error}});
}

TEST(ws_frame_parser, new_data_frame_inside_a_fragmented_message_is_a_protocol_error) {
    expect_split_invariant(client_frame(op_text, "a") + client_frame(fin | op_text, "b"),
                           {{status::protocol_error}});
    expect_split_invariant(client_frame(op_binary, "a") + client_frame(op_binary, "b"),
                           {{status::protocol_error}});
}

// --- protocol errors ---------------------------------------------------------------

TEST(ws_frame_parser, unmasked_client_frame_is_a_protocol_error) {
    // RFC 6455 section 5.7's unmasked "Hello" is what a server sends, never a client.
    expect_split_invariant(bytes({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}), {{status::protocol_error}});
    expect_split_invariant(client_frame(fin | op_ping, "", {.masked = false}), {{status::protocol_error}});
}

TEST(ws_frame_parser, rsv_bits_are_a_protocol_error) {
    for (std::uint8_t rsv : {0x40, 0x20, 0x10, 0x70}) {
        expect_split_invariant(client_frame(fin | rsv | op_text, "x"), {{status::protocol_error}});
        expect_split_invariant(client_frame(fin | rsv | op_ping, ""), {{status::protocol_error}});
    }
}

TEST(ws_frame_parser, unknown_opcodes_are_a_protocol_error) {
    for (std::uint8_t op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
        expect_split_invariant(client_frame(fin | op, "x"), {{status::protocol_error}});
    }
    // Even after a good message, and even with only the first byte in.
    expect_split_invariant(client_frame(fin | op_text, "ok") + bytes({0x83}),
                           {{status::message, ws_opcode::text, "ok"}, {status::protocol_error}});
}

TEST(ws_frame_parser, control_frame_rules) {
    const std::string max_ping(125, 'p');
    expect_split_invariant(client_frame(fin | op_ping, max_ping),
                           {{status::message, ws_opcode::ping, max_ping}});
    expect_split_invariant(client_frame(fin | op_ping, std::string(126, 'p')), {{status::protocol_error}});
    // A small payload in the 16-bit form is still over the 7-bit control limit.
    expect_split_invariant(client_frame(fin | op_pong, "p", {.form = length_form::bits16}),
                           {{status::protocol_error}});
    for (std::uint8_t op : {op_close, op_ping, op_pong}) {
        expect_split_invariant(client_frame(op, ""), {{status::protocol_error}});   // no FIN
    }
    // Control frames are not data: the message limit does not apply to them.
    expect_split_invariant(client_frame(fin | op_ping, "abc"), {{status::message, ws_opcode::ping, "abc"}}, 0);
}

TEST(ws_frame_parser, length_with_top_bit_is_a_protocol_error) {
    const std::string header = bytes({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1});
    expect_split_invariant(header, {{status::protocol_error}}, ~std::size_t{0});
    EXPECT_EQ(feed_whole(header + "abcd", ~std::size_t{0}), (std::vector<event>{{status::protocol_error}}));
}

// --- size limit --------------------------------------------------------------------

TEST(ws_frame_parser, too_big_is_detected_from_the_header) {
    EXPECT_EQ(feed_whole(client_frame(fin | op_text, "Hello"), 5),
              (std::vector<event>{{status::message, ws_opcode::text, "Hello"}}));
    expect_split_invariant(client_frame(fin | op_text, "Hello!"), {{status::too_big}}, 5);

    // Only the 10 header bytes of a frame claiming 1 TB: refused before any payload.
    std::string header = bytes({0x82, 0xFF, 0, 0, 0x01, 0, 0, 0, 0, 0});
    ws_frame_parser parser(1 << 20);
    std::size_t consumed = 0;
    ws_message message;
    EXPECT_EQ(parser.parse(header.data(), 2, consumed, message), status::need_more);
    EXPECT_EQ(parser.parse(header.data(), 9, consumed, message), status::need_more);
    EXPECT_EQ(parser.parse(header.data(), 10, consumed, message), status::too_big);

    // The 16-bit form, with its 4 header bytes.
    std::string header16 = bytes({0x81, 0xFE, 0x01, 0x00});
    ws_frame_parser small(255);
    EXPECT_EQ(small.parse(header16.data(), header16.size(), consumed, message), status::too_big);
}

TEST(ws_frame_parser, too_big_counts_all_fragments) {
    const std::string stream = client_frame(op_binary, "abc") + client_frame(fin | op_ping, "") +
                               client_frame(op_cont, "de") + client_frame(fin | op_cont, "f");
    // 3 + 2 bytes fit a 5-byte limit; the third fragment's header tips it over.
    expect_split_invariant(stream, {{status::message, ws_opcode::ping, ""}, {status::too_big}}, 5);
}

// --- UTF-8 in messages -------------------------------------------------------------

TEST(ws_frame_parser, text_must_be_utf8_but_binary_need_not) {
    expect_split_invariant(client_frame(fin | op_text, "ab\xC0\xAF"), {{status::invalid_utf8}});
    expect_split_invariant(client_frame(fin | op_binary, "ab\xC0\xAF"),
                           {{status::message, ws_opcode::binary, "ab\xC0\xAF"}});
    expect_split_invariant(client_frame(op_binary, "\xE2\x82") + client_frame(fin | op_cont, "\xFF"),
                           {{status::message, ws_opcode::binary, "\xE2\x82\xFF"}});
}

TEST(ws_frame_parser, a_character_may_straddle_fragments) {
    // € is E2 82 AC; 😀 is F0 9F 98 80.
    expect_split_invariant(client_frame(op_text, "a\xE2") + client_frame(op_cont, "\x82") +
                               client_frame(fin | op_cont, "\xAC" "b\xF0\x9F") ,
                           {{status::invalid_utf8}});
    expect_split_invariant(client_frame(op_text, "a\xE2") + client_frame(op_cont, "\x82") +
                               client_frame(fin | op_cont, "\xAC" "b\xF0\x9F\x98\x80"),
                           {{status::message, ws_opcode::text, "a\xE2\x82\xAC" "b\xF0\x9F\x98\x80"}});
}

TEST(ws_frame_parser, invalid_text_fails_on_the_first_bad_fragment) {
    // F4 90 is already above U+10FFFF: no need to wait for the final fragment, which
    // here never arrives.
    EXPECT_EQ(feed_whole(client_frame(op_text, "ok\xF4\x90")), (std::vector<event>{{status::invalid_utf8}}));
    EXPECT_EQ(feed_whole(client_frame(op_text, "ok\xED\xA0")), (std::vector<event>{{status::invalid_utf8}}));
    EXPECT_EQ(feed_whole(client_frame(op_text, "ok") + client_frame(op_cont, "\xC0")),
              (std::vector<event>{{status::invalid_utf8}}));
    // A truncated character at the end of the whole message.
    expect_split_invariant(client_frame(op_text, "ok\xF0\x9F") + client_frame(fin | op_cont, "\x98"),
                           {{status::invalid_utf8}});
}

// --- close frames ------------------------------------------------------------------

TEST(ws_frame_parser, close_payloads) {
    expect_split_invariant(client_frame(fin | op_close, ""), {{status::message, ws_opcode::close, ""}});
    expect_split_invariant(client_frame(fin | op_close, "\x03"), {{status::protocol_error}});
    const std::string reason = bytes({0x03, 0xE8}) + "\xC3\xA9t\xC3\xA9";
    expect_split_invariant(client_frame(fin | op_close, reason), {{status::message, ws_opcode::close, reason}});
    expect_split_invariant(client_frame(fin | op_close, bytes({0x03, 0xE8}) + "\xCE\xBA\xE1\xBD\xB9\xED\xA0\x80"),
                           {{status::invalid_utf8}});
}

TEST(ws_frame_parser, close_codes) {
    for (unsigned code : {1000u, 1001u, 1002u, 1003u, 1007u, 1008u, 1009u, 1010u, 1011u, 1012u,
                          1013u, 1014u, 3000u, 3999u, 4000u, 4999u}) {
        const std::string payload = bytes({static_cast<int>(code >> 8), static_cast<int>(code & 0xFF)});
        EXPECT_EQ(parse_one(client_frame(fin | op_close, payload)), status::message) << code;
    }
    for (unsigned code : {0u, 999u, 1004u, 1005u, 1006u, 1015u, 1016u, 1100u, 2000u, 2999u, 5000u,
                          65535u}) {
        const std::string payload = bytes({static_cast<int>(code >> 8), static_cast<int>(code & 0xFF)});
        EXPECT_EQ(parse_one(client_frame(fin | op_close, payload)), status::protocol_error) << code;
    }
}

// --- is_valid_utf8 -----------------------------------------------------------------

TEST(is_valid_utf8, accepts_rfc3629_boundaries) {
    for (std::string_view text : {std::string_view(""), std::string_view("plain ascii"),
                                  std::string_view("\x00\x7F", 2),
                                  std::string_view("\xC2\x80"),               // U+0080
                                  std::string_view("\xDF\xBF"),               // U+07FF
                                  std::string_view("\xE0\xA0\x80"),           // U+0800
                                  std::string_view("\xED\x9F\xBF"),           // U+D7FF
                                  std::string_view("\xEE\x80\x80"),           // U+E000
                                  std::string_view("\xEF\xBF\xBF"),           // U+FFFF
                                  std::string_view("\xF0\x90\x80\x80"),       // U+10000
                                  std::string_view("\xF4\x8F\xBF\xBF"),       // U+10FFFF
                                  std::string_view("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"),  // κόσμε
                                  std::string_view("Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!")}) {
        EXPECT_TRUE(is_valid_utf8(text)) << testing::PrintToString(text);
    }
}

TEST(is_valid_utf8, rejects_autobahn_style_cases) {
    for (std::string_view text : {
             std::string_view("\xC0\xAF"),                  // overlong '/'
             std::string_view("\xE0\x80\xAF"),
             std::string_view("\xF0\x80\x80\xAF"),
             std::string_view("\xC1\xBF"),                  // overlong U+007F
             std::string_view("\xE0\x9F\xBF"),              // overlong U+07FF
             std::string_view("\xF0\x8F\xBF\xBF"),          // overlong U+FFFF
             std::string_view("\xED\xA0\x80"),              // U+D800
             std::string_view("\xED\xBF\xBF"),              // U+DFFF
             std::string_view("\xED\xA0\x80\xED\xB0\x80"),  // a surrogate pair in CESU-8
             std::string_view("\xF4\x90\x80\x80"),          // U+110000
             std::string_view("\xF5\x80\x80\x80"),
             std::string_view("\xF8\x88\x80\x80\x80"),      // 5-byte form
             std::string_view("\xFC\x84\x80\x80\x80\x80"),  // 6-byte form
             std::string_view("\xFE"), std::string_view("\xFF"),
             std::string_view("\x80"),                      // lone continuation
             std::string_view("\xBF"),
             std::string_view("a\x80" "b"),
             std::string_view("\xC2"),                      // truncated
             std::string_view("\xE0\xA0"),
             std::string_view("\xF0\x90\x80"),
             std::string_view("\xC2" "a"),                  // continuation missing mid-text
             std::string_view("\xE2\x82" "a"),
             std::string_view("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80" "edited"),
         }) {
        EXPECT_FALSE(is_valid_utf8(text)) << testing::PrintToString(text);
    }
}

// Checks a copy in a buffer of exactly the text's size, so that a sanitizer build
// catches the word-at-a-time scan reading past the end (a std::string has a spare NUL).
bool valid_in_exact_buffer(std::string_view text) {
    const auto copy = std::make_unique<char[]>(text.size());
    if (!text.empty()) std::memcpy(copy.get(), text.data(), text.size());
    return is_valid_utf8(std::string_view(copy.get(), text.size()));
}

TEST(is_valid_utf8, ascii_runs_of_every_length) {
    for (std::size_t length = 0; length <= 70; ++length) {
        EXPECT_TRUE(valid_in_exact_buffer(std::string(length, 'a'))) << length;
        EXPECT_TRUE(valid_in_exact_buffer(std::string(length, 'a') + "\xC3\xA9")) << length;
        EXPECT_FALSE(valid_in_exact_buffer(std::string(length, 'a') + "\xC3")) << length;
    }
}

// The ASCII fast path skips whole words: a bad byte at any offset, including inside or
// just after a skipped word, must still be found.
TEST(is_valid_utf8, bad_byte_at_every_offset_of_an_ascii_run) {
    for (std::size_t length : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 32u, 33u, 40u}) {
        for (std::size_t at = 0; at < length; ++at) {
            std::string text(length, 'a');
            text[at] = '\x80';
            EXPECT_FALSE(valid_in_exact_buffer(text)) << length << " " << at;
            text[at] = '\xC3';   // followed by 'a', or by nothing
            EXPECT_FALSE(valid_in_exact_buffer(text)) << length << " " << at;
            if (at + 1 < length) {
                text[at + 1] = '\xA9';
                EXPECT_TRUE(valid_in_exact_buffer(text)) << length << " " << at;
            }
        }
    }
}

}  // namespace
}  // namespace switchboard::kernel::net
