package cn.midang.server.identity;

/**
 * Who a certificate belongs to: a role of the SPEC (unit, inspector, tester, approver, leader,
 * admin, or server) and an organisation (for a unit, its unit id).
 */
public record Account(String fingerprint, String commonName, Role role, String organisation) {}
