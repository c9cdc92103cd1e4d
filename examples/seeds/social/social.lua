-- social.lua: seed 002's social network socket server (server.js), its own events and
-- payloads. README.md beside this file maps every event and names every decision.
--
-- Who a socket is comes from the JWT the kernel verified at connect (ctx.user): `join`
-- with another user's id is refused. Notifications are stored in the notifications
-- plugin's table (`notifications_items`, the lua entry's `migrations: [notifications]`)
-- because this server creates them (`send_message`, `send_notification`, the backend's
-- POST /api/social/notifications) and marks them read (`mark_notification_read`), as server.js does with
-- Prisma. Follows, likes, comments and posts stay the app's: its REST routes call the
-- server API (`POST /api/emit`), nothing here.
local sb = require("switchboard")
local f = require("lib.feature")   -- scripts/lib, listed in module_paths
local http = require("lib.http")

local settings = sb.config.social or {}
local MAX_MESSAGE = settings.max_message_length or 2000      -- characters
local MAX_TITLE = settings.max_title_length or 200           -- characters
local MAX_CONTENT = settings.max_content_length or 2000      -- characters
local MAX_METADATA = settings.max_metadata_bytes or 4096
local MISSED_ON_JOIN = settings.unread_on_join or 50
local API_KEYS = settings.api_keys or {}

local fail, iso = f.fail, f.iso

local function display_name(user)
  return type(user.name) == "string" and user.name ~= "" and user.name or user.id
end

-- A user or post id as the app's Prisma ids are: a string (a cuid), or an integer
-- id sent as a number; 1 to 128 bytes without control characters.
local id_value = f.id_value
local text_value = f.text_value
local object_value = f.payload

-- The seed's rooms: `user_{id}` (a user's devices, besides the kernel's `user:{id}`)
-- and `post_{id}` (the viewers of a post, for live comments).
local function user_room(id) return "user_" .. id end
local function post_room(id) return "post_" .. id end

-- Notification {id, userId, type, title, content, metadata, read, createdAt}, as the
-- seed's Prisma model serializes: string id, metadata a JSON string or null, ISO date.
local function notification_of(row)
  local data = row.data
  return {
    id = tostring(math.tointeger(tonumber(row.id)) or row.id),
    userId = row.user_id,
    type = row.type,
    title = row.title,
    content = row.message,
    metadata = (data == nil or data == "{}") and sb.null or data,
    read = row.read_at ~= nil and row.read_at ~= sb.null,
    createdAt = iso(math.tointeger(tonumber(row.created_at))),
  }
end

local TYPE_PATTERN = "^[%w_.:%-]+$"

