package cn.midang.cli.submit;

import picocli.CommandLine.Option;

/** Which submissions a listing or a search is about; shared by {@code list} and {@code search}. */
final class FilterOptions {
    @Option(names = "--campaign", paramLabel = "C", description = "Only this campaign.")
    String campaign;

    @Option(names = "--unit", paramLabel = "UNIT", description = "Only this unit.")
    String unit;

    @Option(names = "--kind", paramLabel = "KIND", description = "Only this kind (report, form, test-result, ...).")
    String kind;
}
