package cn.midang.forms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SafeTextTest {

    @Test
    void hostileFileNames_areRefused_eachForItsReason() {
        List<String> refused = List.of("", ".", "..", "a/b.txt", "a\\b.txt", "report\u202Etxt.exe", "a\u2066b", "a\u200Fb",
                "a\u061Cb", "a\u007Fb", "a\u0085b", "a\u009Bb", "a\u0000b", "a\nb", "a\u001B[2Jb", "a\u2028b", "a\u2029b",
                "\u200B", "\uFEFF", " ", "\u3000", "\u200B\u00A0\u200D\u2060", "a\uD800b", "长".repeat(86));
        for (String name : refused) {
            assertThat(SafeText.fileNameProblem(name)).as("%s", SafeText.printable(name)).isPresent();
        }
        assertThat(SafeText.fileNameProblem("长".repeat(86)).orElseThrow()).contains("258 bytes");
        assertThat(SafeText.fileNameProblem("..").orElseThrow()).contains("folder");
        assertThat(SafeText.fileNameProblem("x\u202Ey").orElseThrow()).contains("U+202E");
    }

    @Test
    void ordinaryAndOddButHarmlessNames_areAccepted() {
        for (String name : List.of("自查报告.docx", "2009年度 自查报告（定稿）.pdf", "CON", "-rf", "a\u2215b.txt", "长".repeat(85),
                "a".repeat(255), "报告\u200B定稿.txt", "😀.txt", ".hidden")) {
            assertThat(SafeText.fileNameProblem(name)).as(name).isEmpty();
        }
    }

    @Test
    void printable_showsEveryUnsafeCharacterAndKeepsTheRest() {
        assertThat(SafeText.printable("report\u202Etxt.exe")).isEqualTo("report<U+202E>txt.exe");
        assertThat(SafeText.printable("\u001B]0;pwned\u0007title")).isEqualTo("<U+001B>]0;pwned<U+0007>title");
        assertThat(SafeText.printable("a\u009B2Jb\rc")).isEqualTo("a<U+009B>2Jb<U+000D>c");
        assertThat(SafeText.printable("行一\n\t行二 中文 😀")).isEqualTo("行一\n\t行二 中文 😀");
        assertThat(SafeText.printable(null)).isNull();
    }
}
