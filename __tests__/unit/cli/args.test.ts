import { UsageError, flag, outputFormat, parseArgs } from '../../../src/cli/args.js';
import { inCallerTerms } from '../../../src/cli/errors.js';
import { closestRegion } from '../../../src/cli/regions.js';

const spec = {
  name: 'plan',
  flags: ['stack-name', 'parameter-overrides'],
  switches: ['print'],
  usage: 'Usage: x',
};

describe('parseArgs', () => {
  it('reads --flag value, --flag=value, repeats as lines, and switches', () => {
    const args = parseArgs(
      [
        '--stack-name',
        'app',
        '--parameter-overrides=A=1',
        '--parameter-overrides',
        'B=2',
        '--print',
        '--verbose',
      ],
      spec,
    );
    expect(flag(args, 'stack-name')).toBe('app');
    expect(flag(args, 'parameter-overrides')).toBe('A=1\nB=2');
    expect([...args.switches].sort()).toEqual(['print', 'verbose']);
    expect(flag(args, 'absent')).toBe('');
  });

  it.each([
    [['--stack', 'x'], 'Unknown flag --stack for plan.'],
    [['app'], 'Unexpected argument "app": plan takes flags only.'],
    [['--stack-name'], '--stack-name needs a value.'],
    [['--print=yes'], '--print takes no value (got "yes").'],
  ])('refuses %j as a usage error', (argv, message) => {
    expect(() => parseArgs(argv, spec)).toThrow(new UsageError(message, 'Usage: x'));
  });

  it('chooses the output format: text by default, --json for short, nothing else', () => {
    expect(outputFormat(parseArgs([], spec), '')).toBe('text');
    expect(outputFormat(parseArgs(['--json'], spec), '')).toBe('json');
    expect(outputFormat(parseArgs(['--output', 'markdown'], spec), '')).toBe('markdown');
    expect(() => outputFormat(parseArgs(['--output', 'html'], spec), '')).toThrow(UsageError);
  });
});

describe("errors in the caller's terms", () => {
  const inputs = ['mode', 'change-set-name', 'allow-destructive', 'template', 'region'];
  it('turns action inputs into flags', () => {
    expect(inCallerTerms(`Input 'mode' is "ship": expected one of plan.`, inputs, '/w')).toBe(
      '--mode is "ship": expected one of plan.',
    );
    expect(inCallerTerms('run again with mode: execute and change-set-name: mad-1.', inputs, '/w')).toBe(
      'run again with --mode execute and --change-set-name mad-1.',
    );
    expect(inCallerTerms('set allow-destructive to true', inputs, '/w')).toBe(
      'set --allow-destructive to true',
    );
    expect(inCallerTerms("Fix 'template'.", inputs, '/w')).toBe('Fix --template.');
    expect(inCallerTerms('The region is missing: pass --region', inputs, '/w')).toBe(
      'The region is missing: pass --region',
    );
  });
  it('suggests the region meant', () => {
    expect(closestRegion('eu-wset-1')).toBe('eu-west-1');
    expect(closestRegion('mars-north-9')).toBeUndefined();
  });
});
