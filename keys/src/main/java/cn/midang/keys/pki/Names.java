package cn.midang.keys.pki;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

/** Subject names of the deployment PKI, and the checks on their parts. */
final class Names {
    /** Roles are short lower-case words: unit, inspector, tester, approver, leader, admin, server… */
    private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final int MAX_TEXT = 64;

    private Names() {}

    static void requireCommonName(String cn) throws KeysException {
        requireText(cn, "name");
    }

    static void requireRole(String role) throws KeysException {
        if (role == null || !ROLE.matcher(role).matches()) {
            throw new KeysException(Reason.MALFORMED, "the role \"" + role
                    + "\" is not valid: use a lower-case word such as unit, inspector, tester, approver, leader or admin");
        }
    }

    static void requireText(String value, String what) throws KeysException {
        if (value == null || value.isBlank() || value.length() > MAX_TEXT || value.chars().anyMatch(Character::isISOControl)) {
            throw new KeysException(Reason.MALFORMED, "the " + what + " \"" + value
                    + "\" is not valid: give 1 to " + MAX_TEXT + " printable characters");
        }
    }

    static X500Name person(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }

    static X500Name holder(String commonName, String role, String organisation) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, organisation)
                .addRDN(BCStyle.OU, role)
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    static X500Name authority(String name) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Midang")
                .addRDN(BCStyle.CN, name)
                .build();
    }
}
