-- payments.lua: payment providers' webhooks, recorded and pushed to the user.
--
-- One route per configured provider, POST <path_prefix><provider>. A request is taken
-- only when its signature is an HMAC-SHA256, with the provider's shared secret, of
-- "<timestamp>.<raw body>", and its timestamp is within tolerance_s of now. The
-- provider's event id is recorded in the same transaction as what the event records,
-- so a retry or a replay of the same id changes nothing and pushes nothing: it is
-- answered 200 {duplicate = true}, which stops a provider's retries.
--
-- Signature styles:
--   "stripe":  header `stripe-signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`
--   "headers": headers `x-signature: sha256=<hex>` and `x-timestamp: <unix seconds>`
-- (header names can be changed: signature_header, timestamp_header).
--
-- Events (JSON body {id, type, data}):
--   payment.completed     data {payment_id, user_id, amount, currency}
--                         -> "payment:completed" to the user's devices
--   subscription.updated  data {subscription_id, user_id, plan, status, current_period_end?}
--                         -> "subscription:updated" to the user's devices
--   anything else         recorded and answered {ignored = true}
-- scripts/README.md documents the configuration and the answers.
local sb = require("switchboard")
local f = require("lib.feature")
local http = require("lib.http")

local settings = sb.config.payments or {}
local tolerance = f.setting(settings, "tolerance_s", 300)
local prefix = settings.path_prefix or "/webhooks/payments/"
if type(prefix) ~= "string" or not prefix:find("^/") then
  error("settings: payments.path_prefix must be a path starting with / (got " .. tostring(prefix) .. ")")
end

-- ---------------------------------------------------------------- signatures

local header = http.header

-- The timestamp and the candidate signatures a request carries, or nil, why.
local readers = {}

