-- media.lua: media metadata (the files live in the application's storage) and albums
-- of ordered items, each album private, public or shared with chosen users.
--
-- A media item is visible to its owner and to the readers of an album holding it;
-- media_{id} and album_{id} rooms are for those who may see them (the :join events
-- check, and the join hooks below refuse other plugins' authorized joins the same
-- way). Only owners change anything. scripts/README.md documents the events.
local sb = require("switchboard")
local f = require("lib.feature")

local settings = sb.config.media or {}
local max_shares = f.setting(settings, "max_shares", 100)
local max_items = f.setting(settings, "max_album_items", 1000)
local max_metadata = f.setting(settings, "max_metadata_bytes", 8192)

local KINDS = { "image", "video", "audio", "file" }
local VISIBILITY = { "private", "public", "shared" }
local MEDIA_COLUMNS = "id, owner_id, kind, url, title, mime, size_bytes, metadata, created_at, updated_at"
local ALBUM_COLUMNS = "id, owner_id, title, visibility, created_at, updated_at"

local function media_room(id) return "media_" .. id end
local function album_room(id) return "album_" .. id end

-- ---------------------------------------------------------------- access

local function find_media(db, id)
  return f.query(db, "SELECT " .. MEDIA_COLUMNS .. " FROM media_items WHERE id = :id", { id = id })[1]
end

local function find_album(db, id)
  return f.query(db, "SELECT " .. ALBUM_COLUMNS .. " FROM media_albums WHERE id = :id", { id = id })[1]
end

local function can_read_album(db, album, user)
  if album.owner_id == user or album.visibility == "public" then return true end
  if album.visibility ~= "shared" then return false end
  return #f.query(db, "SELECT 1 AS yes FROM media_album_shares WHERE album_id = :id AND user_id = :user",
    { id = album.id, user = user }) > 0
end

local function can_see_media(db, media, user)
  if media.owner_id == user then return true end
  return #f.query(db, [[
      SELECT 1 AS yes FROM media_album_items i JOIN media_albums a ON a.id = i.album_id
      WHERE i.media_id = :id AND (a.visibility = 'public' OR (a.visibility = 'shared' AND EXISTS
        (SELECT 1 FROM media_album_shares s WHERE s.album_id = a.id AND s.user_id = :user)))]],
    { id = media.id, user = user }) > 0
end

local function readable_album(db, id, user)
  local album = find_album(db, id)
  if not album then f.fail("not_found", "no album " .. id) end
  if not can_read_album(db, album, user) then f.fail("forbidden", "album " .. id .. " is private") end
  return album
end

local function owned_album(db, id, user)
  local album = find_album(db, id)
  if not album then f.fail("not_found", "no album " .. id) end
  if album.owner_id ~= user then f.fail("forbidden", "only the owner may change album " .. id) end
  return album
end

local function visible_media(db, id, user)
  local media = find_media(db, id)
  if not media then f.fail("not_found", "no media " .. id) end
  if not can_see_media(db, media, user) then f.fail("forbidden", "media " .. id .. " is not visible to you") end
  return media
end

local function owned_media(db, id, user)
  local media = find_media(db, id)
  if not media then f.fail("not_found", "no media " .. id) end
  if media.owner_id ~= user then f.fail("forbidden", "only the owner may change media " .. id) end
  return media
end

-- ---------------------------------------------------------------- forms

local function media_form(m)
  return { id = m.id, owner_id = m.owner_id, kind = m.kind, url = m.url, title = m.title, mime = m.mime,
           size_bytes = m.size_bytes, metadata = sb.json.decode(m.metadata) or sb.object(),
           created_at = m.created_at, updated_at = m.updated_at }
end

