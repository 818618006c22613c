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
 * Which structural rules apply (see `profiles()` for each profile's rules, with reasons).
 * - `ssf` (default): SSF 1.0, `typ` `secevent+jwt` and a top-level `sub_id` required.
 * - `caep-interop`: as `ssf`, exactly one event, RS256 only, `reason_admin` on
 *   session-revoked and credential-change.
 * - `rfc8417`: plain RFC 8417, `typ` and `sub_id` optional, the subject may sit in the
 *   event or be absent.
 * - `google`: as Google's Cross-Account Protection sends: no `typ`, `subject_type`
 *   subjects inside the event, `iss` with or without a trailing slash.
 * - `okta`: as Okta's SSF transmitter sends: the subject inside the event (flat or nested
 *   under `user` / `device`), `event_timestamp` in milliseconds.
 *
 * Under every profile `sub`, `exp`, `alg: none`, HMAC, a wrong issuer or audience and a bad
 * signature are refused.
 */
export type Profile = 'ssf' | 'caep-interop' | 'rfc8417' | 'google' | 'okta';

/** One rule a profile applies on top of SSF 1.0. */
export interface ProfileRule {
  /** Stable code, such as `typ_optional`; for added requirements also the refusal's `reason`. */
  readonly code: string;
  /** Whether it relaxes SSF 1.0 (rather than adding a requirement). */
  readonly relaxes: boolean;
  readonly summary: string;
  readonly reason: string;
  /** Where the behaviour is specified or documented. */
  readonly source: string;
}

/** A profile, as core defines it. */
export interface ProfileInfo {
  readonly name: Profile;
  readonly summary: string;
  readonly rules: readonly ProfileRule[];
}

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

/** Why `verifyAccessToken` refused a token: the RFC 6750 error to answer with. */
export type AccessTokenErrorCode = 'invalid_token' | 'insufficient_scope';

/**
 * Thrown by `verifyAccessToken` for a token that must be refused. `reason` is core's
 * stable reason (`expired`, `not_yet_valid`, `access_token_typ`, `wrong_issuer`,
 * `wrong_audience`, `alg_none`, `alg_hmac`, `unknown_kid`, `bad_signature`,
 * `missing_claim`, `insufficient_scope`, ...).
 */
export declare class AccessTokenError extends Error {
  constructor(code: AccessTokenErrorCode, reason: ErrorReason, message: string, status: 401 | 403, options?: { cause?: unknown });
  readonly name: 'AccessTokenError';
  /** `invalid_token` (answer 401) or `insufficient_scope` (answer 403). */
  readonly code: AccessTokenErrorCode;
  /** Stable fine-grained reason, for logs, metrics and tests. */
  readonly reason: ErrorReason | 'access_token_typ' | 'expired' | 'not_yet_valid' | 'insufficient_scope';
  /** The HTTP status that goes with `code`. */
  readonly status: 401 | 403;
}

/** Options of `verifyAccessToken`. */
export interface AccessTokenOptions {
  /** The authorization server's keys: a JWK Set (object or JSON text) or a single public JWK. */
  jwks: JwkSet | Jwk | string;
  /** The authorization server's issuer identifier; `iss` must equal it exactly. */
  issuer: string;
  /** This resource server's identifier; `aud` must contain it. */
  audience: string;
  /** Scopes the token must carry, space-delimited (all of them); default: no check. */
  scope?: string;
  /** Algorithms accepted (default: all of {@link Algorithm}; never HMAC or `none`). */
  algorithms?: Algorithm[];
  /** The current time: a Date or seconds since the epoch (default: the clock). */
  now?: Date | number;
  /** How far `exp`, `nbf` and `iat` may be off, in seconds (default 60). */
  clockSkew?: number;
}

/** The claims of an access token that `verifyAccessToken` accepted (RFC 9068 section 2.2). */
export interface AccessTokenClaims {
  /** Every other member, as sent. */
  [member: string]: JsonValue | undefined;
  iss: string;
  aud: string | string[];
  /** Seconds since the epoch. */
  exp: number;
  /** Seconds since the epoch. */
  nbf?: number;
  /** Seconds since the epoch. */
  iat?: number;
  sub?: string;
  client_id?: string;
  jti?: string;
  scope?: string;
}

