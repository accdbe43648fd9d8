package cn.midang.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What the dashboard chases first: no report, then late, then a form missing or incomplete. */
class PagesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static int attention(String status) throws Exception {
        return Pages.attention(JSON.readTree(status));
    }

    @Test
    void noReportComesFirst_thenLate_thenAnIncompleteForm_thenNothingToChase() throws Exception {
        assertThat(attention("{\"report_in\": false, \"report_on_time\": false, \"form\": \"missing\"}")).isZero();
        assertThat(attention("{\"report_in\": true, \"report_on_time\": false, \"form\": \"complete\"}")).isEqualTo(1);
        assertThat(attention("{\"report_in\": true, \"report_on_time\": true, \"form\": \"incomplete\"}")).isEqualTo(2);
        assertThat(attention("{\"report_in\": true, \"report_on_time\": true, \"form\": \"missing\"}")).isEqualTo(2);
        assertThat(attention("{\"report_in\": true, \"report_on_time\": true, \"form\": \"complete\"}")).isEqualTo(3);
    }
}
