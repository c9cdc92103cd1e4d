-- diary.lua: private diary entries, readable by their author and by the users the
-- author shares an entry with, by nobody else.
--
-- Nothing about an entry is ever sent to a room: every event goes to the devices of
-- the users allowed to read it (the author and the entry's shared-with list at that
-- moment). So joining diary_{id}, which the join hook refuses anyway to whoever may not
-- read the entry, would show nothing. scripts/README.md documents the events.
local sb = require("switchboard")
local f = require("lib.feature")

local settings = sb.config.diary or {}
local max_body = f.setting(settings, "max_body_bytes", 65536)
local max_shares = f.setting(settings, "max_shares", 50)
local page_size = f.setting(settings, "page_size", 50)

local COLUMNS = "id, author_id, title, body, mood, created_at, updated_at"

local function find_entry(db, id)
  return f.query(db, "SELECT " .. COLUMNS .. " FROM diary_entries WHERE id = :id", { id = id })[1]
end

local function shares_of(db, id)
  local users = sb.array()
  for _, row in ipairs(f.query(db, "SELECT user_id FROM diary_shares WHERE entry_id = :id ORDER BY user_id", { id = id })) do
    users[#users + 1] = row.user_id
  end
  return users
end

local function may_read(db, entry, user)
  if entry.author_id == user then return true end
  return #f.query(db, "SELECT 1 AS yes FROM diary_shares WHERE entry_id = :id AND user_id = :user",
    { id = entry.id, user = user }) > 0
end

-- The same answer for "no such entry" and "not yours": a reader must not learn which
-- ids exist.
local function readable(db, id, user)
  local entry = find_entry(db, id)
  if not entry or not may_read(db, entry, user) then f.fail("not_found", "no diary entry " .. id .. " for you") end
  return entry
end

local function authored(db, id, user)
  local entry = readable(db, id, user)
  if entry.author_id ~= user then f.fail("forbidden", "only the author may change diary entry " .. id) end
  return entry
end

-- What readers see; the shared-with list only by the author.
local function form(entry, shares, user)
  local out = { id = entry.id, author_id = entry.author_id, title = entry.title, body = entry.body,
                mood = entry.mood, created_at = entry.created_at, updated_at = entry.updated_at }
  if user == entry.author_id then out.shared_with = shares end
  return out
end

local function readers(entry, shares)
  local out = { entry.author_id }
  for _, u in ipairs(shares) do out[#out + 1] = u end
  return out
end

-- Sends each reader its own view of the entry (the author's includes shared_with).
local function tell(entry, shares, event)
  f.to_users({ entry.author_id }, event, form(entry, shares, entry.author_id))
  f.to_users(shares, event, form(entry, shares, nil))
end

local function replace_shares(tx, id, users)
  tx:exec("DELETE FROM diary_shares WHERE entry_id = :id", { id = id })
  for _, user in ipairs(users) do
    tx:exec("INSERT INTO diary_shares (entry_id, user_id) VALUES (:id, :user)", { id = id, user = user })
  end
end

sb.on("diary:create", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local title = f.text(p, "title", { max = 200, min = 0, optional = true }) or ""
  local body = f.text(p, "body", { max = max_body })
  local mood = f.text(p, "mood", { max = 32, optional = true })
  local shares = f.users(p, "shared_with", max_shares, user)
  local id, now = sb.uuid(), sb.now()
  local entry = sb.db.transaction(function(tx)
    tx:exec("INSERT INTO diary_entries (" .. COLUMNS .. ") VALUES (:id, :author, :title, :body, :mood, :created, :updated)",
      { id = id, author = user, title = title, body = body, mood = mood or sb.null, created = now, updated = now })
    replace_shares(tx, id, shares)
    return find_entry(tx, id)
  end)
  local list = shares_of(sb.db, id)
  tell(entry, list, "diary:created")
  return f.ok(form(entry, list, user))
end)

sb.on("diary:get", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local entry = readable(sb.db, id, user)
  return f.ok(form(entry, shares_of(sb.db, id), user))
end)

-- diary:list {before?}: the user's own entries and those shared with them, newest first.
sb.on("diary:list", function(ctx, payload)
  local user = f.user(ctx)
  local p = payload == nil and {} or f.payload(payload)
  local before = f.integer(p, "before", { min = 0, optional = true }) or math.maxinteger
  local rows = sb.db.query([[
      SELECT id, author_id, title, mood, created_at, updated_at FROM diary_entries
      WHERE created_at < :before AND (author_id = :author
        OR id IN (SELECT entry_id FROM diary_shares WHERE user_id = :reader))
      ORDER BY created_at DESC, id LIMIT ]] .. page_size,
    { before = before, author = user, reader = user })
  local out = sb.array()
  for _, row in ipairs(rows) do out[#out + 1] = row end
  return f.ok(out)
end)

sb.on("diary:update", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local id = f.id(p, "id")
  local title = f.text(p, "title", { max = 200, min = 0, optional = true })
  local body = f.text(p, "body", { max = max_body, optional = true })
  local mood = f.text(p, "mood", { max = 32, optional = true })
  local shares = p.shared_with ~= nil and f.users(p, "shared_with", max_shares, user) or nil
  local before_shares
  local entry = sb.db.transaction(function(tx)
    local entry = authored(tx, id, user)
    before_shares = shares_of(tx, id)
    tx:exec("UPDATE diary_entries SET title = :title, body = :body, mood = :mood, updated_at = :now WHERE id = :id",
      { id = id, title = title or entry.title, body = body or entry.body, mood = mood or entry.mood or sb.null,
        now = math.max(sb.now(), entry.updated_at + 1) })
    if shares then replace_shares(tx, id, shares) end
    return find_entry(tx, id)
  end)
  local after_shares = shares_of(sb.db, id)
  tell(entry, after_shares, "diary:updated")
  -- Users the entry is no longer shared with learn only that it is gone for them.
  local still = {}
  for _, u in ipairs(after_shares) do still[u] = true end
  local removed = {}
  for _, u in ipairs(before_shares) do
    if not still[u] then removed[#removed + 1] = u end
  end
  f.to_users(removed, "diary:deleted", { id = id })
  return f.ok(form(entry, after_shares, user))
end)

sb.on("diary:delete", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local entry, shares
  sb.db.transaction(function(tx)
    entry = authored(tx, id, user)
    shares = shares_of(tx, id)
    tx:exec("DELETE FROM diary_shares WHERE entry_id = :id", { id = id })
    tx:exec("DELETE FROM diary_entries WHERE id = :id", { id = id })
  end)
  f.to_users(readers(entry, shares), "diary:deleted", { id = id })
  return f.ok({ id = id })
end)

-- diary_{id} rooms: whoever asks for one through an authorized join must be able to
-- read the entry (events never go there, but a room name should not leak either).
sb.on_join(function(ctx, name)
  local id = name:match("^diary_(.+)$")
  if not id then return end
  local user = ctx.user_id
  if not user then return false, "sign in first", "unauthorized" end
  local entry = find_entry(sb.db, id)
  if not entry or not may_read(sb.db, entry, user) then
    return false, "diary entries are visible to their author and the users they are shared with only", "forbidden"
  end
end)
