-- lib/http.lua: what a script's HTTP route (switchboard.route) checks and answers the
-- same way as the server API does.
--
--   local http = require("lib.http")
--   if not http.authorized(request, settings.api_keys) then
--     return http.error(401, "unauthorized", "a valid X-API-Key is required")
--   end
--
-- Lua cannot read the environment, so a deployment lists the accepted keys in the
-- script's settings.
local sb = require("switchboard")

local http = {}

-- A request header by its name in lower case, whatever case the client wrote it in.
function http.header(request, name)
  local headers = request.headers or {}
  local value = headers[name]
  if value ~= nil then return value end
  for key, v in pairs(headers) do
    if type(key) == "string" and key:lower() == name then return v end
  end
  return nil
end

-- The key a backend sent: X-API-Key, or Authorization: ApiKey <key> / Bearer <key>.
function http.api_key(request)
  local key = http.header(request, "x-api-key")
  if key then return key end
  local auth = http.header(request, "authorization") or ""
  return auth:match("^[Aa]pikey%s+(.+)$") or auth:match("^[Bb]earer%s+(.+)$")
end

-- Whether the request carries one of `keys` (a list). Compared in constant time, every
-- key every time, so the answer's timing does not tell how much of a key was right.
function http.authorized(request, keys)
  local given = http.api_key(request)
  if type(given) ~= "string" then return false end
  local found = false
  for _, key in ipairs(keys or {}) do
    if sb.crypto.equal(given, key) then found = true end
  end
  return found
end

-- The server API's error body {error = {code, message}} with its HTTP status.
function http.error(status, code, message)
  return { error = { code = code, message = message } }, status
end

return http
