// For a plugin's own unit tests (GoogleTest or any other): what a reader or a piece
// of state refused with. Plugins answer a client's mistake by throwing sdk::error
// with a code; their tests ask for that code, and every plugin's tests used to carry
// their own copy of this try/catch.
//
//     EXPECT_EQ(sdk::testing::error_code_of([] { read_id({{"room", 0}}, "room"); }), "invalid_payload");
//
// Header-only and outside the C ABI: tests compile it in, the kernel never sees it.
#pragma once

#include <functional>
#include <string>

#include <switchboard/sdk.hpp>

namespace switchboard::sdk::testing {

// The code of the sdk::error `fn` threw; "" when it returned (any other exception
// passes through, and the test fails on it).
inline std::string error_code_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const error& refused) {
        return refused.code();
    }
    return "";
}

}  // namespace switchboard::sdk::testing
