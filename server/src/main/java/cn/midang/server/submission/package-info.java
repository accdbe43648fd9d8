/**
 * Submissions: accepting a sealed, signed package with a server-signed receipt (C6), and
 * serving it re-addressed to an entitled reader (C4). Receipts are canonical JSON (RFC 8785),
 * produced only by {@link cn.midang.keys.sign.CanonicalJson}.
 */
package cn.midang.server.submission;
