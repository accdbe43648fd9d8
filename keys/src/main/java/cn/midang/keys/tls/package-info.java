/**
 * The transport (TLS) key: ECDSA P-256, because the JDK's TLS cannot use SM2, vouched for by the
 * server's SM2 signing key through a signed binding that clients check before they pin it.
 */
package cn.midang.keys.tls;
