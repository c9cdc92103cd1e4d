#include "kernel/plugins/plugin_host.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>

#include "kernel/core/log.hpp"
#include "kernel/core/usable_cpus.hpp"
#include "kernel/plugins/config_schema.hpp"
#include "kernel/plugins/plugin_library.hpp"

namespace switchboard::kernel::plugins {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

unsigned pool_size(unsigned configured) {
    // Pooled handlers may block on the database: more threads than cores. (Many more
    // only trade places on the cores: a server pinned to one core with 8 threads spent
    // a sixth of an SQLite write handler's CPU switching between them.)
    return configured ? configured : 4 * usable_cpus();
}

}  // namespace

plugin_host::plugin_host(host_environment environment, const config::settings& settings)
    : environment_(std::move(environment)),
      settings_(settings),
      config_dir_(settings.source_file.empty() ? fs::current_path() : fs::absolute(settings.source_file).parent_path()),
      pool_(std::make_unique<handler_pool>(pool_size(settings.server.handler_threads))),
      timers_(std::make_unique<plugin_timers>(*pool_, environment_.workers)),
      dispatcher_(std::make_unique<event_dispatcher>(registry_, *pool_, environment_.socketio, settings.socketio)) {
    for (auto& strand : presence_strands_) strand = pool_->make_strand();
    for (auto& strand : ordered_topic_strands_) strand = pool_->make_strand();
}

plugin_host::~plugin_host() { unload_all(); }

void plugin_host::load_all() {
    for (const auto& plugin : settings_.plugins) {
        try {
            load_one(plugin);
        } catch (const config::config_error&) {
            throw;   // a wrong config section is the deployment's mistake: always fatal
        } catch (const std::exception& e) {
            if (plugin.required)
                throw std::runtime_error("required plugin " + plugin.name + " failed to load: " + e.what());
            SB_LOG(error, "plugins").with("plugin", plugin.name) << "plugin " << plugin.name << " left out: " << e.what();
            left_out_.emplace_back(plugin.name, e.what());
        }
    }
    if (!instances_.empty()) install_namespace_handlers();
}

void plugin_host::worker_started(std::size_t index) {
    for (auto& instance : instances_)
        if (instance->descriptor->on_worker_start)
            instance->descriptor->on_worker_start(instance->state, static_cast<std::uint32_t>(index));
}

void plugin_host::worker_stopping(std::size_t index) {
    for (auto& instance : instances_)
        if (instance->descriptor->on_worker_stop)
            instance->descriptor->on_worker_stop(instance->state, static_cast<std::uint32_t>(index));
}

void plugin_host::load_one(const config::plugin_settings& settings) {
    const auto search_path = plugin_search_path(settings_.plugin_path, config_dir_);
    fs::path file;
    if (!settings.file.empty()) {
        file = fs::path(settings.file).is_absolute() ? fs::path(settings.file) : config_dir_ / settings.file;
        if (!fs::exists(file)) throw std::runtime_error("file " + file.string() + " does not exist");
    } else if (auto found = find_plugin(settings.name, search_path)) {
        file = *found;
    } else {
        // One line: log lines never span several (a newline is escaped in the log).
        std::string searched;
        for (const auto& dir : search_path) searched += (searched.empty() ? "" : ", ") + dir.string();
        throw std::runtime_error(plugin_file_name(settings.name) + " not found; searched: " + searched);
    }
    auto library = load_library(file, settings.name);
    auto instance = std::make_unique<plugin_instance>();
    instance->name = settings.name;
    instance->file = library.file;
    instance->library = std::move(library.library);
    instance->descriptor = library.descriptor;
    instance->config = validate_plugin_config(settings, instance->descriptor->config_schema_json,
                                              settings_.source_file.empty() ? "<config>" : settings_.source_file);
    start(std::move(instance));
}

