package cn.midang.server.campaign.api;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.server.campaign.Findings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FindingRulesTest {

    static final Instant NOW = Instant.parse("2009-12-10T02:00:00Z");

    @Test
    void aDateDeadline_endsThatDayInChina_andAPastOneIsAProblem() {
        List<String> problems = new ArrayList<>();
        assertThat(FindingService.deadline("2010-01-31", NOW, problems)).isEqualTo(Instant.parse("2010-01-31T15:59:59Z"));
        assertThat(FindingService.deadline("2010-01-31T00:00:00Z", NOW, problems)).isEqualTo(Instant.parse("2010-01-31T00:00:00Z"));
        assertThat(problems).isEmpty();
        FindingService.deadline("2009-12-09", NOW, problems);
        FindingService.deadline("31/01/2010", NOW, problems);
        assertThat(problems).containsExactly("deadline: 2009-12-09 has passed already",
                "deadline: '31/01/2010' is not a date (2010-01-31) or a time (2010-01-31T16:00:00Z)");
    }

    @Test
    void severities_inEnglishOrChinese_andNothingElse() {
        assertThat(Findings.Severity.parse("高")).contains(Findings.Severity.HIGH);
        assertThat(Findings.Severity.parse("medium")).contains(Findings.Severity.MEDIUM);
        assertThat(Findings.Severity.parse("HIGH")).isEmpty();
        assertThat(Findings.Severity.parse("critical")).isEmpty();
    }

    @Test
    void overdue_onlyPastTheDeadline_andOnlyWithoutARectificationReport() {
        Instant deadline = NOW.plusSeconds(60);
        Findings.Finding open = new Findings.Finding("c", "u-1", "u", "a", Findings.Severity.LOW, "d", "r", deadline, null, "fp", NOW,
                null, null);
        Findings.Finding answered = new Findings.Finding("c", "u-2", "u", "a", Findings.Severity.LOW, "d", "r", deadline, null, "fp", NOW,
                "0123", NOW.plusSeconds(120));
        assertThat(open.overdueAt(deadline)).isFalse();
        assertThat(open.overdueAt(deadline.plusSeconds(1))).isTrue();
        assertThat(answered.overdueAt(deadline.plusSeconds(1))).isFalse();
    }
}
