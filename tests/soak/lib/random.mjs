// Randomness for the soak's clients: waits with exponential distribution (events at
// random with a given mean rate) and picks.
export const exponential_ms = (mean_s) => -Math.log(1 - Math.random()) * mean_s * 1000;
export const pick = (items) => items[Math.floor(Math.random() * items.length)];
export const chance = (p) => Math.random() < p;

export async function wait_until(condition, timeout_ms, every_ms = 200) {
  const deadline = Date.now() + timeout_ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, every_ms));
  }
  return true;
}
