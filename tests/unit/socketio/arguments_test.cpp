// The arguments boundary (#12): the decoder keeps the client's argument text, and
// arguments text handed in for sending is checked and spliced without a parse + dump.
#include "kernel/socketio/packet.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace sio = switchboard::kernel::socketio;

namespace {

sio::packet decode(std::string_view text) {
    sio::decoder d;
    std::optional<sio::packet> out;
    EXPECT_EQ(d.add_text(text, out), sio::decode_error::none) << text;
    EXPECT_TRUE(out.has_value()) << text;
    return out ? std::move(*out) : sio::packet{};
}

}  // namespace

TEST(arguments, an_event_keeps_its_arguments_as_written) {
    EXPECT_EQ(decode(R"(2["m",{"token":"abc","n":1},1.0,-0,1e-7])").args_text, R"([{"token":"abc","n":1},1.0,-0,1e-7])");
    EXPECT_EQ(decode(R"(2/chat,7["m" , 9007199254740993 ])").args_text, "[ 9007199254740993 ]");
    EXPECT_EQ(decode(R"(2["only"])").args_text, "[]");
    EXPECT_EQ(decode(R"(2[ "a\"]b" ])").args_text, "[]");
    EXPECT_EQ(decode(R"(2[42,"x"])").args_text, R"(["x"])");
    EXPECT_EQ(decode(R"(2["e\u00e9","\u2028"])").args_text, R"(["\u2028"])");
}

TEST(arguments, an_ack_keeps_its_array) {
    const auto p = decode(R"(31[{"b":1,"a":2}])");
    EXPECT_EQ(p.args_text, R"([{"b":1,"a":2}])");
    EXPECT_EQ(p.id, 1);
}

TEST(arguments, a_lone_surrogate_is_passed_on_as_the_decoder_read_it) {
    EXPECT_EQ(decode(R"(2["m","a\ud800b"])").args_text, R"(["a\uFFFDb"])");
}

TEST(arguments, binary_packets_keep_placeholders_and_attachments_in_order) {
    sio::decoder d;
    std::optional<sio::packet> out;
    ASSERT_EQ(d.add_text(R"(52-["m",{"z":{"_placeholder":true,"num":1},"a":[{"_placeholder":true,"num":0}]}])", out),
              sio::decode_error::none);
    ASSERT_EQ(d.add_binary("first", out), sio::decode_error::none);
    ASSERT_EQ(d.add_binary("second", out), sio::decode_error::none);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->args_text, R"([{"z":{"_placeholder":true,"num":1},"a":[{"_placeholder":true,"num":0}]}])");
    EXPECT_EQ(out->attachments, (std::vector<std::string>{"first", "second"}));
    EXPECT_TRUE(out->data[1]["z"].is_binary());   // the tree has the bytes in place
}

TEST(arguments, text_to_send_is_checked) {
    EXPECT_TRUE(sio::are_arguments_valid(R"([{"b":1,"a":2}])", 0));
    EXPECT_TRUE(sio::are_arguments_valid(" [] ", 0));
    EXPECT_FALSE(sio::are_arguments_valid(R"({"a":1})", 0));
    EXPECT_FALSE(sio::are_arguments_valid("[1,", 0));
    EXPECT_FALSE(sio::are_arguments_valid("[\"\xff\"]", 0));
    EXPECT_FALSE(sio::are_arguments_valid(std::string("[1]\0[", 5), 0));
    EXPECT_FALSE(sio::are_arguments_valid(std::string(129, '[') + std::string(129, ']'), 0));
    EXPECT_TRUE(sio::are_arguments_valid(R"([{"_placeholder":true,"num":0}])", 1));
    EXPECT_FALSE(sio::are_arguments_valid(R"([{"_placeholder":true,"num":1}])", 1));
}

TEST(arguments, spliced_into_the_packet_as_they_are) {
    EXPECT_EQ(sio::encode_arguments("/", sio::no_ack_id, "back", {R"([{"b":1,"a":1.0}, -0])", {}}).text,
              R"(2["back",{"b":1,"a":1.0}, -0])");
    EXPECT_EQ(sio::encode_arguments("/chat", 4, "q", {"[]", {}}).text, R"(2/chat,4["q"])");
    EXPECT_EQ(sio::encode_arguments("/", 3, {}, {"[1e-7]", {}}).text, "33[1e-7]");
    const auto binary = sio::encode_arguments("/", sio::no_ack_id, "b", {R"([{"_placeholder":true,"num":0}])", {"xy"}});
    EXPECT_EQ(binary.text, R"(51-["b",{"_placeholder":true,"num":0}])");
    EXPECT_EQ(binary.attachments, (std::vector<std::string>{"xy"}));
    EXPECT_EQ(sio::encode_arguments("/", 0, {}, {R"([{"_placeholder":true,"num":0}])", {"xy"}}).text,
              R"(61-0[{"_placeholder":true,"num":0}])");
}

TEST(arguments, decoding_counts_one_parse_and_splicing_no_dump) {
    auto& work = sio::payload_work();
    const auto parses = work.parses.load();
    const auto dumps = work.dumps.load();
    auto p = decode(R"(2["m",{"k":1}])");
    sio::encode_arguments("/", sio::no_ack_id, "m", {std::move(p.args_text), {}});
    EXPECT_EQ(work.parses.load() - parses, 1u);
    EXPECT_EQ(work.dumps.load() - dumps, 0u);
}
