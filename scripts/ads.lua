-- ads.lua: ad views, de-duplicated per user, ad and window, with counts the ad's owner
-- reads live.
--
-- A view arrives from a client (`ad:view`) or from the ad system through the bus (topic
-- `ads:view`, e.g. POST /api/publish {topic = "ads:view", payload = {ad_id, user_id}}).
-- The first view of a user in a window counts; the owner's room ad_{id} (the owner
-- only) gets `ad:view-logged` with the new count. scripts/README.md documents it.
local sb = require("switchboard")
local f = require("lib.feature")

local settings = sb.config.ads or {}
local window = f.setting(settings, "window_ms", 3600 * 1000)

local function room(id) return "ad_" .. id end

local function find_ad(db, id)
  return f.query(db, "SELECT id, owner_id, title, views, created_at FROM ads_ads WHERE id = :id", { id = id })[1]
end

local function owned(db, id, user)
  local ad = find_ad(db, id)
  if not ad then f.fail("not_found", "no ad " .. id) end
  if ad.owner_id ~= user then f.fail("forbidden", "only the ad's owner reads its counts") end
  return ad
end

-- Logs a view; returns whether it counted and the ad's views after it.
local function log_view(ad_id, user)
  local now = sb.now()
  local counted, views, owner = sb.db.transaction(function(tx)
    local ad = find_ad(tx, ad_id)
    if not ad then f.fail("not_found", "no ad " .. ad_id) end
    -- The primary key (ad, user, window) makes a second view of the window insert nothing.
    local inserted = tx:exec([[INSERT INTO ads_views (ad_id, user_id, window_start, viewed_at)
                               VALUES (:ad, :user, :window, :now) ON CONFLICT DO NOTHING]],
      { ad = ad_id, user = user, window = now // window * window, now = now })
    if inserted == 0 then return false, ad.views, ad.owner_id end
    tx:exec("UPDATE ads_ads SET views = views + 1 WHERE id = :id", { id = ad_id })
    return true, ad.views + 1, ad.owner_id
  end)
  if counted then
    sb.emit{ to = room(ad_id), event = "ad:view-logged", data = { ad_id = ad_id, user_id = user, views = views } }
    sb.count("ads_views_counted")
  end
  return counted, views, owner
end

sb.on("ad:create", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local title = f.text(p, "title", { max = 200 })
  local id = f.id(p, "id", { optional = true }) or sb.uuid()
  local ok, problem = pcall(sb.db.exec,
    "INSERT INTO ads_ads (id, owner_id, title, views, created_at) VALUES (:id, :owner, :title, 0, :now)",
    { id = id, owner = user, title = title, now = sb.now() })
  if not ok then
    if type(problem) == "table" and problem.code == "db_constraint" then
      f.fail("invalid_payload", "id: ad " .. id .. " exists already")
    end
    error(problem, 0)
  end
  return f.ok({ id = id, owner_id = user, title = title, views = 0 })
end)

sb.on("ad:view", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "ad_id")
  local counted = log_view(id, user)
  return f.ok({ ad_id = id, counted = counted })
end)

-- The ad system's views: {ad_id, user_id}. Bad ones are logged and dropped.
sb.subscribe("ads:view", function(payload)
  local ok, problem = pcall(function()
    local p = f.payload(payload)
    log_view(f.id(p, "ad_id"), f.text(p, "user_id", { max = 64 }))
  end)
  if not ok then
    sb.log.warn("ads:view dropped:", type(problem) == "table" and (problem.code .. ": " .. problem.message) or problem)
  end
end)

sb.on("ad:stats", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local ad = owned(sb.db, id, user)
  local viewers = sb.db.query("SELECT COUNT(DISTINCT user_id) AS n FROM ads_views WHERE ad_id = :id", { id = id })[1].n
  return f.ok({ ad_id = id, views = ad.views, viewers = viewers })
end)

-- ad:watch {id}: the owner's socket joins ad_{id} for the live counts.
sb.on("ad:watch", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local ad = owned(sb.db, id, user)
  ctx.socket:join(room(id))
  return f.ok({ ad_id = id, views = ad.views })
end)

sb.on_join(function(ctx, name)
  local id = name:match("^ad_(.+)$")
  if not id then return end
  local user = ctx.user_id
  if not user then return false, "sign in first", "unauthorized" end
  local ad = find_ad(sb.db, id)
  if not ad or ad.owner_id ~= user then return false, "only the ad's owner may watch its counts", "forbidden" end
end)
