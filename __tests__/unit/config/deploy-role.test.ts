import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSettings } from '../../../src/config/index.js';

function parse(inputs: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'mad-deploy-role-'));
  writeFileSync(join(dir, 'stack.yaml'), 'Resources:\n  Q: { Type: AWS::SQS::Queue }\n');
  const all: Record<string, string> = {
    'stack-name': 'app',
    template: 'stack.yaml',
    region: 'eu-west-1',
    ...inputs,
  };
  return parseSettings((name) => all[name] ?? '', { workspace: dir, provenance: {} });
}

describe("the 'deploy-role' input", () => {
  it('takes a role name or a role ARN, and defaults to none (the role the run assumed)', () => {
    expect(parse({}).deployRole).toBeUndefined();
    expect(parse({ 'deploy-role': 'multi-account-deploy' }).deployRole).toBe('multi-account-deploy');
    expect(parse({ 'deploy-role': 'arn:aws:iam::111111111111:role/ci/deploy' }).deployRole).toBe(
      'arn:aws:iam::111111111111:role/ci/deploy',
    );
  });

  it('rejects anything else before any AWS call, naming the input', () => {
    expect(() => parse({ 'deploy-role': 'arn:aws:iam::111111111111:user/me' })).toThrow(
      `Input 'deploy-role' is "arn:aws:iam::111111111111:user/me": expected an IAM role ARN`,
    );
    expect(() => parse({ 'deploy-role': 'has space' })).toThrow(
      /Input 'deploy-role' is "has space": expected a role name/,
    );
  });
});
