// A Lua pattern matcher that counts its steps.
//
// Lua's own matcher (lstrlib) runs inside one C call, where the instruction hook never
// fires: `string.find(("a"):rep(1000), ".-.-.-b")` backtracks for minutes. This one
// implements the same pattern language (Lua 5.4 manual, section 6.4.1) and reports
// every `charge_every` steps to a callback that may stop it by raising, so a pattern
// costs its run's instruction budget like any other work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace switchboard::plugins::lua {

constexpr int max_pattern_captures = 32;   // as LUA_MAXCAPTURES

class pattern_matcher {
public:
    // `charge(steps)` is called as work accumulates; it may throw (a Lua error) to stop.
    // Malformed patterns are reported through `fail(message)`, which must not return.
    // `anchor_allowed`: a leading '^' anchors (find, match, gsub), or is a plain
    // character (gmatch).
    pattern_matcher(std::string_view subject, std::string_view pattern, bool anchor_allowed,
                    std::function<void(std::int64_t)> charge, std::function<void(const std::string&)> fail);

    // Tries to match at `start` (0-based). Returns the end offset or npos.
    std::size_t match_at(std::size_t start);

    // After a successful match_at: the captures (whole match when there are none).
    struct capture {
        std::size_t start = 0;
        std::ptrdiff_t length = 0;   // position_capture for "()"
    };
    static constexpr std::ptrdiff_t position_capture = -2;
    int capture_count() const noexcept { return level_; }
    const capture& capture_at(int i) const { return captures_[i]; }

    // True when the pattern starts with '^' (find, match and gsub anchor there).
    bool anchored() const noexcept { return anchored_; }
    // Flushes the steps not yet charged.
    void settle();

private:
    static constexpr std::ptrdiff_t unfinished = -1;
    static constexpr std::size_t npos = std::string_view::npos;

    std::size_t match(std::size_t s, std::size_t p);
    std::size_t class_end(std::size_t p);
    bool single_match(std::size_t s, std::size_t p, std::size_t ep) const;
    bool class_matches(unsigned char c, unsigned char cl) const;
    bool set_matches(unsigned char c, std::size_t p, std::size_t ec) const;
    std::size_t max_expand(std::size_t s, std::size_t p, std::size_t ep);
    std::size_t min_expand(std::size_t s, std::size_t p, std::size_t ep);
    std::size_t start_capture(std::size_t s, std::size_t p, std::ptrdiff_t what);
    std::size_t end_capture(std::size_t s, std::size_t p);
    std::size_t match_balance(std::size_t s, std::size_t p);
    std::size_t match_back_reference(std::size_t s, char digit);
    int capture_to_close();
    void step();

    std::string_view subject_;
    std::string_view pattern_;
    std::size_t pattern_start_ = 0;   // after a leading '^'
    bool anchored_ = false;
    std::function<void(std::int64_t)> charge_;
    std::function<void(const std::string&)> fail_;
    std::int64_t pending_ = 0;
    int depth_ = 0;
    int level_ = 0;
    capture captures_[max_pattern_captures];
};

}  // namespace switchboard::plugins::lua
