package cn.midang.forms;

import cn.midang.keys.digest.Sm3;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The report form (报告表) of a campaign as an editable YAML file in Chinese: written from the
 * campaign's check areas and items ({@link #template}), and checked without the server
 * ({@link #check}) with a message per problem naming its line. The form's item list carries an
 * SM3 fingerprint (模板指纹), so an item removed, added or renumbered by hand is noticed.
 */
public final class ReportForm {

    /** The form's format, its first key. */
    public static final String FORMAT = "midang-报告表/1";
    /** The four answers of the notice's form. */
    public static final List<String> ANSWERS = List.of("符合", "基本符合", "不符合", "不适用");
    /** Answers that need a note saying what is wrong. */
    static final Set<String> NEED_NOTES = Set.of("基本符合", "不符合");
    /** The longest form the checker reads, in characters. */
    public static final int MAX_CHARS = 1 << 20;
    /**
     * The largest form file, in bytes (MAX_CHARS characters of UTF-8 at most): the server refuses
     * a larger upload of kind form, and reads stored forms up to this size, so that what it accepts
     * it can also read.
     */
    public static final int MAX_BYTES = 4 * MAX_CHARS;

    private ReportForm() {}

    /** One problem: its line (0 = the whole file), a message key and its arguments. */
    public record Problem(int line, String key, Object... args) {}

    /** One answered item: its area and item ids, the answer (one of {@link #ANSWERS}) and the notes (may be empty). */
    public record Answer(String area, String item, String answer, String notes) {}

    /**
     * What a check found: the campaign, unit, filler and telephone as written (null when blank), the
     * problems, the answers counted (answer → number of items), and each
     * item answered with one of the four answers, in the form's order.
     */
    public record Checked(String campaign, String unit, String filler, String phone, int areas, int items,
            Map<String, Integer> answers, List<Answer> answered,
            List<Problem> problems) {
        public boolean complete() {
            return problems.isEmpty();
        }
    }

    /**
     * The form for {@code campaign} (as {@code GET /api/v1/campaigns} shows it) and {@code unit}
     * (its id, or empty for the filler to write).
     */
    public static String template(JsonNode campaign, String unit) {
        return filled(campaign, unit, "", "", Map.of());
    }

    /**
     * The form for {@code campaign} and {@code unit} with the filler, the telephone number and the
     * answers given ({@code "area/item"} → answer; an item without one stays blank): what the web
     * console writes from its page, to be checked by {@link #check} exactly as a form filled in by hand.
     */
    public static String filled(JsonNode campaign, String unit, String filler, String phone, Map<String, Answer> answers) {
        StringBuilder b = new StringBuilder();
        String id = campaign.path("id").asText();
        String document = campaign.path("details").path("document").asText("");
        b.append("# ").append(campaign.path("title").asText()).append(" — 报告表\n");
        b.append("# 检查工作 ").append(id).append(document.isEmpty() ? "" : "（" + document + "）")
                .append("；请在 ").append(campaign.path("submission_deadline").asText()).append(" 前与书面报告一起提交。\n");
        b.append("# 填写方法：每个检查项的“答复”填写 符合、基本符合、不符合 或 不适用 之一；\n");
        b.append("#   答复为 基本符合 或 不符合 时，“说明”须写明存在的问题和整改打算。不要增删检查项或改动编号。\n");
        b.append("# 填好后检查：midang form check 本文件\n");
        b.append("# 然后提交：  midang submit --campaign ").append(id).append(" --kind form 本文件\n");
        b.append("表: ").append(FORMAT).append('\n');
        b.append("检查工作: ").append(id).append('\n');
        b.append("单位: ").append(quote(unit)).append('\n');
        b.append("填报人: ").append(quote(filler)).append('\n');
        b.append("联系电话: ").append(quote(phone)).append('\n');
        b.append("检查内容:\n");
        List<String> ids = new ArrayList<>();
        for (JsonNode a : campaign.path("areas")) {
            b.append("  - 编号: ").append(a.path("id").asText()).append('\n');
            b.append("    名称: ").append(quote(a.path("name").asText())).append('\n');
            b.append("    检查项:\n");
            ids.add(a.path("id").asText());
            for (JsonNode i : a.path("items")) {
                b.append("      - 编号: ").append(i.path("id").asText()).append('\n');
                b.append("        内容: ").append(quote(i.path("text").asText())).append('\n');
                Answer given = answers.get(a.path("id").asText() + "/" + i.path("id").asText());
                b.append("        答复: ").append(quote(given == null ? "" : given.answer())).append("      # 符合 / 基本符合 / 不符合 / 不适用\n");
                b.append("        说明: ").append(quote(given == null ? "" : given.notes())).append('\n');
                ids.add(a.path("id").asText() + "/" + i.path("id").asText());
            }
        }
        b.append("模板指纹: ").append(fingerprint(id, ids)).append("   # 请勿修改\n");
        return b.toString();
    }

    /** The SM3 of the campaign id and the area and item ids in order. */
    static String fingerprint(String campaign, List<String> ids) {
        return HexFormat.of().formatHex(Sm3.digest((campaign + "\n" + String.join("\n", ids)).getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code s} as a YAML double-quoted scalar: backslash, quote and every control character escaped (a note may span lines). */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029 || c == 0xfeff) {
                        b.append(String.format("\\u%04x", c));
                    } else {
                        b.appendCodePoint(c);
                    }
                }
            }
        });
        return b.append('"').toString();
    }

    /**
     * What a form that could not be read counts as: incomplete, with one problem
     * ({@code form.unreadable}), for no campaign and no unit.
     */
    public static Checked unreadable() {
        return new Checked(null, null, null, null, 0, 0, Map.of(), List.of(), List.of(new Problem(0, "form.unreadable")));
    }

    /** Checks a filled-in form; never throws for a bad file. */
    public static Checked check(String text) {
        return new Checker().run(text);
    }

    private static final class Checker {
        final List<Problem> problems = new ArrayList<>();
        final Map<String, Integer> answers = new TreeMap<>();
        final List<Answer> answered = new ArrayList<>();
        int areas;
        int items;
        String filler;
        String phone;

        Checked run(String text) {
            if (text.length() > MAX_CHARS) {
                problems.add(new Problem(0, "form.too-large"));
                return result(null, null);
            }
            Node root;
            try {
                root = Yamls.compose(text, MAX_CHARS);
            } catch (Yamls.NotYaml e) {
                problems.add(new Problem(e.line(), "form.not-yaml", e.getMessage()));
                return result(null, null);
            }
            if (!(root instanceof MappingNode top)) {
                problems.add(new Problem(root == null ? 0 : line(root), "form.not-a-form"));
                return result(null, null);
            }
            Map<String, Node> m = keys(top, Set.of("表", "检查工作", "单位", "填报人", "联系电话", "检查内容", "模板指纹"));
            String format = text(m, top, "表");
            if (format != null && !format.equals(FORMAT)) {
                problems.add(new Problem(line(m.get("表")), "form.wrong-format", format, FORMAT));
            }
            String campaign = text(m, top, "检查工作");
            String unit = text(m, top, "单位");
            filler = text(m, top, "填报人");
            phone = text(m, top, "联系电话");
            List<String> ids = new ArrayList<>();
            for (MappingNode a : list(m, top, "检查内容")) {
                areas++;
                Map<String, Node> am = keys(a, Set.of("编号", "名称", "检查项"));
                String areaId = text(am, a, "编号");
                ids.add(areaId);
                for (MappingNode i : list(am, a, "检查项")) {
                    items++;
                    Map<String, Node> im = keys(i, Set.of("编号", "内容", "答复", "说明"));
                    String itemId = text(im, i, "编号");
                    ids.add(areaId + "/" + itemId);
                    String answer = scalar(im.get("答复"));
                    int at = im.containsKey("答复") ? line(im.get("答复")) : line(i);
                    if (answer == null || answer.isBlank()) {
                        problems.add(new Problem(at, "form.unanswered", itemId));
                    } else if (!ANSWERS.contains(answer.strip())) {
                        problems.add(new Problem(at, "form.bad-answer", itemId, answer));
                    } else {
                        answers.merge(answer.strip(), 1, Integer::sum);
                        String notes = scalar(im.get("说明"));
                        answered.add(new Answer(areaId, itemId, answer.strip(), notes == null ? "" : notes.strip()));
                        if (NEED_NOTES.contains(answer.strip()) && (notes == null || notes.isBlank())) {
                            problems.add(new Problem(im.containsKey("说明") ? line(im.get("说明")) : at, "form.needs-notes", itemId,
                                    answer.strip()));
                        }
                    }
                }
            }
            String printed = text(m, top, "模板指纹");
            if (printed != null && campaign != null && !printed.equals(fingerprint(campaign, ids))) {
                problems.add(new Problem(line(m.get("模板指纹")), "form.items-changed", campaign));
            }
            problems.sort(Comparator.comparingInt(Problem::line));
            return result(campaign, unit);
        }

        Checked result(String campaign, String unit) {
            return new Checked(campaign, unit, filler, phone, areas, items, answers, List.copyOf(answered), List.copyOf(problems));
        }

        Map<String, Node> keys(MappingNode node, Set<String> allowed) {
            Map<String, Node> out = new LinkedHashMap<>();
            for (NodeTuple t : node.getValue()) {
                String key = scalar(t.getKeyNode());
                if (key == null || !allowed.contains(key)) {
                    problems.add(new Problem(line(t.getKeyNode()), "form.unknown-key", key == null ? "?" : key,
                            String.join("、", allowed.stream().sorted().toList())));
                } else if (out.put(key, t.getValueNode()) != null) {
                    problems.add(new Problem(line(t.getKeyNode()), "form.repeated-key", key));
                }
            }
            return out;
        }

        String text(Map<String, Node> m, Node owner, String key) {
            Node n = m.get(key);
            String v = scalar(n);
            if (n == null) {
                problems.add(new Problem(line(owner), "form.missing", key));
            } else if (v == null || v.isBlank()) {
                problems.add(new Problem(line(n), "form.empty", key));
                return null;
            }
            return v == null ? null : v.strip();
        }

        List<MappingNode> list(Map<String, Node> m, Node owner, String key) {
            List<MappingNode> out = new ArrayList<>();
            Node n = m.get(key);
            if (n == null) {
                problems.add(new Problem(line(owner), "form.missing", key));
            } else if (!(n instanceof SequenceNode s) || s.getValue().isEmpty()) {
                problems.add(new Problem(line(n), "form.empty", key));
            } else {
                for (Node e : s.getValue()) {
                    if (e instanceof MappingNode mn) {
                        out.add(mn);
                    } else {
                        problems.add(new Problem(line(e), "form.not-an-entry", key));
                    }
                }
            }
            return out;
        }
    }

    private static String scalar(Node n) {
        return Yamls.scalar(n);
    }

    private static int line(Node n) {
        return Yamls.line(n);
    }
}
