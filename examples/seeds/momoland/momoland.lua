-- momoland.lua: seed 000's socket handlers (src/socket/handlers.js), what momoLand's
-- socketService (lib/socket.ts) sends: chat rooms, typing, reactions, location, call
-- initiation, documents with author-only editing, admin announcements, and presence
-- with the user count. The backend's emitToRoom / emitToAll (new posts, likes,
-- comments, ranking, notifications, announcements) go through the kernel's server API:
-- nothing here. README.md beside this file maps every event and names every decision.
local sb = require("switchboard")
local f = require("lib.feature")   -- scripts/lib, listed in module_paths

local settings = sb.config.momoland or {}
local MAX_ROOM = settings.max_room_length or 128
local MAX_MESSAGE = settings.max_message_length or 2000     -- characters
local MAX_DOCUMENT = settings.max_document_bytes or 200000
local ANNOUNCE_ROLE = settings.announce_role or "admin"
local CALL_TYPES = { audio = true, video = true }

local fail, iso, object_value = f.fail, f.iso, f.payload

-- socket.user of the seed: who the token says.
local function user_of(ctx)
  local user = { id = ctx.user.id, name = type(ctx.user.name) == "string" and ctx.user.name or ctx.user.id }
  if type(ctx.user.image) == "string" then user.image = ctx.user.image end
  return user
end

-- Chat rooms and the blog's "blog-room" are names of 1..MAX_ROOM bytes; `user:` (a
-- user's devices) and `document:` (documents, joined through join-document) are not
-- chat rooms.
local function room_value(value, what)
  what = what or "roomId"
  if math.type(value) == "integer" then value = tostring(value) end
  if type(value) ~= "string" or value == "" or #value > MAX_ROOM or value:find("%c") then
    fail("invalid_payload", what .. ": a room name (1 to " .. MAX_ROOM .. " bytes)")
  end
  if value:find("^user:") or value:find("^document:") then fail("forbidden", "room " .. value .. " is not a chat room") end
  return value
end

local text_value = f.text_value

-- Chat -----------------------------------------------------------------------------

sb.on("join-room", function(ctx, room_id)
  local room = room_value(room_id)
  ctx.socket:join(room, { authorize = true })
  sb.emit{ to = room, except = ctx.socket, event = "user-joined", data = { user = user_of(ctx), roomId = room } }
  return { roomId = room }
end)

sb.on("leave-room", function(ctx, room_id)
  local room = room_value(room_id)
  ctx.socket:leave(room)
  sb.emit{ to = room, event = "user-left", data = { user = user_of(ctx), roomId = room } }
  return { roomId = room }
end)

-- send-message {roomId, content}: new-message to the room, sender included
-- (io.to(data.roomId).emit in the seed).
sb.on("send-message", function(ctx, payload)
  local p = object_value(payload, "{roomId, content}")
  local room = room_value(p.roomId)
  local content = text_value(p.content, "content", MAX_MESSAGE)
  local message = { id = sb.uuid(), roomId = room, content = content, user = user_of(ctx), createdAt = iso(sb.now()) }
  sb.emit{ to = room, event = "new-message", data = message }
  return message
end)

sb.on("typing-start", function(ctx, room_id)
  local room = room_value(room_id)
  sb.emit{ to = room, except = ctx.socket, event = "typing-start", volatile = true,
           data = { userId = ctx.user.id, userName = user_of(ctx).name, roomId = room } }
end, { inline = true })

sb.on("typing-stop", function(ctx, room_id)
  local room = room_value(room_id)
  sb.emit{ to = room, except = ctx.socket, event = "typing-stop", volatile = true,
           data = { userId = ctx.user.id, roomId = room } }
end, { inline = true })

-- send-reaction {roomId, messageId, emoji}: message-reaction to the room, the
-- reacting socket included (its list shows the count like everyone's).
sb.on("send-reaction", function(ctx, payload)
  local p = object_value(payload, "{roomId, messageId, emoji}")
  local room = room_value(p.roomId)
  local message = p.messageId
  if type(message) ~= "string" or message == "" or #message > 128 then
    fail("invalid_payload", "messageId: a string of 1 to 128 bytes")
  end
  local emoji = p.emoji
  if type(emoji) ~= "string" or emoji == "" or #emoji > 32 or emoji:find("[%c%s]") then
    fail("invalid_payload", "emoji: 1 to 32 bytes without spaces")
  end
  local reaction = { roomId = room, messageId = message, emoji = emoji, userId = ctx.user.id }
  sb.emit{ to = room, event = "message-reaction", data = reaction }
  return reaction
end, { inline = true })

-- Location and calls ----------------------------------------------------------------

local function coordinate(value, what, limit)
  if type(value) ~= "number" or value ~= value or value < -limit or value > limit then
    fail("invalid_payload", string.format("location.%s: a number from %d to %d", what, -limit, limit))
  end
  return value
end

sb.on("share-location", function(ctx, payload)
  local p = object_value(payload, "{roomId, location: {lat, lng}}")
  local room = room_value(p.roomId)
  local location = object_value(p.location, "location: {lat, lng}")
  local shared = {
    roomId = room,
    userId = ctx.user.id,
    location = { lat = coordinate(location.lat, "lat", 90), lng = coordinate(location.lng, "lng", 180) },
    sharedAt = iso(sb.now()),
  }
  sb.emit{ to = room, except = ctx.socket, event = "location-shared", data = shared }
  return shared
end, { inline = true })

-- initiate-call {roomId, type}: incoming-call to the room's others. The media path
-- (offers, answers, ICE) is the calls plugin's (call:*), not the seed's.
sb.on("initiate-call", function(ctx, payload)
  local p = object_value(payload, "{roomId, type}")
  local room = room_value(p.roomId)
  if not CALL_TYPES[p.type] then fail("invalid_payload", "type: 'audio' or 'video'") end
  local call = { callId = sb.uuid(), roomId = room, type = p.type, from = user_of(ctx) }
  sb.emit{ to = room, except = ctx.socket, event = "incoming-call", data = call }
  return call
end, { inline = true })

-- Documents: author-only editing ---------------------------------------------------
-- A document's author is who created it (the collab plugin's collab_documents table,
-- so the collab plugin, when enabled, sees the same owner). Everyone signed in may
-- follow a document; only its author's changes are broadcast.

