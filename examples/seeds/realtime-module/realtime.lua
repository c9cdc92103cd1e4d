-- realtime.lua: seed 004's reusable realtime module (lib/socket.ts), its own events
-- and payloads. README.md beside this file maps every event and names every decision.
--
-- Who a socket is comes from the JWT the kernel verified at connect (ctx.user); the
-- `auth {userId, token?}` event only confirms it: a client never claims another id.
-- Backends use the kernel's server API (notify = POST /api/emit to a user, online
-- queries = GET /api/presence/users): nothing here for them.
local sb = require("switchboard")
local f = require("lib.feature")   -- scripts/lib, listed in module_paths

local settings = sb.config.realtime or {}
local MAX_ROOM = settings.max_room_length or 128
local MAX_TEXT = settings.max_text_length or 4000
local STATUSES = { online = true, away = true, busy = true }

local fail = f.fail

local function signed_in(ctx)
  if not ctx.user then fail("unauthorized", "connect with a token (auth: {token}) first") end
  return ctx.user.id
end

-- Rooms are the module's channels: any name, but not another user's own room
-- (`user:<id>` is where notify() reaches every device of a user).
local function room_name(ctx, room)
  if type(room) ~= "string" or room == "" or #room > MAX_ROOM then
    fail("invalid_payload", "a room name: a string of 1 to " .. MAX_ROOM .. " bytes")
  end
  local owner = room:match("^user:(.*)$")
  if owner and owner ~= ctx.user.id then fail("forbidden", "room " .. room .. " is another user's") end
  return room
end

local function now_ms()
  return os.time() * 1000
end

-- The token the kernel verified for this socket, wherever the client put it.
local function connect_token(ctx)
  if type(ctx.auth) == "table" and type(ctx.auth.token) == "string" then return ctx.auth.token end
  local headers = (ctx.handshake and ctx.handshake.headers) or {}
  local bearer = (headers.authorization or ""):match("^[Bb]earer%s+(.+)$")
  if bearer then return bearer end
  local query = (ctx.handshake and ctx.handshake.query) or {}
  return query.token
end

sb.on("auth", function(ctx, payload)
  local claimed = type(payload) == "table" and payload.userId or nil
  if type(claimed) == "number" then claimed = tostring(math.tointeger(claimed) or claimed) end
  local why
  if not ctx.user then
    why = "connect with a token (auth: {token}) to authenticate"
  elseif type(claimed) ~= "string" or claimed ~= ctx.user.id then
    why = "userId does not match the token"
  elseif payload.token ~= nil and payload.token ~= connect_token(ctx) then
    why = "token does not match the connection's"
  end
  if why then
    ctx.socket:emit("auth:error", { message = why })
    fail("unauthorized", why)
  end
  ctx.socket:emit("auth:success", { userId = ctx.user.id })
  return { userId = ctx.user.id }
end, { inline = true })

sb.on("join", function(ctx, room)
  local user = signed_in(ctx)
  room = room_name(ctx, room)
  ctx.socket:join(room, { authorize = true })
  ctx.socket:emit("joined", { room = room })
  sb.emit{ to = room, except = ctx.socket, event = "user:joined", data = { userId = user, room = room } }
  return { room = room }
end)

sb.on("leave", function(ctx, room)
  local user = signed_in(ctx)
  room = room_name(ctx, room)
  ctx.socket:leave(room)
  ctx.socket:emit("left", { room = room })
  sb.emit{ to = room, event = "user:left", data = { userId = user, room = room } }
  return { room = room }
end)

-- PresenceInfo {userId, status, lastSeen}: to every socket of the namespace, as the
-- module's io.emit does; connect and last disconnect announce online and offline.
local function announce(user, status)
  sb.emit{ event = "presence:update", nsp = "/", data = { userId = user, status = status, lastSeen = now_ms() } }
end

sb.on("presence", function(ctx, status)
  local user = signed_in(ctx)
  if not STATUSES[status] then fail("invalid_payload", "status: 'online', 'away' or 'busy'") end
  announce(user, status)
  return { userId = user, status = status }
end, { inline = true })

sb.on_presence(function(user, online)
  announce(user, online and "online" or "offline")
end)

local function typing(ctx, room, event)
  local user = signed_in(ctx)
  room = room_name(ctx, room)
  sb.emit{ to = room, except = ctx.socket, event = event, data = { userId = user, room = room }, volatile = true }
end

sb.on("typing:start", function(ctx, room) typing(ctx, room, "typing:start") end, { inline = true })
sb.on("typing:stop", function(ctx, room) typing(ctx, room, "typing:stop") end, { inline = true })

-- The README's ChatRoom: `message {room, text}` to everyone in the room, sender
-- included (its list shows what the room got). Ids: the socket's id and a counter of
-- this Lua state, unique without a database.
local sequence = 0
sb.on("message", function(ctx, payload)
  local user = signed_in(ctx)
  if type(payload) ~= "table" then fail("invalid_payload", "{room, text} is expected") end
  local room = room_name(ctx, payload.room)
  local text = payload.text
  if type(text) ~= "string" or not text:find("%S") or #text > MAX_TEXT then
    fail("invalid_payload", "text: a non-empty string of at most " .. MAX_TEXT .. " bytes")
  end
  sequence = sequence + 1
  local message = {
    id = ctx.socket.id .. ":" .. sequence,
    room = room,
    userId = user,
    text = text,
    createdAt = now_ms(),
  }
  sb.emit{ to = room, event = "message", data = message }
  return message
end)   -- pooled, as join: a join then a message from one socket stay in that order
