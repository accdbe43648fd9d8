package cn.midang.cli;

import cn.midang.cli.net.Progress;
import cn.midang.forms.SafeText;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on the terminal for a transfer: bytes done of total (MiB), rate
 * and time left. Shown only when standard error is a terminal ({@code bin/midang} tells the JVM
 * with {@code -Dmidang.stderr.tty=true}) and the file is over {@link #THRESHOLD}; a script that
 * captures standard error never sees bar drawing.
 */
public final class TerminalProgress implements Progress {

    /** Files up to this size go by without a bar. */
    public static final long THRESHOLD = 1L << 20;

    private final Messages messages;
    private final String fileName;
    private final PrintStream err;
    private ProgressBar bar;

    private TerminalProgress(Messages messages, String fileName, PrintStream err) {
        this.messages = messages;
        this.fileName = SafeText.printable(fileName); // drawn on its own stream, not through TerminalSafeWriter
        this.err = err;
    }

    /** A bar for a file of {@code size} bytes, or {@link Progress#NONE} when none should be drawn. */
    public static Progress forFile(Messages messages, String fileName, long size, boolean suppressed) {
        if (suppressed || size <= THRESHOLD || !stderrIsTerminal()) {
            return Progress.NONE;
        }
        return new TerminalProgress(messages, fileName, new PrintStream(new FileOutputStream(FileDescriptor.err),
                true, StandardCharsets.UTF_8));
    }

    static boolean stderrIsTerminal() {
        return Boolean.getBoolean("midang.stderr.tty");
    }

    @Override
    public void start(long total) {
        finish();
        String task = messages.get("progress.upload", fileName);
        bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" MiB", 1L << 20)
                .showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(err, width()))
                .build();
    }

    @Override
    public void advancedTo(long bytes) {
        ProgressBar b = bar;
        if (b != null) {
            b.stepTo(bytes);
        }
    }

    @Override
    public void finish() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    /** The terminal's width as the launcher measured it ({@code midang.columns}), else 100. */
    private static int width() {
        return Math.max(60, Integer.getInteger("midang.columns", 100));
    }
}
