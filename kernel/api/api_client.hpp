// A blocking client of a running server's API, for the command line (`switchboard
// emit`): one request on its own connection, the whole answer back.
#pragma once

#include <string>

namespace switchboard::kernel::api {

struct api_answer {
    int status = 0;
    std::string body;
};

// Sends `method path` with a JSON `body` and the key in X-API-Key (none when empty) to
// http://host:port; waits at most 10 s for the answer.
// Throws std::runtime_error naming the address when the server cannot be reached or
// answers something that is not HTTP.
api_answer call_api(const std::string& host, unsigned short port, const std::string& method, const std::string& path,
                    const std::string& api_key, const std::string& body);

}  // namespace switchboard::kernel::api
