#include "text_filter.hpp"

#include <algorithm>
#include <cctype>

namespace switchboard::plugins::chat {

namespace {

bool is_word_byte(unsigned char c) { return c >= 0x80 || std::isalnum(c) || c == '_'; }

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

text_filter::text_filter(std::vector<std::string> lower_case_words) : words_(std::move(lower_case_words)) {
    // Longest first: with "bad" and "bad word" both banned, the longer one wins.
    std::sort(words_.begin(), words_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::size_t text_filter::match_at(std::string_view text, std::size_t at) const {
    if (at > 0 && is_word_byte(static_cast<unsigned char>(text[at - 1]))) return 0;
    for (const auto& word : words_) {
        if (word.size() > text.size() - at) continue;
        bool same = true;
        for (std::size_t i = 0; i < word.size() && same; ++i) same = lower(text[at + i]) == word[i];
        if (!same) continue;
        const std::size_t end = at + word.size();
        if (end < text.size() && is_word_byte(static_cast<unsigned char>(text[end]))) continue;
        return word.size();
    }
    return 0;
}

bool text_filter::matches(std::string_view text) const {
    if (words_.empty()) return false;
    for (std::size_t at = 0; at < text.size(); ++at)
        if (match_at(text, at)) return true;
    return false;
}

std::string text_filter::mask(std::string_view text) const {
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t length = words_.empty() ? 0 : match_at(text, at);
        if (length == 0) {
            out += text[at++];
            continue;
        }
        // One asterisk per character, not per byte: "café" becomes "****".
        for (std::size_t i = at; i < at + length; ++i)
            if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) out += '*';
        at += length;
    }
    return out;
}

}  // namespace switchboard::plugins::chat
