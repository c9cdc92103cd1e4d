-- event_chat.lua: seed 001's event chat server, its own event names and payloads,
-- over the events plugin's participation and message tables.
--
-- The events plugin speaks `events:*`; this client speaks `join-event`, `send-message`,
-- `new-message`... with other payload shapes (string ids, ISO dates, userImage), and
-- the SDK offers no way to rename another plugin's events. So the seed's events are
-- served here, on the plugin's tables (`events_participants`, `events_messages`, its
-- migrations), and the plugin stays enabled for them and for its own `events:*` API.
-- README.md beside this file maps every event and names every decision.
local sb = require("switchboard")
local http = require("lib.http")   -- scripts/lib, listed in module_paths

local settings = sb.config.event_chat or {}
local MAX_LENGTH = settings.max_length or 1000
local TYPING_TIMEOUT = settings.typing_timeout or 5000
local BANNED = {}
for _, word in ipairs(settings.banned_words or {}) do BANNED[word:lower()] = true end
local API_KEYS = settings.api_keys or {}

-- A socket that joined an event is in two rooms: `event:<id>`, for the typing relays
-- (inline: they cannot read the database), and `event:<id>/<userId>`, its user's room
-- in that event ("/" cannot occur in an event id, so the pair is unambiguous).
-- Messages and participation go to the user rooms of the event's participants as the
-- database has them now: a user whose participation ended stops hearing the room at
-- once, on every socket, though the SDK cannot make those sockets leave.
local function room_of(event_id) return "event:" .. event_id end
local function member_room(event_id, user_id) return "event:" .. event_id .. "/" .. user_id end

