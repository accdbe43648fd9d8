/**
 * A deployment's data directory: creating it ({@code init}, {@code init --dev}) and opening it
 * (keys, trusted CA and CRL, database). Private keys stay in passphrase-protected PKCS#12 files.
 */
package cn.midang.server.deploy;
