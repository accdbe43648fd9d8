/**
 * Need to know (SPEC C1–C3): one {@link cn.midang.server.access.Policy} decides every
 * {@code (caller, action, target)}; the {@link cn.midang.server.access.Guard} records each
 * decision in the audit log before anything is read or sent and hands out a
 * {@link cn.midang.server.access.Grant}, without which services do not return stored objects.
 */
package cn.midang.server.access;
