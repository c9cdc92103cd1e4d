#include "kernel/socketio/connect_refusals.hpp"

#include <algorithm>
#include <map>
#include <mutex>

#include "kernel/core/prometheus_text.hpp"

namespace switchboard::kernel::socketio {

namespace {

constexpr std::size_t max_codes = 32;

std::mutex mutex;
std::map<std::string, std::uint64_t, std::less<>> counts;

bool is_plain_code(const std::string& code) {
    return !code.empty() && code.size() <= 64 && std::all_of(code.begin(), code.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.';
    });
}

}  // namespace

std::string connect_refusal_code(const nlohmann::json& error) {
    if (!error.is_object()) return "unspecified";
    if (const auto data = error.find("data"); data != error.end() && data->is_object()) {
        if (const auto code = data->find("code"); code != data->end() && code->is_string()) {
            const auto& text = code->get_ref<const std::string&>();
            return is_plain_code(text) ? text : "other";
        }
    }
    if (const auto message = error.find("message"); message != error.end() && *message == "Invalid namespace")
        return "invalid_namespace";
    return "unspecified";
}

void count_connect_refusal(const nlohmann::json& error) {
    std::string code = connect_refusal_code(error);
    std::lock_guard lock(mutex);
    auto found = counts.find(code);
    if (found == counts.end()) {
        if (counts.size() >= max_codes) code = "other";
        found = counts.try_emplace(std::move(code), 0).first;
    }
    ++found->second;
}

std::vector<std::pair<std::string, std::uint64_t>> connect_refusals() {
    std::lock_guard lock(mutex);
    return {counts.begin(), counts.end()};
}

void append_connect_refusal_metrics(std::string& out) {
    prometheus::append_family(out, "switchboard_socketio_connect_refused_total", "counter",
                              "Socket.IO CONNECTs refused, by the CONNECT_ERROR's code.");
    for (const auto& [code, count] : connect_refusals())
        prometheus::append_sample(out, "switchboard_socketio_connect_refused_total",
                                  "code=\"" + escape_label_value(code) + "\"", count);
}

}  // namespace switchboard::kernel::socketio
