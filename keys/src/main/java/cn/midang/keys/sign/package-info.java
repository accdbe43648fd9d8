/**
 * Detached SM2 signatures (SM3withSM2, user ID 1234567812345678): raw DER signatures that
 * OpenSSL 3 verifies, and CMS SignedData carrying the signer's certificate and signing time.
 * Rule C6 (non-repudiation) rests here.
 */
package cn.midang.keys.sign;
