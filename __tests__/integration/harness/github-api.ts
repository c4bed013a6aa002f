export { startGithubApi, type FakeComment, type GithubApi } from '../../../scripts/lib/fakes.mjs';