local function album_items(db, id)
  local items = sb.array()
  for _, row in ipairs(f.query(db, [[
      SELECT i.position, m.id, m.owner_id, m.kind, m.url, m.title, m.mime, m.size_bytes, m.metadata,
             m.created_at, m.updated_at
      FROM media_album_items i JOIN media_items m ON m.id = i.media_id
      WHERE i.album_id = :id ORDER BY i.position]], { id = id })) do
    local item = media_form(row)
    item.position = row.position
    items[#items + 1] = item
  end
  return items
end

local function album_form(db, album, user, with_items)
  local out = { id = album.id, owner_id = album.owner_id, title = album.title, visibility = album.visibility,
                created_at = album.created_at, updated_at = album.updated_at }
  if user == album.owner_id then
    out.shared_with = sb.array()
    for _, row in ipairs(f.query(db, "SELECT user_id FROM media_album_shares WHERE album_id = :id ORDER BY user_id",
        { id = album.id })) do
      out.shared_with[#out.shared_with + 1] = row.user_id
    end
  end
  if with_items then out.items = album_items(db, album.id) end
  return out
end

-- To a room and to the owner's devices outside it: once per device.
local function tell(room, owner, event, data)
  sb.emit{ to = room, event = event, data = data }
  sb.emit{ user = owner, except = room, event = event, data = data }
end

local function metadata_of(p)
  local value = p.metadata
  if value == nil or value == sb.null then return nil end
  if type(value) ~= "table" or sb.is_binary(value) then f.fail("invalid_payload", "metadata: an object") end
  local text = sb.json.encode(value)
  if #text > max_metadata or text:sub(1, 1) ~= "{" then
    f.fail("invalid_payload", "metadata: an object of at most " .. max_metadata .. " bytes as JSON")
  end
  return text
end

-- ---------------------------------------------------------------- media

sb.on("media:upload", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local url = f.text(p, "url", { max = 2048 })
  local kind = f.choice(p, "kind", KINDS)
  local title = f.text(p, "title", { max = 200, min = 0, optional = true }) or ""
  local mime = f.text(p, "mime", { max = 128, optional = true }) or "application/octet-stream"
  local size = f.integer(p, "size_bytes", { min = 0, optional = true }) or 0
  local metadata = metadata_of(p) or "{}"
  local id, now = sb.uuid(), sb.now()
  sb.db.exec("INSERT INTO media_items (" .. MEDIA_COLUMNS .. [[) VALUES
      (:id, :owner, :kind, :url, :title, :mime, :size, :metadata, :created, :updated)]],
    { id = id, owner = user, kind = kind, url = url, title = title, mime = mime, size = size, metadata = metadata,
      created = now, updated = now })
  local out = media_form(find_media(sb.db, id))
  sb.emit{ user = user, event = "media:uploaded", data = out }
  return f.ok(out)
end)

sb.on("media:get", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  return f.ok(media_form(visible_media(sb.db, id, user)))
end)

sb.on("media:update", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local id = f.id(p, "id")
  local title = f.text(p, "title", { max = 200, min = 0, optional = true })
  local metadata = metadata_of(p)
  local media = sb.db.transaction(function(tx)
    local media = owned_media(tx, id, user)
    tx:exec("UPDATE media_items SET title = :title, metadata = :metadata, updated_at = :now WHERE id = :id",
      { id = id, title = title or media.title, metadata = metadata or media.metadata,
        now = math.max(sb.now(), media.updated_at + 1) })
    return find_media(tx, id)
  end)
  local out = media_form(media)
  tell(media_room(id), user, "media:updated", out)
  return f.ok(out)
end)

sb.on("media:delete", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local albums = sb.db.transaction(function(tx)
    owned_media(tx, id, user)
    local albums = tx:query("SELECT album_id, position FROM media_album_items WHERE media_id = :id", { id = id })
    for _, a in ipairs(albums) do
      tx:exec("DELETE FROM media_album_items WHERE album_id = :album AND media_id = :id", { album = a.album_id, id = id })
      tx:exec("UPDATE media_album_items SET position = position - 1 WHERE album_id = :album AND position > :position",
        { album = a.album_id, position = a.position })
    end
    tx:exec("DELETE FROM media_items WHERE id = :id", { id = id })
    return albums
  end)
  tell(media_room(id), user, "media:deleted", { id = id })
  for _, a in ipairs(albums) do
    sb.emit{ to = album_room(a.album_id), event = "album:item-removed", data = { album_id = a.album_id, media_id = id } }
  end
  return f.ok({ id = id })
end)

sb.on("media:join", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local media = visible_media(sb.db, id, user)
  ctx.socket:join(media_room(id))
  return f.ok(media_form(media))
end)

-- ---------------------------------------------------------------- albums

local function replace_shares(tx, id, users)
  tx:exec("DELETE FROM media_album_shares WHERE album_id = :id", { id = id })
  for _, u in ipairs(users) do
    tx:exec("INSERT INTO media_album_shares (album_id, user_id) VALUES (:id, :user)", { id = id, user = u })
  end
end

sb.on("album:create", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local title = f.text(p, "title", { max = 200 })
  local visibility = f.choice(p, "visibility", VISIBILITY, "private")
  local shares = f.users(p, "shared_with", max_shares, user)
  local id, now = sb.uuid(), sb.now()
  local out = sb.db.transaction(function(tx)
    tx:exec("INSERT INTO media_albums (" .. ALBUM_COLUMNS .. ") VALUES (:id, :owner, :title, :visibility, :created, :updated)",
      { id = id, owner = user, title = title, visibility = visibility, created = now, updated = now })
    replace_shares(tx, id, shares)
    return album_form(tx, find_album(tx, id), user, true)
  end)
  sb.emit{ user = user, event = "album:created", data = out }
  return f.ok(out)
end)

sb.on("album:get", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  return f.ok(album_form(sb.db, readable_album(sb.db, id, user), user, true))
end)

sb.on("album:update", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local id = f.id(p, "id")
  local title = f.text(p, "title", { max = 200, optional = true })
  local visibility = p.visibility ~= nil and f.choice(p, "visibility", VISIBILITY) or nil
  local shares = p.shared_with ~= nil and f.users(p, "shared_with", max_shares, user) or nil
  local album = sb.db.transaction(function(tx)
    local album = owned_album(tx, id, user)
    tx:exec("UPDATE media_albums SET title = :title, visibility = :visibility, updated_at = :now WHERE id = :id",
      { id = id, title = title or album.title, visibility = visibility or album.visibility,
        now = math.max(sb.now(), album.updated_at + 1) })
    if shares then replace_shares(tx, id, shares) end
    return find_album(tx, id)
  end)
  tell(album_room(id), user, "album:updated", album_form(sb.db, album, nil, false))
  return f.ok(album_form(sb.db, album, user, false))
end)

sb.on("album:delete", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  sb.db.transaction(function(tx)
    owned_album(tx, id, user)
    tx:exec("DELETE FROM media_album_items WHERE album_id = :id", { id = id })
    tx:exec("DELETE FROM media_album_shares WHERE album_id = :id", { id = id })
    tx:exec("DELETE FROM media_albums WHERE id = :id", { id = id })
  end)
  tell(album_room(id), user, "album:deleted", { id = id })
  return f.ok({ id = id })
end)

local function item_count(db, id)
  return f.query(db, "SELECT COUNT(*) AS n FROM media_album_items WHERE album_id = :id", { id = id })[1].n
end

-- Positions stay 1..n; shifted through negative values first, as in content.lua.
local function shift(tx, album_id, from, to, delta)
  tx:exec([[UPDATE media_album_items SET position = -(position + :delta)
            WHERE album_id = :id AND position >= :from AND position <= :to]],
    { id = album_id, from = from, to = to, delta = delta })
  tx:exec("UPDATE media_album_items SET position = -position WHERE album_id = :id AND position < 0", { id = album_id })
end

-- album:add {id, media_id, position?}: the owner adds one of their media items.
sb.on("album:add", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local id = f.id(p, "id")
  local media_id = f.id(p, "media_id")
  local position = f.integer(p, "position", { min = 1, optional = true })
  position = sb.db.transaction(function(tx)
    owned_album(tx, id, user)
    owned_media(tx, media_id, user)
    local n = item_count(tx, id)
    if n >= max_items then f.fail("limit_reached", "an album holds at most " .. max_items .. " items") end
    if #tx:query("SELECT 1 AS yes FROM media_album_items WHERE album_id = :id AND media_id = :media",
        { id = id, media = media_id }) > 0 then
      f.fail("invalid_payload", "media " .. media_id .. " is in album " .. id .. " already")
    end
    local at = math.min(position or n + 1, n + 1)
    if at <= n then shift(tx, id, at, n, 1) end
    tx:exec("INSERT INTO media_album_items (album_id, media_id, position) VALUES (:id, :media, :position)",
      { id = id, media = media_id, position = at })
    return at
  end)
  local data = { album_id = id, media_id = media_id, position = position }
  tell(album_room(id), user, "album:item-added", data)
  return f.ok(data)
end)

