/**
 * {@code midang audit export} and {@code midang audit verify}: fetch the audit log with its signed
 * checkpoints, and check an export offline with {@code cn.midang.keys.audit.AuditChain}, trusting
 * only the server certificate the user names (or one their CA issued).
 */
package cn.midang.cli.audit;
