import { filePath } from '../../model/changeset.js';
import type { DiffLine, FilePatch } from '../../model/changeset.js';
import type { Severity } from '../../model/finding.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { lineFinding } from '../lib/location.js';
import { isCFile, stripCCommentsAndStrings } from './util.js';

interface Api {
  name: string;
  pattern: RegExp;
  severity: Severity;
  advice: string;
  /** Only counted under these path prefixes. */
  under?: string;
}

const APIS: readonly Api[] = [
  { name: 'module_param', pattern: /\bmodule_param\w*\s*\(/g, severity: 'error', advice: 'module parameters are not accepted in networking drivers; use devlink params, ethtool or netlink' },
  { name: 'dev_hold(', pattern: /\bdev_hold\s*\(/g, severity: 'warning', advice: 'use netdev_hold() with a netdevice_tracker' },
  { name: 'dev_put(', pattern: /\bdev_put\s*\(/g, severity: 'warning', advice: 'use netdev_put() with a netdevice_tracker' },
  { name: 'get_net(', pattern: /\bget_net\s*\(/g, severity: 'warning', advice: 'use get_net_track() with a netns_tracker' },
  { name: 'put_net(', pattern: /\bput_net\s*\(/g, severity: 'warning', advice: 'use put_net_track() with a netns_tracker' },
  { name: 'init_dummy_netdev(', pattern: /\binit_dummy_netdev\s*\(/g, severity: 'warning', advice: 'use alloc_netdev_dummy()' },
  { name: '__free(', pattern: /\b__free\s*\(/g, severity: 'warning', advice: 'netdev discourages scope-based cleanup (__free) in drivers; free explicitly', under: 'drivers/net/' },
];

const ANY_API = /module_param|dev_hold|dev_put|get_net|put_net|init_dummy_netdev|__free/;

export const deprecatedApi: PatchRule = {
  id: 'netdev/deprecated-api',
  pack: 'netdev',
  severity: 'warning',
  scope: 'patch',
  doc: {
    what: 'More uses added than removed of an API netdev wants gone: `module_param` (error), `dev_hold(`, `dev_put(`, `get_net(`, `put_net(`, `init_dummy_netdev(`, and `__free(` in drivers/net.',
    why: 'These have tracked or better replacements; new users make the conversion harder.',
    fix: 'Use the replacement named in the message (netdev_hold/netdev_put, get_net_track/put_net_track, alloc_netdev_dummy, devlink params).',
  },
  check(patch) {
    // One pass over the changed lines; a line is only cleaned of comments and strings when a
    // combined pre-check says it may name one of the APIs (most lines name none).
    const counts = APIS.map(() => ({ added: 0, removed: 0, site: undefined as { file: FilePatch; line: DiffLine } | undefined }));
    for (const file of patch.files) {
      const path = filePath(file);
      if (!isCFile(path)) continue;
      for (const hunk of file.hunks) {
        for (const line of hunk.lines) {
          if (line.kind === 'ctx' || !ANY_API.test(line.text)) continue;
          const code = stripCCommentsAndStrings(line.text);
          APIS.forEach((api, i) => {
            if (api.under && !path.startsWith(api.under)) return;
            const n = code.match(api.pattern)?.length ?? 0;
            if (n === 0) return;
            const count = counts[i]!;
            if (line.kind === 'add') {
              count.added += n;
              count.site ??= { file, line };
            } else count.removed += n;
          });
        }
      }
    }
    const out: RuleFinding[] = [];
    APIS.forEach((api, i) => {
      const { added, removed, site } = counts[i]!;
      if (added <= removed || !site) return;
      out.push(
        lineFinding(site.file, site.line, `\`${api.name}\` added (${added} added, ${removed} removed): ${api.advice}`, {
          severity: api.severity,
        }),
      );
    });
    return out;
  },
};
