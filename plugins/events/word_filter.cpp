#include "word_filter.hpp"

#include <algorithm>
#include <cctype>

namespace switchboard::plugins::events {

namespace {

// Non-ASCII bytes count as word characters: "naïve" is one word, not "na" and "ve".
bool is_word_byte(unsigned char c) { return c >= 0x80 || std::isalnum(c) || c == '_'; }

bool same_ignoring_case(const std::string& text, std::size_t begin, const std::string& word) {
    for (std::size_t i = 0; i < word.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[begin + i])) != static_cast<unsigned char>(word[i]))
            return false;
    return true;
}

}  // namespace

template <class Fn>
void word_filter::scan(const std::string& text, Fn&& fn) const {
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_word_byte(static_cast<unsigned char>(text[i]))) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && is_word_byte(static_cast<unsigned char>(text[end]))) ++end;
        const std::size_t length = end - i;
        const bool banned = std::any_of(words_.begin(), words_.end(), [&](const std::string& word) {
            return word.size() == length && same_ignoring_case(text, i, word);
        });
        if (banned) fn(i, length);
        i = end;
    }
}

bool word_filter::matches(const std::string& text) const {
    bool found = false;
    scan(text, [&](std::size_t, std::size_t) { found = true; });
    return found;
}

std::string word_filter::mask(std::string text) const {
    std::string out = text;
    scan(text, [&](std::size_t begin, std::size_t length) { out.replace(begin, length, length, '*'); });
    return out;
}

}  // namespace switchboard::plugins::events