/** What `verifyAccessToken` returns. */
export interface VerifiedAccessToken {
  header: JsonObject;
  claims: AccessTokenClaims;
  /** The scopes of the `scope` claim, in order (empty without one). */
  scopes: string[];
}

/**
 * Verifies a JWT access token (RFC 9068) with the authorization server's keys: `typ`
 * `at+jwt`, the same algorithm and key rules as `verifySet`, `iss`, `aud`, `exp`
 * (required), `nbf` / `iat`, and `scope` when asked. Throws an `AccessTokenError`.
 */
export declare function verifyAccessToken(token: string, options: AccessTokenOptions): VerifiedAccessToken;

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

/**
 * A SET claims set as sent (every member kept), as `decodeSet` returns it: nothing is
 * checked yet, so the registered claims may be missing or of any JSON type.
 */
export interface SetClaims extends JsonObject {}

/**
 * The claims of a SET that `verifySet` accepted: the registered claims (RFC 8417 section
 * 2.2, SSF 1.0 section 10) are present where required and of their type; every other member
 * is kept as sent.
 */
export interface VerifiedClaims {
  /** Every other member, as sent. */
  [member: string]: JsonValue | undefined;
  iss: string;
  jti: string;
  /** Seconds since the epoch. */
  iat: number;
  aud?: string | string[];
  txn?: string;
  /** Seconds since the epoch. */
  toe?: number;
  /** Present under the `ssf` and `caep-interop` profiles. */
  sub_id?: SubjectIdentifier;
  /** Event type URI -> event payload. */
  events: { [uri: string]: JsonObject };
}

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
  claims: VerifiedClaims;
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

/** Every profile `verifySet`, `decodeSet` and `signSet` take, the default (`ssf`) first. */
export declare function profiles(): readonly ProfileInfo[];

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

// `WebAssembly.Module`, `URL`, `Request`, `Response`, `RequestInit` and `AbortSignal` are
// declared by the DOM library and by Node's types; these empty declarations merge with
// either, so the types also check in projects with neither (`lib: ["es2022"], types: []`),
// where such values cannot be made.
declare global {
  namespace WebAssembly {
    interface Module {}
  }
  interface URL {}
  interface Request {}
  interface Response {}
  interface RequestInit {}
  interface AbortSignal {}
}

// ==== Transport: remote key sets, push receiver and sender, poll client, SSF client ====
// (DESIGN.md section 13.) Everything below is fetch-based: Node 20+, Workers, Deno, Bun and
// browsers (where CORS allows). Every function and class that calls out takes `fetch`.

/** A `fetch`-compatible function (the global one by default). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A remote JWK Set usable as `jwks` by `verifySetAsync`, `receivePush` and `PollClient`. */
export interface RemoteJwks {
  /** The URL the keys are fetched from. */
  readonly url: string;
  /** The key set last fetched, or `null` before the first fetch. */
  readonly jwks: JwkSet | null;
  /** Fetches the key set now, whatever the cache and the cooldown say. */
  reload(): Promise<JwkSet>;
}

export interface RemoteJwksOptions {
  /** Least time between two refetches caused by an unknown `kid` (default 30,000 ms). */
  cooldownMs?: number;
  /** How long a fetched key set is used before it is fetched again (default 600,000 ms). */
  cacheMaxAgeMs?: number;
  /** Timeout of one fetch (default 5,000 ms). */
  timeoutMs?: number;
  fetch?: FetchLike;
}

/** Fetches and caches a JWK Set; refetches once on an unknown `kid` (at most once per cooldown). */
export declare function createRemoteJwks(url: string | URL, options?: RemoteJwksOptions): RemoteJwks;

/** `verifySet`'s options, where `jwks` may also be a remote key source. */
export interface AsyncVerifyOptions extends Expectations {
  jwks: VerifyOptions['jwks'] | RemoteJwks;
}

/** As `verifySet`, fetching the keys of a remote key source when needed. */
export declare function verifySetAsync(token: string, options: AsyncVerifyOptions): Promise<VerifiedSet>;

/** `verifyAccessToken`'s options, where `jwks` may also be a remote key source. */
export interface AsyncAccessTokenOptions extends Omit<AccessTokenOptions, 'jwks'> {
  jwks: AccessTokenOptions['jwks'] | RemoteJwks;
}

