# switchboard_add_plugin(NAME <name> SOURCES <files...> [LIBRARIES <targets...>]
#                        [OUTPUT_DIRECTORY <dir>] [NO_INSTALL])
#
# Builds plugin <name> as switchboard-<name>.so, the file the kernel looks for. The
# same function serves plugins in this repository and plugins built out of tree
# against the installed SDK (find_package(SwitchboardSDK)).
#
# Symbols are hidden except the entry point: a plugin exports one function, and two
# plugins bundling different versions of a library must not see each other's.
function(switchboard_add_plugin)
  cmake_parse_arguments(PLUGIN "NO_INSTALL" "NAME;OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT PLUGIN_NAME)
    message(FATAL_ERROR "switchboard_add_plugin: NAME is required")
  endif()
  if(NOT PLUGIN_NAME MATCHES "^[a-z0-9_-]+$")
    message(FATAL_ERROR "switchboard_add_plugin: NAME '${PLUGIN_NAME}' may use only a-z, 0-9, '_' and '-'")
  endif()
  if(NOT PLUGIN_SOURCES)
    message(FATAL_ERROR "switchboard_add_plugin(${PLUGIN_NAME}): SOURCES is required")
  endif()
  set(target switchboard_plugin_${PLUGIN_NAME})
  string(REPLACE "-" "_" target "${target}")
  add_library(${target} MODULE ${PLUGIN_SOURCES})
  target_link_libraries(${target} PRIVATE Switchboard::sdk ${PLUGIN_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "switchboard-${PLUGIN_NAME}"
    SUFFIX ".so"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${PLUGIN_OUTPUT_DIRECTORY}")
  elseif(DEFINED SWITCHBOARD_PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${SWITCHBOARD_PLUGIN_OUTPUT_DIRECTORY}")
  endif()
  # Test-only plugins say NO_INSTALL: they ship nowhere.
  if(DEFINED SWITCHBOARD_PLUGIN_INSTALL_DIR AND NOT PLUGIN_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${SWITCHBOARD_PLUGIN_INSTALL_DIR}")
  endif()
  set(SWITCHBOARD_LAST_PLUGIN_TARGET ${target} PARENT_SCOPE)
endfunction()
