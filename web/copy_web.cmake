# Run at build time by web/CMakeLists.txt.
file(MAKE_DIRECTORY ${OUTPUT_DIR}/demo ${OUTPUT_DIR}/socket.io)
file(COPY_FILE ${SOURCE_DIR}/demo/index.html ${OUTPUT_DIR}/demo/index.html ONLY_IF_DIFFERENT)
set(found "")
foreach(modules ${SOURCE_DIR}/node_modules ${E2E_DIR}/node_modules)
  if(NOT found AND EXISTS ${modules}/socket.io-client/dist/socket.io.min.js)
    set(found ${modules}/socket.io-client/dist)
  endif()
endforeach()
if(found)
  foreach(name socket.io.min.js socket.io.min.js.map)
    file(COPY_FILE ${found}/${name} ${OUTPUT_DIR}/socket.io/${name} ONLY_IF_DIFFERENT)
  endforeach()
else()
  message(WARNING "socket.io-client is not installed (npm ci --prefix web): "
                  "the server will answer 404 for /socket.io/socket.io.min.js and the demo page cannot connect")
endif()
# The shared document's Yjs: the npm package bundled into one browser file by esbuild.
if(EXISTS ${SOURCE_DIR}/node_modules/.bin/esbuild AND EXISTS ${SOURCE_DIR}/node_modules/yjs)
  execute_process(COMMAND ${SOURCE_DIR}/node_modules/.bin/esbuild --bundle --minify --format=iife --log-level=warning
                          ${SOURCE_DIR}/yjs-browser.mjs --outfile=${OUTPUT_DIR}/demo/yjs.min.js
                  RESULT_VARIABLE esbuild_result)
  if(NOT esbuild_result EQUAL 0)
    message(FATAL_ERROR "esbuild could not bundle yjs for the demo page (web/yjs-browser.mjs)")
  endif()
else()
  message(WARNING "yjs and esbuild are not installed (npm ci --prefix web): the demo page's shared document is off")
endif()
