#include "kernel/net/path_router.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/core/worker.hpp"

namespace switchboard::kernel::net {
namespace {

// Records which service a request reached, and how.
class recording_service final : public http_router {
public:
    void on_http_request(http_request&& request, const std::shared_ptr<http_connection>&, std::uint64_t) override {
        seen.push_back("request " + request.path);
    }
    void on_websocket_upgrade(http_request&& request, tcp_socket, tls_handle, std::string,
                              worker&) override {
        seen.push_back("upgrade " + request.path);
    }
    void on_http_abandoned(const http_request& request, std::uint64_t) override {
        seen.push_back("abandoned " + request.path);
    }
    std::vector<std::string> seen;
};

http_request request_for(std::string path) {
    http_request request;
    request.path = std::move(path);
    return request;
}

TEST(PathRouter, SendsAMountedPathToItsServiceAndEveryOtherToTheFallback) {
    recording_service engine, api;
    path_router router(api);
    router.mount("/socket.io/", engine);
    router.on_http_request(request_for("/socket.io/"), nullptr, 1);
    router.on_http_request(request_for("/healthz"), nullptr, 2);
    // Exactly the path: a prefix or a longer path is somebody else's.
    router.on_http_request(request_for("/socket.io"), nullptr, 3);
    router.on_http_request(request_for("/socket.io/x"), nullptr, 4);
    router.on_http_abandoned(request_for("/socket.io/"), 5);
    EXPECT_EQ(engine.seen, (std::vector<std::string>{"request /socket.io/", "abandoned /socket.io/"}));
    EXPECT_EQ(api.seen, (std::vector<std::string>{"request /healthz", "request /socket.io", "request /socket.io/x"}));
}

TEST(PathRouter, RoutesUpgradesByPathToo) {
    recording_service engine, api;
    path_router router(api);
    router.mount("/realtime/", engine);
    worker owner(0);
    boost::asio::io_context io;
    router.on_websocket_upgrade(request_for("/realtime/"), tcp_socket(io), {}, {}, owner);
    router.on_websocket_upgrade(request_for("/api/emit"), tcp_socket(io), {}, {}, owner);
    EXPECT_EQ(engine.seen, (std::vector<std::string>{"upgrade /realtime/"}));
    EXPECT_EQ(api.seen, (std::vector<std::string>{"upgrade /api/emit"}));
}

TEST(PathRouter, ALaterMountOfTheSamePathWins) {
    recording_service first, second, api;
    path_router router(api);
    router.mount("/socket.io/", first);
    router.mount("/socket.io/", second);
    router.on_http_request(request_for("/socket.io/"), nullptr, 1);
    EXPECT_TRUE(first.seen.empty());
    EXPECT_EQ(second.seen, (std::vector<std::string>{"request /socket.io/"}));
}

}  // namespace
}  // namespace switchboard::kernel::net
