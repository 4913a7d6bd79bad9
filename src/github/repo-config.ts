import { parse as parseYaml } from 'yaml';
import { parseConfigText } from '../config/load.js';
import { defaultConfig, type Config } from '../config/schema.js';
import { UsageError } from '../model/errors.js';
import { statusOf, type GitHub } from './octokit.js';

/** Where the bot looks for the repository's configuration, in order, on the default branch. */
export const REPO_CONFIG_PATHS = ['.rubberduck.json', '.github/rubberduck.yml', '.github/rubberduck.yaml'] as const;

export interface RepoConfig {
  config: Config;
  /** `path@branch` it came from; undefined for the defaults. */
  source?: string;
  defaultBranch: string;
}

/** Validate a configuration file's text (JSON, or YAML for .yml/.yaml) with the CLI's schema. */
export function parseRepoConfigText(text: string, path: string, name: string): Config {
  if (!/\.ya?ml$/.test(path)) return parseConfigText(text, name);
  let value: unknown;
  try {
    value = parseYaml(text, { prettyErrors: false });
  } catch (error) {
    throw new UsageError(`invalid YAML (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`, name);
  }
  if (value === null || value === undefined) return defaultConfig();
  if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError('the configuration must be a mapping', name);
  // The same validation as .rubberduck.json (strict keys, known rule ids), on the parsed value.
  return parseConfigText(JSON.stringify(value), name);
}

/**
 * The repository's configuration, read from its DEFAULT branch only, so that a pull request
 * cannot switch its own checks off (or turn `/rubberduck fix` on). A bad file is a UsageError.
 */
export async function loadRepoConfig(octokit: GitHub, owner: string, repo: string, defaultBranch?: string): Promise<RepoConfig> {
  const branch = defaultBranch ?? (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
  for (const path of REPO_CONFIG_PATHS) {
    let text: string;
    try {
      const answer = await octokit.rest.repos.getContent({ owner, repo, path, ref: branch });
      const data = answer.data as { type?: string; content?: string; encoding?: string };
      if (Array.isArray(answer.data) || data.type !== 'file' || typeof data.content !== 'string') continue;
      text = Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
    } catch (error) {
      if (statusOf(error) === 404) continue;
      throw error;
    }
    const source = `${path}@${branch}`;
    return { config: parseRepoConfigText(text, path, `${owner}/${repo}:${source}`), source, defaultBranch: branch };
  }
  return { config: defaultConfig(), defaultBranch: branch };
}
