import {
  MAX_PAGES,
  commentTarget,
  commentWarning,
  publishComment,
  upsertComment,
  type CommentsApi,
  type EventFacts,
  type ExistingComment,
} from '../../../src/action/comment.js';
import { COMMENT_LIMIT, commentMarker } from '../../../src/report/markdown.js';
import { change, planned, report } from '../report/fixtures.js';

/** An in-memory issue thread that pages like the REST API and records every call. */
function thread(bodies: string[], perPage = 30) {
  const comments: ExistingComment[] = bodies.map((body, i) => ({ id: i + 1, body }));
  const calls: string[] = [];
  let failWith: unknown;
  const api: CommentsApi = {
    async *pages() {
      for (let page = 0; page * perPage < comments.length || page === 0; page++) {
        calls.push(`list ${page + 1}`);
        if (failWith) throw failWith;
        yield comments.slice(page * perPage, (page + 1) * perPage).map((c) => ({ ...c }));
      }
    },
    async create(body) {
      calls.push('create');
      if (failWith) throw failWith;
      const c = {
        id: comments.length + 1,
        body,
        html_url: `https://github.com/acme/app/pull/7#c${comments.length + 1}`,
      };
      comments.push(c);
      return c;
    },
    async update(id, body) {
      calls.push(`update ${id}`);
      if (failWith) throw failWith;
      const c = comments.find((x) => x.id === id);
      if (!c) throw new Error('not found');
      c.body = body;
      return c;
    },
  };
  return { api, comments, calls, fail: (e: unknown) => (failWith = e) };
}

const PR: EventFacts = { eventName: 'pull_request', issue: 7, fork: false };
const silent = () => {
  const lines: { level: string; text: string }[] = [];
  return {
    lines,
    info: (text: string) => lines.push({ level: 'info', text }),
    warn: (text: string) => lines.push({ level: 'warn', text }),
  };
};

const marker = commentMarker(report());
const other = commentMarker(report({ environment: 'prod' }));

describe('upsertComment', () => {
  it('creates a comment when none carries the marker and the report is worth one', async () => {
    const t = thread(['lgtm', `${other}\nprod plan`]);
    const out = await upsertComment(t.api, { marker, body: `${marker}\nplan`, create: true });
    expect(out).toMatchObject({ action: 'created', id: 3 });
    expect(t.comments).toHaveLength(3);
    expect(t.calls).toEqual(['list 1', 'create']);
  });

  it('finds the marker on a later page and updates that comment in place', async () => {
    const bodies = Array.from({ length: 75 }, (_, i) => `comment ${i}`);
    bodies[64] = `${marker}\nold plan`;
    const t = thread(bodies);
    const out = await upsertComment(t.api, { marker, body: `${marker}\nnew plan`, create: true });
    expect(out).toMatchObject({ action: 'updated', id: 65 });
    expect(t.calls).toEqual(['list 1', 'list 2', 'list 3', 'update 65']);
    expect(t.comments).toHaveLength(75);
    expect(t.comments[64]?.body).toBe(`${marker}\nnew plan`);
  });

  it('reads every page before deciding to create, and creates exactly one', async () => {
    const t = thread(Array.from({ length: 61 }, (_, i) => `comment ${i}`));
    const out = await upsertComment(t.api, { marker, body: `${marker}\nplan`, create: true });
    expect(out.action).toBe('created');
    expect(t.calls).toEqual(['list 1', 'list 2', 'list 3', 'create']);
  });

  it('does not rewrite a comment whose body is already the same', async () => {
    const t = thread([`${marker}\nplan`]);
    const out = await upsertComment(t.api, { marker, body: `${marker}\nplan`, create: true });
    expect(out).toMatchObject({ action: 'unchanged', id: 1 });
    expect(t.calls).toEqual(['list 1']);
  });

  it('updates an earlier plan with "no changes" but never starts a thread for it', async () => {
    const fresh = thread(['lgtm']);
    expect(await upsertComment(fresh.api, { marker, body: `${marker}\nno changes`, create: false })).toEqual({
      action: 'skipped',
      reason: 'no changes and no earlier comment to update',
    });
    expect(fresh.calls).toEqual(['list 1']);

    const old = thread([`${marker}\n3 to add`]);
    expect(
      await upsertComment(old.api, { marker, body: `${marker}\nno changes`, create: false }),
    ).toMatchObject({
      action: 'updated',
      id: 1,
    });
  });

  it('keeps environments apart: another environment’s comment is not touched', async () => {
    const t = thread([`${other}\nprod plan`]);
    await upsertComment(t.api, { marker, body: `${marker}\ndev plan`, create: true });
    expect(t.comments.map((c) => c.body)).toEqual([`${other}\nprod plan`, `${marker}\ndev plan`]);
  });

  it('stops after MAX_PAGES pages', async () => {
    const t = thread(
      Array.from({ length: (MAX_PAGES + 5) * 2 }, () => 'x'),
      2,
    );
    await upsertComment(t.api, { marker, body: 'b', create: true });
    expect(t.calls.filter((c) => c.startsWith('list'))).toHaveLength(MAX_PAGES);
  });
});