-- Stores a notification and pushes `new_notification` to every device of its user.
-- fields: {userId, type, title, content, metadata?}; metadata a JSON object given as
-- text (the seed's column) or as an object.
local function create_notification(fields)
  local user = id_value(fields.userId, "userId")
  local kind = fields.type
  if type(kind) ~= "string" or #kind > 64 or not kind:find(TYPE_PATTERN) then
    fail("invalid_payload", "type: 1 to 64 of letters, digits, _ . : -")
  end
  local title = text_value(fields.title, "title", MAX_TITLE)
  local content = text_value(fields.content, "content", MAX_CONTENT)
  local metadata = fields.metadata
  if metadata == nil or metadata == sb.null then
    metadata = "{}"
  elseif type(metadata) == "table" and not sb.is_binary(metadata) then
    metadata = sb.json.encode(metadata)
  elseif type(metadata) ~= "string" or type(sb.json.decode(metadata)) ~= "table" then
    fail("invalid_payload", "metadata: a JSON object (as text or an object) or null")
  end
  if #metadata > MAX_METADATA then fail("invalid_payload", "metadata: at most " .. MAX_METADATA .. " bytes") end
  local rows = sb.db.query(
    "INSERT INTO notifications_items (user_id, type, title, message, data, created_at) " ..
    "VALUES (:user, :type, :title, :content, :data, :now) " ..
    "RETURNING id, user_id, type, title, message, data, created_at, read_at",
    { user = user, type = kind, title = title, content = content, data = metadata, now = sb.now() })
  local notification = notification_of(rows[1])
  sb.emit{ user = user, event = "new_notification", data = notification, nsp = "/" }
  return notification
end

-- Connection: the namespace is not anonymous ("All Socket.IO connections require
-- valid token"), so every handler has ctx.user.

-- join userId: the user's personal room. The id must be the token's; the socket then
-- also gets the unread notifications its user has not read yet (oldest first), what
-- the seed's client would have fetched after being away.
sb.on("join", function(ctx, user_id)
  local claimed = id_value(user_id, "userId")
  if claimed ~= ctx.user.id then fail("forbidden", "userId does not match the token") end
  ctx.socket:join(user_room(claimed))
  local rows = sb.db.query(
    "SELECT id, user_id, type, title, message, data, created_at, read_at FROM notifications_items " ..
    "WHERE user_id = :user AND read_at IS NULL ORDER BY id DESC LIMIT " .. MISSED_ON_JOIN,
    { user = claimed })
  for i = #rows, 1, -1 do ctx.socket:emit("new_notification", notification_of(rows[i])) end
  return { userId = claimed, unread = #rows }
end)

sb.on("join_post", function(ctx, post_id)
  local post = id_value(post_id, "postId")
  ctx.socket:join(post_room(post))
  return { postId = post }
end, { inline = true })

sb.on("leave_post", function(ctx, post_id)
  local post = id_value(post_id, "postId")
  ctx.socket:leave(post_room(post))
  return { postId = post }
end, { inline = true })

-- typing {receiverId} -> user_typing {userId} to the receiver's devices; volatile (a
-- lost indicator is replaced by the next), no server-side clear: the client debounces.
local function relay_typing(ctx, payload, event)
  local receiver = id_value(object_value(payload, "{receiverId}").receiverId, "receiverId")
  if receiver == ctx.user.id then fail("invalid_payload", "receiverId: another user") end
  sb.emit{ user = receiver, event = event, data = { userId = ctx.user.id }, volatile = true }
end

sb.on("typing", function(ctx, payload) relay_typing(ctx, payload, "user_typing") end, { inline = true })
sb.on("stop_typing", function(ctx, payload) relay_typing(ctx, payload, "user_stop_typing") end, { inline = true })

-- send_message {receiverId, content} -> new_message (Message) to the receiver's
-- devices, then a stored `message` notification -> new_notification. The message is
-- the sender's ack too.
sb.on("send_message", function(ctx, payload)
  local p = object_value(payload, "{receiverId, content}")
  local receiver = id_value(p.receiverId, "receiverId")
  if receiver == ctx.user.id then fail("invalid_payload", "receiverId: another user") end
  local content = text_value(p.content, "content", MAX_MESSAGE)
  local now = sb.now()
  local message = {
    id = sb.uuid(),
    senderId = ctx.user.id,
    receiverId = receiver,
    content = content,
    read = false,
    createdAt = iso(now),
  }
  sb.emit{ user = receiver, event = "new_message", data = message }
  create_notification{
    userId = receiver,
    type = "message",
    title = "New Message",
    content = display_name(ctx.user) .. " sent you a message",
    metadata = { senderId = ctx.user.id, messageId = message.id },
  }
  return message
end)

-- send_notification {userId, type, title, content}: the seed's test path. To another
-- user only ("Self-notification Prevention"); the metadata names the sender.
sb.on("send_notification", function(ctx, payload)
  local p = object_value(payload, "{userId, type, title, content}")
  local target = id_value(p.userId, "userId")
  if target == ctx.user.id then fail("invalid_payload", "userId: no notifications to oneself") end
  return create_notification{
    userId = target, type = p.type, title = p.title, content = p.content,
    metadata = { senderId = ctx.user.id },
  }
end)

-- mark_notification_read notificationId -> notification_marked_read notificationId to
-- every device of the user (this one included). Someone else's notification and one
-- that does not exist look the same: not_found.
sb.on("mark_notification_read", function(ctx, notification_id)
  local id = id_value(notification_id, "notificationId")
  local number = math.tointeger(tonumber(id))
  if not number or tostring(number) ~= id then fail("not_found", "no such notification") end
  local rows = sb.db.query(
    "SELECT read_at FROM notifications_items WHERE id = :id AND user_id = :user",
    { id = number, user = ctx.user.id })
  if not rows[1] then fail("not_found", "no such notification") end
  sb.db.exec("UPDATE notifications_items SET read_at = :now WHERE id = :id AND read_at IS NULL",
    { id = number, now = sb.now() })
  sb.emit{ user = ctx.user.id, event = "notification_marked_read", data = id }
  return { notificationId = id }
end)

-- user_online / user_offline userId to everyone: a user's first session arrived, the
-- last one left (all devices together).
sb.on_presence(function(user, online)
  sb.emit{ event = online and "user_online" or "user_offline", data = user, nsp = "/" }
end)

-- The backend's createNotification() (lib/notifications.ts: notifyFollow, notifyLike,
-- notifyComment, notifyMessage): POST /api/social/notifications {userId, type, title,
-- content, metadata?} with the API key -> 201 {notification}, stored and pushed before
-- the answer. Lua cannot read the environment: the accepted keys are in the settings.

local function authorized(request) return http.authorized(request, API_KEYS) end
local api_error = http.error

sb.route("POST", "/api/social/notifications", function(request)
  if not authorized(request) then return api_error(401, "unauthorized", "a valid X-API-Key is required") end
  local body = sb.json.decode(request.body or "")
  if type(body) ~= "table" then return api_error(400, "invalid_json", "a JSON object is expected") end
  local ok, result = pcall(create_notification, body)
  if ok then return { notification = result }, 201 end
  if type(result) == "table" and result.code == "invalid_payload" then
    return api_error(400, "invalid_payload", result.message)
  end
  error(result, 0)   -- the database's errors: the route answers 500, the log has them
end)
