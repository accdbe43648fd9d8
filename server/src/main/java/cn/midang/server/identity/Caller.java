package cn.midang.server.identity;

import cn.midang.keys.pki.Certificate;

/** An authenticated caller: the account its certificate maps to, and that certificate. */
public record Caller(Account account, Certificate certificate) {}
