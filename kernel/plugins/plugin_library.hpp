// Finding a plugin's shared library, loading it with Boost.DLL and checking its ABI.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "switchboard/sdk.h"

namespace switchboard::kernel::plugins {

// Where plugins are looked for, in order: the deployment's plugin_path (relative to
// its config file), then next to the binary (its plugins/ folder, then the folder
// itself), then the install prefix's lib/switchboard/plugins.
std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::string>& configured,
                                                      const std::filesystem::path& config_dir);

// The file name of plugin `name`: switchboard-<name>.so.
std::string plugin_file_name(const std::string& name);

// A loaded library and its checked descriptor.
struct loaded_library {
    boost::dll::shared_library library;
    const switchboard_plugin_descriptor_t* descriptor = nullptr;
    std::filesystem::path file;
};

// Loads `file` and checks its descriptor: the entry symbol exists, the ABI major is
// this kernel's, its minor is not newer than this kernel's, the struct is complete,
// on_load is set, and its name is `expected_name` (when given). Throws
// std::runtime_error with a message naming the file and what is wrong.
loaded_library load_library(const std::filesystem::path& file, const std::string& expected_name = {});

// The file for `name` in the search path, if any.
std::optional<std::filesystem::path> find_plugin(const std::string& name,
                                                 const std::vector<std::filesystem::path>& search_path);

}  // namespace switchboard::kernel::plugins
