package cn.midang.server.submission;

import java.util.Set;

/**
 * Which submissions a listing may show: those of one unit (submitted by the unit itself), of a
 * set of campaigns, or a set of named ids. Null means "no restriction on this attribute"; the
 * policy never returns a scope without at least one restriction except for nobody.
 */
public record ListScope(String unit, Set<String> campaigns, Set<String> ids) {}
