/**
 * Who is calling: accounts (certificate fingerprint → role and organisation) and, with the
 * request-signature issue, the verification of signed requests. An unknown certificate is
 * refused.
 */
package cn.midang.server.identity;
