// Plain-words explanations of the members the page shows. Event types and their fields are
// explained by the catalogue in ssf-core (eventCatalog()); this file covers what is around
// them: JWS header parameters, SET claims, subject identifier formats.

export const PROFILE_NAMES = {
  ssf: 'SSF',
  caep: 'CAEP',
  risc: 'RISC',
  'caep-interop': 'CAEP interoperability profile',
  rfc8417: 'RFC 8417',
  google: 'Google profile',
  okta: 'Okta profile',
};

export const HEADER_INFO = {
  alg: 'Signature algorithm. Receivers accept only asymmetric ones they expect; "none" and HMAC are never valid for SSF.',
  typ: 'Token type. SSF requires "secevent+jwt" so that a SET can never be mistaken for an ID or access token.',
  kid: 'Key ID: which key of the transmitter’s JWK Set signed this token.',
  cty: 'Content type of the payload; not used for SETs.',
  crit: 'Extensions the receiver must understand; none are supported, so a SET carrying crit is refused.',
  jku: 'A URL of a key set. Never used to find the key: keys come from the configured transmitter only.',
  x5u: 'A URL of a certificate chain. Never used to find the key.',
  jwk: 'A key embedded in the header. Never trusted: anyone could sign with their own key.',
  x5c: 'An embedded certificate chain. Never used to find the key.',
};

export const CLAIM_INFO = {
  iss: 'Issuer: the transmitter that made this SET. Must equal the issuer the receiver expects for the stream.',
  aud: 'Audience: the receiver(s) this SET is meant for. A receiver must find itself here.',
  iat: 'Issued at: when the transmitter made the SET (not when the event happened).',
  jti: 'Unique ID of this SET; receivers use it to detect duplicates and to acknowledge it when polling.',
  sub_id: 'The subject the events are about, as an RFC 9493 subject identifier.',
  events: 'The event types this SET reports, each with its own fields.',
  toe: 'Time of event: when the event happened, if the transmitter says so.',
  txn: 'Transaction ID: ties together SETs that come from the same underlying action.',
  sub: 'Not allowed in a SET under SSF: the subject goes in sub_id, so that a SET cannot pass as an ID token.',
  exp: 'Not allowed in a SET: SETs describe facts that happened and do not expire.',
  nbf: 'Not-before time; SETs have no use for it.',
};

export const FORMAT_INFO = {
  email: 'An email address (RFC 9493).',
  iss_sub: 'An issuer and a subject within it, the way an OpenID Connect ID token names a user (RFC 9493).',
  'iss-sub': 'Old spelling of iss_sub from pre-SSF RISC drafts.',
  opaque: 'An identifier with no meaning outside the two parties, such as a UUID (RFC 9493).',
  phone_number: 'A telephone number in E.164 form with its country code (RFC 9493).',
  account: 'An acct: URI naming an account at a service (RFC 9493).',
  did: 'A decentralized identifier (DID) or DID URL (RFC 9493).',
  uri: 'Any URI (RFC 9493).',
  aliases: 'Several identifiers that all name the same subject (RFC 9493); aliases do not nest.',
  jwt_id: 'A JWT, named by its issuer and its jti (SSF 1.0).',
  saml_assertion_id: 'A SAML 2.0 assertion, named by its issuer and its ID (SSF 1.0).',
  'ip-addresses': 'One or more IP addresses as the transmitter saw them (SSF 1.0).',
  complex: 'One subject described by several attributes at once (user, device, session, …): the event applies where all of them match (SSF 1.0).',
};

export const MEMBER_INFO = {
  user: 'The user.',
  device: 'The device the user is on.',
  session: 'The session.',
  application: 'The application.',
  tenant: 'The tenant (organisation) in a multi-tenant service.',
  org_unit: 'An organisational unit.',
  group: 'A group the subject belongs to.',
};

export function describeFetchError(url, e) {
  let origin = url;
  try {
    origin = new URL(url).origin;
  } catch {
    // Shown as typed.
  }
  return `could not reach ${url} (${e.message}). Either the server is down, or ${origin} does not allow pages on other sites to read it (CORS); download the JWK Set and paste it instead.`;
}
