-- rooms.lua: clients join and leave rooms by name, within a policy.
--
--   plugins:
--     - name: lua
--       config:
--         scripts: [scripts/rooms.lua]
--         settings:
--           rooms:
--             allow: ["^public:", "^game:%d+$"]   # Lua patterns; none listed: every name
--             max_length: 64                      # default 64
--
-- Events (the ack answers {ok = true}, or {code, message}):
--   room:join (name)    joins, if the policy and every plugin's join hook agree
--   room:leave (name)
--
-- The policy is a join hook too: joins other plugins ask for with authorize = true
-- follow it as well. Rooms named user:<id> (every device of a user) are never allowed.
local sb = require("switchboard")

local settings = sb.config.rooms or {}
local allow = settings.allow or {}
local max_length = settings.max_length or 64

local function check(name)
  if type(name) ~= "string" or name == "" then
    error({ code = "invalid_payload", message = "a room name (a non-empty string) is expected" })
  end
  if #name > max_length then
    error({ code = "invalid_payload", message = "room names are at most " .. max_length .. " bytes" })
  end
end

local function allowed(name)
  -- user:<id> is where the server sends a user's own events (sb.emit{user = ...}):
  -- never a room a client may join by name.
  if name:find("^user:") then return false end
  if #allow == 0 then return true end
  for _, pattern in ipairs(allow) do
    if name:find(pattern) then return true end
  end
  return false
end

sb.on_join(function(ctx, room)
  if not allowed(room) then return false, "room " .. room .. " is not open to clients" end
end)

sb.on("room:join", function(ctx, name)
  check(name)
  ctx.socket:join(name, { authorize = true })
  return { ok = true }
end)

sb.on("room:leave", function(ctx, name)
  check(name)
  ctx.socket:leave(name)
  return { ok = true }
end)
