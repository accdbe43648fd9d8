package cn.midang.cli;

import cn.midang.forms.SafeText;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * Everything {@code midang} prints goes through this writer: a file name a co-user chose, a
 * campaign title, a finding, a server's message can carry terminal escape sequences (retitle the
 * window, clear the screen, move the cursor) or bidirectional overrides that make
 * {@code report<U+202E>txt.exe} read as a text file. Each such character (see {@link SafeText}) is
 * written as {@code <U+XXXX>}, seen rather than obeyed; line feed and tab pass. JSON output
 * already carries them as backslash-u escapes ({@link Output}).
 */
final class TerminalSafeWriter extends FilterWriter {

    TerminalSafeWriter(Writer out) {
        super(out);
    }

    private static boolean escaped(char c) {
        return c != '\n' && c != '\t' && !Character.isSurrogate(c) && SafeText.unsafe(c);
    }

    @Override
    public void write(int c) throws IOException {
        if (escaped((char) c)) {
            out.write(SafeText.printable(String.valueOf((char) c)));
        } else {
            out.write(c);
        }
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (escaped(cbuf[i])) {
                out.write(cbuf, start, i - start);
                out.write(SafeText.printable(String.valueOf(cbuf[i])));
                start = i + 1;
            }
        }
        out.write(cbuf, start, off + len - start);
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
        write(str.toCharArray(), off, len);
    }
}
