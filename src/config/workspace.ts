// Files of the workspace: read only from inside it, parsed with errors that name the input and the line.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { InputError, errorMessage } from '../errors.js';
import { parseParametersFile } from './parameters-file.js';
import type { Template } from './settings.js';
import { parseTemplate } from './template.js';

export function readTemplate(path: string, workspace: string): Template {
  if (!path)
    throw new InputError('template', '', 'the path of a CloudFormation template file in the repository');
  const body = readWorkspaceFile('template', path, workspace);
  try {
    return { path, body, ...parseTemplate(body) };
  } catch (error) {
    throw new InputError('template', path, `a CloudFormation template, but it is ${errorMessage(error)}`);
  }
}

export function readParameters(path: string, workspace: string) {
  const text = readWorkspaceFile('parameters', path, workspace);
  try {
    return parseParametersFile(text);
  } catch (error) {
    throw new InputError(
      'parameters',
      path,
      'a parameters file (a [{ParameterKey, ParameterValue}] list, {Parameters: {...}} or a plain map, in JSON or YAML)',
      `The file has a ${errorMessage(error)}`,
    );
  }
}

/** Reads a file that must lie inside the workspace (after resolving symlinks), so a run reads only the repository. */
export function readWorkspaceFile(input: string, path: string, workspace: string): string {
  const root = realpathSync(workspace);
  const full = resolve(root, path);
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    throw new InputError(
      input,
      path,
      `an existing file relative to the workspace ${root}`,
      'Check the path and that the repository is checked out (actions/checkout) before this step.',
    );
  }
  const rel = relative(root, real);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(
      input,
      path,
      `a file inside the workspace ${root}`,
      'Use a path relative to the repository root.',
    );
  }
  if (!statSync(real).isFile()) throw new InputError(input, path, 'a file, not a directory');
  try {
    return readFileSync(real, 'utf8');
  } catch (error) {
    throw new InputError(input, path, `a readable file (${errorMessage(error)})`);
  }
}
