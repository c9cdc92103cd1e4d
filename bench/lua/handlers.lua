-- bench/run's handler rows in Lua: the same work as bench/plugin/bench_plugin.cpp (C++)
-- and bench/reference/handlers.js (Node), so the rows compare the runtimes, not the work.
local sb = require("switchboard")

-- Pooled (the default): a database call blocks its thread.
sb.on("bench:write", function(ctx, seq, body)
  if math.type(seq) ~= "integer" or type(body) ~= "string" then
    error({ code = "invalid_payload", message = "bench:write expects (seq: integer, body: string)" })
  end
  local rows = sb.db.query(
    "INSERT INTO bench_writes (seq, body, created_at) VALUES (:seq, :body, :created_at) RETURNING id",
    { seq = seq, body = body, created_at = sb.now() })
  return sb.null, { id = rows[1].id }
end)

-- Inline: no database, so it runs on the network worker like the C++ plugin's.
sb.on("bench:echo", function(ctx, ...)
  return ...
end, { inline = true })
