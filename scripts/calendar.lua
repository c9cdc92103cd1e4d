-- calendar.lua: calendar events with invitees, their answers, and reminders.
--
-- Participants are the owner and the invitees who have not rejected. Invites and
-- answers go to the users concerned on every device; updates and deletions to the
-- room calendar_{id} (participants only may join it) and to every participant's
-- devices (a device in the room gets each event once).
--
-- Reminders are rows of calendar_reminders, written when an event is created or an
-- invite accepted; a periodic timer of the scripts sends those that are due to users
-- who are online (a user offline at the time gets it on the next poll after coming
-- back, until the event is older than reminder_grace_ms). Because they live in the
-- database they survive a reload and a restart, and the UPDATE that marks one sent
-- lets only one sender win. scripts/README.md documents the events.
local sb = require("switchboard")
local f = require("lib.feature")

local settings = sb.config.calendar or {}
local default_lead = f.setting(settings, "reminder_lead_ms", 15 * 60 * 1000)
local poll_every = f.setting(settings, "reminder_poll_ms", 1000)
local grace = f.setting(settings, "reminder_grace_ms", 3600 * 1000)
local max_invitees = f.setting(settings, "max_invitees", 100)
local batch = f.setting(settings, "reminder_batch", 500)

local COLUMNS = "id, owner_id, title, location, starts_at, ends_at, remind_before, created_at, updated_at"

local function room(id) return "calendar_" .. id end

local function find_event(db, id)
  return f.query(db, "SELECT " .. COLUMNS .. " FROM calendar_events WHERE id = :id", { id = id })[1]
end

local function invites_of(db, id)
  return f.query(db, "SELECT user_id, status FROM calendar_invites WHERE event_id = :id ORDER BY user_id", { id = id })
end

local function invite_of(db, id, user)
  return f.query(db, "SELECT status FROM calendar_invites WHERE event_id = :id AND user_id = :user",
    { id = id, user = user })[1]
end

local function is_participant(db, event, user)
  if event.owner_id == user then return true end
  local invite = invite_of(db, event.id, user)
  return invite ~= nil and invite.status ~= "rejected"
end

