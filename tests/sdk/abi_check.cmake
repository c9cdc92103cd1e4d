# Fails when sdk/include/switchboard/sdk.h changed without an ABI version bump.
#
#   cmake -P tests/sdk/abi_check.cmake
#
# sdk/abi/<major>.<minor>.sha256 records the SHA-256 of sdk.h as that version was
# published. The header's current version must have its record and match it: any
# edit, even a comment, means a new version (a comment can change what a function is
# documented to do, and plugin authors read the header as the contract). Records of
# earlier versions stay, as history: every minor of the current major, from 0 up to
# the current one, must have its file; none may exist above it.
#
# Options (-D...): SDK_HEADER and ABI_DIR point at other files than the checkout's
# (the self-test uses copies); SELF_TEST=ON checks this script itself in WORK_DIR.
cmake_minimum_required(VERSION 3.20)

get_filename_component(repo_dir "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
if(NOT SDK_HEADER)
  set(SDK_HEADER "${repo_dir}/sdk/include/switchboard/sdk.h")
endif()
if(NOT ABI_DIR)
  set(ABI_DIR "${repo_dir}/sdk/abi")
endif()

if(SELF_TEST)
  # Runs this script on copies: an untouched header passes; an edited one fails with
  # the instructions; bumping the minor and recording the new hash passes again;
  # deleting an earlier record fails.
  if(NOT WORK_DIR)
    message(FATAL_ERROR "SELF_TEST needs -DWORK_DIR=<scratch folder>")
  endif()
  file(REMOVE_RECURSE "${WORK_DIR}")
  file(MAKE_DIRECTORY "${WORK_DIR}/abi")
  file(COPY "${SDK_HEADER}" DESTINATION "${WORK_DIR}")
  file(GLOB records "${ABI_DIR}/*.sha256")
  file(COPY ${records} DESTINATION "${WORK_DIR}/abi")
  set(header "${WORK_DIR}/sdk.h")

  function(run_check expect_success label)
    execute_process(
      COMMAND ${CMAKE_COMMAND} -DSDK_HEADER=${header} -DABI_DIR=${WORK_DIR}/abi -P ${CMAKE_CURRENT_LIST_FILE}
      RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(expect_success AND NOT result EQUAL 0)
      message(FATAL_ERROR "self-test: ${label}: expected the check to pass, it failed:\n${out}")
    elseif(NOT expect_success AND result EQUAL 0)
      message(FATAL_ERROR "self-test: ${label}: expected the check to fail, it passed:\n${out}")
    endif()
    set(check_output "${out}" PARENT_SCOPE)
  endfunction()

  run_check(TRUE "the header as recorded")

  file(APPEND "${header}" "/* a change */\n")
  run_check(FALSE "an edited header with the same version")
  if(NOT check_output MATCHES "changed without an ABI version bump" OR NOT check_output MATCHES "SWITCHBOARD_ABI_MINOR")
    message(FATAL_ERROR "self-test: the failure does not say what to do:\n${check_output}")
  endif()

  file(READ "${header}" text)
  string(REGEX MATCH "#define SWITCHBOARD_ABI_MAJOR ([0-9]+)" _ "${text}")
  set(major ${CMAKE_MATCH_1})
  string(REGEX MATCH "#define SWITCHBOARD_ABI_MINOR ([0-9]+)" _ "${text}")
  math(EXPR next_minor "${CMAKE_MATCH_1} + 1")
  string(REGEX REPLACE "#define SWITCHBOARD_ABI_MINOR [0-9]+" "#define SWITCHBOARD_ABI_MINOR ${next_minor}" text "${text}")
  file(WRITE "${header}" "${text}")
  run_check(FALSE "a bumped version without its record")
  file(SHA256 "${header}" bumped_hash)
  file(WRITE "${WORK_DIR}/abi/${major}.${next_minor}.sha256" "${bumped_hash}  sdk.h\n")
  run_check(TRUE "a bumped version with its record")

  file(REMOVE "${WORK_DIR}/abi/${major}.0.sha256")
  run_check(FALSE "an earlier record deleted")

  file(REMOVE_RECURSE "${WORK_DIR}")
  message(STATUS "abi_check self-test: 5 cases behave")
  return()
endif()

if(NOT EXISTS "${SDK_HEADER}")
  message(FATAL_ERROR "abi_check: ${SDK_HEADER} does not exist")
endif()
file(READ "${SDK_HEADER}" header_text)
if(NOT header_text MATCHES "#define SWITCHBOARD_ABI_MAJOR ([0-9]+)")
  message(FATAL_ERROR "abi_check: no '#define SWITCHBOARD_ABI_MAJOR <n>' in ${SDK_HEADER}")
endif()
set(major ${CMAKE_MATCH_1})
if(NOT header_text MATCHES "#define SWITCHBOARD_ABI_MINOR ([0-9]+)")
  message(FATAL_ERROR "abi_check: no '#define SWITCHBOARD_ABI_MINOR <n>' in ${SDK_HEADER}")
endif()
set(minor ${CMAKE_MATCH_1})
set(version "${major}.${minor}")
file(SHA256 "${SDK_HEADER}" actual)

# The first 64 hex digits of a record (a bare hash, or sha256sum's "<hash>  sdk.h").
function(read_record file out)
  file(READ "${file}" text)
  string(TOLOWER "${text}" text)
  string(REGEX MATCH "^[ \t\r\n]*[0-9a-f]+" hash "${text}")
  string(STRIP "${hash}" hash)
  string(LENGTH "${hash}" length)
  if(NOT length EQUAL 64)
    message(FATAL_ERROR "abi_check: ${file} holds no SHA-256 (64 hex digits): '${text}'")
  endif()
  set(${out} "${hash}" PARENT_SCOPE)
endfunction()

set(how_to
  "When sdk.h changes, its ABI version changes with it:\n"
  "  - added something at the END of the host table or of a struct (old plugins keep working):\n"
  "      bump SWITCHBOARD_ABI_MINOR,\n"
  "  - changed or removed anything that exists, or its meaning (old plugins would break):\n"
  "      bump SWITCHBOARD_ABI_MAJOR and reset SWITCHBOARD_ABI_MINOR to 0,\n"
  "  then record the new header: write its SHA-256 into sdk/abi/<major>.<minor>.sha256\n"
  "      (cmake -E sha256sum sdk/include/switchboard/sdk.h > sdk/abi/<major>.<minor>.sha256)\n"
  "  and keep the older records: they are the history. See sdk/abi/README.md.")
string(CONCAT how_to ${how_to})

set(record "${ABI_DIR}/${version}.sha256")
if(NOT EXISTS "${record}")
  message(FATAL_ERROR
    "abi_check: sdk.h declares ABI ${version}, but ${record} does not exist.\n"
    "If ABI ${version} is new, record it: its header's SHA-256 is ${actual}\n"
    "(cmake -E sha256sum sdk/include/switchboard/sdk.h > sdk/abi/${version}.sha256).\n${how_to}")
endif()
read_record("${record}" expected)
if(NOT expected STREQUAL actual)
  math(EXPR next_minor "${minor} + 1")
  message(FATAL_ERROR
    "abi_check: sdk.h changed without an ABI version bump.\n"
    "  ${SDK_HEADER}\n"
    "  declares ABI ${version}, recorded in ${record} as\n"
    "    ${expected}\n"
    "  but now hashes to\n"
    "    ${actual}\n"
    "A published ABI never changes: plugins built against ${version} rely on it as it was.\n"
    "Most likely, set SWITCHBOARD_ABI_MINOR to ${next_minor} and add sdk/abi/${major}.${next_minor}.sha256.\n"
    "${how_to}")
endif()

# History: every earlier minor of this major keeps its record; no record is newer.
file(GLOB records RELATIVE "${ABI_DIR}" "${ABI_DIR}/*.sha256")
foreach(m RANGE 0 ${minor})
  if(NOT EXISTS "${ABI_DIR}/${major}.${m}.sha256")
    message(FATAL_ERROR
      "abi_check: ${ABI_DIR}/${major}.${m}.sha256 is missing: the record of every published "
      "ABI ${major}.x stays, so a plugin's version can be traced to the header it was built against.")
  endif()
  read_record("${ABI_DIR}/${major}.${m}.sha256" ignored)
endforeach()
foreach(name ${records})
  if(NOT name MATCHES "^([0-9]+)\\.([0-9]+)\\.sha256$")
    message(FATAL_ERROR "abi_check: ${ABI_DIR}/${name}: expected files named <major>.<minor>.sha256")
  endif()
  set(record_major ${CMAKE_MATCH_1})
  set(record_minor ${CMAKE_MATCH_2})
  if(record_major GREATER major OR (record_major EQUAL major AND record_minor GREATER minor))
    message(FATAL_ERROR
      "abi_check: ${ABI_DIR}/${name} records a newer ABI than sdk.h declares (${version}): "
      "was the version in sdk.h lowered?")
  endif()
endforeach()

message(STATUS "abi_check: sdk.h matches its record for ABI ${version} (${actual})")
