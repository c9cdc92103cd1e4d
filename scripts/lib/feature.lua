-- lib/feature.lua: what every feature script checks and answers the same way.
--
--   local f = require("lib.feature")
--   local user = f.user(ctx)                        -- the signed-in user's id, or {code = "unauthorized"}
--   local p = f.payload(payload)                    -- an object, or {code = "invalid_payload"}
--   local title = f.text(p, "title", { max = 200 })
--   return f.ok(result)                             -- the ack [null, result]
--
-- Errors are raised as {code, message}: the client's ack is [{code, message}].
local sb = require("switchboard")

local feature = {}

function feature.fail(code, message)
  error({ code = code, message = message })
end

local fail = feature.fail

function feature.ok(result)
  return sb.null, result
end

-- ctx.user_id follows the SDK's rule (a string id, or an integer id as its text).
function feature.user(ctx)
  local user = ctx.user_id
  if not user then fail("unauthorized", "sign in first: this event needs a user") end
  return user
end

-- `what` names the object in the refusal ("a message object is expected").
function feature.payload(payload, what)
  if type(payload) ~= "table" or sb.is_binary(payload) then
    fail("invalid_payload", (what or "an object") .. " is expected")
  end
  return payload
end

-- A value as an id the way apps' databases hand them out: a string, or an integer id
-- sent as a number; 1 to `max` bytes (default 128) without control characters.
function feature.id_value(value, what, max)
  max = max or 128
  if math.type(value) == "integer" then value = tostring(value) end
  if type(value) ~= "string" or value == "" or #value > max or value:find("%c") then
    fail("invalid_payload", what .. ": an id (a string of 1 to " .. max .. " bytes)")
  end
  return value
end

-- A value as text of 1 to `max` characters of UTF-8, not only whitespace.
function feature.text_value(value, what, max)
  if type(value) ~= "string" or not value:find("%S") then
    fail("invalid_payload", what .. ": a non-empty string")
  end
  local length = utf8.len(value)
  if not length then fail("invalid_payload", what .. ": valid UTF-8 text") end
  if length > max then fail("invalid_payload", what .. ": at most " .. max .. " characters") end
  return value
end

-- Milliseconds since the epoch as JavaScript's Date#toISOString writes them.
function feature.iso(ms)
  return os.date("!%Y-%m-%dT%H:%M:%S", ms // 1000) .. string.format(".%03dZ", ms % 1000)
end

-- p[key] as a string of 1..max bytes (optional: nil when absent).
function feature.text(p, key, options)
  options = options or {}
  local value = p[key]
  if value == nil or value == sb.null then
    if options.optional then return nil end
    fail("invalid_payload", key .. ": required")
  end
  local max = options.max or 200
  local min = options.min or 1
  if type(value) ~= "string" or #value < min or #value > max then
    fail("invalid_payload", string.format("%s: a string of %d to %d bytes", key, min, max))
  end
  return value
end

-- p[key] as an id: 1..64 bytes of letters, digits, '-', '_', '.', ':'.
function feature.id(p, key, options)
  local value = feature.text(p, key, { max = 64, optional = options and options.optional })
  if value ~= nil and not value:find("^[%w%-_.:]+$") then
    fail("invalid_payload", key .. ": an id (letters, digits, - _ . :)")
  end
  return value
end

-- p[key] as an integer within [min, max].
function feature.integer(p, key, options)
  options = options or {}
  local value = p[key]
  if value == nil or value == sb.null then
    if options.optional then return nil end
    fail("invalid_payload", key .. ": required")
  end
  if math.type(value) ~= "integer" or (options.min and value < options.min) or (options.max and value > options.max) then
    fail("invalid_payload", string.format("%s: an integer from %s to %s", key, tostring(options.min or "-inf"),
      tostring(options.max or "inf")))
  end
  return value
end

-- p[key] as one of `choices` (a list of strings).
function feature.choice(p, key, choices, default)
  local value = p[key]
  if value == nil or value == sb.null then
    if default ~= nil then return default end
    fail("invalid_payload", key .. ": required")
  end
  for _, choice in ipairs(choices) do
    if value == choice then return value end
  end
  fail("invalid_payload", key .. ": one of " .. table.concat(choices, ", "))
end

-- p[key] as a list of distinct user ids (at most `max`), without `except`.
function feature.users(p, key, max, except)
  local value = p[key]
  if value == nil or value == sb.null then return {} end
  if type(value) ~= "table" or #value > max then
    fail("invalid_payload", string.format("%s: a list of at most %d user ids", key, max))
  end
  for k in pairs(value) do
    if math.type(k) ~= "integer" then fail("invalid_payload", key .. ": a list, not an object") end
  end
  local seen, out = {}, {}
  for i = 1, #value do
    local id = value[i]
    if type(id) == "number" and math.type(id) == "integer" then id = tostring(id) end
    if type(id) ~= "string" or id == "" or #id > 64 then
      fail("invalid_payload", key .. ": user ids are strings of 1 to 64 bytes")
    end
    if id ~= except and not seen[id] then
      seen[id] = true
      out[#out + 1] = id
    end
  end
  return out
end

-- Reads through `db`: switchboard.db itself or a transaction (tx), so that helpers
-- work inside and outside transactions. Parameter names may appear once per
-- statement (PostgreSQL binds each occurrence separately).
function feature.query(db, sql, params)
  if db == sb.db then return sb.db.query(sql, params) end
  return db:query(sql, params)
end

-- A setting of the feature: settings[name] with a default, checked to be a positive integer.
function feature.setting(settings, name, default)
  local value = settings[name]
  if value == nil then return default end
  if math.type(value) ~= "integer" or value <= 0 then
    error(string.format("settings: %s must be a positive integer (got %s)", name, tostring(value)), 2)
  end
  return value
end

-- Sends `event` with `data` to every device of each user in `users` (a list), once
-- per user.
function feature.to_users(users, event, data)
  local seen = {}
  for _, user in ipairs(users) do
    if not seen[user] then
      seen[user] = true
      sb.emit{ user = user, event = event, data = data }
    end
  end
end

return feature
