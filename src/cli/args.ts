import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../model/errors.js';

/**
 * node:util parseArgs for one command, with its errors turned into the one-line UsageError every
 * command prints (exit 2) instead of Node's multi-line TypeError.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message.split('\n')[0]} (try 'rubberduck ${command} --help')`, command);
  }
}
