// The banned-words filter: finds configured words in a message, as whole words and
// ignoring ASCII case, and either reports them or masks them with asterisks.
//
// Whole words only, so a banned "ass" leaves "class" alone. A word's edges are
// bytes that are not ASCII letters, digits or '_', nor part of a non-ASCII character
// (an accented letter continues a word).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace switchboard::plugins::chat {

class text_filter {
public:
    explicit text_filter(std::vector<std::string> lower_case_words);

    bool empty() const noexcept { return words_.empty(); }

    // True when `text` holds a banned word.
    bool matches(std::string_view text) const;

    // `text` with every banned word replaced by one '*' per character.
    std::string mask(std::string_view text) const;

private:
    // The length in bytes of the banned word starting at `at`, or 0.
    std::size_t match_at(std::string_view text, std::size_t at) const;

    std::vector<std::string> words_;
};

}  // namespace switchboard::plugins::chat
