// Reading a plugin's configuration, for plugins written with sdk.hpp.
//
// The kernel hands a plugin its config object with every key of the plugin's
// config_schema present (the deployment's value or the schema's default) and of the
// schema's type. Since SDK 1.1 a schema also says min, max, enum, pattern and items,
// and the kernel refuses a value outside them at its line in the deployment file:
// prefer that (chat, presence and notifications do). The checks here (ranges,
// choices, namespaces) are for what a schema cannot say, and for plugins not moved
// yet; every refusal names the plugin and the key:
//   "<plugin> config: <key> must be between <low> and <high>, got <value>"
// The message is thrown as std::runtime_error from the plugin's load, which the kernel
// reports as the deployment's error and refuses to start.
//
// Header-only and outside the C ABI: plugins compile it in, the kernel never sees it.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::sdk {

class config_reader {
public:
    config_reader(const json& config, std::string_view plugin) : config_(config), plugin_(plugin) {}

    [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(plugin_ + " config: " + what); }

    const json& at(const char* key) const { return config_.at(key); }

    // An integer in [low, high].
    long long integer(const char* key, long long low, long long high) const {
        const long long value = config_.at(key).get<long long>();
        if (value < low || value > high)
            fail(std::string(key) + " must be between " + std::to_string(low) + " and " + std::to_string(high) +
                 ", got " + std::to_string(value));
        return value;
    }

    bool flag(const char* key) const { return config_.at(key).get<bool>(); }

    std::string text(const char* key) const { return config_.at(key).get<std::string>(); }

    // A Socket.IO namespace name: starts with '/'.
    std::string nsp(const char* key = "namespace") const {
        auto name = text(key);
        if (name.empty() || name.front() != '/')
            fail(std::string(key) + " must start with '/', got \"" + name + "\"");
        return name;
    }

    // One of a fixed set of words, each mapped to its value.
    template <class Value>
    Value choice(const char* key, std::initializer_list<std::pair<std::string_view, Value>> choices) const {
        const auto name = text(key);
        for (const auto& [word, value] : choices)
            if (word == name) return value;
        std::string allowed;
        for (const auto& [word, value] : choices) allowed += (allowed.empty() ? "\"" : ", \"") + std::string(word) + "\"";
        fail(std::string(key) + " must be one of " + allowed + ", got \"" + name + "\"");
    }

    // An array of words of 1 to max_bytes, lowercased (ASCII): word lists matched
    // without regard to case.
    std::vector<std::string> lowercase_words(const char* key, std::size_t max_bytes) const {
        std::vector<std::string> out;
        for (const auto& word : config_.at(key)) {
            if (!word.is_string() || word.get_ref<const std::string&>().empty() ||
                word.get_ref<const std::string&>().size() > max_bytes)
                fail(std::string(key) + " must hold words of 1 to " + std::to_string(max_bytes) + " bytes, got " +
                     word.dump());
            std::string lower = word.get<std::string>();
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            out.push_back(std::move(lower));
        }
        return out;
    }

private:
    const json& config_;
    std::string plugin_;
};

}  // namespace switchboard::sdk
