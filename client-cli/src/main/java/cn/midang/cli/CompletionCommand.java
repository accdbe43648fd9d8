package cn.midang.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a completion script for your shell, so Tab completes midang's commands and options.",
            "Only bash is supported (zsh can use it through bashcompinit)."},
        footer = {"", "Examples:", "  source <(midang completion bash)",
            "  midang completion bash > ~/.local/share/bash-completion/completions/midang"})
public final class CompletionCommand extends MidangCommand {

    @Parameters(paramLabel = "SHELL", description = "The shell: bash.")
    String shell;

    @Override
    public Integer call() {
        if (!"bash".equals(shell)) {
            throw new CliFailure(ExitCode.USAGE, "error.completion.shell", shell);
        }
        out().print(AutoComplete.bash("midang", spec.root().commandLine()));
        out().flush();
        return 0;
    }
}
