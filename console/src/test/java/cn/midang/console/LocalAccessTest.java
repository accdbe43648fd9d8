package cn.midang.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Who may use the console, and how its pages write text: the rules of a local web application, in milliseconds. */
class LocalAccessTest {

    final LocalAccess access = new LocalAccess(40123, "ab".repeat(32));

    @Test
    void onlyTheConsolesOwnHostName_isServed() {
        assertThat(access.hostAllowed("127.0.0.1:40123")).isTrue();
        assertThat(access.hostAllowed("localhost:40123")).isTrue();
        assertThat(access.hostAllowed("LOCALHOST:40123")).isTrue();
        assertThat(access.hostAllowed("[::1]:40123")).isTrue();
        assertThat(access.hostAllowed("evil.example:40123")).as("DNS rebinding").isFalse();
        assertThat(access.hostAllowed("127.0.0.1:40124")).isFalse();
        assertThat(access.hostAllowed("127.0.0.1")).isFalse();
        assertThat(access.hostAllowed(null)).isFalse();
    }

    @Test
    void aChange_mustComeFromTheConsolesOwnOrigin() {
        assertThat(access.originAllowed("POST", "http://127.0.0.1:40123")).isTrue();
        assertThat(access.originAllowed("POST", "http://localhost:40123")).isTrue();
        assertThat(access.originAllowed("POST", null)).as("a change without an origin").isFalse();
        assertThat(access.originAllowed("POST", "http://evil.example")).isFalse();
        assertThat(access.originAllowed("POST", "http://127.0.0.1:40124")).isFalse();
        assertThat(access.originAllowed("POST", "null")).isFalse();
        assertThat(access.originAllowed("GET", null)).as("a typed address or a bookmark").isTrue();
        assertThat(access.originAllowed("GET", "http://evil.example")).isFalse();
        assertThat(access.originAllowed("DELETE", null)).isFalse();
    }

    @Test
    void theTokenOpensASession_andOnlyItsCookieIsOne() {
        assertThat(access.tokenMatches("ab".repeat(32))).isTrue();
        assertThat(access.tokenMatches("ab".repeat(31))).isFalse();
        assertThat(access.tokenMatches(null)).isFalse();
        assertThat(access.session("anything")).isFalse();
        String s = access.openSession();
        assertThat(s).matches("[0-9a-f]{64}").isNotEqualTo(access.token());
        assertThat(access.session(s)).isTrue();
        assertThat(access.session(s.substring(1))).isFalse();
        assertThat(access.session(null)).isFalse();
        assertThat(LocalAccess.cookie(s)).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        assertThat(LocalAccess.secret()).isNotEqualTo(LocalAccess.secret());
    }

    @Test
    void aSnippet_isCutIntoPlainAndMarkedPieces_neverInterpreted() {
        assertThat(Text.pieces("已建立【应急响应】预案，<b>【演练】</b>")).containsExactly(
                new Text.Piece("已建立", false), new Text.Piece("应急响应", true), new Text.Piece("预案，<b>", false),
                new Text.Piece("演练", true), new Text.Piece("</b>", false));
        assertThat(Text.pieces("只有左括号【没有右括号")).containsExactly(new Text.Piece("只有左括号【没有右括号", false));
        assertThat(Text.pieces(null)).isEmpty();
    }

    @Test
    void timesAreChinaStandardTime_writtenTheChineseWay() {
        Text zh = new Text(true);
        assertThat(zh.time("2026-11-30T09:00:00Z")).isEqualTo("2026年11月30日 17:00");
        assertThat(new Text(false).time("2026-11-30T09:00:00Z")).isEqualTo("2026-11-30 17:00 CST");
        assertThat(zh.time("")).isEqualTo("—");
        assertThat(zh.countdown("2026-12-02T12:00:00Z", Instant.parse("2026-11-30T09:00:00Z"))).isEqualTo("还剩 2 天 3 小时");
        assertThat(zh.countdown("2026-11-29T12:00:00Z", Instant.parse("2026-11-30T09:00:00Z"))).isEqualTo("已截止");
        assertThat(zh.get("state.open")).isEqualTo("报送中");
    }
}
