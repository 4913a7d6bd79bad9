import type { Patch } from '../../model/changeset.js';
import type { Config } from '../../config/schema.js';
import { netdevTree, touchedPaths } from './util.js';

/** A configured netdev path matches as a prefix (`net/`, `include/uapi/linux/if_`) or exactly. */
export function isNetdevPath(path: string, config: Config): boolean {
  return config.netdev.paths.some((p) => path === p || path.startsWith(p));
}

/**
 * Whether the netdev pack applies to a patch: a touched path is netdev-owned per
 * `config.netdev.paths`, or the subject names one of the configured networking trees.
 */
export function isNetdevPatch(patch: Patch, config: Config): boolean {
  if (touchedPaths(patch).some((p) => isNetdevPath(p, config))) return true;
  return netdevTree(patch.subject, config) !== undefined;
}
