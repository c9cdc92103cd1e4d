// libFuzzer target for the Engine.IO v4 codec: polling payloads, single text packets and
// base64. Besides "never crash", it checks the properties the server relies on:
//   - a body that decodes re-encodes to exactly the same bytes (one spelling per content),
//     and decoding that again gives the same packets;
//   - a failed decode leaves nothing behind;
//   - the packet limit is exact.
#include "kernel/engineio/packet.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace eio = switchboard::kernel::engineio;

namespace {

void check(bool condition, const char* what) {
    if (!condition) {
        std::fprintf(stderr, "engineio fuzz: property violated: %s\n", what);
        std::abort();
    }
}

bool same_packets(const std::vector<eio::packet>& a, const std::vector<eio::packet>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const eio::packet& x, const eio::packet& y) {
                          return x.type == y.type && x.binary == y.binary && x.data == y.data;
                      });
}

void fuzz_payload(std::string_view body) {
    std::vector<eio::packet> packets{eio::packet{eio::packet_type::noop, false, "stale"}};
    const eio::decode_error error = eio::decode_payload(body, packets);
    check(!eio::to_string(error).empty(), "to_string is empty");
    if (error != eio::decode_error::none) {
        check(packets.empty(), "failed decode left packets behind");
        return;
    }

    const auto separators =
        static_cast<std::size_t>(std::count(body.begin(), body.end(), '\x1e'));
    check(packets.size() == separators + 1, "packet count != separators + 1");

    std::string encoded;
    for (const auto& p : packets) {
        check(p.binary || static_cast<std::uint8_t>(p.type) <= 6, "type out of range");
        check(!p.binary || p.type == eio::packet_type::message, "binary packet not a message");
        check(p.binary || p.data.find('\x1e') == std::string::npos, "separator inside text");
        eio::append_to_payload(encoded, p.type, p.data, p.binary);
    }
    check(encoded == body, "re-encoded payload differs from the body");

    std::vector<eio::packet> again;
    check(eio::decode_payload(encoded, again) == eio::decode_error::none,
          "re-encoded payload does not decode");
    check(same_packets(packets, again), "second decode gives different packets");

    // The limit is exact: one under the count refuses, the count itself accepts.
    check(eio::decode_payload(body, again, packets.size() - 1) ==
              eio::decode_error::too_many_packets,
          "limit below the count was not enforced");
    check(again.empty(), "too_many_packets left packets behind");
    check(eio::decode_payload(body, again, packets.size()) == eio::decode_error::none,
          "limit equal to the count refused");
}

void fuzz_text(std::string_view text) {
    eio::packet p;
    if (eio::decode_text(text, p) != eio::decode_error::none) {
        return;
    }
    if (p.binary) {
        check(p.type == eio::packet_type::message, "binary packet not a message");
        check("b" + eio::base64_encode(p.data) == text, "binary text does not re-encode");
    } else {
        check(eio::encode_text(p.type, p.data) == text, "text packet does not re-encode");
    }
}

void fuzz_base64(std::string_view input) {
    std::string decoded;
    if (eio::base64_decode(input, decoded)) {
        check(eio::base64_encode(decoded) == input, "base64 decode/encode is not identity");
    } else {
        check(decoded.empty(), "failed base64 decode left output behind");
    }

    // Any bytes encode to something that decodes back to them.
    const std::string encoded = eio::base64_encode(input);
    check(encoded.size() == (input.size() + 2) / 3 * 4, "base64 length");
    std::string back;
    check(eio::base64_decode(encoded, back) && back == input, "base64 encode/decode");

    std::string payload;
    eio::append_to_payload(payload, eio::packet_type::message, input, true);
    std::vector<eio::packet> packets;
    check(eio::decode_payload(payload, packets) == eio::decode_error::none &&
              packets.size() == 1 && packets[0].binary && packets[0].data == input,
          "binary packet round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    fuzz_payload(input);
    fuzz_text(input);
    fuzz_base64(input);
    return 0;
}
