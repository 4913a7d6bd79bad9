import { z } from 'zod';
import { SeveritySchema } from '../model/finding.js';

/**
 * The configuration file (`.rubberduck.json` in the repository or the current directory, or
 * `--config FILE`). Strict: an unknown key is an error that names it.
 */
export const NETDEV_DEFAULT_PATHS = [
  'net/',
  'drivers/net/',
  'include/net/',
  'include/linux/netdevice.h',
  'include/linux/skbuff.h',
  'include/uapi/linux/if_',
  'include/linux/netdev',
  'include/uapi/linux/netdev',
  'Documentation/networking/',
  'Documentation/netlink/',
  'tools/testing/selftests/net/',
  'tools/net/',
] as const;

export const ConfigSchema = z
  .object({
    /** Rule id → 'off' or a severity. */
    rules: z.record(z.string(), z.union([z.literal('off'), SeveritySchema])).default({}),
    /** Force these packs instead of choosing them from the input. */
    packs: z.array(z.enum(['kernel', 'netdev', 'series', 'generic'])).optional(),
    netdev: z
      .object({
        /** Trees whose name does not contain `next` are fixes trees. */
        trees: z.array(z.string()).default(['net', 'net-next', 'iwl-net', 'iwl-next', 'bpf', 'bpf-next', 'wireless', 'wireless-next', 'netfilter', 'nf', 'nf-next', 'ipsec', 'ipsec-next']),
        paths: z.array(z.string()).default([...NETDEV_DEFAULT_PATHS]),
        /** ISO date ranges when net-next is closed (merge window). */
        closedWindows: z.array(z.object({ from: z.string(), to: z.string() }).strict()).default([]),
      })
      .strict()
      .default({ trees: ['net', 'net-next', 'iwl-net', 'iwl-next', 'bpf', 'bpf-next', 'wireless', 'wireless-next', 'netfilter', 'nf', 'nf-next', 'ipsec', 'ipsec-next'], paths: [...NETDEV_DEFAULT_PATHS], closedWindows: [] }),
    limits: z
      .object({
        maxSeriesPatches: z.number().int().positive().default(15),
        /** Inputs larger than this many bytes are refused (mbox files are streamed up to it). */
        maxInputBytes: z.number().int().positive().default(256 * 1024 * 1024),
      })
      .strict()
      .default({ maxSeriesPatches: 15, maxInputBytes: 256 * 1024 * 1024 }),
    reviewer: z
      .object({ name: z.string().default('Rubberduck'), email: z.string().default('rubberduck@localhost') })
      .strict()
      .default({ name: 'Rubberduck', email: 'rubberduck@localhost' }),
    llm: z
      .object({
        /** How structured output is requested from this endpoint. */
        structuredOutput: z.enum(['jsonSchema', 'functionCalling', 'jsonMode']).default('jsonSchema'),
        temperature: z.number().min(0).max(2).default(0.2),
        timeoutSeconds: z.number().positive().default(120),
        maxRetries: z.number().int().nonnegative().default(2),
      })
      .strict()
      .default({ structuredOutput: 'jsonSchema', temperature: 0.2, timeoutSeconds: 120, maxRetries: 2 }),
    /**
     * The GitHub bot (`rubberduck serve` / `rubberduck action`). Read from the repository's
     * default branch only, so a pull request cannot change its own checks.
     */
    bot: z
      .object({
        /** The check run fails when a finding is at or above this severity. */
        failOn: SeveritySchema.default('error'),
        /** The test command `/rubberduck fix` runs in the checked-out PR head. */
        test: z.string().min(1).optional(),
        /** `/rubberduck fix` in `rubberduck serve`: off unless turned on (it runs the PR's code). */
        fix: z.boolean().default(false),
        /** Wall-clock limit of one `/rubberduck fix` run, in seconds. */
        fixMaxSeconds: z.number().positive().max(3600).default(300),
        /** Inline comments one review posts at most (most severe first); the rest go to the summary. */
        maxInlineComments: z.number().int().min(0).max(1000).default(25),
      })
      .strict()
      .default({ failOn: 'error', fix: false, fixMaxSeconds: 300, maxInlineComments: 25 }),
  })
  .strict();
export type Config = z.infer<typeof ConfigSchema>;

export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}
