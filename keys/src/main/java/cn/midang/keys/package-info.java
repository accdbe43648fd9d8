/**
 * Midang's cryptography: SM2 signatures and key transport, SM3 digests, SM4 sealing, and the
 * deployment PKI. Rules C4 (encrypted everywhere) and C6 (integrity and non-repudiation) rest on
 * this module.
 *
 * <p>The API names operations, not algorithms: {@code pki} (identities, CA, certificates,
 * revocation, chain validation), {@code sign} (detached signatures), {@code seal} (sign-then-
 * encrypt envelopes), {@code digest} (SM3). Bouncy Castle types never appear in a public
 * signature; code that is not API lives in {@code internal} and is not exported.
 *
 * <p>Every failure is a {@link cn.midang.keys.KeysException} with a stable reason.
 */
package cn.midang.keys;
