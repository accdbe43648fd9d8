/**
 * The deployment PKI: {@link cn.midang.keys.pki.Identity identities} (SM2 key + certificate
 * chain in PKCS#12), the {@link cn.midang.keys.pki.CertificateAuthority CA} that issues and
 * revokes, {@link cn.midang.keys.pki.RevocationList CRLs}, and the
 * {@link cn.midang.keys.pki.ChainValidator} that decides trust at an instant.
 *
 * <p>Certificates name their holder as {@code CN=name, OU=role, O=organisation}; the server
 * maps a certificate to an account, so roles here are labels, not permissions.
 */
package cn.midang.keys.pki;
