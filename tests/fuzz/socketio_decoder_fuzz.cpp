// libFuzzer target for the Socket.IO v5 packet codec (kernel/socketio/packet.cpp).
//
// The input is a sequence of Engine.IO messages separated by 0x1e (the polling record
// separator, which Socket.IO text never contains); a message starting with 0x01 is a
// binary message of the bytes after it, any other is a text message. They all go to one
// decoder, so attachment counting, out-of-order text and binary, and recovery after
// errors are exercised together.
//
// Properties, any violation aborts:
// - the codec never throws;
// - after an error the decoder is idle and hands out no packet;
// - every decoded packet survives encode -> decode unchanged, and encoding it again gives
//   the same bytes (encode is a fixed point once normalised);
// - arbitrary bytes as a string argument encode without throwing and decode back (equal
//   when they were valid UTF-8), and as a binary argument come back byte for byte;
// - arbitrary bytes as a namespace come back unchanged, or are refused as bad_namespace
//   exactly when they are not UTF-8.
#include "kernel/socketio/packet.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio = switchboard::kernel::socketio;

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "socketio_decoder_fuzz: %s\n", what);
    std::abort();
}

void check(bool condition, const char* what) {
    if (!condition) {
        fail(what);
    }
}

bool same_packet(const sio::packet& a, const sio::packet& b) {
    if (a.type != b.type || a.nsp != b.nsp || a.id != b.id || a.has_data() != b.has_data()) {
        return false;
    }
    return !a.has_data() || a.data == b.data;
}

std::size_t count_binaries(const sio::json& node) {
    if (node.is_binary()) {
        return 1;
    }
    std::size_t count = 0;
    if (node.is_structured()) {
        for (const auto& child : node) {
            count += count_binaries(child);
        }
    }
    return count;
}

// Decodes one encoded packet with a fresh decoder; every step must succeed.
sio::packet decode_encoded(const sio::encoded_packet& encoded) {
    // A decoded attachment named by several placeholders is encoded once per placeholder,
    // so the count may exceed the default bound; allow exactly what was produced.
    sio::decoder decoder(encoded.attachments.size() > 64 ? encoded.attachments.size() : 64);
    std::optional<sio::packet> out;
    check(decoder.add_text(encoded.text, out) == sio::decode_error::none,
          "re-decode of text failed");
    for (const std::string& attachment : encoded.attachments) {
        check(!out.has_value(), "packet complete before its last attachment");
        check(decoder.add_binary(attachment, out) == sio::decode_error::none,
              "re-decode of attachment failed");
    }
    check(out.has_value(), "re-decode gave no packet");
    check(!decoder.awaiting_attachments(), "decoder still waiting after the last attachment");
    return std::move(*out);
}

void check_round_trip(const sio::packet& p) {
    const sio::encoded_packet encoded = sio::encode(p);
    check(!encoded.text.empty(), "empty encoding");
    check(encoded.attachments.size() == (p.has_data() ? count_binaries(p.data) : 0),
          "attachment count differs from the binaries in the packet");
    const sio::packet back = decode_encoded(encoded);
    check(same_packet(back, p), "round trip changed the packet");
    const sio::encoded_packet again = sio::encode(back);
    check(again.text == encoded.text && again.attachments == encoded.attachments,
          "encoding is not stable across a round trip");
}

bool is_strict_utf8(const std::string& text) {
    try {
        (void)sio::json(text).dump();
        return true;
    } catch (const sio::json::type_error&) {
        return false;
    }
}

// The fuzz input used as data the server itself would send: a string argument, a binary
// argument, and a namespace.
void check_arbitrary_bytes(const std::uint8_t* data, std::size_t size) {
    const std::string raw(reinterpret_cast<const char*>(data), size);
    sio::packet p;
    p.type = sio::packet_type::event;
    p.id = static_cast<std::int64_t>(size);
    p.data = sio::json::array(
        {"bytes", raw, sio::json::binary(std::vector<std::uint8_t>(data, data + size))});
    const sio::encoded_packet encoded = sio::encode(p);
    const sio::packet back = decode_encoded(encoded);
    check(back.data.size() == 3 && back.data[1].is_string() && back.data[2].is_binary(),
          "arbitrary bytes: wrong shape");
    check(back.data[2].get_binary() == p.data[2].get_binary(), "arbitrary bytes: binary changed");
    if (is_strict_utf8(raw)) {
        check(back.data[1] == raw, "arbitrary bytes: valid UTF-8 string changed");
    }
    check_round_trip(back);

    std::string nsp = "/";
    for (std::size_t i = 0; i < size && i < 16; ++i) {
        if (data[i] != ',') {
            nsp.push_back(static_cast<char>(data[i]));
        }
    }
    sio::packet connect;
    connect.type = sio::packet_type::connect;
    connect.nsp = nsp;
    sio::decoder decoder;
    std::optional<sio::packet> out;
    const sio::decode_error error = decoder.add_text(sio::encode(connect).text, out);
    if (is_strict_utf8(nsp)) {
        check(error == sio::decode_error::none && out && out->nsp == nsp, "namespace changed");
    } else {
        check(error == sio::decode_error::bad_namespace && !out, "invalid namespace accepted");
    }
}

void run(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    sio::decoder decoder(8);
    while (true) {
        const std::size_t end = input.find('\x1e');
        const std::string_view message = input.substr(0, end);
        std::optional<sio::packet> out;
        sio::decode_error error;
        if (!message.empty() && message[0] == '\x01') {
            const bool was_waiting = decoder.awaiting_attachments();
            error = decoder.add_binary(message.substr(1), out);
            check(was_waiting || error == sio::decode_error::unexpected_binary,
                  "binary accepted while idle");
        } else {
            const bool was_waiting = decoder.awaiting_attachments();
            error = decoder.add_text(message, out);
            check(!was_waiting || error == sio::decode_error::unexpected_text,
                  "text accepted while waiting for attachments");
        }
        if (error != sio::decode_error::none) {
            check(!out.has_value(), "packet handed out with an error");
            check(!decoder.awaiting_attachments(), "decoder not idle after an error");
            check(!sio::to_string(error).empty(), "unnamed error");
        } else if (out.has_value()) {
            check(!decoder.awaiting_attachments(), "packet handed out while still waiting");
            check(out->type != sio::packet_type::binary_event &&
                      out->type != sio::packet_type::binary_ack,
                  "decoded packet kept a BINARY_* type");
            check(!out->nsp.empty() && out->nsp[0] == '/', "namespace without '/'");
            check_round_trip(*out);
        }
        if (end == std::string_view::npos) {
            break;
        }
        input.remove_prefix(end + 1);
    }
    // Reset must always bring the decoder back to a usable state.
    decoder.reset();
    check(!decoder.awaiting_attachments(), "reset left a pending packet");
    std::optional<sio::packet> out;
    check(decoder.add_text("0", out) == sio::decode_error::none && out,
          "decoder unusable after reset");

    check_arbitrary_bytes(data, size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        run(data, size);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "socketio_decoder_fuzz: exception: %s\n", e.what());
        std::abort();
    }
    return 0;
}
