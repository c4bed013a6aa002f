// The behaviours in the order a request meets them: transport first (latency, faults), then authorisation, then
// the per-API behaviours; the change-set registry sits next to moto so every behaviour before it sees its records
// once moto has answered. Each answers itself or calls next() and may rewrite moto's answer.
import accessDenied from './access-denied.mjs';
import changeSetRequest from './change-set-request.mjs';
import changeSetStatus from './change-set-status.mjs';
import changeSets from './change-sets.mjs';
import clientToken from './client-token.mjs';
import cloudtrail from './cloudtrail.mjs';
import describeEvents from './describe-events.mjs';
import drift from './drift.mjs';
import faults from './faults.mjs';
import languageExtensions from './language-extensions.mjs';
import lastChangeSet from './last-change-set.mjs';
import latency from './latency.mjs';
import noChanges from './no-changes.mjs';
import stackOperation from './stack-operation.mjs';
import stackStatus from './stack-status.mjs';
import terminationProtection from './termination-protection.mjs';

export const BEHAVIOURS = [
  latency,
  faults,
  accessDenied,
  clientToken,
  cloudtrail,
  drift,
  terminationProtection,
  describeEvents,
  stackStatus,
  lastChangeSet,
  stackOperation,
  changeSetRequest,
  changeSetStatus,
  noChanges,
  changeSets,
  // Last: moto must see the processed template, the registry the original one.
  languageExtensions,
];
