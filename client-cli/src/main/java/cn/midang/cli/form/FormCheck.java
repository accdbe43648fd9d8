package cn.midang.cli.form;

import cn.midang.forms.ReportForm;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check a filled-in report form on this computer (no server): every item answered with one of",
            "符合 / 基本符合 / 不符合 / 不适用, a note for 基本符合 and 不符合, the filler named, no item added or removed.",
            "Each problem is printed as FILE:LINE: what is wrong. Exit code 0 when the form is complete, 2 when not."},
        footer = {"", "Example:", "  midang form check 报告表.yaml"})
public final class FormCheck extends MidangCommand {

    @Parameters(paramLabel = "FILE", description = "The form.")
    Path file;

    @Override
    public Integer call() throws Exception {
        CliFiles.requireFile(file, "input");
        ReportForm.Checked c = ReportForm.check(Files.readString(file, StandardCharsets.UTF_8));
        List<Map<String, Object>> problems = c.problems().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("line", p.line());
            m.put("message", messages().get(p.key(), p.args()));
            return m;
        }).toList();
        if (globals().json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", file.toString());
            m.put("complete", c.complete());
            m.put("campaign", c.campaign());
            m.put("unit", c.unit());
            m.put("areas", c.areas());
            m.put("items", c.items());
            m.put("answers", c.answers());
            m.put("problems", problems);
            out().println(Output.json(m));
            out().flush();
            return c.complete() ? 0 : ExitCode.USAGE;
        }
        if (c.complete()) {
            StringBuilder counts = new StringBuilder();
            c.answers().forEach((a, n) -> counts.append(counts.isEmpty() ? "" : messages().get("form.count-separator")).append(a)
                    .append(' ').append(n));
            out().println(messages().get("form.check.complete", file, c.areas(), c.items(), counts));
            out().flush();
            return 0;
        }
        for (Map<String, Object> p : problems) {
            err().println(file + ((int) p.get("line") > 0 ? ":" + p.get("line") : "") + ": " + p.get("message"));
        }
        err().println(messages().get("form.check.incomplete", file, problems.size()));
        err().flush();
        return ExitCode.USAGE;
    }
}
