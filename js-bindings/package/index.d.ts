// Type declarations of `shared-signals`: the same API in Node (require and import),
// browsers and bundlers (after `await init()`) and Cloudflare Workers.

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [member: string]: JsonValue };

/** A JSON object. */
export interface JsonObject {
  [member: string]: JsonValue;
}

/** JWS algorithms this package verifies and signs with. HMAC and `none` never are. */
export type Algorithm =
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'EdDSA';

/**
 * Which structural rules apply.
 * - `ssf` (default): SSF 1.0, `typ` `secevent+jwt` and a top-level `sub_id` required.
 * - `caep-interop`: as `ssf`, and exactly one event.
 * - `rfc8417`: plain RFC 8417, `typ` and `sub_id` optional (`sub` and `exp` still refused).
 */
export type Profile = 'ssf' | 'caep-interop' | 'rfc8417';

/** RFC 8935 `err` values (plus SSF's `invalid_state`): what a receiver answers with. */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_key'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'authentication_failed'
  | 'access_denied'
  | 'invalid_state';

/** Stable fine-grained reasons (new ones may be added in minor releases). */
export type ErrorReason =
  | 'too_large'
  | 'malformed_jws'
  | 'invalid_base64'
  | 'invalid_json'
  | 'duplicate_member'
  | 'too_deep'
  | 'number_out_of_range'
  | 'trailing_data'
  | 'not_an_object'
  | 'alg_none'
  | 'alg_hmac'
  | 'alg_missing'
  | 'alg_not_allowed'
  | 'crit_unsupported'
  | 'typ_missing'
  | 'typ_wrong'
  | 'invalid_header'
  | 'unknown_kid'
  | 'no_usable_key'
  | 'invalid_jwk'
  | 'weak_key'
  | 'key_mismatch'
  | 'bad_signature'
  | 'invalid_signing_key'
  | 'unsupported_alg'
  | 'rng_unavailable'
  | 'too_many_key_candidates'
  | 'missing_claim'
  | 'invalid_claim'
  | 'sub_present'
  | 'exp_present'
  | 'events_empty'
  | 'too_many_events'
  | 'sub_id_missing'
  | 'invalid_subject'
  | 'invalid_event'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'iat_in_future'
  | 'too_old'
  | 'state_mismatch'
  | (string & {});

/** Thrown for every problem with a token, a key or a claims set. */
export declare class SetError extends Error {
  constructor(code: ErrorCode, reason: ErrorReason, message: string, options?: { cause?: unknown });
  readonly name: 'SetError';
  /** The RFC 8935 `err` value to answer a push with. */
  readonly code: ErrorCode;
  /** Stable fine-grained reason, for logs, metrics and tests. */
  readonly reason: ErrorReason;
}

/** A JSON Web Key (public or private). */
export interface Jwk extends JsonObject {
  kty: string;
}

/** A JWK Set. */
export interface JwkSet {
  keys: Jwk[];
}

/** The protected header of a SET. */
export interface SetHeader extends JsonObject {
  alg: string;
}

/** A SET claims set as sent (every member kept). */
export interface SetClaims extends JsonObject {}

/**
 * A subject identifier (RFC 9493, SSF 1.0 section 3), exactly as sent: `format` plus the
 * members of that format (`email`, `iss` and `sub`, `id`, `uri`, ...), or a complex
 * subject (`user`, `device`, `session`, `tenant`, ...).
 */
export interface SubjectIdentifier extends JsonObject {}

/** One finding about a token. */
export interface Issue {
  /** `error`: verification would fail for this reason. */
  severity: 'error' | 'warning' | 'info';
  /** Stable code: an {@link ErrorReason} for errors, or a warning code such as `legacy_subject`. */
  code: string;
  message: string;
  /** JSON-pointer-like location, e.g. `/header/alg`, `/claims/events/<uri>/reason`. */
  path?: string;
}

/** Which family an event type belongs to. */
export type EventProfile = 'ssf' | 'caep' | 'risc' | (string & {});

/** An event of a SET, explained by the event catalogue. */
export interface SetEvent {
  /** The event type URI as sent. */
  uri: string;
  /** `null` for event types the catalogue does not know. */
  profile: EventProfile | null;
  /** Short name, e.g. `session-revoked`. */
  name: string | null;
  /** Human title, e.g. `Session Revoked`. */
  title: string | null;
  description: string | null;
  /** The event payload, every member as sent. */
  fields: JsonObject;
  /** Findings about this event (also listed in the decode result's `issues`). */
  issues: Issue[];
}

/** What `decodeSet` returns. */
export interface DecodedSet {
  header: SetHeader;
  claims: SetClaims;
  /** The top-level `sub_id`, or else a legacy in-event `subject`; `null` if none. */
  subject: SubjectIdentifier | null;
  events: SetEvent[];
  /** Every finding, errors first found first. No signature is checked. */
  issues: Issue[];
}