describe('commentTarget', () => {
  it('comments on pull_request and pull_request_target with auto', () => {
    expect(commentTarget('auto', PR)).toEqual({ issue: 7 });
    expect(commentTarget('auto', { ...PR, eventName: 'pull_request_target' })).toEqual({ issue: 7 });
  });
  it('skips other events with auto, and everything with never', () => {
    expect(commentTarget('auto', { eventName: 'push', fork: false })).toHaveProperty('skip');
    expect(commentTarget('auto', { eventName: 'issue_comment', issue: 3, fork: false })).toHaveProperty(
      'skip',
    );
    expect(commentTarget('never', PR)).toEqual({ skip: 'comment is never' });
  });
  it('comments on any event with a number with always, and skips one without', () => {
    expect(commentTarget('always', { eventName: 'issue_comment', issue: 3, fork: false })).toEqual({
      issue: 3,
    });
    expect(commentTarget('always', { eventName: 'push', fork: false })).toEqual({
      skip: 'the push event has no pull request or issue to comment on',
    });
  });
});

function forbidden(): Error {
  return Object.assign(
    new Error('Resource not accessible by integration - https://docs.github.com/rest/issues/comments'),
    { status: 403 },
  );
}

describe('commentWarning', () => {
  it('turns a 403 into the permission the job needs', () => {
    const text = commentWarning(forbidden(), PR);
    expect(text).toContain(
      'Could not write the pull-request comment on #7: Resource not accessible by integration',
    );
    expect(text).toContain('pull-requests: write');
    expect(text).not.toContain('fork');
  });
  it('adds the fork explanation for a pull request from a fork', () => {
    expect(commentWarning(forbidden(), { ...PR, fork: true })).toContain("a fork's token is read-only");
  });
  it('reports any other error plainly', () => {
    const text = commentWarning(Object.assign(new Error('Server Error'), { status: 502 }), PR);
    expect(text).toContain('Server Error');
    expect(text).not.toContain('pull-requests: write');
  });
});

describe('publishComment', () => {
  it('creates the comment with the marker first and reports its URL', async () => {
    const t = thread([]);
    const log = silent();
    const out = await publishComment(planned([change('Queue')]), t.api, PR, log);
    expect(out?.action).toBe('created');
    expect(t.comments[0]?.body?.startsWith(`${marker}\n### `)).toBe(true);
    expect(log.lines).toEqual([
      { level: 'info', text: 'Pull-request comment created: https://github.com/acme/app/pull/7#c1.' },
    ]);
  });

  it('skips a "no changes" report on a fresh pull request', async () => {
    const t = thread([]);
    const out = await publishComment(report(), t.api, PR, silent());
    expect(out?.action).toBe('skipped');
    expect(t.calls).toEqual(['list 1']);
  });

  it('creates a comment for a failure even without changes', async () => {
    const t = thread([]);
    await publishComment(
      report({ result: 'failed', failure: { message: 'bad template' } }),
      t.api,
      PR,
      silent(),
    );
    expect(t.calls).toEqual(['list 1', 'create']);
  });

  it('turns a 403 into a warning and does not throw', async () => {
    const t = thread([]);
    t.fail(forbidden());
    const log = silent();
    await expect(publishComment(planned([change('Queue')]), t.api, PR, log)).resolves.toBeUndefined();
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]?.level).toBe('warn');
    expect(log.lines[0]?.text).toContain('pull-requests: write');
  });

  it('turns an error while updating into a warning too', async () => {
    const t = thread([`${marker}\nold`]);
    const api = { ...t.api, update: () => Promise.reject(new Error('socket hang up')) };
    const log = silent();
    await publishComment(planned([change('Queue')]), api, PR, log);
    expect(log.lines[0]).toMatchObject({ level: 'warn' });
    expect(log.lines[0]?.text).toContain('socket hang up');
  });

  it('keeps a huge plan under the comment limit and never leaks a NoEcho value', async () => {
    const t = thread([]);
    const changes = Array.from({ length: 400 }, (_, i) =>
      change(`Resource${String(i).padStart(3, '0')}`, {
        action: 'modify',
        properties: [{ path: '/Properties/Secret', before: 's3cr3t-value', after: 's3cr3t-value-2' }],
      }),
    );
    await publishComment(planned(changes), t.api, PR, silent(), ['s3cr3t-value']);
    const body = t.comments[0]?.body ?? '';
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).not.toContain('s3cr3t');
  });
});
