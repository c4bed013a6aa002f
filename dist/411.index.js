export const id = 411;
export const ids = [411];
export const modules = {

/***/ 2792:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DEFAULT_CONCURRENCY: () => (/* binding */ DEFAULT_CONCURRENCY),
  desiredPolicy: () => (/* binding */ desiredPolicy),
  ensureLifecyclePolicies: () => (/* binding */ ensureLifecyclePolicies),
  globToRegExp: () => (/* binding */ globToRegExp),
  resolveRepositories: () => (/* binding */ resolveRepositories)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecr/dist-cjs/index.js
var dist_cjs = __webpack_require__(8249);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/engine/ecr-policy.ts + 1 modules
var ecr_policy = __webpack_require__(593);
;// CONCATENATED MODULE: ./src/engine/pool.ts
/**
 * Runs `fn` over `items` with at most `limit` calls in flight, keeping the input order in the result.
 * The first failure stops new calls from starting and is rethrown once the calls in flight have settled.
 */
async function mapWithLimit(items, limit, fn) {
    const results = new Array(items.length);
    let next = 0;
    let failure;
    const worker = async () => {
        while (next < items.length && !failure) {
            const index = next++;
            try {
                results[index] = await fn(items[index], index);
            }
            catch (error) {
                failure ??= { error };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    if (failure)
        throw failure.error;
    return results;
}

;// CONCATENATED MODULE: ./src/engine/ecr-lifecycle.ts




const DEFAULT_CONCURRENCY = 8;
/** DescribeRepositories pages of 1,000: this bounds the listing at a million repositories. */
const MAX_PAGES = 1_000;
async function ensureLifecyclePolicies(settings, deps) {
    const desired = desiredPolicy(settings);
    const repositories = await resolveRepositories(deps.ecr, settings.ecrRepositories);
    deps.logger.info(`${repositories.length} ECR repositor${repositories.length === 1 ? 'y' : 'ies'} matched; ${settings.mode === 'plan' ? 'checking' : 'ensuring'} the lifecycle policy from ${settings.ecrLifecyclePolicy?.source ?? ecr_policy/* DEFAULT_POLICY_SOURCE */.Rv}.`);
    const findings = await mapWithLimit(repositories, deps.concurrency ?? DEFAULT_CONCURRENCY, (repository) => ensureOne(repository, desired, settings.mode === 'plan', deps));
    const counts = new Map();
    for (const f of findings)
        counts.set(f.status, (counts.get(f.status) ?? 0) + 1);
    deps.logger.info(`Lifecycle policies: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}.`);
    return findings;
}
/** The canonical text to put: the user's file (validated already by config) or the bundled default. */
function desiredPolicy(settings) {
    const given = settings.ecrLifecyclePolicy;
    return given
        ? (0,ecr_policy/* parseLifecyclePolicy */.g4)(given.text, given.source)
        : (0,ecr_policy/* parseLifecyclePolicy */.g4)(JSON.stringify(ecr_policy/* DEFAULT_POLICY */.zj), ecr_policy/* DEFAULT_POLICY_SOURCE */.Rv);
}
async function ensureOne(repository, desired, plan, deps) {
    const current = await currentPolicy(deps.ecr, repository);
    if (current !== undefined && (0,ecr_policy/* canonicalOrUndefined */.i8)(current) === desired) {
        deps.logger.debug(`${repository}: lifecycle policy unchanged.`);
        return { repository, status: 'unchanged' };
    }
    const exists = current !== undefined;
    if (plan) {
        deps.logger.info(`${repository}: lifecycle policy would be ${exists ? 'updated' : 'created'}.`);
        return { repository, status: exists ? 'would-update' : 'would-create' };
    }
    await call(`put the lifecycle policy of ${repository}`, 'ecr:PutLifecyclePolicy', () => deps.ecr.send(new dist_cjs.PutLifecyclePolicyCommand({ repositoryName: repository, lifecyclePolicyText: desired })));
    deps.logger.info(`${repository}: lifecycle policy ${exists ? 'updated' : 'created'}.`);
    return { repository, status: exists ? 'updated' : 'created' };
}
/** The repository's policy text, or undefined when it has none. */
async function currentPolicy(ecr, repository) {
    try {
        const res = await ecr.send(new dist_cjs.GetLifecyclePolicyCommand({ repositoryName: repository }));
        return res.lifecyclePolicyText;
    }
    catch (error) {
        if ((0,errors/* awsErrorName */.ZH)(error) === 'LifecyclePolicyNotFoundException')
            return undefined;
        throw wrap(error, `read the lifecycle policy of ${repository}`, 'ecr:GetLifecyclePolicy');
    }
}
/**
 * Names and glob patterns → the account's repository names (sorted, unique), listing every page once.
 * A name or pattern that matches nothing is an error that lists what exists.
 */
async function resolveRepositories(ecr, patterns) {
    if (patterns.length === 0)
        return [];
    const existing = await listRepositories(ecr);
    const matched = new Set();
    const unmatched = [];
    for (const pattern of patterns) {
        const re = globToRegExp(pattern);
        const hits = existing.filter((name) => re.test(name));
        if (hits.length === 0)
            unmatched.push(pattern);
        for (const h of hits)
            matched.add(h);
    }
    if (unmatched.length > 0) {
        const shown = existing.slice(0, 30).join(', ');
        const more = existing.length > 30 ? ` and ${existing.length - 30} more` : '';
        throw new errors/* UserError */.yo(`ecr-repositories: ${unmatched.map((p) => `"${p}"`).join(', ')} matched no ECR repository.`, existing.length
            ? `Repositories in this account and region: ${shown}${more}. Fix the names or patterns in 'ecr-repositories' (* matches within one path segment, ** across segments).`
            : "This account has no ECR repository in this region. Create the repositories first (for example in the stack's template of an earlier stage), or remove 'ecr-repositories'.");
    }
    return [...matched].sort();
}
async function listRepositories(ecr) {
    const names = [];
    let nextToken;
    for (let page = 0; page < MAX_PAGES; page++) {
        const res = await call('list the ECR repositories', 'ecr:DescribeRepositories', () => ecr.send(new dist_cjs.DescribeRepositoriesCommand({ maxResults: 1000, nextToken })));
        for (const r of res.repositories ?? [])
            if (r.repositoryName)
                names.push(r.repositoryName);
        nextToken = res.nextToken;
        if (!nextToken)
            return names.sort();
    }
    throw new errors/* UserError */.yo(`Listing the ECR repositories did not end after ${MAX_PAGES} pages.`);
}
/**
 * A repository glob as a RegExp: `*` matches within one path segment, `**` across segments, `?` one character
 * (as in GitHub's workflow path filters). Everything else is literal.
 */
function globToRegExp(pattern) {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === '*' && pattern[i + 1] === '*') {
            source += '.*';
            i++;
        }
        else if (c === '*')
            source += '[^/]*';
        else if (c === '?')
            source += '[^/]';
        else
            source += c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    }
    return new RegExp(`^${source}$`);
}
async function call(what, permission, fn) {
    try {
        return await fn();
    }
    catch (error) {
        throw wrap(error, what, permission);
    }
}
function wrap(error, what, permission) {
    const name = (0,errors/* awsErrorName */.ZH)(error);
    if (name === 'AccessDeniedException' || name === 'AccessDenied') {
        return new errors/* UserError */.yo(`Not allowed to ${what}: ${(0,errors/* errorMessage */.gJ)(error)}`, `The deploy role needs ${permission} on the repositories of 'ecr-repositories' (plan runs need only ecr:DescribeRepositories and ecr:GetLifecyclePolicy).`);
    }
    return new errors/* UserError */.yo(`Could not ${what}: ${(0,errors/* errorMessage */.gJ)(error)}`);
}


/***/ })

};