void plugin_host::start(std::unique_ptr<plugin_instance> instance) {
    instance->host = this;
    // Its registrations wait here until on_load succeeded: a failed load leaves
    // nothing in the registry that is serving.
    plugin_registry staged;
    instance->staging = &staged;
    switchboard_status_t status = SWITCHBOARD_ERROR;
    std::string thrown;
    try {
        status = instance->descriptor->on_load(instance.get(), table(), &instance->state);
    } catch (const std::exception& e) {
        thrown = e.what();   // nothing may unwind out of a plugin; contain it anyway
    } catch (...) {
        thrown = "an unknown exception";
    }
    instance->staging = nullptr;
    if (!thrown.empty() || status != SWITCHBOARD_OK) {
        timers_->cancel_all(instance.get());
        instance->release_registrations();
        const std::string what = (instance->file.empty() ? instance->name : instance->file.string()) +
                                 (thrown.empty() ? ": its on_load returned status " + std::to_string(status)
                                                 : ": its on_load threw: " + thrown);
        // Its library stays mapped until the host goes: a timer call of it may still
        // be finishing on the pool.
        failed_.push_back(std::move(instance));
        throw std::runtime_error(what);
    }
    registry_.commit(std::move(staged));
    instance->loaded = true;
    SB_LOG(info, "plugins") << "loaded " << instance->name << " " << (instance->descriptor->version ? instance->descriptor->version : "")
                            << " from " << instance->file.string();
    instances_.push_back(std::move(instance));
}

void plugin_host::unload_all() {
    if (instances_.empty()) return;
    timers_->cancel_all();
    pool_->stop();
    for (auto it = instances_.rbegin(); it != instances_.rend(); ++it) {
        auto& instance = **it;
        // Nothing calls its registrations any more: their user_data goes first, while
        // the plugin's state still stands.
        if (instance.loaded) instance.release_registrations();
        if (instance.loaded && instance.descriptor->on_unload) instance.descriptor->on_unload(instance.state);
        instance.loaded = false;
    }
    // Handlers registered by a plugin point into its library: drop them before it unloads.
    registry_.clear();
    instances_.clear();
}

std::vector<plugin_listing> plugin_host::list() const {
    std::vector<plugin_listing> out;
    const auto search_path = plugin_search_path(settings_.plugin_path, config_dir_);
    auto enabled = [&](const std::string& name) {
        return std::any_of(settings_.plugins.begin(), settings_.plugins.end(),
                           [&](const auto& p) { return p.name == name; });
    };
    std::vector<std::string> seen;
    for (const auto& dir : search_path) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            const std::string file_name = entry.path().filename().string();
            if (!file_name.starts_with("switchboard-") || entry.path().extension() != ".so") continue;
            const std::string name = file_name.substr(12, file_name.size() - 12 - 3);
            if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
            seen.push_back(name);
            plugin_listing item;
            item.name = name;
            item.file = entry.path().string();
            item.enabled = enabled(name);
            try {
                const auto library = load_library(entry.path(), name);
                item.version = library.descriptor->version ? library.descriptor->version : "";
                item.description = library.descriptor->description ? library.descriptor->description : "";
            } catch (const std::exception& e) {
                item.problem = e.what();
            }
            out.push_back(std::move(item));
        }
    }
    for (const auto& p : settings_.plugins) {
        if (std::find(seen.begin(), seen.end(), p.name) != seen.end() || !p.file.empty()) continue;
        plugin_listing item;
        item.name = p.name;
        item.enabled = true;
        item.problem = plugin_file_name(p.name) + " not found on the search path";
        out.push_back(std::move(item));
    }
    return out;
}

void plugin_host::reload_all() {
    for (auto& instance : instances_) {
        if (instance->descriptor->struct_size <
            offsetof(switchboard_plugin_descriptor_t, on_reload) + sizeof(instance->descriptor->on_reload))
            continue;   // built before the descriptor had on_reload
        if (!instance->descriptor->on_reload) continue;
        instance->reloads.fetch_add(1, std::memory_order_relaxed);
        instance->descriptor->on_reload(instance->state);
    }
}

std::vector<plugin_health> plugin_host::health() const {
    std::vector<plugin_health> out;
    for (const auto& instance : instances_)
        out.push_back({instance->name, instance->descriptor->version ? instance->descriptor->version : "", true, {},
                       instance->failures.load(std::memory_order_relaxed),
                       instance->reloads.load(std::memory_order_relaxed)});
    for (const auto& [name, problem] : left_out_) out.push_back({name, {}, false, problem, 0, 0});
    return out;
}


}  // namespace switchboard::kernel::plugins
