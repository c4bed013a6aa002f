import { nextStep } from '../../../../src/engine/stack/states.js';

describe('stack state → next step', () => {
  it.each([
    [undefined, 'create'],
    ['DELETE_COMPLETE', 'create'],
    ['REVIEW_IN_PROGRESS', 'create-over-review'],
    ['CREATE_COMPLETE', 'update'],
    ['UPDATE_COMPLETE', 'update'],
    ['UPDATE_ROLLBACK_COMPLETE', 'update'],
    ['IMPORT_COMPLETE', 'update'],
    ['UPDATE_FAILED', 'update'],
    ['CREATE_IN_PROGRESS', 'wait'],
    ['UPDATE_IN_PROGRESS', 'wait'],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'wait'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'wait'],
    ['DELETE_IN_PROGRESS', 'wait'],
    ['ROLLBACK_COMPLETE', 'recreate'],
    ['UPDATE_ROLLBACK_FAILED', 'stuck'],
    ['ROLLBACK_FAILED', 'stuck'],
    ['DELETE_FAILED', 'stuck'],
    ['CREATE_FAILED', 'stuck'],
    ['IMPORT_ROLLBACK_FAILED', 'stuck'],
  ])('%s → %s', (status, kind) => {
    const stack = status
      ? { StackName: 'app', StackStatus: status as never, StackId: 'id', CreationTime: new Date() }
      : undefined;
    expect(nextStep(stack).kind).toBe(kind);
  });

  it('gives the exact recovery for UPDATE_ROLLBACK_FAILED', () => {
    const step = nextStep({
      StackName: 'app',
      StackStatus: 'UPDATE_ROLLBACK_FAILED',
      CreationTime: new Date(),
    });
    expect(step).toMatchObject({
      kind: 'stuck',
      recovery: expect.stringContaining('aws cloudformation continue-update-rollback --stack-name app'),
    });
  });
});