local function document_value(value)
  if math.type(value) == "integer" then value = tostring(value) end
  if type(value) ~= "string" or value == "" or #value > MAX_ROOM or value:find("%c") then
    fail("invalid_payload", "documentId: an id (1 to " .. MAX_ROOM .. " bytes)")
  end
  return value
end

local function author_of(document)
  local rows = sb.db.query("SELECT owner_id FROM collab_documents WHERE name = :name", { name = document })
  return rows[1] and rows[1].owner_id
end

sb.on("create-document", function(ctx, payload)
  local document = document_value(object_value(payload, "{documentId}").documentId)
  sb.db.exec(
    "INSERT INTO collab_documents (name, owner_id, created_at) SELECT :name, :owner, :now " ..
    "WHERE NOT EXISTS (SELECT 1 FROM collab_documents WHERE name = :name)",
    { name = document, owner = ctx.user.id, now = sb.now() })
  local author = author_of(document)
  if author ~= ctx.user.id then fail("forbidden", "document " .. document .. " belongs to another author") end
  ctx.socket:join("document:" .. document)
  return { documentId = document, authorId = author }
end)

sb.on("join-document", function(ctx, document_id)
  local document = document_value(document_id)
  local author = author_of(document)
  if not author then fail("not_found", "no document " .. document) end
  ctx.socket:join("document:" .. document)
  return { documentId = document, authorId = author }
end)

sb.on("leave-document", function(ctx, document_id)
  local document = document_value(document_id)
  ctx.socket:leave("document:" .. document)
  return { documentId = document }
end)

sb.on("document-change", function(ctx, payload)
  local p = object_value(payload, "{documentId, content}")
  local document = document_value(p.documentId)
  if type(p.content) ~= "string" or #p.content > MAX_DOCUMENT then
    fail("invalid_payload", "content: a string of at most " .. MAX_DOCUMENT .. " bytes")
  end
  local author = author_of(document)
  if not author then fail("not_found", "no document " .. document) end
  if author ~= ctx.user.id then fail("forbidden", "only the author edits document " .. document) end
  local change = { documentId = document, content = p.content, userId = ctx.user.id, updatedAt = iso(sb.now()) }
  sb.emit{ to = "document:" .. document, except = ctx.socket, event = "document-updated", data = change }
  return change
end)

-- Announcements and presence --------------------------------------------------------

local function has_role(user, role)
  local roles = user.roles
  if type(roles) == "string" then return roles == role end
  if type(roles) ~= "table" then return false end
  for _, r in ipairs(roles) do
    if r == role then return true end
  end
  return false
end

-- send-announcement {message}: "Admin broadcasts to all users", for the role only.
sb.on("send-announcement", function(ctx, payload)
  if not has_role(ctx.user, ANNOUNCE_ROLE) then fail("forbidden", "announcing needs the " .. ANNOUNCE_ROLE .. " role") end
  local p = object_value(payload, "{message}")
  local announcement = { message = text_value(p.message, "message", MAX_MESSAGE), from = user_of(ctx), sentAt = iso(sb.now()) }
  sb.emit{ event = "system-announcement", data = announcement, nsp = "/" }
  return announcement
end)

-- The users online (signed in on at least one socket of this node), a page at a time.
local function count_online()
  local page, count = 1000, 0
  while true do
    local ids = sb.users_online(count, page)
    count = count + #ids
    if #ids < page then return count end
  end
end

-- user-online / user-offline {userId} and user-count {count} to everyone when a
-- user's first socket arrives or its last one leaves.
sb.on_presence(function(user, online)
  sb.emit{ event = online and "user-online" or "user-offline", data = { userId = user }, nsp = "/" }
  sb.emit{ event = "user-count", data = { count = count_online() }, nsp = "/" }
end)
