#include "kernel/net/http_message.hpp"

#include <gtest/gtest.h>

namespace switchboard::kernel::net {
namespace {

TEST(HttpMessage, StatusLinesCarryTheirReasonPhrase) {
    EXPECT_EQ(make_http_response(201, {}, {}).substr(0, 22), "HTTP/1.1 201 Created\r\n");
    EXPECT_EQ(status_reason(204), "No Content");
    EXPECT_EQ(status_reason(401), "Unauthorized");
    EXPECT_EQ(status_reason(409), "Conflict");
    EXPECT_EQ(status_reason(429), "Too Many Requests");
    EXPECT_EQ(status_reason(501), "Not Implemented");
    // Unregistered codes get their class, never "Unknown".
    EXPECT_EQ(status_reason(299), "Success");
    EXPECT_EQ(status_reason(499), "Client Error");
    EXPECT_EQ(status_reason(599), "Server Error");
}

}  // namespace
}  // namespace switchboard::kernel::net