/** As `verifyAccessToken`, fetching the keys of a remote key source when needed. */
export declare function verifyAccessTokenAsync(token: string, options: AsyncAccessTokenOptions): Promise<VerifiedAccessToken>;

/** Thrown when a remote key set cannot be fetched or read (`receivePush` answers 503). */
export declare class JwksError extends Error {
  constructor(code: JwksErrorCode, message: string, options?: { cause?: unknown });
  readonly code: JwksErrorCode;
}
export type JwksErrorCode = 'jwks_http_error' | 'jwks_timeout' | 'jwks_network_error' | 'jwks_invalid' | 'jwks_too_large';

/** What `onSet` learns besides the verified SET. */
export interface PushContext {
  /** The compact SET as received. */
  token: string;
  /** Its `jti`. */
  jti: string;
}

export interface PushReceiverOptions extends AsyncVerifyOptions {
  /** Called with each verified SET; the answer is `202` only once it resolved. A `SetError` it throws is answered `400` with its `code`; anything else `500`. */
  onSet: (set: VerifiedSet, context: PushContext) => unknown | Promise<unknown>;
  /** The exact `Authorization` value the transmitter must send (compared in constant time); without it no header is checked. */
  authorizationHeader?: string;
  /** Largest body accepted, in bytes (default: core's token limit, 64 KiB). */
  maxBytes?: number;
  /** Told of failures answered 500 / 503 (for logging; the answer does not change). */
  onError?: (error: unknown) => void;
}

/** RFC 8935 receiver for a Fetch API request: 202, 400 `{err, description}`, 401, 405, 413, 415, 500, 503. */
export declare function receivePush(request: Request, options: PushReceiverOptions): Promise<Response>;

/** The parts of a node:http `IncomingMessage` the push handler uses (an Express request fits). */
export interface NodeRequestLike {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  /** A body a body parser already read (string or bytes); otherwise the stream is read. */
  body?: unknown;
  on(event: string, listener: (...args: any[]) => void): unknown;
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
  pause(): unknown;
}

/** The parts of a node:http `ServerResponse` the push handler uses. */
export interface NodeResponseLike {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body?: string): unknown;
}

/** `receivePush` as a `(req, res)` handler for node:http and Express. */
export declare function nodePushHandler(options: PushReceiverOptions): (req: NodeRequestLike, res: NodeResponseLike) => Promise<void>;

export interface PushOptions {
  /** Sent verbatim as `Authorization`; none without it. */
  authorizationHeader?: string;
  /** Timeout of one attempt (default 10,000 ms). */
  timeoutMs?: number;
  /** Further attempts after a retryable failure (default 2). */
  retries?: number;
  /** First backoff delay (default 500 ms), doubled per attempt with jitter; `Retry-After` wins. */
  retryDelayMs?: number;
  /** Largest backoff delay (default 30,000 ms). */
  maxRetryDelayMs?: number;
  signal?: AbortSignal;
  fetch?: FetchLike;
}

/** RFC 8935 transmitter side: resolves on any 2xx; throws `PushError` otherwise. */
export declare function pushSet(endpointUrl: string | URL, token: string, options?: PushOptions): Promise<{ status: number }>;

export type PushErrorCode = 'push_rejected' | 'push_unauthorized' | 'push_http_error' | 'push_timeout' | 'push_network_error';

export declare class PushError extends Error {
  constructor(code: PushErrorCode, message: string, options?: { status?: number | null; err?: string; description?: string; retryable?: boolean; cause?: unknown });
  readonly code: PushErrorCode;
  /** The last HTTP status, `null` when no answer came. */
  readonly status: number | null;
  /** The RFC 8935 `err` of a `400` answer. */
  readonly err?: ErrorCode | (string & {});
  readonly description?: string;
  /** Whether a later attempt may succeed (5xx, 408, 429, timeouts, network errors). */
  readonly retryable: boolean;
}

/** A credential: a fixed bearer token or a function giving one per request. */
export type TokenOptions = { token: string; getToken?: undefined } | { getToken: () => string | Promise<string>; token?: undefined };

