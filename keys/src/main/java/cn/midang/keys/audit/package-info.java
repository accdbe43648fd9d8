/**
 * The audit log's tamper evidence (SPEC C5), shared by the server that writes the log and by
 * anyone who checks it offline: the canonical bytes and SM3 hash chain of {@link AuditRecord}s,
 * the server-signed {@link Checkpoint}s, and {@link AuditChain#verify}, which names the first bad
 * record.
 */
package cn.midang.keys.audit;
