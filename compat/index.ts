// The Discord compatibility layer as mounts for the HTTP server (wired by server/main.ts only).
import type { AppMounts } from '../server/app.js';

export function compatMounts(): AppMounts {
  return {};
}
