// One client process (see workers.mjs): loads the role it is told, then answers the
// parent's questions by calling the role's method of that name.
const ROLES = {
  recovery: () => import("./recovery_clients.mjs"),
  chat: () => import("./chat_clients.mjs"),
  probes: () => import("./probes.mjs"),
};

let role = null;

function answer(message) {
  // The callback takes a send that fails because the parent already left.
  if (process.connected) process.send(message, () => {});
}

process.on("message", async ({ id, type, payload }) => {
  try {
    let result;
    if (type === "start") {
      const module = await ROLES[payload.role]();
      role = module.create(payload.args);
      result = await role.start();
    } else {
      result = await role[type](payload);
    }
    answer({ id, result: result ?? null });
  } catch (error) {
    answer({ id, error: error?.stack ?? String(error) });
  }
});
process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));   // the parent is gone