function readers.stripe(request, provider)
  local value = header(request, provider.signature_header or "stripe-signature")
  if type(value) ~= "string" then return nil, "no signature header" end
  local timestamp, signatures = nil, {}
  for part in value:gmatch("[^,]+") do
    local key, v = part:match("^%s*([%w_]+)=([^%s]+)%s*$")
    if key == "t" then timestamp = tonumber(v)
    elseif key == "v1" then signatures[#signatures + 1] = v:lower() end
  end
  return timestamp, signatures
end

readers.headers = function(request, provider)
  local value = header(request, provider.signature_header or "x-signature")
  local stamp = header(request, provider.timestamp_header or "x-timestamp")
  if type(value) ~= "string" or type(stamp) ~= "string" then return nil, "no signature or timestamp header" end
  return tonumber(stamp), { (value:gsub("^sha256=", "")):lower() }
end

local function verify(request, name, provider)
  local timestamp, signatures = readers[provider.style](request, provider)
  if math.type(timestamp) ~= "integer" or type(signatures) ~= "table" or #signatures == 0 then
    return 401, "invalid_signature", "a signature and a timestamp are required"
  end
  local expected = sb.crypto.hmac_sha256(provider.secret, timestamp .. "." .. request.body)
  local good = false
  for _, candidate in ipairs(signatures) do
    -- Every candidate is compared, in constant time: no early exit to time.
    if sb.crypto.equal(candidate, expected) then good = true end
  end
  if not good then return 401, "invalid_signature", "the signature does not match the body" end
  if math.abs(sb.now() // 1000 - timestamp) > tolerance then
    return 400, "stale_timestamp", "the timestamp is more than " .. tolerance .. " s away from now"
  end
  return nil
end

-- ---------------------------------------------------------------- events

local function text(data, key, max)
  local value = data[key]
  if math.type(value) == "integer" then value = tostring(value) end
  if type(value) ~= "string" or value == "" or #value > max then
    f.fail("invalid_payload", "data." .. key .. ": a string of 1 to " .. max .. " bytes")
  end
  return value
end

local function integer(data, key, optional)
  local value = data[key]
  if (value == nil or value == sb.null) and optional then return nil end
  if math.type(value) ~= "integer" or value < 0 then f.fail("invalid_payload", "data." .. key .. ": an integer >= 0") end
  return value
end

-- Each handler records an event inside the transaction and returns what to push after
-- the commit: user, event name, data.
local handlers = {}

handlers["payment.completed"] = function(tx, provider, event_id, data)
  local payment = {
    provider = provider, payment_id = text(data, "payment_id", 128), user_id = text(data, "user_id", 64),
    amount = integer(data, "amount"), currency = text(data, "currency", 8):upper(), status = "completed",
  }
  local now = sb.now()
  tx:exec([[INSERT INTO payments_payments (provider, payment_id, user_id, amount, currency, status, event_id, created_at)
            VALUES (:provider, :payment, :user, :amount, :currency, 'completed', :event, :now)
            ON CONFLICT (provider, payment_id) DO UPDATE SET status = 'completed']],
    { provider = provider, payment = payment.payment_id, user = payment.user_id, amount = payment.amount,
      currency = payment.currency, event = event_id, now = now })
  payment.created_at = now
  return payment.user_id, "payment:completed", payment
end

handlers["subscription.updated"] = function(tx, provider, event_id, data)
  local subscription = {
    provider = provider, subscription_id = text(data, "subscription_id", 128), user_id = text(data, "user_id", 64),
    plan = text(data, "plan", 64), status = text(data, "status", 32),
    current_period_end = integer(data, "current_period_end", true) or sb.null,
  }
  local now = sb.now()
  tx:exec([[INSERT INTO payments_subscriptions (provider, subscription_id, user_id, plan, status, current_period_end, updated_at)
            VALUES (:provider, :subscription, :user, :plan, :status, :period_end, :now)
            ON CONFLICT (provider, subscription_id) DO UPDATE SET user_id = :new_user, plan = :new_plan,
              status = :new_status, current_period_end = :new_period_end, updated_at = :updated]],
    { provider = provider, subscription = subscription.subscription_id, user = subscription.user_id,
      plan = subscription.plan, status = subscription.status, period_end = subscription.current_period_end,
      now = now, new_user = subscription.user_id, new_plan = subscription.plan, new_status = subscription.status,
      new_period_end = subscription.current_period_end, updated = now })
  subscription.updated_at = now
  return subscription.user_id, "subscription:updated", subscription
end

local function webhook(name, provider)
  return function(request)
    local status, code, message = verify(request, name, provider)
    if status then
      sb.count("payments_refused")
      return { code = code, message = message }, status
    end
    local body, problem = sb.json.decode(request.body)
    if type(body) ~= "table" or sb.is_binary(body) then
      return { code = "invalid_payload", message = "a JSON object is expected" .. (problem and (": " .. problem) or "") }, 400
    end
    local event_id = body.id
    if type(event_id) ~= "string" or event_id == "" or #event_id > 128 then
      return { code = "invalid_payload", message = "id: the provider's event id, a string of 1 to 128 bytes" }, 400
    end
    local event_type = type(body.type) == "string" and body.type or ""
    local handler = handlers[event_type]
    local data = body.data
    if handler and (type(data) ~= "table" or sb.is_binary(data)) then
      return { code = "invalid_payload", message = "data: an object is expected" }, 400
    end
    local fresh, user, push, value = sb.db.transaction(function(tx)
      local taken = tx:exec([[INSERT INTO payments_events (provider, event_id, type, received_at)
                              VALUES (:provider, :event, :type, :now) ON CONFLICT DO NOTHING]],
        { provider = name, event = event_id, type = event_type:sub(1, 64), now = sb.now() })
      if taken == 0 then return false end
      if not handler then return true end
      return true, handler(tx, name, event_id, data)
    end)
    if not fresh then
      sb.count("payments_duplicates")
      return { received = true, duplicate = true }
    end
    if not handler then return { received = true, ignored = true } end
    sb.emit{ user = user, event = push, data = value }
    return { received = true }
  end
end

-- Declared in name order: every handler thread's state must declare the same routes
-- in the same order, and pairs() has no order.
local names = {}
for name in pairs(settings.providers or {}) do
  if type(name) ~= "string" or not name:find("^[%w_-]+$") then
    error("settings: payments.providers: provider names are letters, digits, _ and - (got " .. tostring(name) .. ")")
  end
  names[#names + 1] = name
end
table.sort(names)
for _, name in ipairs(names) do
  local provider = settings.providers[name]
  if type(provider) ~= "table" or type(provider.secret) ~= "string" or #provider.secret < 16 then
    error("settings: payments.providers." .. name .. ".secret: a shared secret of at least 16 bytes is required")
  end
  provider.style = provider.style or "stripe"
  if not readers[provider.style] then
    error("settings: payments.providers." .. name .. ".style: \"stripe\" or \"headers\" (got " .. tostring(provider.style) .. ")")
  end
  sb.route("POST", prefix .. name, webhook(name, provider))
end

-- ---------------------------------------------------------------- the user's side

sb.on("payment:list", function(ctx)
  local user = f.user(ctx)
  local out = sb.array()
  for _, row in ipairs(sb.db.query([[SELECT provider, payment_id, amount, currency, status, created_at
      FROM payments_payments WHERE user_id = :user ORDER BY created_at DESC, payment_id LIMIT 100]], { user = user })) do
    out[#out + 1] = row
  end
  return f.ok(out)
end)

sb.on("subscription:list", function(ctx)
  local user = f.user(ctx)
  local out = sb.array()
  for _, row in ipairs(sb.db.query([[SELECT provider, subscription_id, plan, status, current_period_end, updated_at
      FROM payments_subscriptions WHERE user_id = :user ORDER BY provider, subscription_id]], { user = user })) do
    out[#out + 1] = row
  end
  return f.ok(out)
end)
