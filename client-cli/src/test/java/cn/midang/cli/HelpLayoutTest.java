package cn.midang.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --help} reads in whole sentences, and examples stay as they are written. */
class HelpLayoutTest {

    @Test
    void aSentenceWrittenOverSeveralLines_isOneLine_andTheFirstSentenceStandsAlone() {
        List<String> out = HelpLayout.lead(HelpLayout.joined(new String[] {
            "The summary (汇总). An inspector generates it from the forms and the", "findings: JSON, .xlsx and .docx.",
            "When all have signed, the leadership approves.", "", "  midang summary show"}));
        assertThat(out).containsExactly("The summary (汇总).", "An inspector generates it from the forms and the findings: "
                + "JSON, .xlsx and .docx.", "When all have signed, the leadership approves.", "", "  midang summary show");
    }

    @Test
    void chineseRunsOnWithoutASpace_andAbbreviationsDoNotEndTheLead() {
        assertThat(HelpLayout.joined(new String[] {"报告表的九个检查", "方面。"})).containsExactly("报告表的九个检查方面。");
        assertThat(HelpLayout.lead(List.of("Dates, e.g. 2026-12-07, in UTC."))).containsExactly("Dates, e.g. 2026-12-07, in UTC.");
    }

    @Test
    void everyCommandList_showsWholeSentences_andEveryExampleLineAsWritten() {
        CommandLine root = Midang.allCommands();
        HelpLayout.apply(root);
        List<String> problems = new ArrayList<>();
        walk(root, problems);
        assertThat(problems).isEmpty();
    }

    private static void walk(CommandLine cl, List<String> problems) {
        String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
        String name = cl.getCommandSpec().qualifiedName();
        for (String line : cl.getCommandSpec().usageMessage().footer()) {
            if (!line.isBlank() && !usage.contains(line)) {
                problems.add(name + ": example line wrapped or missing: " + line);
            }
        }
        cl.getSubcommands().values().stream().distinct().forEach(sub -> {
            String[] d = sub.getCommandSpec().usageMessage().description();
            if (!sub.getCommandName().equals("help") && !sub.getCommandSpec().usageMessage().hidden()) {
                String lead = d.length == 0 ? "" : d[0].strip();
                if (!lead.matches("(?s).*[.。)）!?]$")) {
                    problems.add(sub.getCommandSpec().qualifiedName() + ": listed as a half sentence: " + lead);
                }
            }
            walk(sub, problems);
        });
    }
}
