#include "generation.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "runtime.hpp"

namespace switchboard::plugins::lua {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return text.str();
}

bool valid_module_name(const std::string& name) {
    if (name.empty() || name.front() == '.' || name.back() == '.') return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '-';
        if (c == '.' && name[i + 1] != '.') continue;
        if (!plain) return false;
    }
    return true;
}

}  // namespace

generation::generation(runtime& rt, std::uint64_t id) : runtime_(rt), id_(id) {}

generation::~generation() {
    // The last run, parked coroutine or timer holding this generation is done: its
    // states close now (their destructors run as the map goes).
    if (!scripts_.empty())
        runtime_.log(SWITCHBOARD_LOG_DEBUG, "generation " + std::to_string(id_) + " closed with its " +
                                                std::to_string(by_thread_.size() + (spare_ ? 1 : 0)) + " Lua state(s)");
}

void generation::build() {
    for (const auto& file : runtime_.config().scripts) {
        auto source = read_file(file.path);
        if (!source) throw std::runtime_error(file.name + ": cannot read " + file.path.string());
        scripts_.push_back({file.name, std::move(*source), {}});
    }
    auto first = std::make_shared<vm>(runtime_, *this);
    std::string error;
    if (!first->load(scripts_, error)) throw std::runtime_error(error);
    catalog_ = first->declared();
    spare_ = std::move(first);
}

std::shared_ptr<vm> generation::vm_for_this_thread() {
    const auto me = std::this_thread::get_id();
    {
        std::lock_guard lock(mutex_);
        const auto found = by_thread_.find(me);
        if (found != by_thread_.end()) return found->second;
        if (spare_) return by_thread_[me] = std::move(spare_);
    }
    // Loading takes a while: other threads need not wait for it.
    auto fresh = std::make_shared<vm>(runtime_, *this);
    std::string error;
    if (!fresh->load(scripts_, error)) throw std::runtime_error(error);
    if (!fresh->declared().same_shape(catalog_))
        throw std::runtime_error(
            "the scripts declared other handlers in this thread's Lua state than in the first one: what a script "
            "declares must not depend on anything but the script (not on time, random numbers or counters)");
    std::lock_guard lock(mutex_);
    return by_thread_[me] = std::move(fresh);
}

void generation::retire(const vm* v) {
    std::lock_guard lock(mutex_);
    for (auto it = by_thread_.begin(); it != by_thread_.end(); ++it) {
        if (it->second.get() == v) {
            by_thread_.erase(it);
            return;
        }
    }
}

std::optional<generation::module_file> generation::module_source(const std::string& name, std::string& error) {
    if (!valid_module_name(name)) {
        error = "require(\"" + name + "\"): a module name is made of letters, digits, '_', '-' and dots";
        return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    if (const auto found = modules_.find(name); found != modules_.end()) return found->second;
    std::string relative = name;
    for (char& c : relative)
        if (c == '.') c = '/';
    std::string searched;
    for (const auto& dir : runtime_.config().module_paths) {
        for (const auto& candidate : {fs::path(relative + ".lua"), fs::path(relative) / "init.lua"}) {
            const auto path = dir / candidate;
            searched += "\n\t" + path.string();
            std::error_code ec;
            if (!fs::is_regular_file(path, ec)) continue;
            auto source = read_file(path);
            if (!source) continue;
            return modules_[name] = module_file{candidate.generic_string(), std::move(*source)};
        }
    }
    error = "module '" + name + "' not found (scripts may require Lua files only, never native modules); searched:" +
            searched;
    return std::nullopt;
}

}  // namespace switchboard::plugins::lua
