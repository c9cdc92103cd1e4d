#include "kernel/cluster/resp.hpp"

#include <charconv>

namespace switchboard::kernel::cluster {

namespace {

// Replies nest only as deep as Redis makes them (pub/sub pushes: 2 levels); a deeper
// stream is not Redis.
constexpr int max_depth = 8;
// The largest bulk string Redis sends is 512 MiB; anything larger is a broken stream.
constexpr std::int64_t max_bulk = 512LL * 1024 * 1024;

bool to_integer(std::string_view text, std::int64_t& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::string encode_command(const std::vector<std::string_view>& args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto arg : args) {
        out += '$';
        out += std::to_string(arg.size());
        out += "\r\n";
        out.append(arg);
        out += "\r\n";
    }
    return out;
}

std::optional<std::string_view> resp_parser::line_at(std::size_t pos) const {
    const auto end = buffer_.find("\r\n", pos);
    if (end == std::string::npos) return std::nullopt;
    return std::string_view(buffer_).substr(pos, end - pos);
}

std::optional<resp_value> resp_parser::parse(std::size_t& pos, bool& malformed, int depth) const {
    if (pos >= buffer_.size()) return std::nullopt;
    if (depth > max_depth) {
        malformed = true;
        return std::nullopt;
    }
    const auto line = line_at(pos + 1);
    if (!line) return std::nullopt;
    std::size_t next = pos + 1 + line->size() + 2;
    resp_value value;
    switch (buffer_[pos]) {
        case '+':
            value.type = resp_value::kind::simple;
            value.text = std::string(*line);
            break;
        case '-':
            value.type = resp_value::kind::error;
            value.text = std::string(*line);
            break;
        case ':':
            value.type = resp_value::kind::integer;
            if (!to_integer(*line, value.integer)) malformed = true;
            break;
        case '$': {
            std::int64_t size = 0;
            if (!to_integer(*line, size) || size < -1 || size > max_bulk) {
                malformed = true;
                return std::nullopt;
            }
            if (size == -1) break;   // null bulk
            if (buffer_.size() < next + static_cast<std::size_t>(size) + 2) return std::nullopt;
            value.type = resp_value::kind::bulk;
            value.text = buffer_.substr(next, static_cast<std::size_t>(size));
            next += static_cast<std::size_t>(size) + 2;
            break;
        }
        case '*': {
            std::int64_t count = 0;
            if (!to_integer(*line, count) || count < -1 || count > max_bulk) {
                malformed = true;
                return std::nullopt;
            }
            if (count == -1) break;   // null array
            value.type = resp_value::kind::array;
            value.elements.reserve(static_cast<std::size_t>(std::min<std::int64_t>(count, 64)));
            for (std::int64_t i = 0; i < count; ++i) {
                auto element = parse(next, malformed, depth + 1);
                if (!element) return std::nullopt;
                value.elements.push_back(std::move(*element));
            }
            break;
        }
        default:
            malformed = true;
            return std::nullopt;
    }
    if (malformed) return std::nullopt;
    pos = next;
    return value;
}

std::optional<resp_value> resp_parser::next(bool& malformed) {
    malformed = false;
    std::size_t pos = position_;
    auto value = parse(pos, malformed, 0);
    if (!value) return std::nullopt;
    position_ = pos;
    if (position_ == buffer_.size()) {
        buffer_.clear();
        position_ = 0;
    } else if (position_ > 4096 && position_ * 2 > buffer_.size()) {
        // Drop what was consumed once it is the larger part, not on every reply.
        buffer_.erase(0, position_);
        position_ = 0;
    }
    return value;
}

}  // namespace switchboard::kernel::cluster
