// An independent check of the LMS's Open Badges 3.0 credentials, with digitalbazaar's libraries
// (the reference implementation of Data Integrity and eddsa-rdfc-2022), so that a mistake shared
// by our Python signer and our Python verifier cannot hide.
//
// stdin:  {"credential": {...}, "documents": {"<url>": {...}}}
//         documents: the issuer profile (the controller document of the signing key) and the
//         status list credential, by the URLs the credential names.
// stdout: {"verified": bool, "revoked": bool | null, "errors": ["..."]}
//         revoked is null when the status was not read (the credential did not verify, or has
//         no status). The exit code is 0 whatever the verdict; non-zero only if this crashes.
//
// Offline: the JSON-LD contexts come from the npm context packages, the rest from "documents";
// any other URL is an error, never a network request.

import {readFileSync} from 'node:fs';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as vc from '@digitalbazaar/vc';

import {CONTEXTS} from './contexts.mjs';

function documentLoaderFor(documents) {
  return async function documentLoader(url) {
    const document = CONTEXTS.get(url) ?? documents[url] ?? verificationMethodOf(documents, url);
    if(document === undefined) {
      throw new Error(`"${url}" is not available offline (not a known context nor a document given)`);
    }
    return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
  };
}

// "<controller>#key-1" from the controller document given for "<controller>", as a web server
// would answer that URL with the whole document: the key entry, in that document's contexts.
function verificationMethodOf(documents, url) {
  const [base] = url.split('#');
  const controller = documents[base];
  if(base === url || !controller) {
    return undefined;
  }
  const methods = [].concat(controller.verificationMethod ?? []);
  const method = methods.find(entry => typeof entry === 'object' && entry.id === url);
  return method && {'@context': controller['@context'], ...method};
}

function messages(error, seen = new Set()) {
  if(!error || seen.has(error)) {
    return [];
  }
  seen.add(error);
  const nested = [
    ...(error.errors ?? []).flatMap(inner => messages(inner, seen)),
    ...messages(error.cause, seen),
  ];
  const own = error.message ?? String(error);
  return [own, ...nested.filter(text => text !== own)];
}

function resultErrors(result) {
  return [
    ...messages(result.error),
    ...(result.results ?? []).flatMap(entry => messages(entry.error)),
    ...(result.statusResult?.results ?? []).flatMap(entry => messages(entry.error)),
    ...messages(result.statusResult?.error),
  ];
}

async function verify({credential, documents = {}}) {
  const documentLoader = documentLoaderFor(documents);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  // checkStatus loads the status list credential and verifies its own proof with the same
  // suite and loader, checks that its issuer is the credential's, then reads the bit.
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  let revoked = null;
  const statuses = result.statusResult?.results ?? [];
  if(result.verified && statuses.length > 0) {
    revoked = statuses.some(entry => entry.status === true);
  }
  return {verified: result.verified === true, revoked, errors: [...new Set(resultErrors(result))]};
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const outcome = await verify(input);
process.stdout.write(JSON.stringify(outcome) + '\n');
