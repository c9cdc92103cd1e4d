-- protocol-echo in Lua: the Socket.IO reference test server's behavior, as
-- protocol_echo.cpp does it in C++.
--
--   io.on("connection", s => s.emit("auth", s.handshake.auth));
--   socket.on("message", (...args) => socket.emit("message-back", ...args));
--   socket.on("message-with-ack", (...args) => ack(...args));
--
-- Every handler is inline: nothing here blocks, and echoing from the network worker
-- is the fastest path the SDK offers.
local sb = require("switchboard")

-- Emits made in a connect hook follow the CONNECT reply.
sb.on_connect(function(ctx)
  ctx.socket:emit("auth", ctx.auth)
end, { inline = true })

sb.on("message", function(ctx, ...)
  ctx.socket:emit("message-back", ...)
end, { nsp = "/", inline = true })

-- What a handler returns is the ack.
sb.on("message-with-ack", function(ctx, ...)
  return ...
end, { nsp = "/", inline = true })
