package cn.midang.server.campaign;

import cn.midang.forms.Yamls;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A campaign as its file defines it ({@code config/campaigns/yuxi-2009.yaml} is the notice's):
 * read from YAML (JSON is YAML too) and checked as a whole, every problem named with its line, so
 * that an administrator fixes the file in one pass. The file's keys are documented in the shipped
 * example. A campaign made from a file starts as a draft.
 */
public final class CampaignDefinition {

    /** The largest campaign file accepted. */
    public static final int MAX_CHARS = 1 << 20;
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    /** One problem in the file: its line (1-based; 0 = the file as a whole) and what is wrong. */
    public record Problem(int line, String message) {
        @Override
        public String toString() {
            return line > 0 ? "line " + line + ": " + message : message;
        }
    }

    /** The file does not define a campaign; every problem found. */
    public static final class Invalid extends Exception {
        private final List<Problem> problems;

        Invalid(List<Problem> problems) {
            super(problems.size() + " problem(s) in the campaign file, the first: " + problems.get(0));
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() {
            return problems;
        }
    }

    private final List<Problem> problems = new ArrayList<>();

    private final List<String> requiredDepartments;

    private CampaignDefinition(List<String> requiredDepartments) {
        this.requiredDepartments = requiredDepartments;
    }

    /** Reads a campaign from {@code text}; the campaign is a draft. */
    public static Campaign parse(String text) throws Invalid {
        return new CampaignDefinition(null).read(text);
    }

    /**
     * Reads a campaign for a deployment whose joint review is {@code departments} (organisation
     * names, {@code review.departments}): the file's {@code joint_review} must name exactly those,
     * each once, so that no campaign can be approved on fewer signatures than the deployment requires.
     */
    public static Campaign parse(String text, List<String> departments) throws Invalid {
        return new CampaignDefinition(List.copyOf(departments)).read(text);
    }

    private Campaign read(String text) throws Invalid {
        if (text.length() > MAX_CHARS) {
            throw new Invalid(List.of(new Problem(0, "the file is larger than " + MAX_CHARS + " characters")));
        }
        Node root;
        try {
            root = Yamls.compose(text, MAX_CHARS);
        } catch (Yamls.NotYaml e) {
            throw new Invalid(List.of(new Problem(e.line(), "not valid YAML: " + e.getMessage())));
        }
        if (!(root instanceof MappingNode top)) {
            throw new Invalid(List.of(new Problem(root == null ? 0 : line(root), "a campaign file is a mapping of keys "
                    + "(id, title, dates, units, areas, …)")));
        }
        Map<String, Node> m = mapping(top, "the campaign", Set.of("id", "title", "document", "issued_by", "issued_at", "lead_office",
                "joint_review", "dates", "units", "areas"));
        String id = text(m, top, "id", true);
        if (id != null && !ID.matcher(id).matches()) {
            problem(m.get("id"), "id '" + id + "' must be lower-case letters, digits and '-', at most 64, e.g. yuxi-2009");
        }
        String title = text(m, top, "title", true);
        String document = text(m, top, "document", false);
        String issuedBy = text(m, top, "issued_by", false);
        String issuedAtText = text(m, top, "issued_at", false);
        if (issuedAtText != null) {
            try {
                LocalDate.parse(issuedAtText);
            } catch (DateTimeParseException e) {
                problem(m.get("issued_at"), "issued_at must be a date such as 2009-11-19");
            }
        }
        String leadOffice = text(m, top, "lead_office", false);
        List<Campaign.Department> departments = new ArrayList<>();
        for (MappingNode d : list(m, top, "joint_review", true)) {
            Map<String, Node> dm = mapping(d, "a joint-review department", Set.of("id", "name"));
            String deptId = id(dm, d, departments.stream().map(Campaign.Department::id).toList());
            String name = text(dm, d, "name", true);
            if (name != null && departments.stream().anyMatch(x -> name.equals(x.name()) || name.equals(x.id()))) {
                problem(dm.get("name"), "the department '" + name + "' is named twice; each department signs once");
            } else if (name != null && requiredDepartments != null && !requiredDepartments.contains(name)) {
                problem(dm.get("name"), "'" + name + "' is not a joint-review department of this deployment; they are "
                        + String.join("、", requiredDepartments) + " (review.departments in server.conf)");
            }
            departments.add(new Campaign.Department(deptId, name));
        }
        if (requiredDepartments != null && m.get("joint_review") != null) {
            List<String> missing = requiredDepartments.stream()
                    .filter(r -> departments.stream().noneMatch(d -> r.equals(d.name()))).toList();
            if (!missing.isEmpty()) {
                problem(m.get("joint_review"), "joint_review must name every joint-review department of this deployment ("
                        + String.join("、", requiredDepartments) + "); missing: " + String.join("、", missing));
            }
        }
        Instant selfCheck = null;
        Instant deadline = null;
        Instant onSiteStart = null;
        Instant onSiteEnd = null;
        boolean late = true;
        Node datesNode = m.get("dates");
        if (datesNode == null) {
            problem(top, "no dates: give dates with self_check_start and submission_deadline");
        } else if (datesNode instanceof MappingNode dn) {
            Map<String, Node> dm = mapping(dn, "dates", Set.of("self_check_start", "submission_deadline", "on_site_start",
                    "on_site_end", "late_submissions"));
            selfCheck = instant(dm, dn, "self_check_start", true);
            deadline = instant(dm, dn, "submission_deadline", true);
            onSiteStart = instant(dm, dn, "on_site_start", false);
            onSiteEnd = instant(dm, dn, "on_site_end", false);
            String lateText = text(dm, dn, "late_submissions", false);
            if (lateText != null && !lateText.equals("accepted") && !lateText.equals("refused")) {
                problem(dm.get("late_submissions"), "late_submissions must be accepted or refused, not '" + lateText + "'");
            }
            late = !"refused".equals(lateText);
            if (selfCheck != null && deadline != null && !deadline.isAfter(selfCheck)) {
                problem(dm.get("submission_deadline"), "submission_deadline must come after self_check_start");
            }
            if (onSiteStart != null && onSiteEnd != null && !onSiteEnd.isAfter(onSiteStart)) {
                problem(dm.get("on_site_end"), "on_site_end must come after on_site_start");
            }
        } else {
            problem(datesNode, "dates must be a mapping (self_check_start: …, submission_deadline: …)");
        }
        List<Campaign.Unit> units = new ArrayList<>();
        for (MappingNode u : list(m, top, "units", true)) {
            Map<String, Node> um = mapping(u, "a unit", Set.of("id", "name", "level", "key_spot_check"));
            String unitId = id(um, u, units.stream().map(Campaign.Unit::id).toList());
            String name = text(um, u, "name", true);
            String level = text(um, u, "level", true);
            if (level != null && !level.equals("市") && !level.equals("县区")) {
                problem(um.get("level"), "level must be 市 (city) or 县区 (county or district), not '" + level + "'");
            }
            String key = text(um, u, "key_spot_check", false);
            if (key != null && !key.equals("true") && !key.equals("false")) {
                problem(um.get("key_spot_check"), "key_spot_check must be true or false");
            }
            units.add(new Campaign.Unit(unitId, name, level, "true".equals(key)));
        }
        List<Campaign.Area> areas = new ArrayList<>();
        Set<String> itemIds = new HashSet<>();
        for (MappingNode a : list(m, top, "areas", true)) {
            Map<String, Node> am = mapping(a, "a check area", Set.of("id", "name", "items"));
            String areaId = id(am, a, areas.stream().map(Campaign.Area::id).toList());
            String name = text(am, a, "name", true);
            List<Campaign.Item> items = new ArrayList<>();
            for (MappingNode i : list(am, a, "items", true)) {
                Map<String, Node> im = mapping(i, "an item", Set.of("id", "text"));
                String itemId = id(im, i, List.copyOf(itemIds));
                if (itemId != null) { // a missing or bad id is a problem listed already; found by fuzzing (ParsersFuzzTest)
                    itemIds.add(itemId);
                }
                items.add(new Campaign.Item(itemId, text(im, i, "text", true)));
            }
            areas.add(new Campaign.Area(areaId, name, List.copyOf(items)));
        }
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparingInt(Problem::line));
            throw new Invalid(problems);
        }
        return new Campaign(id, title, CampaignState.DRAFT, selfCheck, deadline, late, List.copyOf(units), List.copyOf(areas),
                new Campaign.Details(document, issuedBy, leadOffice, List.copyOf(departments), onSiteStart, onSiteEnd));
    }

    private void problem(Node at, String message) {
        problems.add(new Problem(at == null ? 0 : line(at), message));
    }

    private static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }

    /** The keys of a mapping; unknown and repeated keys are problems. */
    private Map<String, Node> mapping(MappingNode node, String what, Set<String> allowed) {
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : node.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
            if (key == null || !allowed.contains(key)) {
                problem(t.getKeyNode(), "unknown key " + (key == null ? "(not text)" : "'" + key + "'") + " in " + what
                        + "; allowed: " + String.join(", ", new TreeSet<>(allowed)));
            } else if (out.put(key, t.getValueNode()) != null) {
                problem(t.getKeyNode(), "'" + key + "' is given twice in " + what);
            }
        }
        return out;
    }

    private String text(Map<String, Node> m, Node owner, String key, boolean required) {
        Node n = m.get(key);
        if (n == null) {
            if (required) {
                problem(owner, "missing '" + key + "'");
            }
            return null;
        }
        if (!(n instanceof ScalarNode s) || s.getValue().isBlank()) {
            problem(n, "'" + key + "' must be a non-empty value");
            return null;
        }
        if (s.getValue().length() > 256) {
            problem(n, "'" + key + "' is longer than 256 characters");
        }
        return s.getValue().strip();
    }

    private String id(Map<String, Node> m, Node owner, List<String> taken) {
        String id = text(m, owner, "id", true);
        if (id == null) {
            return null;
        }
        if (!ID.matcher(id).matches()) {
            problem(m.get("id"), "id '" + id + "' must be lower-case letters, digits and '-'");
        } else if (taken.contains(id)) {
            problem(m.get("id"), "id '" + id + "' is used twice");
        }
        return id;
    }

    private Instant instant(Map<String, Node> m, Node owner, String key, boolean required) {
        String v = text(m, owner, key, required);
        if (v == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            problem(m.get(key), key + " must be a time with its zone, such as 2009-11-30T23:59:59+08:00, not '" + v + "'");
            return null;
        }
    }

    private List<MappingNode> list(Map<String, Node> m, Node owner, String key, boolean required) {
        Node n = m.get(key);
        List<MappingNode> out = new ArrayList<>();
        if (n == null) {
            if (required) {
                problem(owner, "missing '" + key + "' (a list)");
            }
            return out;
        }
        if (!(n instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
            problem(n, "'" + key + "' must be a non-empty list");
            return out;
        }
        for (Node e : seq.getValue()) {
            if (e instanceof MappingNode mn) {
                out.add(mn);
            } else {
                problem(e, "each entry of '" + key + "' is a mapping (id: …, name: …)");
            }
        }
        return out;
    }
}
