/**
 * Unsealing the archive (SPEC C4, issue 16): a server whose archive key is split among the
 * joint-review departments starts sealed, makes a one-time key for this start, and takes the key
 * holders' shares delivered to it until enough of them rebuild the archive key's secret.
 */
package cn.midang.server.unseal;
