package cn.midang.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain text table for the terminal, aligned by display width: a Chinese character takes two
 * columns, so columns stay straight with unit names such as 市公安局.
 */
public final class Table {

    private final List<String[]> rows = new ArrayList<>();
    private final Map<Integer, String> notes = new HashMap<>();

    public Table(String... header) {
        rows.add(header);
    }

    /** A line printed under the last row, indented, outside the columns (a search snippet); several stack in order. */
    public Table note(String text) {
        notes.merge(rows.size() - 1, text, (a, b) -> a + "\n    " + b);
        return this;
    }

    public Table row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] == null ? "-" : cells[i].toString();
        }
        rows.add(r);
        return this;
    }

    public boolean isEmpty() {
        return rows.size() == 1;
    }

    public void print(PrintWriter out) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], displayWidth(r[i]));
            }
        }
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                line.append(r[i]);
                if (i < cols - 1) {
                    line.append(" ".repeat(width[i] - displayWidth(r[i]) + 2));
                }
            }
            out.println(line.toString().stripTrailing());
            if (notes.containsKey(k)) {
                out.println("    " + notes.get(k));
            }
        }
        out.flush();
    }

    /** Columns a string takes on a terminal: East Asian wide and full-width characters take two. */
    static int displayWidth(String s) {
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            w += wide(cp) ? 2 : 1;
        }
        return w;
    }

    private static boolean wide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60)
                || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
    }
}
