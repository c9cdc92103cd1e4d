-- content_platform.lua: seed 003's realtime signaling server (signaling.js), what its
-- clients (realtimeClient, useRealtime) send: room joins with authorization, chat,
-- typing and editing indicators, online status. Everything the backend's
-- realtimeService emits (content, chapters, friends, calendar, media, albums, diary,
-- payments, ads, notifications, announcements) goes through the kernel's server API
-- (POST /api/emit): nothing here. README.md beside this file maps every event.
local sb = require("switchboard")
local f = require("lib.feature")   -- scripts/lib, listed in module_paths

local settings = sb.config.content_platform or {}
local MAX_TEXT = settings.max_text_length or 4000      -- characters of a chat message
local MAX_ID = 128

local fail, iso, object_value = f.fail, f.iso, f.payload

local function id_value(value, what) return f.id_value(value, what, MAX_ID) end
local function text_value(value, what) return f.text_value(value, what, MAX_TEXT) end

-- The seed's room types. `open`: any signed-in user may join (the backend sends a
-- private item's events to its readers' user rooms, not to the item's room); `own`:
-- only the user named; `granted`: only the backend puts sockets there
-- (POST /api/sockets/join after its own access check), a client's join is refused.
local ROOM_KINDS = {
  content = "open", media = "open", album = "open",
  calendar = "granted", diary = "granted",
  user = "own",
}

local function room_value(value)
  if type(value) ~= "string" then fail("invalid_payload", "room: a string such as content_{id}") end
  local kind, id = value:match("^(%a+)_(.+)$")
  if not kind or not ROOM_KINDS[kind] or #id > MAX_ID or id:find("%c") then
    fail("invalid_payload", "room: content_, calendar_, media_, album_, diary_ or user_ and an id")
  end
  return value, kind, id
end

-- The rule, as a join hook: it also decides joins other plugins ask with authorize.
sb.on_join(function(ctx, room)
  local kind, id = room:match("^(%a+)_(.+)$")
  local rule = kind and ROOM_KINDS[kind]
  if not rule then return true end          -- not one of the seed's rooms: not ours to rule
  if not ctx.user then return false, "sign in first", "unauthorized" end
  if rule == "own" and id ~= ctx.user.id then return false, "room " .. room .. " is another user's", "forbidden" end
  if rule == "granted" then
    return false, "room " .. room .. " is joined through the app (its access check)", "forbidden"
  end
  return true
end)

-- join-room / leave-room room: joinContentRoom(id) is join-room `content_{id}`.
sb.on("join-room", function(ctx, room)
  room = room_value(room)
  ctx.socket:join(room, { authorize = true })
  return { room = room }
end)

sb.on("leave-room", function(ctx, room)
  room = room_value(room)
  ctx.socket:leave(room)
  return { room = room }
end)

-- send-message {recipientId, text} (realtimeClient.sendMessage(userId, text)): the
-- message to every device of the recipient as `message-received`, and to the sender's
-- socket as `message-sent`, the confirmation. Not stored ("Message Queuing" is a
-- future enhancement of the seed).
sb.on("send-message", function(ctx, payload)
  local p = object_value(payload, "{recipientId, text}")
  local recipient = id_value(p.recipientId, "recipientId")
  if recipient == ctx.user.id then fail("invalid_payload", "recipientId: another user") end
  local text = text_value(p.text, "text")
  local message = {
    id = sb.uuid(),
    senderId = ctx.user.id,
    recipientId = recipient,
    text = text,
    createdAt = iso(sb.now()),
  }
  sb.emit{ user = recipient, event = "message-received", data = message }
  ctx.socket:emit("message-sent", message)
  return message
end)

-- message {room, text}: the generic message to a room the socket may be in, sender
-- included (its list shows what the room got).
sb.on("message", function(ctx, payload)
  local p = object_value(payload, "{room, text}")
  local room = room_value(p.room)
  local text = text_value(p.text, "text")
  local message = { id = sb.uuid(), room = room, senderId = ctx.user.id, text = text, createdAt = iso(sb.now()) }
  sb.emit{ to = room, event = "message", data = message }
  return message
end)

-- typing / editing {room, isTyping | isEditing}: user-typing / user-editing
-- {userId, room, ...} to the room's others; volatile relays.
local function indicator(event, flag)
  return function(ctx, payload)
    local p = object_value(payload, "{room, " .. flag .. "}")
    local room = room_value(p.room)
    local on = p[flag]
    if on == nil then on = true end
    if type(on) ~= "boolean" then fail("invalid_payload", flag .. ": a boolean") end
    local data = { userId = ctx.user.id, room = room }
    data[flag] = on
    if type(p.field) == "string" and #p.field <= MAX_ID then data.field = p.field end
    sb.emit{ to = room, except = ctx.socket, event = event, data = data, volatile = true }
  end
end

sb.on("typing", indicator("user-typing", "isTyping"), { inline = true })
sb.on("editing", indicator("user-editing", "isEditing"), { inline = true })

-- user-status-changed {userId, status: online | offline} to everyone: a user's first
-- socket arrived, the last one left.
sb.on_presence(function(user, online)
  sb.emit{ event = "user-status-changed", nsp = "/",
           data = { userId = user, status = online and "online" or "offline", lastSeen = iso(sb.now()) } }
end)
