/**
 * `rubberduck config [--repo DIR] [--config FILE] [--format text|json]`
 *
 * Prints the configuration in effect: which file it came from (or the defaults), the model
 * endpoint, model and structured-output method, with secrets masked (OPENAI_API_KEY as
 * `sk-…abcd`, a password in OPENAI_BASE_URL as `***`). No network.
 */
import { parseCommandArgs } from './args.js';
import { configView, loadConfigWithPath, type ConfigView } from '../config/load.js';
import { OFFLINE_NOTE } from '../llm/client.js';
import { EXIT_OK, UsageError } from '../model/errors.js';

const HELP = `usage: rubberduck config [--repo DIR] [--config FILE] [--format text|json]

Print the configuration in effect (secrets masked).

options:
  --repo DIR        look for .rubberduck.json in DIR first (then in the current directory)
  --config FILE     use this configuration file
  --format FORMAT   text (default) or json

environment:
  OPENAI_API_KEY    key for the model endpoint (shown masked)
  OPENAI_BASE_URL   OpenAI-compatible endpoint (Ollama, llama.cpp, vLLM, LM Studio); default OpenAI
  RUBBERDUCK_MODEL  model name (default gpt-4o-mini)
Nothing set: offline (the program-analysis tools only).`;

export function renderConfigText(view: ConfigView): string {
  const { llm, config } = view;
  const src = (s: string) => (s === 'default' ? '(default)' : `(${s})`);
  const rules = Object.entries(config.rules);
  const lines = [
    `configuration:       ${view.configFile ?? 'defaults (no .rubberduck.json found)'}`,
    '',
    'model',
    `  mode:              ${llm.online ? 'online' : `offline — ${OFFLINE_NOTE.replace(/: running offline$/, '')}`}`,
    `  endpoint:          ${llm.baseUrl} ${src(llm.baseUrlSource)}`,
    `  model:             ${llm.model} ${src(llm.modelSource)}`,
    `  api key:           ${llm.apiKey ? `${llm.apiKey} (OPENAI_API_KEY)` : llm.online ? 'none (a placeholder is sent; local servers need none)' : 'none'}`,
    `  structured output: ${llm.structuredOutput}`,
    `  temperature:       ${llm.temperature}`,
    `  timeout:           ${llm.timeoutSeconds}s`,
    `  max retries:       ${llm.maxRetries}`,
    '',
    'review',
    `  packs:             ${config.packs?.join(', ') ?? 'chosen from the input'}`,
    `  rule overrides:    ${rules.length ? rules.map(([id, v]) => `${id}=${v}`).join(', ') : 'none'}`,
    `  netdev trees:      ${config.netdev.trees.join(', ')}`,
    `  netdev paths:      ${config.netdev.paths.length} prefixes`,
    `  closed windows:    ${config.netdev.closedWindows.length ? config.netdev.closedWindows.map((w) => `${w.from}..${w.to}`).join(', ') : 'none'}`,
    `  limits:            ${config.limits.maxSeriesPatches} patches per series, ${config.limits.maxInputBytes} bytes of input`,
    `  reviewer:          ${config.reviewer.name} <${config.reviewer.email}>`,
  ];
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('config', {
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      repo: { type: 'string' },
      config: { type: 'string' },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`unknown format '${values.format}' (text or json)`, '--format');
  const loaded = await loadConfigWithPath({
    cwd: process.cwd(),
    ...(values.repo !== undefined ? { repo: values.repo } : {}),
    ...(values.config !== undefined ? { file: values.config } : {}),
  });
  const view = configView(loaded.config, loaded.path);
  process.stdout.write(values.format === 'json' ? `${JSON.stringify(view, null, 2)}\n` : `${renderConfigText(view)}\n`);
  return EXIT_OK;
}
