// Templates AWS accepts are accepted: Fn::ForEach in every documented place (under AWS::LanguageExtensions),
// Fn::Transform snippets, SAM and nested stacks; refused is only what CloudFormation itself refuses.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSettings } from '../../../src/config/index.js';
import { parseTemplate } from '../../../src/config/template.js';
import { InputError } from '../../../src/errors.js';

const fixture = (name: string) => readFileSync(`__tests__/fixtures/templates/${name}`, 'utf8');

describe('parseTemplate', () => {
  it('accepts Fn::ForEach in Resources, Outputs, Conditions and a resource’s properties', () => {
    const t = parseTemplate(fixture('language-extensions.yaml'));
    expect(t.transforms).toEqual(['AWS::LanguageExtensions']);
    expect(t.resourceTypes).toEqual(['AWS::SSM::Parameter']);
    // Keys a loop makes are known only after the transform.
    expect(t.outputs).toEqual(['SettingsName']);
    expect(t.parameters.map((p) => [p.key, p.type])).toEqual([
      ['Stage', 'String'],
      ['Workers', 'CommaDelimitedList'],
    ]);
  });

  it('accepts a SAM template and a nested stack, and records what the fast no-op must know', () => {
    expect(parseTemplate(fixture('serverless.yaml'))).toMatchObject({
      transforms: ['AWS::Serverless-2016-10-31'],
      resourceTypes: ['AWS::Serverless::Function'],
    });
    expect(parseTemplate(fixture('nested-parent.yaml')).resourceTypes).toEqual([
      'AWS::CloudFormation::Stack',
      'AWS::SNS::Topic',
    ]);
    expect(parseTemplate(fixture('ssm-parameter.yaml')).parameters[0]?.type).toBe(
      'AWS::SSM::Parameter::Value<String>',
    );
  });

  it('accepts Fn::Transform at the top of Resources and inside a resource', () => {
    const t = parseTemplate(
      [
        'Resources:',
        '  Fn::Transform:',
        '    Name: AWS::Include',
        '    Parameters: { Location: s3://bucket/snippet.yaml }',
        '  Queue:',
        '    Type: AWS::SQS::Queue',
        '    Properties:',
        '      Fn::Transform: { Name: AWS::Include, Parameters: { Location: s3://bucket/props.yaml } }',
      ].join('\n'),
    );
    expect(t.transforms).toEqual(['Fn::Transform']);
    expect(t.resourceTypes).toEqual(['AWS::SQS::Queue']);
  });

  it('reads short forms as the intrinsics they stand for (a !Transform is found too)', () => {
    const t = parseTemplate(
      'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: !Transform { Name: AWS::Include, Parameters: { Location: s3://b/k } }\n',
    );
    expect(t.transforms).toEqual(['Fn::Transform']);
  });

  it.each([
    [
      'Fn::ForEach without the transform',
      'Resources:\n  Fn::ForEach::Q:\n    - N\n    - [A]\n    - Q${N}: { Type: AWS::SQS::Queue }\n',
      'Resources.Fn::ForEach::Q uses Fn::ForEach, which needs "Transform: AWS::LanguageExtensions"',
    ],
    [
      'a loop that is not [identifier, collection, fragment]',
      'Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Q:\n    - N\n    - [A]\n',
      'Resources.Fn::ForEach::Q must be a list of an identifier, a collection and a fragment',
    ],
    [
      'a malformed loop in Outputs',
      'Transform: AWS::LanguageExtensions\nResources:\n  Q: { Type: AWS::SQS::Queue }\nOutputs:\n  Fn::ForEach::O: nope\n',
      'Outputs.Fn::ForEach::O must be a list',
    ],
    ['a resource without a Type', 'Resources:\n  Queue: { Properties: {} }\n', 'resource Queue has no Type'],
    ['no Resources and no Transform', 'Outputs: {}\n', 'it has no Resources section'],
  ])('refuses %s', (_what, body, message) => {
    expect(() => parseTemplate(body)).toThrow(message);
  });
});

describe('the inputs of issue 12', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mad-cfn-'));
  writeFileSync(join(dir, 'stack.yaml'), 'Resources:\n  Queue: { Type: AWS::SQS::Queue }\n');
  const parse = (inputs: Record<string, string>) =>
    parseSettings(
      (name) => ({ 'stack-name': 'app', template: 'stack.yaml', region: 'eu-west-1', ...inputs })[name] ?? '',
      {
        workspace: dir,
        provenance: {},
      },
    );
  const failure = (inputs: Record<string, string>) => {
    try {
      parse(inputs);
    } catch (error) {
      if (error instanceof InputError) return error.message;
    }
    throw new Error('expected an InputError');
  };

  it('reads allow-broadening like allow-destructive, nested paths included', () => {
    expect(parse({}).allowBroadening).toBe(false);
    expect(parse({ 'allow-broadening': 'true' }).allowBroadening).toBe(true);
    expect(parse({ 'allow-broadening': 'Web\nNetwork/Ingress' }).allowBroadening).toEqual([
      'Web',
      'Network/Ingress',
    ]);
    expect(parse({ 'allow-destructive': 'Database/Table' }).allowDestructive).toEqual(['Database/Table']);
    expect(failure({ 'allow-broadening': 'yes' })).toContain(`Input 'allow-broadening' is "yes"`);
    expect(failure({ 'allow-broadening': 'Web-1' })).toContain(`Input 'allow-broadening' is "Web-1"`);
  });

  it('reads on-create-failure, default delete', () => {
    expect(parse({}).onCreateFailure).toBe('delete');
    expect(parse({ 'on-create-failure': 'do-nothing' }).onCreateFailure).toBe('do-nothing');
    expect(failure({ 'on-create-failure': 'keep' })).toBe(
      `Input 'on-create-failure' is "keep": expected one of delete, rollback, do-nothing.`,
    );
  });
});
