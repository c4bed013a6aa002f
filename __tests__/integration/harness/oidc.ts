export { fakeJwt, startOidc, type OidcServer } from '../../../scripts/lib/fakes.mjs';