local function form(db, event)
  local invitees = sb.array()
  for _, row in ipairs(invites_of(db, event.id)) do
    invitees[#invitees + 1] = { user_id = row.user_id, status = row.status }
  end
  return { id = event.id, owner_id = event.owner_id, title = event.title, location = event.location,
           starts_at = event.starts_at, ends_at = event.ends_at, remind_before_ms = event.remind_before,
           invitees = invitees, created_at = event.created_at, updated_at = event.updated_at }
end

-- The owner and the invitees that have not rejected (the users an update concerns).
local function participants(db, event)
  local out = { event.owner_id }
  for _, row in ipairs(invites_of(db, event.id)) do
    if row.status ~= "rejected" then out[#out + 1] = row.user_id end
  end
  return out
end

-- To the room, and to the participants' devices that are not in it: once per device.
local function broadcast(id, users, event, data)
  sb.emit{ to = room(id), event = event, data = data }
  local seen = {}
  for _, user in ipairs(users) do
    if not seen[user] then
      seen[user] = true
      sb.emit{ user = user, except = room(id), event = event, data = data }
    end
  end
end

local function visible(db, id, user)
  local event = find_event(db, id)
  if not event then f.fail("not_found", "no calendar event " .. id) end
  if not is_participant(db, event, user) then f.fail("forbidden", "you are not invited to calendar event " .. id) end
  return event
end

local function owned(db, id, user)
  local event = find_event(db, id)
  if not event then f.fail("not_found", "no calendar event " .. id) end
  if event.owner_id ~= user then f.fail("forbidden", "only the owner may change calendar event " .. id) end
  return event
end

local function add_reminder(tx, event, user)
  tx:exec([[INSERT INTO calendar_reminders (event_id, user_id, fire_at) VALUES (:id, :user, :fire)
            ON CONFLICT DO NOTHING]], { id = event.id, user = user, fire = event.starts_at - event.remind_before })
end

local function times(p, event)
  local starts_at = f.integer(p, "starts_at", { min = 0, optional = event ~= nil }) or event.starts_at
  local ends_at = f.integer(p, "ends_at", { min = 0, optional = true })
  if not ends_at then ends_at = event and math.max(event.ends_at, starts_at) or starts_at + 3600 * 1000 end
  if ends_at < starts_at then f.fail("invalid_payload", "ends_at: not before starts_at") end
  local lead = f.integer(p, "remind_before_ms", { min = 0, optional = true })
  return starts_at, ends_at, lead or (event and event.remind_before) or default_lead
end

sb.on("calendar:create", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local title = f.text(p, "title", { max = 200 })
  local location = f.text(p, "location", { max = 200, min = 0, optional = true }) or ""
  local starts_at, ends_at, lead = times(p, nil)
  local invitees = f.users(p, "invitees", max_invitees, user)
  local id, now = sb.uuid(), sb.now()
  local event = sb.db.transaction(function(tx)
    tx:exec("INSERT INTO calendar_events (" .. COLUMNS .. [[) VALUES
             (:id, :owner, :title, :location, :starts, :ends, :lead, :created, :updated)]],
      { id = id, owner = user, title = title, location = location, starts = starts_at, ends = ends_at, lead = lead,
        created = now, updated = now })
    for _, invitee in ipairs(invitees) do
      tx:exec([[INSERT INTO calendar_invites (event_id, user_id, status, updated_at)
                VALUES (:id, :user, 'pending', :now)]], { id = id, user = invitee, now = now })
    end
    local event = find_event(tx, id)
    add_reminder(tx, event, user)
    return form(tx, event)
  end)
  f.to_users({ user }, "calendar:created", event)
  f.to_users(invitees, "calendar:invite-received", event)
  return f.ok(event)
end)

sb.on("calendar:get", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local event = visible(sb.db, id, user)
  local out = form(sb.db, event)
  local reminder = sb.db.query("SELECT fire_at, sent_at FROM calendar_reminders WHERE event_id = :id AND user_id = :user",
    { id = id, user = user })[1]
  out.reminder = reminder and { fire_at = reminder.fire_at, sent = reminder.sent_at ~= sb.null } or sb.null
  return f.ok(out)
end)

-- calendar:list {from?, to?}: the events the user takes part in, by start time.
sb.on("calendar:list", function(ctx, payload)
  local user = f.user(ctx)
  local p = payload == nil and {} or f.payload(payload)
  local from = f.integer(p, "from", { min = 0, optional = true }) or 0
  local to = f.integer(p, "to", { min = 0, optional = true }) or math.maxinteger
  local rows = sb.db.query("SELECT " .. COLUMNS .. [[ FROM calendar_events
      WHERE starts_at >= :from AND starts_at <= :to AND (owner_id = :owner OR id IN
        (SELECT event_id FROM calendar_invites WHERE user_id = :invitee AND status <> 'rejected'))
      ORDER BY starts_at, id LIMIT 500]], { from = from, to = to, owner = user, invitee = user })
  local out = sb.array()
  for _, event in ipairs(rows) do out[#out + 1] = form(sb.db, event) end
  return f.ok(out)
end)

sb.on("calendar:update", function(ctx, payload)
  local user = f.user(ctx)
  local p = f.payload(payload)
  local id = f.id(p, "id")
  local title = f.text(p, "title", { max = 200, optional = true })
  local location = f.text(p, "location", { max = 200, min = 0, optional = true })
  local invitees = p.invitees ~= nil and f.users(p, "invitees", max_invitees, user) or nil
  local added, removed = {}, {}
  local before_users
  local event = sb.db.transaction(function(tx)
    local event = owned(tx, id, user)
    before_users = participants(tx, event)
    local starts_at, ends_at, lead = times(p, event)
    local now = math.max(sb.now(), event.updated_at + 1)
    tx:exec([[UPDATE calendar_events SET title = :title, location = :location, starts_at = :starts, ends_at = :ends,
              remind_before = :lead, updated_at = :now WHERE id = :id]],
      { id = id, title = title or event.title, location = location or event.location, starts = starts_at,
        ends = ends_at, lead = lead, now = now })
    if starts_at ~= event.starts_at or lead ~= event.remind_before then
      -- A new time is a new reminder, also for those who had the old one.
      tx:exec("UPDATE calendar_reminders SET fire_at = :fire, sent_at = NULL WHERE event_id = :id",
        { id = id, fire = starts_at - lead })
    end
    if invitees then
      local wanted, had = {}, {}
      for _, u in ipairs(invitees) do wanted[u] = true end
      for _, row in ipairs(invites_of(tx, id)) do
        had[row.user_id] = true
        if not wanted[row.user_id] then
          removed[#removed + 1] = row.user_id
          tx:exec("DELETE FROM calendar_invites WHERE event_id = :id AND user_id = :user", { id = id, user = row.user_id })
          tx:exec("DELETE FROM calendar_reminders WHERE event_id = :id AND user_id = :user", { id = id, user = row.user_id })
        end
      end
      for _, u in ipairs(invitees) do
        if not had[u] then
          added[#added + 1] = u
          tx:exec([[INSERT INTO calendar_invites (event_id, user_id, status, updated_at)
                    VALUES (:id, :user, 'pending', :now)]], { id = id, user = u, now = now })
        end
      end
    end
    return form(tx, find_event(tx, id))
  end)
  -- The users who were in, and still are, hear of the update; those removed that the
  -- event is gone for them; those added get an invite.
  local gone = {}
  for _, u in ipairs(removed) do gone[u] = true end
  local stay = {}
  for _, u in ipairs(before_users) do
    if not gone[u] then stay[#stay + 1] = u end
  end
  broadcast(id, stay, "calendar:updated", event)
  f.to_users(removed, "calendar:deleted", { id = id })
  f.to_users(added, "calendar:invite-received", event)
  return f.ok(event)
end)

sb.on("calendar:delete", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local users = sb.db.transaction(function(tx)
    local event = owned(tx, id, user)
    local users = participants(tx, event)
    for _, t in ipairs({ "calendar_reminders", "calendar_invites" }) do
      tx:exec("DELETE FROM " .. t .. " WHERE event_id = :id", { id = id })
    end
    tx:exec("DELETE FROM calendar_events WHERE id = :id", { id = id })
    return users
  end)
  broadcast(id, users, "calendar:deleted", { id = id })
  return f.ok({ id = id })
end)

-- calendar:accept / calendar:reject {id}: an invitee answers (and may change its mind).
local function answer(status, event_name)
  return function(ctx, payload)
    local user = f.user(ctx)
    local id = f.id(f.payload(payload), "id")
    local event = sb.db.transaction(function(tx)
      local event = find_event(tx, id)
      if not event or not invite_of(tx, id, user) then f.fail("not_found", "no invite to calendar event " .. id .. " for you") end
      tx:exec("UPDATE calendar_invites SET status = :status, updated_at = :now WHERE event_id = :id AND user_id = :user",
        { id = id, user = user, status = status, now = sb.now() })
      if status == "accepted" then
        add_reminder(tx, event, user)
      else
        tx:exec("DELETE FROM calendar_reminders WHERE event_id = :id AND user_id = :user", { id = id, user = user })
      end
      return event
    end)
    if status == "rejected" then ctx.socket:leave(room(id)) end
    local data = { event_id = id, user_id = user, status = status }
    broadcast(id, { event.owner_id, user }, event_name, data)
    return f.ok(data)
  end
end

sb.on("calendar:accept", answer("accepted", "calendar:invite-accepted"))
sb.on("calendar:reject", answer("rejected", "calendar:invite-rejected"))

sb.on("calendar:join", function(ctx, payload)
  local user = f.user(ctx)
  local id = f.id(f.payload(payload), "id")
  local event = visible(sb.db, id, user)
  ctx.socket:join(room(id))
  return f.ok(form(sb.db, event))
end)

sb.on("calendar:leave", function(ctx, payload)
  local id = f.id(f.payload(payload), "id")
  ctx.socket:leave(room(id))
  return f.ok({ id = id })
end)

sb.on_join(function(ctx, name)
  local id = name:match("^calendar_(.+)$")
  if not id then return end
  local user = ctx.user_id
  if not user then return false, "sign in first", "unauthorized" end
  local event = find_event(sb.db, id)
  if not event or not is_participant(sb.db, event, user) then
    return false, "only the participants of calendar event " .. id .. " may join its room", "forbidden"
  end
end)

-- ---------------------------------------------------------------- reminders

local function send_due_reminders()
  local now = sb.now()
  local due = sb.db.query([[
      SELECT r.event_id, r.user_id, r.fire_at, e.title, e.location, e.starts_at FROM calendar_reminders r
      JOIN calendar_events e ON e.id = r.event_id
      WHERE r.sent_at IS NULL AND r.fire_at <= :now ORDER BY r.fire_at LIMIT ]] .. batch, { now = now })
  for _, r in ipairs(due) do
    local stale = r.starts_at + grace < now
    local online = sb.user_sessions(r.user_id) > 0
    if stale or online then
      -- Only the sender whose UPDATE changes the row sends: once, whatever the number
      -- of states, reloads or restarts.
      local won = sb.db.exec([[UPDATE calendar_reminders SET sent_at = :now
                               WHERE event_id = :id AND user_id = :user AND sent_at IS NULL]],
        { now = now, id = r.event_id, user = r.user_id })
      if won == 1 and not stale then
        sb.emit{ user = r.user_id, event = "calendar:reminder",
                 data = { event_id = r.event_id, title = r.title, location = r.location, starts_at = r.starts_at } }
      end
    end
  end
end

sb.timer(poll_every, send_due_reminders, { every = poll_every })
