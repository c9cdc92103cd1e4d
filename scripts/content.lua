-- content.lua: content items with ordered chapters, ratings and counted views.
--
-- An item is readable by its owner, by everyone when public, and by its shared-with
-- list when shared. Its room content_{id} is for readers only: content:join checks,
-- and the join hook below refuses other plugins' authorized joins the same way.
-- scripts/README.md documents the events; migrations/content/ holds the tables.
local sb = require("switchboard")
local f = require("lib.feature")

local settings = sb.config.content or {}
local view_window = f.setting(settings, "view_window_ms", 3600 * 1000)
local max_body = f.setting(settings, "max_body_bytes", 65536)
local max_shares = f.setting(settings, "max_shares", 100)
local max_chapters = f.setting(settings, "max_chapters", 1000)

local VISIBILITY = { "private", "public", "shared" }
local COLUMNS = "id, owner_id, title, body, visibility, rating_sum, rating_count, views, created_at, updated_at"

local function room(id) return "content_" .. id end

local function find_item(db, id)
  return f.query(db, "SELECT " .. COLUMNS .. " FROM content_items WHERE id = :id", { id = id })[1]
end

local function shared_with(db, id)
  local users = sb.array()
  for _, row in ipairs(f.query(db, "SELECT user_id FROM content_shares WHERE content_id = :id ORDER BY user_id", { id = id })) do
    users[#users + 1] = row.user_id
  end
  return users
end

local function can_read(db, item, user)
  if item.owner_id == user or item.visibility == "public" then return true end
  if item.visibility ~= "shared" then return false end
  return #f.query(db, "SELECT 1 AS yes FROM content_shares WHERE content_id = :id AND user_id = :user",
    { id = item.id, user = user }) > 0
end

local function average(item)
  if item.rating_count == 0 then return 0 end
  return math.floor(item.rating_sum * 100 / item.rating_count + 0.5) / 100
end

-- What clients see of an item. The shared-with list is the owner's business only.
local function public_form(db, item, user)
  local out = {
    id = item.id, owner_id = item.owner_id, title = item.title, body = item.body,
    visibility = item.visibility, views = item.views,
    rating = { average = average(item), count = item.rating_count },
    created_at = item.created_at, updated_at = item.updated_at,
  }
  if user == item.owner_id then out.shared_with = shared_with(db, item.id) end
  return out
end

local function summary(item)
  return { id = item.id, owner_id = item.owner_id, title = item.title, visibility = item.visibility,
           updated_at = item.updated_at }
end

-- The item `id` if `user` may read it; {code = "not_found" | "forbidden"} otherwise.
local function readable(db, id, user)
  local item = find_item(db, id)
  if not item then f.fail("not_found", "no content " .. id) end
  if not can_read(db, item, user) then f.fail("forbidden", "you may not read content " .. id) end
  return item
end

local function owned(db, id, user)
  local item = find_item(db, id)
  if not item then f.fail("not_found", "no content " .. id) end
  if item.owner_id ~= user then f.fail("forbidden", "only the owner may change content " .. id) end
  return item
end

local function replace_shares(tx, id, users)
  tx:exec("DELETE FROM content_shares WHERE content_id = :id", { id = id })
  for _, user in ipairs(users) do
    tx:exec("INSERT INTO content_shares (content_id, user_id) VALUES (:id, :user)", { id = id, user = user })
  end
end

