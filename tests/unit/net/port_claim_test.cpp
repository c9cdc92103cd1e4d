// One server per port: the claim must refuse a second server even in the window where
// the first has claimed the port but not yet bound its listeners (nothing listens on
// TCP yet, so a bind probe alone would let both through).
#include "kernel/net/port_claim.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <system_error>

namespace {

namespace asio = boost::asio;
using switchboard::kernel::net::claim_port;

// A port nobody listens on (the kernel picks it; the acceptor closes at once).
unsigned short unused_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

TEST(PortClaim, RefusesASecondClaimBeforeAnyoneListens) {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), unused_port());
    auto first = claim_port(endpoint);
    try {
        auto second = claim_port(endpoint);
        FAIL() << "a second claim on port " << endpoint.port() << " succeeded";
    } catch (const std::system_error& error) {
        EXPECT_NE(std::string(error.what()).find("port " + std::to_string(endpoint.port()) + " is in use"),
                  std::string::npos)
            << error.what();
    }
}

TEST(PortClaim, IsFreedWhenTheHolderLetsGo) {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), unused_port());
    { auto first = claim_port(endpoint); }
    EXPECT_NO_THROW({ auto again = claim_port(endpoint); });
}

TEST(PortClaim, RefusesAPortAnotherProgramListensOn) {
    asio::io_context io;
    asio::ip::tcp::acceptor other(io, {asio::ip::make_address("127.0.0.1"), 0});
    EXPECT_THROW(claim_port(other.local_endpoint()), std::system_error);
}

TEST(PortClaim, PortZeroNeedsNoClaim) {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    auto first = claim_port(endpoint);
    EXPECT_NO_THROW({ auto second = claim_port(endpoint); });
}

}  // namespace
