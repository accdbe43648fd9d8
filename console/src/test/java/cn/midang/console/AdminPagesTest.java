package cn.midang.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The administrator's pages write times the Chinese way, in China Standard Time, also inside the server's reasons. */
class AdminPagesTest {

    @Test
    void aReasonsInstants_areWrittenInChinaTime_andNothingElseChanges() {
        Text zh = new Text(true);
        assertThat(AdminPages.chinaTimes("invalid_dates: submission_deadline: 2000-01-01T01:00:00Z lies in the past; "
                + "not after 2026-12-08T08:30:35.407223Z", zh))
                .isEqualTo("invalid_dates: submission_deadline: 2000年1月1日 09:00 lies in the past; not after 2026年12月8日 16:30");
        assertThat(AdminPages.chinaTimes("no time here: 2026-12-08", zh)).isEqualTo("no time here: 2026-12-08");
    }

    @Test
    void aDateField_showsTheInstant_inChinaTime_toTheMinute() {
        assertThat(AdminPages.localChinaTime("2026-12-08T08:30:35.407223Z")).isEqualTo("2026-12-08T16:30");
        assertThat(AdminPages.localChinaTime("2026-12-07T16:00:00Z")).isEqualTo("2026-12-08T00:00");
        assertThat(AdminPages.localChinaTime("")).isEmpty();
        assertThat(AdminPages.localChinaTime("null")).isEmpty();
        // and back: what the field holds is read as China time
        assertThat(AdminPages.chinaTime("2026-12-08T16:30")).isEqualTo("2026-12-08T08:30:00Z");
    }
}
