package cn.midang.keys.pki;

import org.bouncycastle.asn1.x509.CRLReason;

/** Why a certificate was revoked (RFC 5280 CRLReason, the values an office uses). */
public enum RevocationReason {
    UNSPECIFIED(CRLReason.unspecified),
    KEY_COMPROMISE(CRLReason.keyCompromise),
    AFFILIATION_CHANGED(CRLReason.affiliationChanged),
    SUPERSEDED(CRLReason.superseded),
    CESSATION_OF_OPERATION(CRLReason.cessationOfOperation);

    final int code;

    RevocationReason(int code) {
        this.code = code;
    }

    static RevocationReason fromCode(int code) {
        for (RevocationReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return UNSPECIFIED;
    }
}
