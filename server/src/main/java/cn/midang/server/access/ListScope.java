package cn.midang.server.access;

import java.util.Set;

/**
 * Which submissions a listing may show: those of one unit (submitted by the unit itself), of a
 * set of campaigns, or a set of named ids. Null means "no restriction on this attribute"; the
 * policy never returns a scope without at least one restriction except for nobody.
 */
public record ListScope(String unit, Set<String> campaigns, Set<String> ids) {

    /** Whether a submission with these facts is inside the scope (the same rules as the SQL and index filters). */
    public boolean allows(String id, String campaign, String submissionUnit, String submitterRole) {
        return (unit == null || (unit.equals(submissionUnit) && "unit".equals(submitterRole)))
                && (campaigns == null || campaigns.contains(campaign))
                && (ids == null || ids.contains(id));
    }
}