local function to_participants(event_id, event, data, also_user)
  local rows = sb.db.query("SELECT user_id FROM events_participants WHERE event_id = :event", { event = event_id })
  local rooms = {}
  for i, row in ipairs(rows) do rooms[i] = member_room(event_id, row.user_id) end
  if also_user then rooms[#rooms + 1] = member_room(event_id, also_user) end
  if #rooms > 0 then sb.emit{ to = rooms, event = event, data = data } end
end

-- The backend's event id: what the events plugin accepts too.
local function valid_event_id(id)
  return type(id) == "string" and #id >= 1 and #id <= 128 and id:match("^[%w_.:%-]+$") ~= nil
end

-- The seed's only error shape: `error {message}` to the socket that asked.
local function refuse(ctx, message)
  ctx.socket:emit("error", { message = message })
end

local function event_of(ctx, payload)
  if type(payload) ~= "table" or not valid_event_id(payload.eventId) then
    refuse(ctx, "Invalid event id")
    return nil
  end
  return payload.eventId
end

local function participation(event_id, user_id)
  local rows = sb.db.query(
    "SELECT status FROM events_participants WHERE event_id = :event AND user_id = :user",
    { event = event_id, user = user_id })
  return rows[1] and rows[1].status or nil
end

-- Milliseconds, as the events plugin stores them. The sandbox's clock has whole
-- seconds: good for participation's updated_at; a message's createdAt takes the
-- database's clock instead (below), so two messages of one second keep their order.
local function now_ms()
  return os.time() * 1000
end

local NOW_SQL = {
  sqlite = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
  postgresql = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
}
local dialect   -- per Lua state, found at the first message
local function now_sql()
  if not dialect then
    -- Valid in both: CAST(0.5 AS INTEGER) truncates in SQLite (0), rounds in PostgreSQL (1).
    local rows = sb.db.query("SELECT CAST(0.5 AS INTEGER) AS probe")
    dialect = tonumber(rows[1].probe) == 0 and "sqlite" or "postgresql"
  end
  return NOW_SQL[dialect]
end

local function iso(ms)
  return os.date("!%Y-%m-%dT%H:%M:%S", ms // 1000) .. string.format(".%03dZ", ms % 1000)
end

local function has_banned_word(content)
  if next(BANNED) == nil then return false end
  for word in content:lower():gmatch("[%w']+") do
    if BANNED[word] then return true end
  end
  return false
end

-- Connection: the kernel refuses sockets without a valid token (the namespace is not
-- anonymous), so every handler below has ctx.user.

sb.on("join-event", function(ctx, payload)
  local event_id = event_of(ctx, payload)
  if not event_id then return end
  if not participation(event_id, ctx.user.id) then
    return refuse(ctx, "You are not a participant of this event")
  end
  ctx.socket:join(room_of(event_id))
  ctx.socket:join(member_room(event_id, ctx.user.id))
  sb.log.info("User " .. ctx.user.id .. " joining event room: " .. event_id)
end)

sb.on("send-message", function(ctx, payload)
  local event_id = event_of(ctx, payload)
  if not event_id then return end
  local content = payload.content
  if type(content) ~= "string" or not content:find("%S") then
    return refuse(ctx, "Message cannot be empty")
  end
  local length = utf8.len(content)
  if not length then return refuse(ctx, "Message must be valid UTF-8 text") end
  if length > MAX_LENGTH then
    return refuse(ctx, "Message is too long (max " .. MAX_LENGTH .. " characters)")
  end
  if has_banned_word(content) then
    return refuse(ctx, "Message contains inappropriate content")
  end
  if not participation(event_id, ctx.user.id) then
    return refuse(ctx, "You are not a participant of this event")
  end
  local name = type(ctx.user.name) == "string" and ctx.user.name ~= "" and ctx.user.name or ctx.user.id
  local rows = sb.db.query(
    "INSERT INTO events_messages (event_id, user_id, user_name, content, created_at) " ..
    "VALUES (:event, :user, :name, :content, " .. now_sql() .. ") RETURNING id, created_at",
    { event = event_id, user = ctx.user.id, name = name, content = content })
  local created = math.tointeger(tonumber(rows[1].created_at))
  local message = {
    id = tostring(math.tointeger(rows[1].id) or rows[1].id),
    eventId = event_id,
    userId = ctx.user.id,
    content = content,
    userName = name,
    createdAt = iso(created),
  }
  if type(ctx.user.image) == "string" then message.userImage = ctx.user.image end
  to_participants(event_id, "new-message", message)
  sb.log.info("Message sent by " .. ctx.user.id .. " to event " .. event_id)
end)

-- Typing: inline relays on the socket's worker. A socket's inline handlers, its
-- timers and its inline disconnect hook all run in that worker's Lua state, so the
-- table below is one socket's truth. Keyed by socket handle, then event id.
local typing = {}

local function typing_stopped(socket, event_id)
  local of_socket = typing[socket.handle]
  local entry = of_socket and of_socket[event_id]
  if not entry then return end
  of_socket[event_id] = nil
  if next(of_socket) == nil then typing[socket.handle] = nil end
  sb.cancel_timer(entry.timer)
  sb.emit{ to = room_of(event_id), except = socket, event = "user-stopped-typing", data = entry.user }
end

sb.on("typing", function(ctx, payload)
  if type(payload) ~= "table" or not valid_event_id(payload.eventId) then return end
  local event_id = payload.eventId
  local of_socket = typing[ctx.socket.handle] or {}
  typing[ctx.socket.handle] = of_socket
  local entry = of_socket[event_id]
  if entry then
    sb.cancel_timer(entry.timer)
  else
    entry = { user = ctx.user.id }
    of_socket[event_id] = entry
    local name = type(ctx.user.name) == "string" and ctx.user.name ~= "" and ctx.user.name or ctx.user.id
    sb.emit{ to = room_of(event_id), except = ctx.socket, event = "user-typing",
             data = { userId = ctx.user.id, userName = name } }
  end
  local socket = ctx.socket
  entry.timer = sb.timer(TYPING_TIMEOUT, function() typing_stopped(socket, event_id) end)
end, { inline = true })

sb.on("stop-typing", function(ctx, payload)
  if type(payload) ~= "table" or not valid_event_id(payload.eventId) then return end
  typing_stopped(ctx.socket, payload.eventId)
end, { inline = true })

sb.on("leave-event", function(ctx, payload)
  if type(payload) ~= "table" or not valid_event_id(payload.eventId) then
    return refuse(ctx, "Invalid event id")
  end
  -- Out of the room first: whoever sees the typing end may count on it being gone.
  ctx.socket:leave(room_of(payload.eventId))
  ctx.socket:leave(member_room(payload.eventId, ctx.user.id))
  typing_stopped(ctx.socket, payload.eventId)
  sb.log.info("User " .. ctx.user.id .. " left event room: " .. payload.eventId)
end, { inline = true })

sb.on_disconnect(function(ctx)
  local of_socket = typing[ctx.socket.handle]
  if not of_socket then return end
  for event_id in pairs(of_socket) do typing_stopped(ctx.socket, event_id) end
end, { inline = true })

-- The app's API: socket-broadcast.ts's two helpers, as HTTP calls with the API key.

local function authorized(request) return http.authorized(request, API_KEYS) end
local api_error = http.error

local function event_in_path(request, what)
  local id = (request.params and request.params.eventId) or request.path:match("^/api/events/([^/]+)/" .. what .. "$")
  if valid_event_id(id) then return id end
end

local STATUSES = { attending = true, interested = true }

-- broadcastParticipationUpdate(eventId, userId, status, user): stored, then told.
sb.route("POST", "/api/events/{eventId}/participation", function(request)
  if not authorized(request) then return api_error(401, "unauthorized", "a valid X-API-Key is required") end
  local event_id = event_in_path(request, "participation")
  if not event_id then return api_error(400, "invalid_payload", "eventId: 1 to 128 of letters, digits, _ . : -") end
  local body = sb.json.decode(request.body or "")
  if type(body) ~= "table" then return api_error(400, "invalid_json", "a JSON object is expected") end
  local user_id, status, user = body.userId, body.status, body.user
  if type(user_id) ~= "string" or user_id == "" or #user_id > 255 then
    return api_error(400, "invalid_payload", "userId: a non-empty string")
  end
  if status == sb.null then status = nil end
  if status ~= nil and not STATUSES[status] then
    return api_error(400, "invalid_payload", "status: \"attending\", \"interested\" or null")
  end
  if type(user) ~= "table" then user = { id = user_id } end
  local name = type(user.name) == "string" and user.name ~= "" and user.name:sub(1, 400) or user_id

  local previous = sb.db.transaction(function(tx)
    local rows = tx:query("SELECT status FROM events_participants WHERE event_id = :event AND user_id = :user",
                          { event = event_id, user = user_id })
    local before = rows[1] and rows[1].status or nil
    if status == nil then
      tx:exec("DELETE FROM events_participants WHERE event_id = :event AND user_id = :user",
              { event = event_id, user = user_id })
    elseif before == nil then
      tx:exec("INSERT INTO events_participants (event_id, user_id, status, user_name, updated_at) " ..
              "VALUES (:event, :user, :status, :name, :now)",
              { event = event_id, user = user_id, status = status, name = name, now = now_ms() })
    else
      tx:exec("UPDATE events_participants SET status = :status, user_name = :name, updated_at = :now " ..
              "WHERE event_id = :event AND user_id = :user",
              { event = event_id, user = user_id, status = status, name = name, now = now_ms() })
    end
    return before
  end)

  if status ~= nil then
    local shown = { id = user.id or user_id, name = user.name or name }
    if type(user.image) == "string" then shown.image = user.image end
    to_participants(event_id, "user-joined", { userId = user_id, status = status, user = shown })
  elseif previous ~= nil then
    -- The one who left hears it too (their screen closes the chat), then no more.
    to_participants(event_id, "user-left", { userId = user_id, status = previous }, user_id)
  end
  return { ok = true, previous = previous or sb.null }
end)

-- broadcastNewMessage(message): the app stored it already; the room is told.
sb.route("POST", "/api/events/{eventId}/messages", function(request)
  if not authorized(request) then return api_error(401, "unauthorized", "a valid X-API-Key is required") end
  local event_id = event_in_path(request, "messages")
  if not event_id then return api_error(400, "invalid_payload", "eventId: 1 to 128 of letters, digits, _ . : -") end
  local message = sb.json.decode(request.body or "")
  if type(message) ~= "table" or message.eventId ~= event_id or type(message.content) ~= "string" then
    return api_error(400, "invalid_payload", "an EventMessage of this event is expected")
  end
  to_participants(event_id, "new-message", message)
  return { ok = true }
end)
