// Banned words in message text: whole words (runs of ASCII letters, digits, '_' and
// any non-ASCII byte), compared ignoring ASCII case. Masking writes one '*' a byte.
#pragma once

#include <string>
#include <vector>

namespace switchboard::plugins::events {

class word_filter {
public:
    explicit word_filter(std::vector<std::string> lower_case_words) : words_(std::move(lower_case_words)) {}

    bool empty() const noexcept { return words_.empty(); }
    bool matches(const std::string& text) const;
    std::string mask(std::string text) const;

private:
    // Calls fn(begin, length) for each banned word found in `text`.
    template <class Fn>
    void scan(const std::string& text, Fn&& fn) const;

    std::vector<std::string> words_;
};

}  // namespace switchboard::plugins::events
