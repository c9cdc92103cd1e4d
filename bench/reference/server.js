// Node's socket.io 4.8 doing what bench/run's handler and chat rows ask of Switchboard,
// with the drivers a Node application would use (better-sqlite3, pg) and the same
// tables (the migrations in migrations/chat/ and bench/migrations/bench/, read as
// they are):
//
//   bench:write (seq, body, ack)  INSERT INTO bench_writes ... RETURNING id; ack(null, {id})
//                                 (bench/plugin/bench_plugin.cpp, bench/lua/handlers.lua)
//   bench:echo  (...args, ack)    ack(...args)
//   bench:join  (room, ack)       socket.join(room); ack()
//   bench:relay (room, ...args)   io.to(room).emit("tick", ...args)   (the fan-out row)
//   chat:create / chat:join / chat:send: plugins/chat's statements for these events
//   (room, membership, insert), the broadcast to the room except the sender, and its
//   ack convention [null, result]; users sign in with an HS256 JWT as on Switchboard.
//
//   node bench/reference/server.js --port N --db sqlite:FILE|postgresql://... --secret S
//        [--ping-interval ms] [--ping-timeout ms]
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const ROOT = path.resolve(__dirname, "../..");

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  return process.argv[at + 1];
}

const port = Number(option("port"));
const db_url = option("db");
const secret = option("secret", "");
const ping_interval = Number(option("ping-interval", "25000"));
const ping_timeout = Number(option("ping-timeout", "20000"));

// The migration files a component has for this dialect, in order (NNNN_title[.dialect].sql).
function migrations(dir, dialect) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".sql"));
  const chosen = new Map();
  for (const f of files.sort()) {
    const [, number, rest] = /^(\d+)_(.*)\.sql$/.exec(f) ?? [];
    if (!number) continue;
    const specific = rest.endsWith(".sqlite") || rest.endsWith(".postgresql");
    if (specific && !rest.endsWith(`.${dialect}`)) continue;
    chosen.set(number, path.join(dir, f));
  }
  return [...chosen.keys()].sort().map((n) => fs.readFileSync(chosen.get(n), "utf8"));
}
const schema = [
  ...migrations(path.join(ROOT, "migrations/chat"), db_url.startsWith("sqlite:") ? "sqlite" : "postgresql"),
  ...migrations(path.join(ROOT, "bench/migrations/bench"), db_url.startsWith("sqlite:") ? "sqlite" : "postgresql"),
];

// One interface over both drivers: query(sql, params) resolves to rows. SQL uses $1..$n
// for PostgreSQL and ? for SQLite, written per statement below.
async function open_database() {
  if (db_url.startsWith("sqlite:")) {
    const Database = require("better-sqlite3");
    const db = new Database(db_url.slice("sqlite:".length));
    // Switchboard's SQLite settings (kernel/store/database.cpp), durability included:
    // WAL with synchronous=NORMAL (Switchboard's default database.sqlite_synchronous;
    // also what better-sqlite3, built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, does in WAL
    // mode). Said explicitly: both sides must wait for the disk equally, or not at all.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    for (const sql of schema) db.exec(sql);
    const statements = new Map();
    const prepared = (sql) => {
      let s = statements.get(sql);
      if (!s) statements.set(sql, (s = db.prepare(sql.replace(/\$\d+/g, "?"))));
      return s;
    };
    return {
      query: async (sql, params) => {
        const s = prepared(sql);
        return s.reader ? s.all(...params) : (s.run(...params), []);
      },
    };
  }
  const { Pool } = require("pg");
  // Switchboard's database.pool_size default.
  const pool = new Pool({ connectionString: db_url, max: 4 });
  for (const sql of schema) await pool.query(sql);
  return {
    query: async (sql, params) => (await pool.query(sql, params)).rows,
  };
}

// HS256 JWT, checked as Switchboard checks it: signature, then exp.
function verify_token(token) {
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const expected = crypto.createHmac("sha256", secret).update(`${parts[0]}.${parts[1]}`).digest("base64url");
  const given = Buffer.from(parts[2]);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, Buffer.from(expected))) return null;
  const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) return null;
  return claims;
}

const refuse = (ack, code, message) => typeof ack === "function" && ack({ code, message });
const room_json = (r) => ({ id: Number(r.id), kind: r.kind, name: r.name, owner: r.owner, createdAt: Number(r.created_at) });
const is_id = (v) => Number.isInteger(v) && v > 0;

