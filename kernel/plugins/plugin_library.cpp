#include "kernel/plugins/plugin_library.hpp"

#include <cstddef>
#include <stdexcept>

#include <boost/dll/runtime_symbol_info.hpp>

namespace switchboard::kernel::plugins {

namespace fs = std::filesystem;

namespace {

// The descriptor as SDK 1.0 defined it ends with on_unload: a plugin's struct_size
// must cover at least that much.
constexpr std::size_t descriptor_v1_size =
    offsetof(switchboard_plugin_descriptor_t, on_unload) + sizeof(switchboard_plugin_descriptor_t::on_unload);

[[noreturn]] void refuse(const fs::path& file, const std::string& why) {
    throw std::runtime_error(file.string() + ": " + why);
}

}  // namespace

std::string plugin_file_name(const std::string& name) { return "switchboard-" + name + ".so"; }

std::vector<fs::path> plugin_search_path(const std::vector<std::string>& configured, const fs::path& config_dir) {
    std::vector<fs::path> out;
    for (const auto& dir : configured) {
        fs::path p(dir);
        out.push_back(p.is_absolute() ? p : config_dir / p);
    }
    std::error_code ec;
    const fs::path binary_dir = boost::dll::program_location(ec).parent_path();
    if (!ec) {
        out.push_back(binary_dir / "plugins");
        out.push_back(binary_dir);
        out.push_back(binary_dir.parent_path() / "lib" / "switchboard" / "plugins");
    }
    out.push_back(fs::path(SWITCHBOARD_INSTALL_PREFIX) / "lib" / "switchboard" / "plugins");
    return out;
}

std::optional<fs::path> find_plugin(const std::string& name, const std::vector<fs::path>& search_path) {
    const std::string file = plugin_file_name(name);
    for (const auto& dir : search_path) {
        std::error_code ec;
        const fs::path candidate = dir / file;
        if (fs::is_regular_file(candidate, ec)) return fs::canonical(candidate, ec);
    }
    return std::nullopt;
}

loaded_library load_library(const fs::path& file, const std::string& expected_name) {
    loaded_library out;
    out.file = file;
    std::error_code ec;
    // Local symbols: two plugins may well bundle different versions of one library.
    out.library.load(file,
                     boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
    if (ec) refuse(file, "cannot load the library: " + ec.message());
    if (!out.library.has(SWITCHBOARD_PLUGIN_ENTRY_SYMBOL))
        refuse(file, std::string("not a Switchboard plugin: no ") + SWITCHBOARD_PLUGIN_ENTRY_SYMBOL + " symbol");
    const auto entry = out.library.get<const switchboard_plugin_descriptor_t*()>(SWITCHBOARD_PLUGIN_ENTRY_SYMBOL);
    const auto* d = entry();
    if (!d) refuse(file, "its entry returned no descriptor");
    if (d->abi_major != SWITCHBOARD_ABI_MAJOR)
        refuse(file, "built for SDK ABI " + std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor) +
                         ", but this kernel speaks ABI " + std::to_string(SWITCHBOARD_ABI_MAJOR) + "." +
                         std::to_string(SWITCHBOARD_ABI_MINOR) + ": rebuild it against SDK " +
                         std::to_string(SWITCHBOARD_ABI_MAJOR) + ".x");
    if (d->abi_minor > SWITCHBOARD_ABI_MINOR)
        refuse(file, "needs SDK ABI " + std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor) +
                         ", newer than this kernel's " + std::to_string(SWITCHBOARD_ABI_MAJOR) + "." +
                         std::to_string(SWITCHBOARD_ABI_MINOR) + ": upgrade the server");
    if (d->struct_size < descriptor_v1_size)
        refuse(file, "its descriptor is truncated (" + std::to_string(d->struct_size) + " bytes, at least " +
                         std::to_string(descriptor_v1_size) + " expected)");
    if (!d->name || !*d->name) refuse(file, "its descriptor has no name");
    if (!d->on_load) refuse(file, "its descriptor has no on_load");
    if (!expected_name.empty() && expected_name != d->name)
        refuse(file, std::string("it is plugin \"") + d->name + "\", not \"" + expected_name + "\"");
    out.descriptor = d;
    return out;
}

}  // namespace switchboard::kernel::plugins
