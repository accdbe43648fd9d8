package cn.midang.cli.submit;

import cn.midang.cli.net.MidangClient;
import picocli.CommandLine.Option;

/** Which submissions a listing or a search is about; shared by {@code list} and {@code search}. */
final class FilterOptions {
    @Option(names = "--campaign", paramLabel = "C", description = "Only this campaign.")
    String campaign;

    @Option(names = "--unit", paramLabel = "UNIT", description = "Only this unit.")
    String unit;

    @Option(names = "--kind", paramLabel = "KIND", description = "Only this kind (report, form, test-result, ...).")
    String kind;

    @Option(names = "--area", paramLabel = "AREA", description = "Only documents about this check area, by its id "
            + "(e.g. cryptography; 'midang status --json' lists a campaign's areas).")
    String area;

    @Option(names = "--late", description = "Only documents received after the campaign's deadline.")
    boolean late;

    @Option(names = "--on-time", description = "Only documents received by the deadline.")
    boolean onTime;

    MidangClient.Filter filter() {
        if (late && onTime) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--late and --on-time exclude each other");
        }
        return new MidangClient.Filter(campaign, unit, kind, area, late ? Boolean.TRUE : onTime ? Boolean.FALSE : null);
    }
}
