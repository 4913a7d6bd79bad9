#!/usr/bin/env node
import { EXIT_USAGE, UsageError } from '../model/errors.js';

/** Each command lives in its own module exporting `run(argv): Promise<exit code>`. */
const COMMANDS = {
  review: 'Review a diff, patch email, mbox, git range or stdin against kernel/netdev rules',
  rules: 'List the review rules with their docs',
  fix: 'Find and fix the fault behind a failing test command',
  config: 'Print the configuration in effect (secrets masked)',
  serve: 'Run the GitHub App webhook server (reviews PRs, /rubberduck fix)',
  worker: "Take the GitHub bot's jobs from Redis (with serve and REDIS_URL)",
  action: 'Review the pull request of a GitHub Actions run (or answer /rubberduck fix)',
} as const;
type CommandName = keyof typeof COMMANDS;

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, what]) => `  ${name.padEnd(8)} ${what}`);
  return `usage: rubberduck <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'rubberduck <command> --help' for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage() + '\n');
    return command ? 0 : EXIT_USAGE;
  }
  if (command === '--version' || command === '-V') {
    const { version } = await import('../model/version.js');
    process.stdout.write(`rubberduck ${version}\n`);
    return 0;
  }
  if (!(command in COMMANDS)) throw new UsageError(`unknown command (try 'rubberduck --help')`, command);
  const module = (await import(`./${command as CommandName}.js`)) as { run(argv: string[]): Promise<number> };
  return module.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(error.oneLine() + '\n');
      process.exitCode = error.exitCode;
      return;
    }
    // Anything else is our bug: still one line for the user, the stack only when asked for.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`rubberduck: internal error: ${message.split('\n')[0]}\n`);
    if (process.env.RUBBERDUCK_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = EXIT_USAGE;
  },
);