export type PollClientOptions = TokenOptions & {
  /** The RFC 8936 poll endpoint (a stream's `delivery.endpoint_url`). */
  endpoint: string | URL;
  /** `maxEvents` of each poll (default 100). */
  maxEvents?: number;
  /** Long poll (default `true`); `false` polls with `returnImmediately` every `intervalMs`. */
  longPoll?: boolean;
  /** Pause between short polls that found nothing (default 1,000 ms). */
  intervalMs?: number;
  /** Verify each SET first; one that fails goes back in `setErrs` and skips the handler. */
  verify?: AsyncVerifyOptions;
  /** Timeout of one request (default 120,000 ms for long polls, 30,000 ms otherwise). */
  timeoutMs?: number;
  /** Backoff after a network error or 5xx / 429: first delay (default 1,000 ms) and cap (default 60,000 ms). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Told of handler failures and transient poll errors. */
  onError?: (error: unknown) => void;
  fetch?: FetchLike;
};

/** What a poll handler learns besides the SET. */
export interface PollContext {
  jti: string;
  /** The compact SET as delivered. */
  token: string;
}

export declare class PollClient {
  constructor(options: PollClientOptions);
  readonly endpoint: string;
  /**
   * Polls until `signal` aborts. The handler gets the verified SET (with `verify`) or the
   * compact token; resolved: acknowledged; threw a `SetError`: reported in `setErrs`; threw
   * anything else: left for redelivery. Resolves once stopped, after acknowledging what
   * was handled; rejects on a refused request (400, 401, 403, 404).
   */
  run(handler: (set: VerifiedSet | string, context: PollContext) => unknown | Promise<unknown>, options?: { signal?: AbortSignal }): Promise<void>;
}

export type SsfClientOptions = TokenOptions &
  ({ issuer: string; configurationUrl?: string } | { configurationUrl: string; issuer?: string }) & {
    /** Timeout of one request (default 30,000 ms). */
    timeoutMs?: number;
    fetch?: FetchLike;
  };

/** SSF transmitter metadata (discovery document), as core reads it. */
export interface TransmitterMetadata {
  [member: string]: unknown;
  issuer: string;
  spec_version?: string;
  jwks_uri?: string;
  delivery_methods_supported?: string[];
  configuration_endpoint?: string;
  status_endpoint?: string;
  add_subject_endpoint?: string;
  remove_subject_endpoint?: string;
  verification_endpoint?: string;
}

/** A stream configuration, as core reads it. */
export interface StreamConfiguration {
  [member: string]: unknown;
  stream_id: string;
  iss: string;
  aud: string | string[];
  events_delivered: string[];
  delivery: { method: string; endpoint_url?: string; authorization_header?: string; [member: string]: unknown };
}

export type StreamState = 'enabled' | 'paused' | 'disabled';

export interface StreamStatusResult {
  [member: string]: unknown;
  stream_id: string;
  status: StreamState;
  reason?: string;
}

export declare class SsfClient {
  constructor(options: SsfClientOptions);
  metadata(): Promise<TransmitterMetadata>;
  createStream(config?: JsonObject): Promise<StreamConfiguration>;
  getStream(streamId: string): Promise<StreamConfiguration>;
  listStreams(): Promise<StreamConfiguration[]>;
  updateStream(streamId: string, changes: JsonObject): Promise<StreamConfiguration>;
  replaceStream(streamId: string, config: JsonObject): Promise<StreamConfiguration>;
  deleteStream(streamId: string): Promise<void>;
  getStatus(streamId: string): Promise<StreamStatusResult>;
  setStatus(streamId: string, status: StreamState, extra?: { reason?: string }): Promise<StreamStatusResult>;
  addSubject(streamId: string, subject: SubjectIdentifier, extra?: { verified?: boolean }): Promise<void>;
  removeSubject(streamId: string, subject: SubjectIdentifier): Promise<void>;
  requestVerification(streamId: string, extra?: { state?: string }): Promise<void>;
}

export type SsfErrorCode =
  | 'invalid_request' | 'unauthorized' | 'forbidden' | 'not_found' | 'method_not_allowed' | 'conflict'
  | 'too_large' | 'rate_limited' | 'server_error' | 'http_error' | 'network_error' | 'timeout'
  | 'invalid_response' | 'issuer_mismatch' | 'unsupported';

export declare class SsfError extends Error {
  constructor(code: SsfErrorCode, message: string, options?: { status?: number | null; description?: string; cause?: unknown });
  readonly code: SsfErrorCode;
  /** The HTTP status, `null` when no answer came. */
  readonly status: number | null;
  /** The peer's description of the failure, when it gave one. */
  readonly description?: string;
}