-- Who hears of an item's creation: its owner's devices, its readers' devices, and
-- for public items the whole namespace.
local function announce(item, users, event, data)
  if item.visibility == "public" then
    sb.emit{ event = event, data = data }
  else
    local to = { item.owner_id }
    for _, u in ipairs(users) do to[#to + 1] = u end
    f.to_users(to, event, data)
  end
end

-- ---------------------------------------------------------------- items

sb.on("content:create", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local title = f.text(p, "title", { max = 200 })
  local body = f.text(p, "body", { max = max_body, min = 0, optional = true }) or ""
  local visibility = f.choice(p, "visibility", VISIBILITY, "private")
  local shares = f.users(p, "shared_with", max_shares, user)
  local now = sb.now()
  local id = sb.uuid()
  sb.db.transaction(function(tx)
    tx:exec("INSERT INTO content_items (" .. COLUMNS .. ") VALUES (:id, :owner, :title, :body, :visibility, 0, 0, 0, :created, :updated)",
      { id = id, owner = user, title = title, body = body, visibility = visibility, created = now, updated = now })
    replace_shares(tx, id, shares)
  end)
  local item = find_item(sb.db, id)
  announce(item, visibility == "shared" and shares or {}, "content:created", summary(item))
  return f.ok(public_form(sb.db, item, user))
end)

sb.on("content:get", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local item = readable(sb.db, id, user)
  local out = public_form(sb.db, item, user)
  out.chapters = sb.array()
  for _, c in ipairs(sb.db.query(
      "SELECT id, position, title, created_at, updated_at FROM content_chapters WHERE content_id = :id ORDER BY position",
      { id = id })) do
    out.chapters[#out.chapters + 1] = c
  end
  return f.ok(out)
end)

sb.on("content:update", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local id = f.id(p, "id")
  local title = f.text(p, "title", { max = 200, optional = true })
  local body = f.text(p, "body", { max = max_body, min = 0, optional = true })
  local visibility = p.visibility ~= nil and f.choice(p, "visibility", VISIBILITY) or nil
  local shares = p.shared_with ~= nil and f.users(p, "shared_with", max_shares, user) or nil
  local item = sb.db.transaction(function(tx)
    local item = owned(tx, id, user)
    tx:exec([[UPDATE content_items SET title = :title, body = :body, visibility = :visibility, updated_at = :now
              WHERE id = :id]],
      { id = id, title = title or item.title, body = body or item.body,
        visibility = visibility or item.visibility, now = math.max(sb.now(), item.updated_at + 1) })
    if shares then replace_shares(tx, id, shares) end
    return find_item(tx, id)
  end)
  sb.emit{ to = room(id), event = "content:updated", data = summary(item) }
  return f.ok(public_form(sb.db, item, user))
end)

sb.on("content:delete", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  sb.db.transaction(function(tx)
    owned(tx, id, user)
    for _, t in ipairs({ "content_chapters", "content_ratings", "content_views", "content_shares" }) do
      tx:exec("DELETE FROM " .. t .. " WHERE content_id = :id", { id = id })
    end
    tx:exec("DELETE FROM content_items WHERE id = :id", { id = id })
  end)
  sb.emit{ to = room(id), event = "content:deleted", data = { id = id } }
  return f.ok({ id = id })
end)

-- ---------------------------------------------------------------- the room

sb.on("content:join", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local item = readable(sb.db, id, user)
  ctx.socket:join(room(id))
  return f.ok(public_form(sb.db, item, user))
end)

sb.on("content:leave", function(ctx, payload)
  local id = f.id(f.payload(payload), "id")
  ctx.socket:leave(room(id))
  return f.ok({ id = id })
end)

-- Authorized joins of content_{id} by any plugin follow the same rule.
sb.on_join(function(ctx, name)
  local id = name:match("^content_(.+)$")
  if not id then return end
  local user = ctx.user_id
  if not user then return false, "sign in first", "unauthorized" end
  local item = find_item(sb.db, id)
  if not item or not can_read(sb.db, item, user) then
    return false, "you may not read content " .. id, "forbidden"
  end
end)

-- ---------------------------------------------------------------- ratings and views

sb.on("content:rate", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local id = f.id(p, "id")
  local stars = f.integer(p, "stars", { min = 1, max = 5 })
  local item = sb.db.transaction(function(tx)
    local item = readable(tx, id, user)
    local before = tx:query("SELECT stars FROM content_ratings WHERE content_id = :id AND user_id = :user",
      { id = id, user = user })[1]
    if before then
      tx:exec("UPDATE content_ratings SET stars = :stars WHERE content_id = :id AND user_id = :user",
        { id = id, user = user, stars = stars })
      tx:exec("UPDATE content_items SET rating_sum = rating_sum + :delta WHERE id = :id",
        { id = id, delta = stars - before.stars })
    else
      tx:exec("INSERT INTO content_ratings (content_id, user_id, stars) VALUES (:id, :user, :stars)",
        { id = id, user = user, stars = stars })
      tx:exec("UPDATE content_items SET rating_sum = rating_sum + :stars, rating_count = rating_count + 1 WHERE id = :id",
        { id = id, stars = stars })
    end
    return find_item(tx, id)
  end)
  local rating = { id = id, average = average(item), count = item.rating_count }
  sb.emit{ to = room(id), event = "content:rated", data = rating }
  return f.ok({ id = id, stars = stars, average = rating.average, count = rating.count })
end)

sb.on("content:view", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local window_start = sb.now() // view_window * view_window
  local counted, item = sb.db.transaction(function(tx)
    readable(tx, id, user)
    -- The primary key makes the second view of a window insert nothing.
    local inserted = tx:exec([[INSERT INTO content_views (content_id, user_id, window_start)
                               VALUES (:id, :user, :window) ON CONFLICT DO NOTHING]],
      { id = id, user = user, window = window_start })
    if inserted > 0 then tx:exec("UPDATE content_items SET views = views + 1 WHERE id = :id", { id = id }) end
    return inserted > 0, find_item(tx, id)
  end)
  if counted then sb.emit{ to = room(id), event = "content:viewed", data = { id = id, views = item.views } } end
  return f.ok({ id = id, views = item.views, counted = counted })
end)

-- ---------------------------------------------------------------- chapters

local function chapter_form(c)
  return { id = c.id, content_id = c.content_id, position = c.position, title = c.title, body = c.body,
           created_at = c.created_at, updated_at = c.updated_at }
end

local function find_chapter(db, id)
  return f.query(db, [[SELECT id, content_id, position, title, body, created_at, updated_at
                    FROM content_chapters WHERE id = :id]], { id = id })[1]
end

local function chapter_count(db, content_id)
  return f.query(db, "SELECT COUNT(*) AS n FROM content_chapters WHERE content_id = :id", { id = content_id })[1].n
end

-- Positions stay 1..n: moving a chapter shifts the ones in between by one. Shifts go
-- through negative positions first so that no unique-per-position index would trip.
local function shift(tx, content_id, from, to, delta)
  tx:exec([[UPDATE content_chapters SET position = -(position + :delta)
            WHERE content_id = :id AND position >= :from AND position <= :to]],
    { id = content_id, from = from, to = to, delta = delta })
  tx:exec("UPDATE content_chapters SET position = -position WHERE content_id = :id AND position < 0", { id = content_id })
end

sb.on("chapter:create", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local content_id = f.id(p, "content_id")
  local title = f.text(p, "title", { max = 200 })
  local body = f.text(p, "body", { max = max_body, min = 0, optional = true }) or ""
  local position = f.integer(p, "position", { min = 1, optional = true })
  local chapter = sb.db.transaction(function(tx)
    owned(tx, content_id, user)
    local n = chapter_count(tx, content_id)
    if n >= max_chapters then f.fail("limit_reached", "an item has at most " .. max_chapters .. " chapters") end
    position = math.min(position or n + 1, n + 1)
    if position <= n then shift(tx, content_id, position, n, 1) end
    local id, now = sb.uuid(), sb.now()
    tx:exec([[INSERT INTO content_chapters (id, content_id, position, title, body, created_at, updated_at)
              VALUES (:id, :content_id, :position, :title, :body, :created, :updated)]],
      { id = id, content_id = content_id, position = position, title = title, body = body, created = now, updated = now })
    return find_chapter(tx, id)
  end)
  local out = chapter_form(chapter)
  sb.emit{ to = room(content_id), event = "chapter:created", data = out }
  return f.ok(out)
end)

sb.on("chapter:get", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local chapter = find_chapter(sb.db, id)
  if not chapter then f.fail("not_found", "no chapter " .. id) end
  readable(sb.db, chapter.content_id, user)
  return f.ok(chapter_form(chapter))
end)

sb.on("chapter:update", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local id = f.id(p, "id")
  local title = f.text(p, "title", { max = 200, optional = true })
  local body = f.text(p, "body", { max = max_body, min = 0, optional = true })
  local position = f.integer(p, "position", { min = 1, optional = true })
  local chapter = sb.db.transaction(function(tx)
    local chapter = find_chapter(tx, id)
    if not chapter then f.fail("not_found", "no chapter " .. id) end
    owned(tx, chapter.content_id, user)
    if position and position ~= chapter.position then
      position = math.min(position, chapter_count(tx, chapter.content_id))
      tx:exec("UPDATE content_chapters SET position = 0 WHERE id = :id", { id = id })
      if position < chapter.position then
        shift(tx, chapter.content_id, position, chapter.position - 1, 1)
      else
        shift(tx, chapter.content_id, chapter.position + 1, position, -1)
      end
    end
    tx:exec([[UPDATE content_chapters SET title = :title, body = :body, position = :position, updated_at = :now
              WHERE id = :id]],
      { id = id, title = title or chapter.title, body = body or chapter.body,
        position = position or chapter.position, now = sb.now() })
    return find_chapter(tx, id)
  end)
  local out = chapter_form(chapter)
  sb.emit{ to = room(chapter.content_id), event = "chapter:updated", data = out }
  return f.ok(out)
end)

sb.on("chapter:delete", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local chapter = sb.db.transaction(function(tx)
    local chapter = find_chapter(tx, id)
    if not chapter then f.fail("not_found", "no chapter " .. id) end
    owned(tx, chapter.content_id, user)
    tx:exec("DELETE FROM content_chapters WHERE id = :id", { id = id })
    shift(tx, chapter.content_id, chapter.position + 1, chapter_count(tx, chapter.content_id) + 1, -1)
    return chapter
  end)
  local out = { id = id, content_id = chapter.content_id }
  sb.emit{ to = room(chapter.content_id), event = "chapter:deleted", data = out }
  return f.ok(out)
end)
