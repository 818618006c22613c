// Node entry (ES module): the same instance as the CommonJS entry, so `SetError` is one
// class whichever way the package is loaded.
import api from './node.cjs';

export const {
  SetError,
  AccessTokenError,
  decodeSet,
  verifySet,
  verifyAccessToken,
  signSet,
  generateKey,
  eventCatalog,
  profiles,
  supportedAlgorithms,
  useNativeCrypto,
  init,
  initSync,
  // transport (DESIGN.md section 13)
  createRemoteJwks, verifySetAsync, verifyAccessTokenAsync, receivePush, nodePushHandler, pushSet, PollClient, SsfClient,
  PushError, SsfError, JwksError,
} = api;
