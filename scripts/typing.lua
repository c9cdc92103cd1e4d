-- typing.lua: typing indicators, relayed to a room's other members.
--
--   typing:start {room = "..."}   ->  "typing" {room, user, typing = true} to the room
--   typing:stop  {room = "..."}   ->  the same with typing = false
--
-- A relay: inline (it never blocks) and volatile (a lost indicator is harmless, a
-- late one is wrong). `user` is the sender's user id, or its socket id if anonymous.
-- The SDK cannot tell whether the sender is in the room: pair this with a join
-- policy (rooms.lua) so that room names are the only way in.
local sb = require("switchboard")

local function relay(ctx, payload, typing)
  if type(payload) ~= "table" or type(payload.room) ~= "string" or payload.room == "" then
    error({ code = "invalid_payload", message = "{room = name} is expected" })
  end
  sb.emit{
    to = payload.room,
    except = ctx.socket,
    event = "typing",
    data = { room = payload.room, user = ctx.user and ctx.user.id or ctx.socket.id, typing = typing },
    volatile = true,
  }
end

sb.on("typing:start", function(ctx, payload) relay(ctx, payload, true) end, { inline = true })
sb.on("typing:stop", function(ctx, payload) relay(ctx, payload, false) end, { inline = true })
