#include "pattern.hpp"

#include <cctype>

namespace switchboard::plugins::lua {

namespace {

// Nested calls of match(): each capture, repetition or optional item that can backtrack
// is one level. Lua allows 200 (MAXCCALLS); deeper is "pattern too complex", as there.
constexpr int max_depth = 200;

// Steps are charged in batches: the callback (the instruction budget) is not free.
constexpr std::int64_t charge_every = 1024;

}  // namespace

pattern_matcher::pattern_matcher(std::string_view subject, std::string_view pattern, bool anchor_allowed,
                                 std::function<void(std::int64_t)> charge,
                                 std::function<void(const std::string&)> fail)
    : subject_(subject), pattern_(pattern), charge_(std::move(charge)), fail_(std::move(fail)) {
    if (anchor_allowed && !pattern_.empty() && pattern_.front() == '^') {
        anchored_ = true;
        pattern_start_ = 1;
    }
}

void pattern_matcher::step() {
    if (++pending_ >= charge_every) settle();
}

void pattern_matcher::settle() {
    if (pending_ == 0) return;
    const auto steps = pending_;
    pending_ = 0;
    charge_(steps);
}

std::size_t pattern_matcher::match_at(std::size_t start) {
    level_ = 0;
    depth_ = 0;
    return match(start, pattern_start_);
}

bool pattern_matcher::class_matches(unsigned char c, unsigned char cl) const {
    bool result = false;
    switch (std::tolower(cl)) {
        case 'a': result = std::isalpha(c); break;
        case 'c': result = std::iscntrl(c); break;
        case 'd': result = std::isdigit(c); break;
        case 'g': result = std::isgraph(c); break;
        case 'l': result = std::islower(c); break;
        case 'p': result = std::ispunct(c); break;
        case 's': result = std::isspace(c); break;
        case 'u': result = std::isupper(c); break;
        case 'w': result = std::isalnum(c); break;
        case 'x': result = std::isxdigit(c); break;
        case 'z': result = c == 0; break;   // deprecated, but Lua 5.4 still matches it
        default: return cl == c;   // %. %% %] ...: the character itself
    }
    return std::isupper(cl) ? !result : result;
}

// `p` is the set's '[', `ec` its closing ']'.
bool pattern_matcher::set_matches(unsigned char c, std::size_t p, std::size_t ec) const {
    bool inside = true;
    if (pattern_[p + 1] == '^') {
        inside = false;
        ++p;
    }
    while (++p < ec) {
        const auto item = static_cast<unsigned char>(pattern_[p]);
        if (item == '%') {
            ++p;
            if (class_matches(c, static_cast<unsigned char>(pattern_[p]))) return inside;
        } else if (p + 2 < ec && pattern_[p + 1] == '-') {
            const auto last = static_cast<unsigned char>(pattern_[p + 2]);
            p += 2;
            if (item <= c && c <= last) return inside;
        } else if (item == c) {
            return inside;
        }
    }
    return !inside;
}

// The end of the single-character class starting at `p`.
std::size_t pattern_matcher::class_end(std::size_t p) {
    const char c = pattern_[p++];
    if (c == '%') {
        if (p >= pattern_.size()) fail_("malformed pattern (ends with '%')");
        return p + 1;
    }
    if (c == '[') {
        if (p < pattern_.size() && pattern_[p] == '^') ++p;
        // The first character is taken as is: "[]]" is a set holding ']'.
        do {
            if (p >= pattern_.size()) fail_("malformed pattern (missing ']')");
            if (pattern_[p++] == '%' && p < pattern_.size()) ++p;
        } while (p >= pattern_.size() || pattern_[p] != ']');
        return p + 1;
    }
    return p;
}

bool pattern_matcher::single_match(std::size_t s, std::size_t p, std::size_t ep) const {
    if (s >= subject_.size()) return false;
    const auto c = static_cast<unsigned char>(subject_[s]);
    switch (pattern_[p]) {
        case '.': return true;
        case '%': return class_matches(c, static_cast<unsigned char>(pattern_[p + 1]));
        case '[': return set_matches(c, p, ep - 1);
        default: return static_cast<unsigned char>(pattern_[p]) == c;
    }
}

std::size_t pattern_matcher::match(std::size_t s, std::size_t p) {
    if (depth_ >= max_depth) fail_("pattern too complex");
    ++depth_;
    struct leave {
        int& depth;
        ~leave() { --depth; }
    } on_return{depth_};

    // Plain items advance in this loop; only what may backtrack recurses.
    for (;;) {
        step();
        if (p == pattern_.size()) return s;
        switch (pattern_[p]) {
            case '(':
                if (p + 1 < pattern_.size() && pattern_[p + 1] == ')') return start_capture(s, p + 2, position_capture);
                return start_capture(s, p + 1, unfinished);
            case ')':
                return end_capture(s, p + 1);
            case '$':
                if (p + 1 == pattern_.size()) return s == subject_.size() ? s : npos;
                break;   // a '$' elsewhere is a plain character
            case '%':
                if (p + 1 >= pattern_.size()) break;   // class_end reports it
                if (pattern_[p + 1] == 'b') {
                    s = match_balance(s, p + 2);
                    if (s == npos) return npos;
                    p += 4;
                    continue;
                }
                if (pattern_[p + 1] == 'f') {
                    p += 2;
                    if (p >= pattern_.size() || pattern_[p] != '[') fail_("missing '[' after '%f' in pattern");
                    const std::size_t ep = class_end(p);
                    const auto before = static_cast<unsigned char>(s == 0 ? '\0' : subject_[s - 1]);
                    const auto here = static_cast<unsigned char>(s < subject_.size() ? subject_[s] : '\0');
                    if (set_matches(before, p, ep - 1) || !set_matches(here, p, ep - 1)) return npos;
                    p = ep;
                    continue;
                }
                if (std::isdigit(static_cast<unsigned char>(pattern_[p + 1]))) {
                    s = match_back_reference(s, pattern_[p + 1]);
                    if (s == npos) return npos;
                    p += 2;
                    continue;
                }
                break;
            default:
                break;
        }

        // A single-character class, maybe followed by a repetition.
        const std::size_t ep = class_end(p);
        const char suffix = ep < pattern_.size() ? pattern_[ep] : '\0';
        if (!single_match(s, p, ep)) {
            if (suffix == '*' || suffix == '?' || suffix == '-') {   // zero repetitions are fine
                p = ep + 1;
                continue;
            }
            return npos;
        }
        switch (suffix) {
            case '?': {
                const std::size_t r = match(s + 1, ep + 1);
                if (r != npos) return r;
                p = ep + 1;
                continue;
            }
            case '+': return max_expand(s + 1, p, ep);
            case '*': return max_expand(s, p, ep);
            case '-': return min_expand(s, p, ep);
            default:
                ++s;
                p = ep;
                continue;
        }
    }
}

// As many as possible, then fewer and fewer until the rest matches.
std::size_t pattern_matcher::max_expand(std::size_t s, std::size_t p, std::size_t ep) {
    std::size_t count = 0;
    while (single_match(s + count, p, ep)) {
        ++count;
        step();
    }
    for (;;) {
        const std::size_t r = match(s + count, ep + 1);
        if (r != npos) return r;
        if (count == 0) return npos;
        --count;
    }
}

// As few as possible, one more each time the rest does not match.
std::size_t pattern_matcher::min_expand(std::size_t s, std::size_t p, std::size_t ep) {
    for (;;) {
        const std::size_t r = match(s, ep + 1);
        if (r != npos) return r;
        if (!single_match(s, p, ep)) return npos;
        ++s;
    }
}

std::size_t pattern_matcher::start_capture(std::size_t s, std::size_t p, std::ptrdiff_t what) {
    if (level_ >= max_pattern_captures) fail_("too many captures");
    captures_[level_] = {s, what};
    ++level_;
    const std::size_t r = match(s, p);
    if (r == npos) --level_;
    return r;
}

std::size_t pattern_matcher::end_capture(std::size_t s, std::size_t p) {
    const int l = capture_to_close();
    captures_[l].length = static_cast<std::ptrdiff_t>(s - captures_[l].start);
    const std::size_t r = match(s, p);
    if (r == npos) captures_[l].length = unfinished;
    return r;
}

int pattern_matcher::capture_to_close() {
    for (int l = level_ - 1; l >= 0; --l)
        if (captures_[l].length == unfinished) return l;
    fail_("invalid pattern capture");
    return 0;
}

// %bxy at `p` (pointing at x): from an x to its matching y.
std::size_t pattern_matcher::match_balance(std::size_t s, std::size_t p) {
    if (p + 1 >= pattern_.size()) fail_("malformed pattern (missing arguments to '%b')");
    if (s >= subject_.size() || subject_[s] != pattern_[p]) return npos;
    const char open = pattern_[p];
    const char close = pattern_[p + 1];
    int depth = 1;
    for (std::size_t i = s + 1; i < subject_.size(); ++i) {
        step();
        const char c = subject_[i];
        if (c == close) {
            if (--depth == 0) return i + 1;
        } else if (c == open) {
            ++depth;
        }
    }
    return npos;
}

std::size_t pattern_matcher::match_back_reference(std::size_t s, char digit) {
    const int l = digit - '1';
    if (l < 0 || l >= level_ || captures_[l].length == unfinished)
        fail_("invalid capture index %" + std::to_string(l + 1));
    if (captures_[l].length < 0) return npos;   // a position capture matches no text
    const auto length = static_cast<std::size_t>(captures_[l].length);
    if (subject_.size() - s < length) return npos;
    if (subject_.substr(captures_[l].start, length) != subject_.substr(s, length)) return npos;
    return s + length;
}

}  // namespace switchboard::plugins::lua
