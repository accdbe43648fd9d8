package cn.midang.forms;

import java.io.StringReader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reading the project's hand-edited YAML files (campaign definitions, report forms) as nodes, so
 * every problem can name its line: safe constructor only, at most {@code maxChars}, at most ten
 * aliases (no alias bombs).
 */
public final class Yamls {

    private Yamls() {}

    /** Why a file is not YAML at all: the line (0 when unknown) and the parser's words. */
    public static final class NotYaml extends Exception {
        private final int line;

        NotYaml(int line, String problem) {
            super(problem);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    /** The document's root node (null for an empty file). */
    public static Node compose(String text, int maxChars) throws NotYaml {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(10);
        options.setCodePointLimit(maxChars);
        try {
            return new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new NotYaml(e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1, e.getProblem());
        } catch (YAMLException e) {
            throw new NotYaml(0, e.getMessage());
        } catch (RuntimeException e) {
            // SnakeYAML's own checks outside its YAMLException, e.g. a tag "!% A" (IllegalArgumentException): found by fuzzing
            throw new NotYaml(0, "not YAML: " + e.getMessage());
        }
    }

    /** A scalar's text, or null for anything else. */
    public static String scalar(Node n) {
        return n instanceof ScalarNode s ? s.getValue() : null;
    }

    /** The 1-based line a node starts on. */
    public static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }
}
