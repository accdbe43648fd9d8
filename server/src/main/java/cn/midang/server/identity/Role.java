package cn.midang.server.identity;

import java.util.Locale;
import java.util.Optional;

/** The roles of SPEC §2, plus the server's own keys. */
public enum Role {
    UNIT, INSPECTOR, TESTER, APPROVER, LEADER, ADMIN, SERVER;

    /** The lower-case name used in certificates ({@code OU}) and the database. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromLabel(String label) {
        for (Role r : values()) {
            if (r.label().equals(label)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