sb.on("album:move", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local id = f.id(p, "id")
  local media_id = f.id(p, "media_id")
  local position = f.integer(p, "position", { min = 1 })
  position = sb.db.transaction(function(tx)
    owned_album(tx, id, user)
    local item = tx:query("SELECT position FROM media_album_items WHERE album_id = :id AND media_id = :media",
      { id = id, media = media_id })[1]
    if not item then f.fail("not_found", "media " .. media_id .. " is not in album " .. id) end
    local at = math.min(position, item_count(tx, id))
    if at ~= item.position then
      tx:exec("UPDATE media_album_items SET position = 0 WHERE album_id = :id AND media_id = :media", { id = id, media = media_id })
      if at < item.position then shift(tx, id, at, item.position - 1, 1) else shift(tx, id, item.position + 1, at, -1) end
      tx:exec("UPDATE media_album_items SET position = :position WHERE album_id = :id AND media_id = :media",
        { id = id, media = media_id, position = at })
    end
    return at
  end)
  local data = { album_id = id, media_id = media_id, position = position }
  tell(album_room(id), user, "album:item-moved", data)
  return f.ok(data)
end)

sb.on("album:remove", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local id = f.id(p, "id")
  local media_id = f.id(p, "media_id")
  sb.db.transaction(function(tx)
    owned_album(tx, id, user)
    local item = tx:query("SELECT position FROM media_album_items WHERE album_id = :id AND media_id = :media",
      { id = id, media = media_id })[1]
    if not item then f.fail("not_found", "media " .. media_id .. " is not in album " .. id) end
    tx:exec("DELETE FROM media_album_items WHERE album_id = :id AND media_id = :media", { id = id, media = media_id })
    shift(tx, id, item.position + 1, item_count(tx, id) + 1, -1)
  end)
  local data = { album_id = id, media_id = media_id }
  tell(album_room(id), user, "album:item-removed", data)
  return f.ok(data)
end)

sb.on("album:join", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local album = readable_album(sb.db, id, user)
  ctx.socket:join(album_room(id))
  return f.ok(album_form(sb.db, album, user, true))
end)

sb.on("album:leave", function(ctx, payload)
  local id = f.id(f.payload(payload), "id")
  ctx.socket:leave(album_room(id))
  return f.ok({ id = id })
end)

sb.on_join(function(ctx, name)
  local kind, id = name:match("^(%a+)_(.+)$")
  if kind ~= "album" and kind ~= "media" then return end
  local user = ctx.user_id
  if not user then return false, "sign in first", "unauthorized" end
  if kind == "album" then
    local album = find_album(sb.db, id)
    if not album or not can_read_album(sb.db, album, user) then
      return false, "album " .. id .. " is private", "forbidden"
    end
  else
    local media = find_media(sb.db, id)
    if not media or not can_see_media(sb.db, media, user) then
      return false, "media " .. id .. " is not visible to you", "forbidden"
    end
  end
end)
