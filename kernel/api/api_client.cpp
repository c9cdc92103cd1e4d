#include "kernel/api/api_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace switchboard::kernel::api {

namespace asio = boost::asio;

api_answer call_api(const std::string& host, unsigned short port, const std::string& method, const std::string& path,
                    const std::string& api_key, const std::string& body) {
    const std::string where = "http://" + host + ":" + std::to_string(port);
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    asio::connect(socket, asio::ip::tcp::resolver(io).resolve(host, std::to_string(port), ec), ec);
    if (ec) throw std::runtime_error("cannot reach the server at " + where + ": " + ec.message());

    // HTTP/1.1 with Connection: close, so the answer ends where the connection does.
    // A server that accepted the connection but never answers must not hang the shell.
    const timeval receive_timeout{10, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof receive_timeout);
    const std::string key_header = api_key.empty() ? std::string() : "X-API-Key: " + api_key + "\r\n";
    const std::string request = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + key_header +
                                "Content-Type: application/json\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    asio::write(socket, asio::buffer(request), ec);
    if (ec) throw std::runtime_error("cannot send to " + where + ": " + ec.message());
    std::string response;
    asio::read(socket, asio::dynamic_buffer(response), ec);
    if (ec && ec != asio::error::eof) throw std::runtime_error("no answer from " + where + ": " + ec.message());

    api_answer answer;
    const auto head_end = response.find("\r\n\r\n");
    if (!response.starts_with("HTTP/1.") || head_end == std::string::npos || response.size() < 12)
        throw std::runtime_error(where + " did not answer in HTTP");
    answer.status = std::stoi(response.substr(9, 3));
    answer.body = response.substr(head_end + 4);
    return answer;
}

}  // namespace switchboard::kernel::api
