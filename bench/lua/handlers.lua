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

-- The fan-out row: a client asks for a broadcast to a room, as a chat relay would.
-- Inline like the echo: neither waits for anything.
local function room_of(room, usage)
  if type(room) ~= "string" then error({ code = "invalid_payload", message = usage }) end
  return room
end

sb.on("bench:join", function(ctx, room)
  ctx.socket:join(room_of(room, "bench:join expects (room: string)"))
end, { inline = true })

sb.on("bench:relay", function(ctx, room, ...)
  sb.emit{ to = room_of(room, "bench:relay expects (room: string, args...)"), event = "tick", args = { ... } }
end, { inline = true })