async function main() {
  const db = await open_database();
  const sqlite = db_url.startsWith("sqlite:");
  const http = createServer();
  const io = new Server(http, { pingInterval: ping_interval, pingTimeout: ping_timeout, transports: ["websocket", "polling"] });

  io.use((socket, next) => {
    const claims = verify_token(socket.handshake.auth?.token);
    if (claims) socket.data.user = String(claims.sub);
    next();   // anonymous sockets may still use bench:*; chat:* refuses them
  });

  io.on("connection", (socket) => {
    socket.on("bench:write", async (seq, body, ack) => {
      try {
        if (!Number.isInteger(seq) || typeof body !== "string")
          return refuse(ack, "invalid_payload", "bench:write expects (seq: integer, body: string)");
        const rows = await db.query(
          "INSERT INTO bench_writes (seq, body, created_at) VALUES ($1, $2, $3) RETURNING id", [seq, body, Date.now()]);
        ack?.(null, { id: Number(rows[0].id) });
      } catch (e) {
        refuse(ack, "db_error", e.message);
      }
    });

    socket.on("bench:echo", (...args) => {
      const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
      ack?.(...args);
    });

    // The fan-out row: a client asks for a broadcast to a room, as a chat relay would.
    socket.on("bench:join", (room, ack) => {
      if (typeof room !== "string") return refuse(ack, "invalid_payload", "bench:join expects (room: string)");
      socket.join(room);
      if (typeof ack === "function") ack();
    });
    socket.on("bench:relay", (room, ...args) => {
      if (typeof room !== "string") return;
      io.to(room).emit("tick", ...args);
    });

    const user = socket.data.user;
    const chat = (event, fn) =>
      socket.on(event, async (payload, ack) => {
        if (!user) return refuse(ack, "unauthorized", "this event needs a signed-in user");
        if (typeof payload !== "object" || payload === null) return refuse(ack, "invalid_payload", "payload: an object");
        try {
          const result = await fn(payload);
          if (result.error) return refuse(ack, result.error, result.message);
          ack?.(null, result);
        } catch (e) {
          refuse(ack, "internal_error", e.message);
        }
      });
    const room_of = async (id) =>
      (await db.query("SELECT id, kind, name, owner, created_at FROM chat_rooms WHERE id = $1", [id]))[0];
    const role_of = async (room, who) =>
      (await db.query("SELECT role FROM chat_members WHERE room_id = $1 AND user_id = $2", [room, who]))[0]?.role;

    chat("chat:create", async ({ name }) => {
      if (typeof name !== "string" || name.length < 1 || name.length > 100) return { error: "invalid_payload", message: "name" };
      const now = Date.now();
      const [row] = await db.query(
        "INSERT INTO chat_rooms (kind, name, owner, created_at) VALUES ($1, $2, $3, $4) RETURNING id", ["public", name, user, now]);
      await db.query("INSERT INTO chat_members (room_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)", [row.id, user, "owner", now]);
      return { room: room_json({ id: row.id, kind: "public", name, owner: user, created_at: now }), members: [] };
    });

    chat("chat:join", async ({ room }) => {
      if (!is_id(room)) return { error: "invalid_payload", message: "room: a positive integer" };
      const r = await room_of(room);
      if (!r) return { error: "not_found", message: `no room ${room}` };
      if (!(await role_of(room, user))) {
        if (r.kind !== "public") return { error: "forbidden", message: "only members may join this room" };
        await db.query(
          "INSERT INTO chat_members (room_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4) ON CONFLICT (room_id, user_id) DO NOTHING",
          [room, user, "member", Date.now()]);
      }
      socket.join(`chat:${room}`);
      return { room: room_json(r) };
    });

    chat("chat:send", async ({ room, text }) => {
      if (!is_id(room)) return { error: "invalid_payload", message: "room: a positive integer" };
      if (typeof text !== "string" || text.trim() === "" || [...text].length > 1000)
        return { error: "invalid_payload", message: "text: 1 to 1000 characters" };
      if (!(await room_of(room))) return { error: "not_found", message: `no room ${room}` };
      if (!(await role_of(room, user))) return { error: "forbidden", message: "you are not a member of this room" };
      const now = Date.now();
      const [row] = await db.query(
        "INSERT INTO chat_messages (room_id, user_id, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id", [room, user, text, now]);
      const id = Number(row.id);
      socket.to(`chat:${room}`).emit("chat:message",
        { id, room, user, text, createdAt: now, editedAt: null, reactions: {} });
      return { id, room, text, createdAt: now };
    });
  });

  http.listen(port, "127.0.0.1", () => console.log(`bench reference (socket.io, ${sqlite ? "better-sqlite3" : "pg"}) on ${port}`));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
