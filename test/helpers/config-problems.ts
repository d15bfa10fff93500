import { ConfigError, loadConfig } from '../../src/config/config.js';

/** The problems loadConfig() reports for this environment, one line each; empty when it is valid. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