/** What `verifySet` returns. */
export interface VerifiedSet {
  header: SetHeader;
  claims: SetClaims;
  /** The top-level `sub_id` (always present under the default `ssf` profile). */
  subject: SubjectIdentifier | null;
  events: SetEvent[];
}

/** Expectations checked by `verifySet` (and reported as issues by `decodeSet`). */
export interface Expectations {
  /** Expected `iss`, compared exactly. */
  issuer?: string;
  /** An audience that `aud` must contain. */
  audience?: string;
  /** Algorithms accepted (default: all of {@link Algorithm}). */
  algorithms?: Algorithm[];
  /** The current time: a Date or seconds since the epoch (default: the clock). */
  now?: Date | number;
  /** Refuse SETs whose `iat` is older than this many seconds (default: no limit). */
  maxAge?: number;
  /** How far `iat` may lie in the future, in seconds (default 300). */
  clockSkew?: number;
  /** Structural rules (default `ssf`). */
  profile?: Profile;
}

/** Options of `verifySet`. */
export interface VerifyOptions extends Expectations {
  /**
   * The transmitter's keys: a JWK Set (object or JSON text) or a single public JWK. The
   * same object (or text) passed again is not parsed again.
   */
  jwks: JwkSet | Jwk | string;
}

/** Options of `signSet`. */
export interface SignOptions {
  /** The private key: a JWK (object or JSON text) or a PEM (PKCS#8, PKCS#1 or SEC1). */
  jwk: Jwk | string;
  /** Signature algorithm (default: the key's `alg`, else ES256/ES384/ES512/RS256/EdDSA by key type). */
  alg?: Algorithm;
  /** `kid` of the header (default: the key's `kid`). */
  kid?: string;
  /** Rules the claims are checked against before signing (default `ssf`). */
  profile?: Profile;
}

/** A key pair from `generateKey`. */
export interface GeneratedKey {
  /** Private JWK with `kid` (its RFC 7638 thumbprint), `alg` and `use` `sig`. Keep secret. */
  privateJwk: Jwk;
  /** The public JWK to publish in the transmitter's `jwks_uri`. */
  publicJwk: Jwk;
}

/** A member of an event payload as the catalogue describes it. */
export interface EventField {
  name: string;
  /**
   * JSON shape: `number` is a NumericDate; `lang-map` an object of language tag to text;
   * `enum` one of `values`; `open-enum` usually one of `values`.
   */
  type: 'string' | 'number' | 'boolean' | 'lang-map' | 'string-array' | 'object' | 'enum' | 'open-enum';
  required: boolean;
  description: string;
  /** Allowed (`enum`) or suggested (`open-enum`) values. */
  values?: string[];
}

/** An event type of the catalogue. */
export interface EventType {
  uri: string;
  profile: EventProfile;
  name: string;
  title: string;
  description: string;
  /** Whether the specification deprecates it. */
  deprecated: boolean;
  fields: EventField[];
}

/**
 * Decodes a compact SET and explains it: header, claims, subject, each event with its
 * catalogue entry, and every problem found. Does not check the signature. Throws a
 * `SetError` only for input that is not a compact JWS with JSON header and payload.
 */
export declare function decodeSet(token: string, options?: Expectations): DecodedSet;

/**
 * Verifies the signature of a SET with the transmitter's keys and validates it (RFC 8417,
 * SSF 1.0). Throws a `SetError` whose `code` is the RFC 8935 `err` to answer with.
 */
export declare function verifySet(token: string, options: VerifyOptions): VerifiedSet;

/**
 * Signs a claims set as a SET (`typ` `secevent+jwt`) after checking it against the
 * profile. Missing `iat` is set to now and missing `jti` to a random identifier.
 */
export declare function signSet(claims: JsonObject, options: SignOptions): string;

/** Generates a signing key pair (default ES256). */
export declare function generateKey(alg?: Algorithm): GeneratedKey;

/** Every event type known: SSF, CAEP 1.0 and RISC 1.0, with their fields. */
export declare function eventCatalog(): readonly EventType[];

/** The algorithms this build verifies and signs with. */
export declare function supportedAlgorithms(): Algorithm[];

/**
 * Turns the runtime's native signature arithmetic (Node's `crypto.verify`) on or off; it is
 * on where available. Every rule is applied the same either way. Returns whether it is on.
 */
export declare function useNativeCrypto(enabled: boolean): boolean;

/**
 * Loads the WebAssembly module: required once before any other call in browsers and
 * bundlers (given a URL, Response, bytes or module, or by default the file next to the
 * package); resolves at once in Node and Cloudflare Workers.
 */
export declare function init(input?: InitInput): Promise<void>;

/** Loads the WebAssembly module synchronously from its bytes or a compiled module. */
export declare function initSync(module: ArrayBuffer | ArrayBufferView | WebAssembly.Module): void;

/** Where `init` finds the WebAssembly module. */
export type InitInput = string | URL | Request | Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

// `WebAssembly.Module` is declared by the DOM library and by Node's types; this empty
// declaration merges with either, so the types also check in projects with neither.
declare global {
  namespace WebAssembly {
    interface Module {}
  }
}
