// Command-line parsing for sealpost-sop subcommands, following the option style of the
// Stateless OpenPGP CLI draft: "--name" flags, "--name=VALUE" (or "--name VALUE") options that
// may repeat, positional arguments, and "--" to end the options. Unknown options fail with
// UNSUPPORTED_OPTION (exit 37), as the draft requires.
import { SopError } from './errors.ts';

/** The options a subcommand accepts: flags take no value, values take one each time. */
export interface OptionSpec {
  flags?: readonly string[];
  values?: readonly string[];
}

export interface ParsedArguments {
  flags: Set<string>;
  /** Every value given for each option, in order. */
  values: Map<string, string[]>;
  positionals: string[];
}

/** Parses the arguments after the subcommand name. */
export function parseArguments(
  subcommand: string,
  argv: readonly string[],
  spec: OptionSpec,
): ParsedArguments {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  const flagNames = new Set(spec.flags ?? []);
  const valueNames = new Set(spec.values ?? []);

  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (argument === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!argument.startsWith('--')) {
      positionals.push(argument);
      continue;
    }

    const equals = argument.indexOf('=');
    const name = equals === -1 ? argument.slice(2) : argument.slice(2, equals);
    if (flagNames.has(name) && equals === -1) {
      flags.add(name);
      continue;
    }
    if (!valueNames.has(name)) {
      throw new SopError(
        'UNSUPPORTED_OPTION',
        `"${subcommand}" does not support the option --${name}; run without it.`,
      );
    }
    let value: string | undefined;
    if (equals !== -1) {
      value = argument.slice(equals + 1);
    } else {
      value = argv[index + 1];
      index += 1;
    }
    if (value === undefined || value === '') {
      throw new SopError('MISSING_ARG', `The option --${name} of "${subcommand}" needs a value.`);
    }
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return { flags, values, positionals };
}

/** Returns the single value of an option, or undefined; the option may be given once only. */
export function singleValue(parsed: ParsedArguments, name: string): string | undefined {
  const given = parsed.values.get(name) ?? [];
  if (given.length > 1) {
    throw new SopError('INCOMPATIBLE_OPTIONS', `The option --${name} may be given only once.`);
  }
  return given[0];
}

/** Parses a SOP DATE: ISO 8601, "now", or "-" for the beginning or end of time. */
export function parseDate(value: string | undefined, fallback: Date, name: string): Date {
  if (value === undefined) return fallback;
  if (value === 'now') return new Date();
  if (value === '-') return fallback;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    throw new SopError(
      'BAD_DATA',
      `--${name}=${value} is not a date; use ISO 8601 such as 2026-01-31T12:00:00Z, "now" or "-".`,
    );
  }
  return parsed;
}
