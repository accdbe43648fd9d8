/**
 * The audit log (SPEC C5): one append path for every decision, chained by SM3 and checkpointed
 * with the server's SM2 signature (formats and checks in {@code cn.midang.keys.audit}). It owns
 * the {@code audit_log} and {@code audit_checkpoints} tables and {@code DATA/audit/}. It must
 * never lose a record silently: a record that cannot be written fails the request, and a log
 * that cannot be written at start-up stops the server from starting.
 */
package cn.midang.server.audit;
